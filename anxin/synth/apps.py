from django.apps import AppConfig


class SynthConfig(AppConfig):
    name = "anxin.synth"
    label = "synth"
    verbose_name = "合成数据（模拟福建省）"
