"""lake: the manifest of ingested batches, their quarantine, and API idempotency."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from anxin.core.jurisdiction import Scope, ScopedQuerySet
from anxin.lake.choices import BatchSource, BatchStatus


class Batch(models.Model):
    """One ingest: a set of files from the command line, or one API request."""

    received_at = models.DateTimeField("接收时间", default=dt.datetime.now, db_index=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    source = models.CharField("来源", max_length=10, choices=BatchSource.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name="报送人"
    )
    status = models.CharField("状态", max_length=10, choices=BatchStatus.choices, default=BatchStatus.RUNNING)
    files = models.JSONField("文件", default=list)
    summary = models.JSONField("汇总", default=list)
    #: Lake partitions the batch rewrote ("attendance/day=2025-04-01"): the daily run finds late rows here.
    partitions = models.JSONField("写入分区", default=list)
    error = models.TextField("错误", blank=True)

    class Meta:
        verbose_name = "导入批次"
        verbose_name_plural = "导入批次"
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"批次 {self.pk}（{self.received_at:%Y-%m-%d %H:%M}）"


class QuarantinedRowQuerySet(ScopedQuerySet["QuarantinedRow"]):
    pass


class QuarantinedRow(models.Model):
    """A row that was not accepted, with where it came from and why, for a clerk to fix.

    The raw row is kept encrypted (``raw_enc``); ``raw_masked`` shows it with personal
    data masked. ``county_code`` places it in a jurisdiction when the row names a
    project or a county; rows that name none are seen at province level only.
    """

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="quarantined", verbose_name="批次")
    feed = models.CharField("数据项", max_length=30, db_index=True)
    file_name = models.CharField("文件", max_length=255)
    line = models.PositiveIntegerField("行号")
    column = models.CharField("列", max_length=50, blank=True)
    reason = models.TextField("原因")
    raw_enc = models.TextField("原始数据（密文）")
    raw_masked = models.JSONField("原始数据（脱敏）", default=dict)
    row_key = models.CharField(max_length=64)
    county_code = models.CharField("所属区县", max_length=6, blank=True, db_index=True)
    created_at = models.DateTimeField("隔离时间", default=dt.datetime.now)

    objects = QuarantinedRowQuerySet.as_manager()
    scope = Scope(region_field="county_code")

    class Meta:
        verbose_name = "隔离数据"
        verbose_name_plural = "隔离数据"
        ordering = ["-batch_id", "feed", "file_name", "line"]
        constraints = [models.UniqueConstraint(fields=["feed", "row_key"], name="uniq_quarantine_row")]

    def __str__(self) -> str:
        return f"{self.file_name}:{self.line} {self.reason}"


class IdempotentRequest(models.Model):
    """The first answer to an API request with an ``Idempotency-Key``, replayed on repeat."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(default=dt.datetime.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="uniq_idempotency_key")]

    def __str__(self) -> str:
        return self.key
