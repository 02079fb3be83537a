"""warnings: each subject's daily risk, the warnings raised on it, their handling and notices.

- ``RiskDay``: a subject's level and score on one day (every subject with an open finding).
- ``Warning``: one episode of risk on one subject (FEEDS.md, warnings export): raised the day
  the subject first reaches medium or above, keeping its identity while the level rises
  (``high_on``/``urgent_on`` record the day it reached each), ended by an official or when its
  findings have cleared for ``ANXIN_WARNING_CLEAR_DAYS``. A new one only after the last ended.
- ``WarningEvent``: every change of a warning as a row (system steps and officials' steps).
- ``Quieting``: rules on a subject that officials dealt with (不属实 / 已办结), not counted
  for a while unless the evidence grows.
- ``Notification``: the in-app inbox of an office (and the e-mail sent for it), one per event
  and office, so the sending job is idempotent.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from anxin.core.jurisdiction import Scope, ScopedQuerySet
from anxin.monitoring.models import Finding
from anxin.warnings.choices import ENDED, EventKind, OfficeLevel, RiskLevel, WarningStatus


class RiskDay(models.Model):
    """A subject's risk as of a day (only subjects with an open finding have a row)."""

    as_of = models.DateField("数据日期")
    subject_type = models.CharField("对象类型", max_length=12)
    subject_id = models.CharField("对象", max_length=64)
    region_code = models.CharField("所属区县", max_length=6, blank=True)
    level = models.CharField("风险等级", max_length=8, choices=RiskLevel.choices)
    score = models.PositiveSmallIntegerField("风险分值")
    rules = models.JSONField("规则", default=list)
    reasons = models.JSONField("定级理由", default=list)

    scope = Scope(region_field="region_code")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "每日风险"
        verbose_name_plural = "每日风险"
        ordering = ["-as_of", "subject_type", "subject_id"]
        constraints = [
            models.UniqueConstraint(fields=["subject_type", "subject_id", "as_of"], name="uniq_risk_subject_day")
        ]
        indexes = [models.Index(fields=["as_of", "level"])]

    def __str__(self) -> str:
        return f"{self.as_of} {self.subject_id} {self.get_level_display()}"


class WarningQuerySet(ScopedQuerySet["Warning"]):
    def open(self) -> WarningQuerySet:
        return self.exclude(status__in=ENDED)


class Warning(models.Model):
    """One episode of risk on one subject, dispatched to the office that must verify and act."""

    #: YJ<year>-<pk>: from the auto primary key, so two writers never share a number.
    warning_no = models.CharField("预警编号", max_length=20, unique=True, null=True, blank=True)
    subject_type = models.CharField("对象类型", max_length=12)
    subject_id = models.CharField("对象", max_length=64, db_index=True)
    subject_name = models.CharField("对象名称", max_length=300, blank=True)
    #: The county whose office must act; empty while in the province's queue.
    region_code = models.CharField("承办区县", max_length=6, blank=True, db_index=True)
    #: The office currently answerable: the county's, or the city's / province's after escalation.
    office_level = models.CharField("督办层级", max_length=10, choices=OfficeLevel.choices, default=OfficeLevel.COUNTY)
    office_code = models.CharField("督办机构区划", max_length=6, blank=True)
    level = models.CharField("最高风险等级", max_length=8, choices=RiskLevel.choices)
    current_level = models.CharField("当前风险等级", max_length=8, choices=RiskLevel.choices, blank=True)
    score = models.PositiveSmallIntegerField("最高风险分值")
    current_score = models.PositiveSmallIntegerField("当前风险分值", default=0)
    raised_on = models.DateField("生成日期", db_index=True)
    high_on = models.DateField("升至高风险日期", null=True, blank=True)
    urgent_on = models.DateField("升至紧急日期", null=True, blank=True)
    closed_on = models.DateField("关闭日期", null=True, blank=True)
    last_assessed_on = models.DateField("最近评估日期")
    #: The first day of the current run of days below medium (null while at medium or above).
    cleared_since = models.DateField("风险消除起始日", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=WarningStatus.choices, default=WarningStatus.PENDING)
    rules = models.JSONField("涉及规则（累计）", default=list)
    current_rules = models.JSONField("当前规则", default=list)
    reasons = models.JSONField("当前定级理由", default=list)
    verify_due_on = models.DateField("核实期限", null=True, blank=True)
    confirmed_on = models.DateField("核实属实日期", null=True, blank=True)
    handle_due_on = models.DateField("处置期限", null=True, blank=True)
    escalated_on = models.DateField("提级日期", null=True, blank=True)
    supervised = models.BooleanField("省级挂牌督办", default=False)
    findings = models.ManyToManyField(Finding, related_name="warnings", verbose_name="规则发现", blank=True)
    created_at = models.DateTimeField("创建时间", default=dt.datetime.now)

    scope = Scope(region_field="region_code")
    objects = WarningQuerySet.as_manager()

    class Meta:
        verbose_name = "预警"
        verbose_name_plural = "预警"
        ordering = ["-raised_on", "-id"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "status"]),
            models.Index(fields=["status", "region_code"]),
        ]

    def __str__(self) -> str:
        return self.warning_no or f"预警#{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status not in ENDED

    def running_deadline(self) -> tuple[str, dt.date | None]:
        """The deadline that runs in the current state: ("verify" | "handle" | "", date)."""
        if self.status in (WarningStatus.PENDING, WarningStatus.VERIFYING):
            return "verify", self.verify_due_on
        if self.status in (WarningStatus.CONFIRMED, WarningStatus.HANDLING):
            return "handle", self.handle_due_on
        return "", None

    def is_overdue(self, today: dt.date) -> bool:
        _kind, due = self.running_deadline()
        return due is not None and today > due


