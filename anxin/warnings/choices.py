"""Choices of the warnings app: readable values, Chinese labels (RULES.md, FEEDS.md warnings export)."""

from django.db import models


class RiskLevel(models.TextChoices):
    URGENT = "urgent", "紧急"
    HIGH = "high", "高"
    MEDIUM = "medium", "中"
    LOW = "low", "低"


#: Order of the levels; "" (no open finding) is below low.
LEVEL_RANK = {"": 0, RiskLevel.LOW: 1, RiskLevel.MEDIUM: 2, RiskLevel.HIGH: 3, RiskLevel.URGENT: 4}


class WarningStatus(models.TextChoices):
    PENDING = "pending", "待核实"
    VERIFYING = "verifying", "核实中"
    CONFIRMED = "confirmed", "属实"
    UNFOUNDED = "unfounded", "不属实"
    HANDLING = "handling", "处置中"
    CLOSED = "closed", "已办结"


#: A warning in one of these states is over: a new one may be raised on its subject.
ENDED = (WarningStatus.UNFOUNDED, WarningStatus.CLOSED)


class OfficeLevel(models.TextChoices):
    COUNTY = "county", "县级"
    CITY = "city", "市级"
    PROVINCE = "province", "省级"


class EventKind(models.TextChoices):
    RAISED = "raised", "生成预警"
    DISPATCHED = "dispatched", "分派核实"
    LEVEL_UP = "level_up", "风险升级"
    VERIFYING = "verifying", "开始核实"
    CONFIRMED = "confirmed", "核实属实"
    UNFOUNDED = "unfounded", "核实不属实"
    HANDLING = "handling", "开始处置"
    CLOSED = "closed", "办结"
    CLEARED = "cleared", "风险消除自动关闭"
    ESCALATED = "escalated", "逾期提级（市级督促）"
    SUPERVISED = "supervised", "逾期挂牌督办（省级）"
    NOTE = "note", "办理说明"


#: Steps an official takes (they need a note, are audited, and a backfill may not erase them).
OFFICIAL_KINDS = (
    EventKind.VERIFYING,
    EventKind.CONFIRMED,
    EventKind.UNFOUNDED,
    EventKind.HANDLING,
    EventKind.CLOSED,
    EventKind.NOTE,
)
