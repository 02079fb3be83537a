"""Choices of the evaluation app (RULES.md, 履约评价)."""

from django.db import models


class Grade(models.TextChoices):
    A = "A", "A（优良）"
    B = "B", "B（合格）"
    C = "C", "C（基本合格）"
    D = "D", "D（不合格）"


class SubScore(models.TextChoices):
    REAL_NAME = "real_name", "实名制管理"
    SPECIAL_ACCOUNT = "special_account", "工资专用账户"
    PAY_ON_BEHALF = "pay_on_behalf", "总包代发"
    DEPOSIT = "deposit", "工资保证金"
