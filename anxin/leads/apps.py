from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "anxin.leads"
    label = "leads"
    verbose_name = "欠薪线索"

    def ready(self) -> None:
        from anxin.core.registries import Exporter, register_exporter
        from anxin.lake import services as lake_services
        from anxin.leads.services import store_leads, write_export

        lake_services.STORES["leads"] = store_leads
        register_exporter(Exporter("leads", "欠薪案件（一案一行，合并的线索只计一次；不含投诉人信息）", write_export))
