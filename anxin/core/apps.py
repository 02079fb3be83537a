from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "anxin.core"
    label = "core"
    verbose_name = "基础"
