"""registry: enterprises, projects, people, employments — every version kept.

Each table holds *versions*: one row per version of a key, valid on
``[valid_from, valid_to)`` (``valid_to`` null for the current one). The first version
of a key counts from the beginning (``valid_from`` = 1900-01-01); a later one from its
``updated_at`` date, or, for feeds without ``updated_at``, from the date its batch
arrived (FEEDS.md, "History"). ``as_of(D)`` gives the registry as it was on D.

People hold personal data only encrypted (``*_enc``), with a keyed pseudonym as the
join key and masked copies for display.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q

from anxin.core.jurisdiction import Scope, ScopedQuerySet
from anxin.registry.choices import DepositForm, EnterpriseKind, Funding, ProjectStatus, WageType

BEGINNING = dt.date(1900, 1, 1)


class VersionQuerySet(ScopedQuerySet[models.Model]):
    def current(self) -> VersionQuerySet:
        return self.filter(valid_to__isnull=True)

    def as_of(self, day: dt.date) -> VersionQuerySet:
        return self.filter(Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gt=day)))


class Version(models.Model):
    """Bookkeeping shared by every registry version."""

    valid_from = models.DateField("生效日期", default=BEGINNING)
    valid_to = models.DateField("失效日期", null=True, blank=True)
    #: When the version became true: ``updated_at`` if sent, else the batch's arrival.
    effective_at = models.DateTimeField("版本时间")
    #: Keyed hash of the contract columns (except ``updated_at``): equal = identical row.
    row_hash = models.CharField(max_length=64)
    batch = models.ForeignKey("lake.Batch", on_delete=models.PROTECT, null=True, blank=True, verbose_name="导入批次")
    recorded_at = models.DateTimeField("入库时间", default=dt.datetime.now)

    objects = VersionQuerySet.as_manager()

    class Meta:
        abstract = True


def _projects_in(counties: frozenset[str], *fields: str) -> Q:
    """Enterprises acting on a project (as builder or contractor) in these counties."""
    codes = Project.objects.current().filter(region_code__in=sorted(counties))
    q = Q()
    for name in fields:
        q |= Q(uscc__in=codes.values(name))
    return q


class Enterprise(Version):
    uscc = models.CharField("统一社会信用代码", max_length=18, db_index=True)
    name = models.CharField("单位名称", max_length=200)
    kind = models.CharField("单位类型", max_length=20, choices=EnterpriseKind.choices, blank=True)
    region_code = models.CharField("注册地区划", max_length=6, db_index=True)
    industry_code = models.CharField("行业代码", max_length=10, blank=True)
    legal_rep = models.CharField("法定代表人", max_length=100, blank=True)
    established_on = models.DateField("成立日期", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", null=True, blank=True)

    scope = Scope(
        region_field="region_code",
        enterprise_fields=("uscc",),
        extra=lambda counties: _projects_in(counties, "builder_uscc", "contractor_uscc"),
    )

    class Meta:
        verbose_name = "用人单位"
        verbose_name_plural = "用人单位"
        ordering = ["uscc", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["uscc"], condition=Q(valid_to__isnull=True), name="uniq_enterprise_current")
        ]

    def __str__(self) -> str:
        return self.name


class Project(Version):
    project_code = models.CharField("项目编码", max_length=64, db_index=True)
    name = models.CharField("项目名称", max_length=300)
    region_code = models.CharField("项目所在地", max_length=6, db_index=True)
    address = models.CharField("项目地址", max_length=300, blank=True)
    builder_uscc = models.CharField("建设单位", max_length=18, db_index=True)
    contractor_uscc = models.CharField("施工总承包单位", max_length=18, db_index=True)
    funding = models.CharField("资金来源", max_length=20, choices=Funding.choices, blank=True)
    contract_amount_fen = models.BigIntegerField("施工合同额（分）")
    labor_cost_amount_fen = models.BigIntegerField("人工费用总额（分）", null=True, blank=True)
    labor_payment_cycle_days = models.IntegerField("人工费拨付周期（天）", null=True, blank=True)
    start_date = models.DateField("开工日期")
    planned_end_date = models.DateField("计划竣工日期", null=True, blank=True)
    actual_end_date = models.DateField("实际竣工日期", null=True, blank=True)
    status = models.CharField("项目状态", max_length=10, choices=ProjectStatus.choices, blank=True)
    wage_account_no = models.CharField("农民工工资专用账户", max_length=64, blank=True)
    wage_account_bank = models.CharField("开户银行", max_length=100, blank=True)
    wage_account_opened_on = models.DateField("专户开设日期", null=True, blank=True)
    deposit_form = models.CharField("工资保证金形式", max_length=10, choices=DepositForm.choices, blank=True)
    deposit_amount_fen = models.BigIntegerField("工资保证金金额（分）", null=True, blank=True)
    notice_board = models.BooleanField("维权信息告示牌", null=True, blank=True)
    labor_manager = models.CharField("劳资专管员", max_length=100, blank=True)
    updated_at = models.DateTimeField("更新时间", null=True, blank=True)

    scope = Scope(region_field="region_code", enterprise_fields=("builder_uscc", "contractor_uscc"))

    class Meta:
        verbose_name = "工程建设项目"
        verbose_name_plural = "工程建设项目"
        ordering = ["project_code", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["project_code"], condition=Q(valid_to__isnull=True), name="uniq_project_current"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Person(Version):
    """A worker. Personal data only encrypted; ``person_key`` (HMAC of the ID) joins."""

    person_key = models.CharField("人员标识（假名）", max_length=64, db_index=True)
    name = models.CharField("姓名", max_length=60)
    id_number_enc = models.TextField("身份证号（密文）")
    id_number_masked = models.CharField("身份证号（脱敏）", max_length=18)
    birth_date = models.DateField("出生日期")
    sex = models.CharField("性别", max_length=1)
    phone_enc = models.TextField("手机号（密文）", blank=True)
    phone_masked = models.CharField("手机号（脱敏）", max_length=11, blank=True)
    bank_card_enc = models.TextField("工资卡号（密文）", blank=True)
    bank_card_key = models.CharField("工资卡标识（假名）", max_length=64, blank=True, db_index=True)
    bank_card_masked = models.CharField("工资卡号（脱敏）", max_length=32, blank=True)
    bank_name = models.CharField("开户行", max_length=100, blank=True)
    hometown_region_code = models.CharField("户籍地区划", max_length=6, blank=True)
    key_version = models.PositiveSmallIntegerField("密钥版本")

    scope = Scope(
        region_field=None,
        extra=lambda counties: Q(
            person_key__in=Employment.objects.current()
            .filter(
                project_code__in=Project.objects.current()
                .filter(region_code__in=sorted(counties))
                .values("project_code")
            )
            .values("person_key")
        ),
    )

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        ordering = ["person_key", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["person_key"], condition=Q(valid_to__isnull=True), name="uniq_person_current"
            )
        ]

    def __str__(self) -> str:
        from anxin.core.masking import mask_name

        return f"{mask_name(self.name)}（{self.id_number_masked}）"


class Employment(Version):
    project_code = models.CharField("项目编码", max_length=64, db_index=True)
    person_key = models.CharField("人员标识（假名）", max_length=64, db_index=True)
    id_number_masked = models.CharField("身份证号（脱敏）", max_length=18)
    employer_uscc = models.CharField("用工单位", max_length=18, db_index=True)
    team = models.CharField("班组", max_length=100, blank=True)
    trade = models.CharField("工种", max_length=50, blank=True)
    contract_signed = models.BooleanField("已签劳动合同", null=True, blank=True)
    start_date = models.DateField("进场日期")
    end_date = models.DateField("退场日期", null=True, blank=True)
    wage_type = models.CharField("计薪方式", max_length=10, choices=WageType.choices, blank=True)
    wage_rate_fen = models.BigIntegerField("工资标准（分）", null=True, blank=True)
    pay_day = models.PositiveSmallIntegerField("工资支付日", null=True, blank=True)

    scope = Scope(
        region_field=None,
        enterprise_fields=("employer_uscc",),
        extra=lambda counties: Q(
            project_code__in=Project.objects.current().filter(region_code__in=sorted(counties)).values("project_code")
        ),
    )

    class Meta:
        verbose_name = "用工登记"
        verbose_name_plural = "用工登记"
        ordering = ["project_code", "person_key", "start_date", "valid_from"]
        indexes = [models.Index(fields=["project_code", "valid_to"])]
        constraints = [
            models.UniqueConstraint(
                fields=["project_code", "person_key", "employer_uscc", "start_date"],
                condition=Q(valid_to__isnull=True),
                name="uniq_employment_current",
            )
        ]

    def __str__(self) -> str:
        return f"{self.project_code} {self.id_number_masked} {self.employer_uscc}"
