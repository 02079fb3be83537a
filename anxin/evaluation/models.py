"""evaluation: the daily contract-performance score (履约评价) of every general contractor."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from anxin.core.jurisdiction import Scope, ScopedQuerySet
from anxin.evaluation.choices import Grade
from anxin.registry.models import Project


def _contracting_in(counties: frozenset[str]) -> Q:
    """Contractors of a project in these counties (an office sees whoever builds there)."""
    codes = Project.objects.current().filter(region_code__in=sorted(counties)).values("contractor_uscc")
    return Q(uscc__in=codes)


class Evaluation(models.Model):
    """One contractor's score on one day, with the deductions behind it."""

    uscc = models.CharField("统一社会信用代码", max_length=18)
    name = models.CharField("单位名称", max_length=200, blank=True)
    region_code = models.CharField("注册地区划", max_length=6, blank=True)
    as_of = models.DateField("评价日期", db_index=True)
    score = models.PositiveSmallIntegerField("总分")
    grade = models.CharField("等级", max_length=1, choices=Grade.choices)
    real_name = models.DecimalField("实名制管理", max_digits=5, decimal_places=2)
    special_account = models.DecimalField("工资专用账户", max_digits=5, decimal_places=2)
    pay_on_behalf = models.DecimalField("总包代发", max_digits=5, decimal_places=2)
    deposit = models.DecimalField("工资保证金", max_digits=5, decimal_places=2)
    projects = models.PositiveIntegerField("参评项目数")
    capped = models.BooleanField("因欠薪封顶", default=False)
    #: [{project_code, sub_score, rule, points, finding_id, opened_on}], every finding that deducted.
    deductions = models.JSONField("扣分明细", default=list)
    #: [{project_code, workers, real_name, special_account, pay_on_behalf, deposit}]
    project_scores = models.JSONField("项目得分", default=list)
    #: The open WP01 findings that capped the total (finding ids).
    arrears_findings = models.JSONField("欠薪发现", default=list)

    scope = Scope(region_field="region_code", enterprise_fields=("uscc",), extra=_contracting_in)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "履约评价"
        verbose_name_plural = "履约评价"
        ordering = ["-as_of", "uscc"]
        constraints = [models.UniqueConstraint(fields=["uscc", "as_of"], name="uniq_evaluation_day")]
        indexes = [models.Index(fields=["uscc", "as_of"])]

    def __str__(self) -> str:
        return f"{self.uscc} {self.as_of} {self.score}（{self.grade}）"
