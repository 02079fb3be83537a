"""Choices of the leads app: readable values, Chinese labels (FEEDS.md, leads and its export)."""

from django.db import models


class Channel(models.TextChoices):
    NATIONAL_PLATFORM = "national_platform", "全国根治欠薪线索反映平台"
    QR_CODE = "qr_code", "扫码投诉"
    HOTLINE = "hotline", "12345热线"
    WEB = "web", "网上投诉"
    WALK_IN = "walk_in", "窗口"
    LETTER = "letter", "来信"


class CaseStatus(models.TextChoices):
    RECEIVED = "received", "待受理"
    ACCEPTED = "accepted", "已受理"
    INVESTIGATING = "investigating", "调查处理"
    CLOSED = "closed", "已办结"


class Outcome(models.TextChoices):
    RECOVERED = "recovered", "已追回"
    UNSUBSTANTIATED = "unsubstantiated", "不属实"
    TO_ARBITRATION = "to_arbitration", "转仲裁"
    TO_POLICE = "to_police", "移送公安"
    OTHER = "other", "其他"


class RoutedBy(models.TextChoices):
    PROJECT = "project", "按项目"
    REGION = "region", "按区划代码"
    ADDRESS = "address", "按地址"
    ENTERPRISE = "enterprise", "按单位注册地"
    MANUAL = "manual", "人工分派"


class HandlingLevel(models.TextChoices):
    COUNTY = "county", "县级办理"
    CITY = "city", "上提市级办理"


class SupervisionLevel(models.TextChoices):
    CITY = "city", "市级挂牌督办"
    PROVINCE = "province", "省级挂牌督办"


class EventKind(models.TextChoices):
    RECEIVED = "received", "收到线索"
    MERGED = "merged", "合并线索"
    ROUTED = "routed", "分派"
    ACCEPTED = "accepted", "受理"
    INVESTIGATING = "investigating", "调查处理"
    EXTENDED = "extended", "延长办理期限"
    CLOSED = "closed", "办结"
    SUPERVISED = "supervised", "挂牌督办"
    HANDED_UP = "handed_up", "上提市级"
    UPDATED = "updated", "线索更新"
