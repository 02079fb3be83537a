"""Forms of the leads app: the worker's complaint (every error in plain Chinese) and case actions."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.conf import settings

from anxin.core.models import Division
from anxin.leads.choices import Outcome

PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
MONTH = re.compile(r"^(20\d{2})-(0[1-9]|1[0-2])$")


def _required(label: str) -> dict[str, str]:
    return {"required": f"请填写{label}", "max_length": f"{label}太长了，请精简到 %(limit_value)d 个字以内"}


def county_choices() -> list[tuple[str, Any]]:
    """Counties grouped by city, for the optional 所在区县 select."""
    cities = {d.code: d.name for d in Division.objects.filter(level="city")}
    groups: dict[str, list[tuple[str, str]]] = {}
    for d in Division.objects.filter(level="county").order_by("code"):
        groups.setdefault(cities.get(d.city_code, "平潭综合实验区"), []).append((d.code, d.name))
    return [("", "不清楚（按地址确定）"), *groups.items()]


class ComplaintForm(forms.Form):
    target_name = forms.CharField(
        label="欠薪的单位或老板", max_length=200, error_messages=_required("欠薪的单位或老板名称"),
        widget=forms.TextInput(attrs={"placeholder": "如：某某建筑劳务有限公司、某某项目部、包工头姓名"}),
    )  # fmt: skip
    address = forms.CharField(
        label="工地或单位地址", max_length=300, required=False,
        error_messages={"max_length": "地址太长了，请精简到 %(limit_value)d 个字以内"},
        widget=forms.TextInput(attrs={"placeholder": "如：福州市鼓楼区五四路88号"}),
    )  # fmt: skip
    region_code = forms.ChoiceField(label="所在区县", required=False, choices=())
    workers_involved = forms.IntegerField(
        label="涉及人数", required=False, min_value=1, max_value=10000,
        error_messages={"invalid": "涉及人数请填写整数", "min_value": "涉及人数至少为1人",
                        "max_value": "涉及人数不能超过 %(limit_value)s 人，人数较多请拨打12345"},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )  # fmt: skip
    amount_claimed = forms.DecimalField(
        label="被拖欠金额（元）", required=False, min_value=Decimal("0"), max_value=Decimal("100000000"),
        max_digits=11, decimal_places=2,
        error_messages={"invalid": "金额请填写数字，如 12000 或 12000.50", "min_value": "金额不能为负数",
                        "max_value": "金额过大，请核对", "max_decimal_places": "金额最多保留两位小数（角、分）",
                        "max_digits": "金额过大，请核对"},
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )  # fmt: skip
    period_from = forms.CharField(
        label="欠薪起始月", required=False, widget=forms.TextInput(attrs={"type": "month", "placeholder": "2025-01"})
    )
    period_to = forms.CharField(
        label="欠薪截止月", required=False, widget=forms.TextInput(attrs={"type": "month", "placeholder": "2025-03"})
    )
    description = forms.CharField(label="情况说明", widget=forms.Textarea(attrs={"rows": 5}))
    anonymous = forms.BooleanField(label="匿名投诉（不留姓名）", required=False)
    complainant_name = forms.CharField(
        label="您的姓名", max_length=40, required=False,
        error_messages={"max_length": "姓名太长了，请填写 %(limit_value)d 个字以内"},
    )  # fmt: skip
    complainant_phone = forms.CharField(
        label="联系电话", max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    #: Honeypot: hidden from people by CSS; a bot that fills it is refused.
    website = forms.CharField(label="网址", required=False)

    def __init__(self, *args: Any, with_project: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.with_project = with_project
        cast(forms.ChoiceField, self.fields["region_code"]).choices = county_choices()
        limit = settings.ANXIN_LEADS_MAX_DESCRIPTION_CHARS
        cast(forms.CharField, self.fields["description"]).max_length = limit
        self.fields["description"].validators.append(forms.CharField(max_length=limit).validators[0])
        self.fields["description"].error_messages = {
            "required": "请简单说明欠薪情况（在哪里干活、干了多久、欠了多少）",
            "max_length": f"情况说明太长了，请精简到 {limit} 个字以内",
        }
        self.fields["region_code"].error_messages = {"invalid_choice": "请从列表中选择区县"}

    @property
    def is_bot(self) -> bool:
        return bool((self.data.get("website") or "").strip())

    def _month(self, name: str, label: str) -> str:
        value = (self.cleaned_data.get(name) or "").strip().replace("/", "-")
        if value and not MONTH.match(value):
            raise forms.ValidationError(f"{label}请按“年-月”填写，如 2025-03")
        return value

    def clean_period_from(self) -> str:
        return self._month("period_from", "欠薪起始月")

    def clean_period_to(self) -> str:
        return self._month("period_to", "欠薪截止月")

    def clean_complainant_phone(self) -> str:
        value = re.sub(r"[\s()（）]", "", self.cleaned_data.get("complainant_phone") or "")
        if value and not PHONE.match(value):
            raise forms.ValidationError("联系电话请填写11位手机号或带区号的固定电话，如 13812345678")
        return value

    def clean_description(self) -> str:
        value = (self.cleaned_data.get("description") or "").strip()
        if len(value) < 5:
            raise forms.ValidationError("情况说明太短了，请至少写5个字")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.with_project and not (data.get("address") or "").strip() and not data.get("region_code"):
            self.add_error("address", "请填写工地或单位的地址，或选择所在区县，以便转给当地劳动保障监察机构")
        start, end = data.get("period_from"), data.get("period_to")
        if start and end and start > end:
            self.add_error("period_to", "欠薪截止月不能早于起始月")
        if not data.get("anonymous"):
            if not (data.get("complainant_name") or "").strip():
                self.add_error("complainant_name", "请填写您的姓名；不想留姓名请勾选“匿名投诉”")
            if not data.get("complainant_phone"):
                self.add_error("complainant_phone", "请留下联系电话，方便办案人员联系您核实情况")
        return data

    def contract_fields(self) -> dict[str, Any]:
        """The cleaned data as typed ``leads`` contract fields (money in fen)."""
        d = self.cleaned_data
        amount = d.get("amount_claimed")
        return {
            "target_name": d["target_name"].strip(),
            "address": (d.get("address") or "").strip() or None,
            "region_code": d.get("region_code") or None,
            "complainant_name": None if d.get("anonymous") else (d.get("complainant_name") or "").strip() or None,
            "complainant_phone": d.get("complainant_phone") or None,
            "anonymous": bool(d.get("anonymous")),
            "workers_involved": d.get("workers_involved"),
            "amount_claimed": None if amount is None else int((amount * 100).to_integral_value()),
            "period_from": d.get("period_from") or None,
            "period_to": d.get("period_to") or None,
            "description": d["description"],
        }


class LookupForm(forms.Form):
    code = forms.CharField(
        label="查询码", max_length=30, error_messages={"required": "请输入提交投诉后得到的查询码"},
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )  # fmt: skip


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label="办理结果", choices=Outcome.choices)
    recovered_yuan = forms.DecimalField(
        label="追回金额（元）", required=False, min_value=Decimal("0"), decimal_places=2
    )
    workers_paid = forms.IntegerField(label="受惠人数", required=False, min_value=0)
    note = forms.CharField(label="办结说明", widget=forms.Textarea(attrs={"rows": 2}))
    on = forms.DateField(label="办结日期", required=False)

    def recovered_fen(self) -> int:
        value = self.cleaned_data.get("recovered_yuan")
        return 0 if value is None else int((value * 100).to_integral_value())
