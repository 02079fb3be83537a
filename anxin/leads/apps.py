from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "anxin.leads"
    label = "leads"
    verbose_name = "欠薪线索"
