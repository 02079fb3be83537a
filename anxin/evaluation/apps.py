from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "anxin.evaluation"
    label = "evaluation"
    verbose_name = "履约评价"

    def ready(self) -> None:
        from anxin.core.registries import Exporter, register_exporter
        from anxin.evaluation.services import evaluate_day, rewind, write_export
        from anxin.monitoring.services import DayStep, register_day_step

        register_exporter(
            Exporter("evaluations", "某日的施工总承包单位履约评价（--as-of）", write_export, needs_as_of=True)
        )
        register_day_step(DayStep("evaluation", evaluate_day, rewind))
