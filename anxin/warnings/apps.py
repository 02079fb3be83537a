from django.apps import AppConfig


class WarningsConfig(AppConfig):
    name = "anxin.warnings"
    label = "warnings"
    verbose_name = "风险预警"

    def ready(self) -> None:
        from anxin.core.registries import Exporter, register_exporter
        from anxin.monitoring.services import DayStep, register_day_step
        from anxin.warnings.services import assess_day, rewind, write_export

        register_exporter(Exporter("warnings", "预警（一次风险过程一行，含已关闭的）", write_export))
        register_day_step(DayStep("warnings", assess_day, rewind))
