from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "anxin.registry"
    label = "registry"
    verbose_name = "实名登记"
