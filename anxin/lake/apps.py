from django.apps import AppConfig


class LakeConfig(AppConfig):
    name = "anxin.lake"
    label = "lake"
    verbose_name = "数据接入"
