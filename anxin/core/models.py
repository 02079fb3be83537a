"""core: divisions, calendar overrides, minimum wages, organisations, users, audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models

from anxin.core.choices import AuditAction, DivisionLevel, Role


class Division(models.Model):
    """A current division of the province (GB/T 2260), with its jurisdiction city.

    ``city_code`` is the city-level jurisdiction the division answers to: its
    prefecture city, except 平潭 (350128), which is administered directly under the
    province by 平潭综合实验区 and is a city-level jurisdiction of its own.
    """

    code = models.CharField("区划代码", max_length=6, primary_key=True)
    name = models.CharField("名称", max_length=40)
    level = models.CharField("级别", max_length=10, choices=DivisionLevel.choices)
    gb_level = models.CharField("国标级别", max_length=20)
    parent_code = models.CharField("上级区划代码", max_length=6, blank=True)
    city_code = models.CharField("所属市级辖区", max_length=6, blank=True, db_index=True)
    short_name = models.CharField("简称", max_length=20, blank=True)
    note = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class DivisionChange(models.Model):
    """A replaced code and its successor (e.g. 350182 长乐市 → 350112 长乐区)."""

    old_code = models.CharField("原代码", max_length=6, primary_key=True)
    old_name = models.CharField("原名称", max_length=40)
    new_code = models.ForeignKey(Division, on_delete=models.PROTECT, verbose_name="现代码", db_column="new_code")
    year = models.PositiveSmallIntegerField("变更年份", null=True)
    source = models.TextField("来源", blank=True)

    class Meta:
        verbose_name = "区划变更"
        verbose_name_plural = "区划变更"

    def __str__(self) -> str:
        return f"{self.old_name}（{self.old_code}）→ {self.new_code_id}"


class CalendarYear(models.Model):
    """A year whose holiday schedule is entered by hand (the calendar package lacks it)."""

    year = models.PositiveSmallIntegerField("年份", primary_key=True)
    source = models.TextField("依据（国务院办公厅通知）")

    class Meta:
        verbose_name = "工作日历年份"
        verbose_name_plural = "工作日历年份"

    def __str__(self) -> str:
        return f"{self.year}年"


class CalendarDay(models.Model):
    """A correction to the official calendar for one day."""

    day = models.DateField("日期", primary_key=True)
    is_working_day = models.BooleanField("是否工作日")
    reason = models.CharField("说明", max_length=200)

    class Meta:
        verbose_name = "工作日历调整"
        verbose_name_plural = "工作日历调整"

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {'工作日' if self.is_working_day else '休息日'}"


class MinimumWage(models.Model):
    """Fujian's minimum wage by tier, with its effective date and source (editable data)."""

    tier = models.PositiveSmallIntegerField("档次")
    monthly_fen = models.BigIntegerField("月最低工资（分）")
    hourly_fen = models.BigIntegerField("小时最低工资（分）")
    effective_from = models.DateField("执行日期")
    confirmed = models.BooleanField("已核实", default=False)
    source = models.TextField("来源")

    class Meta:
        verbose_name = "最低工资标准"
        verbose_name_plural = "最低工资标准"
        constraints = [models.UniqueConstraint(fields=["tier", "effective_from"], name="uniq_min_wage_tier_date")]

    def __str__(self) -> str:
        return f"第{self.tier}档 {self.monthly_fen / 100:.0f}元/月（{self.effective_from}起）"


class CountyWageTier(models.Model):
    """Which minimum-wage tier a county belongs to from a date. Unconfirmed until checked."""

    division = models.ForeignKey(Division, on_delete=models.PROTECT, verbose_name="区县")
    tier = models.PositiveSmallIntegerField("档次")
    effective_from = models.DateField("执行日期")
    confirmed = models.BooleanField("已核实", default=False)
    source = models.TextField("来源")

    class Meta:
        verbose_name = "区县最低工资档次"
        verbose_name_plural = "区县最低工资档次"
        constraints = [models.UniqueConstraint(fields=["division", "effective_from"], name="uniq_county_tier_date")]

    def __str__(self) -> str:
        return f"{self.division_id} 第{self.tier}档（{self.effective_from}起）"


class Organisation(models.Model):
    """A government office (or an enterprise) whose people use anxin."""

    name = models.CharField("名称", max_length=100, unique=True)
    level = models.CharField("级别", max_length=10, choices=DivisionLevel.choices)
    division = models.ForeignKey(Division, on_delete=models.PROTECT, verbose_name="辖区")
    enterprise_uscc = models.CharField("企业统一社会信用代码", max_length=18, blank=True)

    class Meta:
        verbose_name = "机构"
        verbose_name_plural = "机构"
        ordering = ["division_id", "name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who logs in: an official, a mediator, an enterprise clerk, an auditor."""

    role = models.CharField("角色", max_length=20, choices=Role.choices, blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, verbose_name="所属机构"
    )
    display_name = models.CharField("姓名", max_length=40, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username


class ApiToken(models.Model):
    """A bearer token for a system that uploads feeds or queries the API.

    Only a SHA-256 of the token is stored; the token is shown once when created.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="用户")
    name = models.CharField("用途", max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked = models.BooleanField("已停用", default=False)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return self.name


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("the audit log is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("the audit log is append-only")


class AuditEntry(models.Model):
    """Append-only: who did what, when, on which record, and why.

    Updates and deletes are refused here and, below the ORM, by database triggers.
    """

    at = models.DateTimeField("时间", default=dt.datetime.now, db_index=True)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, verbose_name="操作人")
    actor_name = models.CharField("操作人名称", max_length=150)
    action = models.CharField("操作", max_length=20, choices=AuditAction.choices)
    object_type = models.CharField("对象类型", max_length=50, blank=True)
    object_id = models.CharField("对象", max_length=100, blank=True)
    reason = models.TextField("事由", blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("the audit log is append-only")


def _calendar_changed(**kwargs: Any) -> None:
    from anxin.core.calendar import reset_default_calendar

    reset_default_calendar()


for _model in (CalendarDay, CalendarYear):
    models.signals.post_save.connect(_calendar_changed, sender=_model)
    models.signals.post_delete.connect(_calendar_changed, sender=_model)
