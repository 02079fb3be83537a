"""leads: complaint leads (线索), the cases they are merged into, case events, project QR codes.

A ``Lead`` is one complaint as it arrived (key: channel + lead_id); a ``Case`` is the
matter an office handles, holding one or more leads (de-duplication never drops a lead).
Status changes are rows (``CaseEvent``); the case keeps its current state and its due
dates so that queues and overdue filters are plain SQL.

The complainant's name and phone exist only encrypted (``*_enc``) with masked copies;
never in clear in the database (《劳动保障监察条例》第九条).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from anxin.core.jurisdiction import Scope, ScopedQuerySet
from anxin.leads.choices import (
    CaseStatus,
    Channel,
    EventKind,
    HandlingLevel,
    Outcome,
    RoutedBy,
    SupervisionLevel,
)


class CaseQuerySet(ScopedQuerySet["Case"]):
    def open(self) -> CaseQuerySet:
        return self.exclude(status=CaseStatus.CLOSED)

    def overdue(self, today: dt.date) -> CaseQuerySet:
        return self.filter(overdue_q(today))


def overdue_q(today: dt.date) -> Q:
    """Cases past a statutory or supervision deadline on ``today``."""
    return (
        Q(status=CaseStatus.RECEIVED, accept_due_on__lt=today)
        | Q(status__in=[CaseStatus.ACCEPTED, CaseStatus.INVESTIGATING], finish_due_on__lt=today)
        | (Q(supervised=True, supervision_due_on__lt=today) & ~Q(status=CaseStatus.CLOSED))
    )


class Case(models.Model):
    """A matter handled by one office: one or more merged leads (案件)."""

    #: AX<year>-<pk>: from the auto primary key, so two writers never share a number.
    case_no = models.CharField("案件编号", max_length=20, unique=True, null=True, blank=True)
    channel = models.CharField("来源渠道（首条线索）", max_length=20, choices=Channel.choices)
    received_at = models.DateTimeField("接收时间（首条线索）", db_index=True)
    last_received_at = models.DateTimeField("最近线索接收时间")
    target_name = models.CharField("被反映单位", max_length=200)
    #: ``uscc:<code>`` or ``name:<normalised name>``: the de-duplication key.
    target_key = models.CharField("被反映单位归一键", max_length=220, db_index=True)
    target_uscc = models.CharField("被反映单位代码", max_length=18, blank=True, db_index=True)
    project_code = models.CharField("项目编码", max_length=64, blank=True, db_index=True)
    period_from = models.CharField("欠薪起始月", max_length=7, blank=True)
    period_to = models.CharField("欠薪截止月", max_length=7, blank=True)
    workers_involved = models.PositiveIntegerField("涉及人数", null=True, blank=True)
    amount_claimed_fen = models.BigIntegerField("涉及金额（分）", null=True, blank=True)
    #: The county office that must act; empty while in the province's manual queue.
    region_code = models.CharField("承办区县", max_length=6, blank=True, db_index=True)
    routed_by = models.CharField("分派依据", max_length=12, choices=RoutedBy.choices)
    handling_level = models.CharField(
        "办理层级", max_length=10, choices=HandlingLevel.choices, default=HandlingLevel.COUNTY
    )
    status = models.CharField("状态", max_length=15, choices=CaseStatus.choices, default=CaseStatus.RECEIVED)
    #: Null only while the calendar of the deadline's year is not yet known (see services).
    accept_due_on = models.DateField("受理期限", null=True, blank=True)
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    finish_due_on = models.DateField("办结期限", null=True, blank=True)
    extended = models.BooleanField("已延期", default=False)
    extension_reason = models.TextField("延期理由", blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    outcome = models.CharField("办理结果", max_length=20, choices=Outcome.choices, blank=True)
    recovered_fen = models.BigIntegerField("追回金额（分）", null=True, blank=True)
    workers_paid = models.PositiveIntegerField("受惠人数", null=True, blank=True)
    supervised = models.BooleanField("挂牌督办", default=False)
    supervision_level = models.CharField("督办层级", max_length=10, choices=SupervisionLevel.choices, blank=True)
    supervision_due_on = models.DateField("督办期限", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", default=dt.datetime.now)

    scope = Scope(region_field="region_code")
    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = "欠薪案件"
        verbose_name_plural = "欠薪案件"
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["status", "region_code"])]

    def __str__(self) -> str:
        return self.case_no or f"案件#{self.pk}"

    @property
    def subject_id(self) -> str:
        """project_code, else uscc, when known (the export's ``subject_id``)."""
        return self.project_code or self.target_uscc

    def is_overdue(self, today: dt.date) -> bool:
        if self.status == CaseStatus.CLOSED:
            return False
        if self.status == CaseStatus.RECEIVED and self.accept_due_on is not None and self.accept_due_on < today:
            return True
        if self.finish_due_on is not None and self.finish_due_on < today:
            return True
        return bool(self.supervised and self.supervision_due_on and self.supervision_due_on < today)


class Lead(models.Model):
    """One complaint as it arrived from a channel (FEEDS.md, leads; key: channel + lead_id)."""

    channel = models.CharField("来源渠道", max_length=20, choices=Channel.choices)
    lead_id = models.CharField("线索编号", max_length=64)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="leads", verbose_name="所属案件")
    received_at = models.DateTimeField("接收时间", db_index=True)
    target_name = models.CharField("被反映单位", max_length=200)
    target_uscc = models.CharField("被反映单位代码", max_length=18, blank=True)
    target_key = models.CharField("被反映单位归一键", max_length=220)
    project_code = models.CharField("项目编码", max_length=64, blank=True)
    region_code = models.CharField("所在地区划（原报）", max_length=6, blank=True)
    address = models.CharField("地址", max_length=300, blank=True)
    complainant_name_enc = models.TextField("反映人（密文）", blank=True)
    complainant_name_masked = models.CharField("反映人（脱敏）", max_length=40, blank=True)
    complainant_phone_enc = models.TextField("联系电话（密文）", blank=True)
    complainant_phone_masked = models.CharField("联系电话（脱敏）", max_length=20, blank=True)
    anonymous = models.BooleanField("匿名", default=False)
    workers_involved = models.PositiveIntegerField("涉及人数", null=True, blank=True)
    amount_claimed_fen = models.BigIntegerField("涉及金额（分）", null=True, blank=True)
    period_from = models.CharField("欠薪起始月", max_length=7, blank=True)
    period_to = models.CharField("欠薪截止月", max_length=7, blank=True)
    description = models.TextField("诉求内容", blank=True)
    routed_region_code = models.CharField("分派区县", max_length=6, blank=True)
    routed_by = models.CharField("分派依据", max_length=12, choices=RoutedBy.choices)
    #: Keyed hash of the contract columns: equal = the same row re-sent.
    row_hash = models.CharField(max_length=64)
    #: SHA-256 of the worker's lookup code (public form only); the code itself is never stored.
    lookup_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    batch = models.ForeignKey("lake.Batch", on_delete=models.PROTECT, null=True, blank=True, verbose_name="导入批次")
    recorded_at = models.DateTimeField("入库时间", default=dt.datetime.now)

    scope = Scope(region_field="case__region_code")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "欠薪线索"
        verbose_name_plural = "欠薪线索"
        ordering = ["received_at", "id"]
        constraints = [models.UniqueConstraint(fields=["channel", "lead_id"], name="uniq_lead_channel_id")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.lead_id}"


class CaseEvent(models.Model):
    """One step in a case's life, stored as a row (status changes, supervision, merges)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", verbose_name="案件")
    kind = models.CharField("事项", max_length=20, choices=EventKind.choices)
    at = models.DateTimeField("时间", default=dt.datetime.now)
    on = models.DateField("日期")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name="经办人"
    )
    actor_name = models.CharField("经办人名称", max_length=150)
    note = models.TextField("说明", blank=True)
    #: Facts of the step (due dates, outcome, amounts); never personal data.
    detail = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        verbose_name = "案件办理记录"
        verbose_name_plural = "案件办理记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.on} {self.get_kind_display()}"


class ProjectQr(models.Model):
    """The random token behind a project's complaint QR code (``/c/<token>``)."""

    project_code = models.CharField("项目编码", max_length=64, unique=True)
    token = models.CharField("令牌", max_length=32, unique=True)
    created_at = models.DateTimeField("创建时间", default=dt.datetime.now)

    class Meta:
        verbose_name = "项目投诉二维码"
        verbose_name_plural = "项目投诉二维码"

    def __str__(self) -> str:
        return self.project_code
