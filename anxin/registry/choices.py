"""Registry enums, exactly as the contract's (FEEDS.md) values, with their Chinese labels."""

from django.db import models


class EnterpriseKind(models.TextChoices):
    BUILDER = "builder", "建设单位"
    GENERAL_CONTRACTOR = "general_contractor", "施工总承包"
    SUBCONTRACTOR = "subcontractor", "分包单位"
    EMPLOYER = "employer", "其他用人单位"


class Funding(models.TextChoices):
    GOVERNMENT = "government", "政府投资"
    STATE_OWNED = "state_owned", "国有资金"
    PRIVATE = "private", "社会资金"


class ProjectStatus(models.TextChoices):
    ACTIVE = "active", "在建"
    SUSPENDED = "suspended", "停工"
    COMPLETED = "completed", "竣工"


class DepositForm(models.TextChoices):
    CASH = "cash", "现金"
    GUARANTEE = "guarantee", "银行保函"
    INSURANCE = "insurance", "保证保险"
    EXEMPT = "exempt", "减免"
    NONE = "none", "未存储"


class WageType(models.TextChoices):
    DAILY = "daily", "日薪"
    MONTHLY = "monthly", "月薪"
    PIECE = "piece", "计件"
