"""The feeds of the data contract (shared/contract/FEEDS.md), as data.

One ``Feed`` per contract table: its columns (English name, Chinese label, type,
required), its key, the column that dates its rows, and where it is stored. Readers,
validation and storage are all driven from here, so the contract lives in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class T(StrEnum):
    """Column types of the contract."""

    TEXT = "text"
    USCC = "uscc"
    ID_NUMBER = "id_number"
    REGION = "region"  # any 6-digit GB/T 2260 code in China
    COUNTY = "county"  # a county-level code of the province
    PROJECT = "project"  # a project_code that must be in the registry
    DATE = "date"
    TIMESTAMP = "timestamp"
    MONEY = "money"  # yuan with up to 2 decimals, stored as integer fen
    NUMBER = "number"  # a non-negative decimal quantity (kWh)
    INT = "int"
    BOOL = "bool"
    ENUM = "enum"
    PERIOD = "period"  # YYYY-MM
    PHONE = "phone"
    CARD = "card"  # a bank card or account number


#: Types whose values Excel must keep as text (a number loses digits).
IDENTIFIER_TYPES = {T.USCC, T.ID_NUMBER, T.CARD, T.PHONE}


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    type: T
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # (value, Chinese label) for enums
    minimum: int | None = None
    maximum: int | None = None
    #: Identifier columns that must be kept as text in XLSX.
    as_text: bool = False

    def __post_init__(self) -> None:
        if self.type in IDENTIFIER_TYPES or self.name.endswith(("_no", "_uscc")) or self.name == "uscc":
            object.__setattr__(self, "as_text", True)


@dataclass(frozen=True)
class Feed:
    name: str
    label: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    #: ``registry`` (operational DB, versioned), ``lake`` (Parquet) or ``leads``.
    store: str
    #: The column that dates a row (event feeds), or None.
    date_column: str | None = None
    order: int = 0
    by_label: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def has_updated_at(self) -> bool:
        return any(c.name == "updated_at" for c in self.columns)


def C(name: str, label: str, type: T = T.TEXT, required: bool = False, **kw: object) -> Column:
    return Column(name, label, type, required, **kw)  # type: ignore[arg-type]


def E(name: str, label: str, choices: list[tuple[str, str]], required: bool = False) -> Column:
    return Column(name, label, T.ENUM, required, choices=tuple(choices))


ENTERPRISE_KINDS = [
    ("builder", "建设单位"),
    ("general_contractor", "施工总承包"),
    ("subcontractor", "分包单位"),
    ("employer", "其他用人单位"),
]

FEEDS: dict[str, Feed] = {}


def _feed(feed: Feed) -> None:
    FEEDS[feed.name] = feed


_feed(
    Feed(
        "enterprises",
        "用人单位",
        (
            C("uscc", "统一社会信用代码", T.USCC, True),
            C("name", "单位名称", T.TEXT, True),
            E("kind", "单位类型", ENTERPRISE_KINDS),
            C("region_code", "注册地区划", T.REGION, True),
            C("industry_code", "行业代码"),
            C("legal_rep", "法定代表人"),
            C("established_on", "成立日期", T.DATE),
            C("updated_at", "更新时间", T.TIMESTAMP),
        ),
        key=("uscc",),
        store="registry",
        order=1,
    )
)
_feed(
    Feed(
        "projects",
        "工程建设项目",
        (
            C("project_code", "项目编码", T.TEXT, True),
            C("name", "项目名称", T.TEXT, True),
            C("region_code", "项目所在地", T.COUNTY, True),
            C("address", "项目地址"),
            C("builder_uscc", "建设单位", T.USCC, True),
            C("contractor_uscc", "施工总承包单位", T.USCC, True),
            E(
                "funding",
                "资金来源",
                [("government", "政府投资"), ("state_owned", "国有资金"), ("private", "社会资金")],
            ),
            C("contract_amount", "施工合同额(元)", T.MONEY, True),
            C("labor_cost_amount", "人工费用总额(元)", T.MONEY),
            C("labor_payment_cycle_days", "人工费拨付周期(天)", T.INT, minimum=1, maximum=366),
            C("start_date", "开工日期", T.DATE, True),
            C("planned_end_date", "计划竣工日期", T.DATE),
            C("actual_end_date", "实际竣工日期", T.DATE),
            E("status", "项目状态", [("active", "在建"), ("suspended", "停工"), ("completed", "竣工")]),
            C("wage_account_no", "农民工工资专用账户", T.CARD),
            C("wage_account_bank", "开户银行"),
            C("wage_account_opened_on", "专户开设日期", T.DATE),
            E(
                "deposit_form",
                "工资保证金形式",
                [
                    ("cash", "现金"),
                    ("guarantee", "银行保函"),
                    ("insurance", "保证保险"),
                    ("exempt", "减免"),
                    ("none", "未存储"),
                ],
            ),
            C("deposit_amount", "工资保证金金额(元)", T.MONEY),
            C("notice_board", "维权信息告示牌", T.BOOL),
            C("labor_manager", "劳资专管员"),
            C("updated_at", "更新时间", T.TIMESTAMP),
        ),
        key=("project_code",),
        store="registry",
        order=2,
    )
)
_feed(
    Feed(
        "people",
        "建筑工人/劳动者实名信息",
        (
            C("id_number", "身份证号", T.ID_NUMBER, True),
            C("name", "姓名", T.TEXT, True),
            C("phone", "手机号", T.PHONE),
            C("bank_card_no", "工资卡号", T.CARD),
            C("bank_name", "开户行"),
            C("hometown_region_code", "户籍地区划", T.REGION),
        ),
        key=("id_number",),
        store="registry",
        order=3,
    )
)
_feed(
    Feed(
        "employments",
        "用工登记",
        (
            C("project_code", "项目编码", T.PROJECT, True),
            C("id_number", "身份证号", T.ID_NUMBER, True),
            C("employer_uscc", "用工单位", T.USCC, True),
            C("team", "班组"),
            C("trade", "工种"),
            C("contract_signed", "已签劳动合同", T.BOOL),
            C("start_date", "进场日期", T.DATE, True),
            C("end_date", "退场日期", T.DATE),
            E("wage_type", "计薪方式", [("daily", "日薪"), ("monthly", "月薪"), ("piece", "计件")]),
            C("wage_rate", "工资标准(元)", T.MONEY),
            C("pay_day", "工资支付日", T.INT, minimum=1, maximum=31),
        ),
        key=("project_code", "id_number", "employer_uscc", "start_date"),
        store="registry",
        order=4,
    )
)
_feed(
    Feed(
        "attendance",
        "考勤",
        (
            C("project_code", "项目编码", T.PROJECT, True),
            C("id_number", "身份证号", T.ID_NUMBER, True),
            C("work_date", "考勤日期", T.DATE, True),
            C("clock_in", "进场时间", T.TIMESTAMP),
            C("clock_out", "离场时间", T.TIMESTAMP),
            E("method", "考勤方式", [("face", "人脸"), ("card", "刷卡"), ("fingerprint", "指纹"), ("manual", "人工")]),
            C("device_id", "设备编号"),
        ),
        key=("project_code", "id_number", "work_date"),
        store="lake",
        date_column="work_date",
        order=10,
    )
)
_feed(
    Feed(
        "payrolls",
        "工资支付表",
        (
            C("project_code", "项目编码", T.PROJECT, True),
            C("employer_uscc", "用工单位", T.USCC, True),
            C("id_number", "身份证号", T.ID_NUMBER, True),
            C("period", "工资所属期", T.PERIOD, True),
            C("days_worked", "出勤天数", T.INT, minimum=0, maximum=31),
            C("gross_amount", "应发工资(元)", T.MONEY),
            C("deductions", "代扣款项(元)", T.MONEY),
            C("net_amount", "实发工资(元)", T.MONEY, True),
            C("confirmed", "本人签字确认", T.BOOL),
            C("submitted_on", "提交日期", T.DATE, True),
        ),
        key=("project_code", "employer_uscc", "id_number", "period"),
        store="lake",
        date_column="submitted_on",
        order=11,
    )
)
_feed(
    Feed(
        "wage_payments",
        "银行代发流水",
        (
            C("txn_id", "交易流水号", T.TEXT, True),
            C("project_code", "项目编码", T.PROJECT, True),
            C("account_no", "付款账户", T.CARD),
            C("id_number", "收款人身份证号", T.ID_NUMBER, True),
            C("card_no", "收款卡号", T.CARD),
            C("amount", "金额(元)", T.MONEY, True),
            C("paid_on", "交易日期", T.DATE, True),
            C("period", "工资所属期", T.PERIOD, True),
            E(
                "channel",
                "支付渠道",
                [("special_account", "专户代发"), ("other_account", "其他账户"), ("cash", "现金(申报)")],
                True,
            ),
            E("status", "交易状态", [("success", "成功"), ("failed", "失败"), ("returned", "退票")], True),
        ),
        key=("txn_id",),
        store="lake",
        date_column="paid_on",
        order=12,
    )
)
_feed(
    Feed(
        "account_inflows",
        "专户入账",
        (
            C("txn_id", "交易流水号", T.TEXT, True),
            C("project_code", "项目编码", T.PROJECT, True),
            C("account_no", "专户账号", T.CARD),
            C("payer_uscc", "付款单位", T.USCC),
            C("amount", "金额(元)", T.MONEY, True),
            C("received_on", "入账日期", T.DATE, True),
        ),
        key=("txn_id",),
        store="lake",
        date_column="received_on",
        order=13,
    )
)
_feed(
    Feed(
        "social_insurance",
        "社保缴费",
        (
            C("uscc", "统一社会信用代码", T.USCC, True),
            C("month", "所属月份", T.PERIOD, True),
            C("insured_headcount", "参保人数", T.INT, minimum=0),
            C("contributions_due", "应缴(元)", T.MONEY),
            C("contributions_paid", "实缴(元)", T.MONEY),
        ),
        key=("uscc", "month"),
        store="lake",
        date_column="month",
        order=14,
    )
)
_feed(
    Feed(
        "utilities",
        "用电",
        (
            C("uscc", "统一社会信用代码", T.USCC, True),
            C("month", "所属月份", T.PERIOD, True),
            C("electricity_kwh", "用电量(千瓦时)", T.NUMBER),
        ),
        key=("uscc", "month"),
        store="lake",
        date_column="month",
        order=15,
    )
)
_feed(
    Feed(
        "lawsuits",
        "劳动争议诉讼",
        (
            C("case_no", "案号", T.TEXT, True),
            C("uscc", "被告单位", T.USCC, True),
            C("filed_on", "立案日期", T.DATE, True),
            C("cause", "案由"),
            C("plaintiffs", "原告人数", T.INT, minimum=0),
            C("amount", "标的额(元)", T.MONEY),
        ),
        key=("case_no",),
        store="lake",
        date_column="filed_on",
        order=16,
    )
)
_feed(
    Feed(
        "leads",
        "欠薪线索",
        (
            C("lead_id", "线索编号", T.TEXT, True),
            E(
                "channel",
                "来源渠道",
                [
                    ("national_platform", "全国根治欠薪线索反映平台"),
                    ("qr_code", "扫码投诉"),
                    ("hotline", "12345热线"),
                    ("web", "网上投诉"),
                    ("walk_in", "窗口"),
                    ("letter", "来信"),
                ],
                True,
            ),
            C("received_at", "接收时间", T.TIMESTAMP, True),
            C("target_name", "被反映单位", T.TEXT, True),
            C("target_uscc", "被反映单位代码", T.USCC),
            C("project_code", "项目编码", T.PROJECT),
            C("region_code", "所在地区划", T.REGION),
            C("address", "地址"),
            C("complainant_name", "反映人"),
            C("complainant_phone", "联系电话", T.PHONE),
            C("anonymous", "匿名", T.BOOL),
            C("workers_involved", "涉及人数", T.INT, minimum=0),
            C("amount_claimed", "涉及金额(元)", T.MONEY),
            C("period_from", "欠薪起始月", T.PERIOD),
            C("period_to", "欠薪截止月", T.PERIOD),
            C("description", "诉求内容"),
        ),
        key=("channel", "lead_id"),
        store="leads",
        date_column="received_at",
        order=20,
    )
)


def _normalise_header(text: str) -> str:
    table = str.maketrans({"（": "(", "）": ")", "　": "", " ": "", "\t": "", "\ufeff": ""})
    return text.translate(table).strip().lower()


for _f in FEEDS.values():
    for _c in _f.columns:
        _f.by_label[_normalise_header(_c.name)] = _c.name
        _f.by_label[_normalise_header(_c.label)] = _c.name
        # Excel users drop the unit: 施工合同额(元) -> 施工合同额
        if "(" in _c.label:
            _f.by_label[_normalise_header(_c.label.split("(")[0])] = _c.name


def canonical_column(feed: Feed, header: str) -> str | None:
    """The contract column a header names (English, any case, or the Chinese label)."""
    return feed.by_label.get(_normalise_header(header))


def feed_of_file(filename: str) -> Feed | None:
    """``attendance-0002.csv.gz`` -> the attendance feed."""
    base = filename.lower()
    for ext in (".gz",):
        if base.endswith(ext):
            base = base[: -len(ext)]
    for ext in (".csv", ".xlsx", ".parquet"):
        if base.endswith(ext):
            base = base[: -len(ext)]
            break
    else:
        return None
    stem = base.rsplit("-", 1)[0] if "-" in base and base.rsplit("-", 1)[1].isdigit() else base
    return FEEDS.get(stem)
