"""monitoring: daily runs and the findings they keep open."""

from __future__ import annotations

import datetime as dt

from django.db import models

from anxin.core.jurisdiction import Scope, ScopedQuerySet


class DailyRun(models.Model):
    """One day's run: its state snapshot in the lake and what it saw."""

    as_of = models.DateField("数据日期", unique=True)
    engine = models.CharField("计算引擎", max_length=10)
    #: The newest ingest batch folded into this state; later batches' rows dated on or before as_of are "late".
    watermark = models.BigIntegerField("已处理批次")
    started_at = models.DateTimeField("开始", default=dt.datetime.now)
    seconds = models.FloatField("耗时（秒）", default=0)
    findings_open = models.IntegerField("开放发现数", default=0)
    late_rows = models.IntegerField("迟到数据行", default=0)
    reads = models.JSONField("读取的分区", default=list)

    class Meta:
        verbose_name = "每日监测运行"
        verbose_name_plural = "每日监测运行"
        ordering = ["-as_of"]

    def __str__(self) -> str:
        return f"{self.as_of}（{self.engine}）"


class FindingQuerySet(ScopedQuerySet["Finding"]):
    def open_on(self, day: dt.date) -> FindingQuerySet:
        return self.filter(opened_on__lte=day).filter(models.Q(closed_on__isnull=True) | models.Q(closed_on__gt=day))


class Finding(models.Model):
    """A rule holding for a subject from ``opened_on`` until ``closed_on`` (exclusive; null while open)."""

    rule = models.CharField("规则", max_length=8, db_index=True)
    subject_type = models.CharField("对象类型", max_length=12)
    subject_id = models.CharField("对象", max_length=64, db_index=True)
    region_code = models.CharField("所属区县", max_length=6, blank=True, db_index=True)
    opened_on = models.DateField("发现日期", db_index=True)
    last_seen_on = models.DateField("最近一次成立")
    closed_on = models.DateField("消除日期", null=True, blank=True, db_index=True)
    severity = models.CharField("严重程度", max_length=8)
    workers = models.IntegerField("涉及人数", null=True, blank=True)
    amount_fen = models.BigIntegerField("涉及金额（分）", null=True, blank=True)
    evidence = models.JSONField("证据", default=dict)

    objects = FindingQuerySet.as_manager()
    scope = Scope(region_field="region_code")

    class Meta:
        verbose_name = "规则发现"
        verbose_name_plural = "规则发现"
        ordering = ["-opened_on", "rule", "subject_id"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "closed_on"])]

    def __str__(self) -> str:
        return f"{self.rule} {self.subject_id} {self.opened_on}"
