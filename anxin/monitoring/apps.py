from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "anxin.monitoring"
    label = "monitoring"
    verbose_name = "监测规则"

    def ready(self) -> None:
        from anxin.core.registries import Exporter, register_exporter
        from anxin.monitoring.services import export_findings

        register_exporter(Exporter("findings", "某日开放的规则发现（--as-of）", export_findings, needs_as_of=True))
