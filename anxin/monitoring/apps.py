from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "anxin.monitoring"
    label = "monitoring"
    verbose_name = "监测规则"