class WarningEvent(models.Model):
    """One step in a warning's life, stored as a row (nothing about a warning changes silently)."""

    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="events", verbose_name="预警")
    kind = models.CharField("事项", max_length=12, choices=EventKind.choices)
    on = models.DateField("日期", db_index=True)
    at = models.DateTimeField("时间", default=dt.datetime.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name="经办人"
    )
    actor_name = models.CharField("经办人名称", max_length=150)
    level = models.CharField("风险等级", max_length=8, choices=RiskLevel.choices, blank=True)
    status = models.CharField("状态", max_length=10, choices=WarningStatus.choices)
    note = models.TextField("说明", blank=True)
    #: Facts of the step (levels, deadlines, rules, the office); never personal data.
    detail = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        verbose_name = "预警办理记录"
        verbose_name_plural = "预警办理记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.on} {self.get_kind_display()}"


class Quieting(models.Model):
    """Rules on a subject not counted until ``until_on`` unless their evidence grows (see risk.Quiet)."""

    subject_type = models.CharField("对象类型", max_length=12)
    subject_id = models.CharField("对象", max_length=64, db_index=True)
    rules = models.JSONField("规则", default=list)
    from_on = models.DateField("起始日期")
    until_on = models.DateField("截止日期")
    #: {rule: [workers, amount_fen]} when officials dealt with them.
    baseline = models.JSONField("当时的证据规模", default=dict)
    #: Only these findings (a closed warning), or every finding of the rules (null: 不属实).
    finding_ids = models.JSONField("限于这些规则发现", null=True, blank=True)
    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="quietings", verbose_name="预警")
    reason = models.CharField("原因", max_length=12, choices=EventKind.choices)

    class Meta:
        verbose_name = "预警抑制"
        verbose_name_plural = "预警抑制"

    def __str__(self) -> str:
        return f"{self.subject_id} {','.join(self.rules)} 至 {self.until_on}"


class Notification(models.Model):
    """An office's notice of a warning event (in-app inbox; e-mailed to its officials once)."""

    office_code = models.CharField("接收机构区划", max_length=6, db_index=True)
    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="notifications", verbose_name="预警")
    event = models.ForeignKey(WarningEvent, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    created_at = models.DateTimeField("时间", default=dt.datetime.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    emailed_at = models.DateTimeField("邮件发送时间", null=True, blank=True)
    email_to = models.JSONField("邮件收件人", default=list, blank=True)

    class Meta:
        verbose_name = "预警通知"
        verbose_name_plural = "预警通知"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["event", "office_code"], name="uniq_notice_event_office")]

    def __str__(self) -> str:
        return self.title
