"""Static material for the synthetic province: divisions, trades, names, banks.

Fujian's divisions and minimum-wage tiers come from ``anxin/core/data`` (the project's
checked tables); the rest are plausible lists a Fujian official would recognise. Every
list is a tuple so that iteration order, and hence the output, is fixed.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CORE_DATA = Path(__file__).resolve().parent.parent / "core" / "data"


@dataclass(frozen=True)
class County:
    code: str
    name: str
    city_code: str
    city_name: str
    level: str
    tier: int  # minimum-wage tier (1-4)
    weight: float  # share of construction activity


#: Construction activity by city (share of the province's projects): the coastal
#: cities build most (Fuzhou, Xiamen, Quanzhou), the mountain cities least.
CITY_WEIGHT = {
    "350100": 0.22,
    "350200": 0.17,
    "350500": 0.19,
    "350600": 0.10,
    "350300": 0.07,
    "350900": 0.07,
    "350800": 0.065,
    "350400": 0.055,
    "350700": 0.055,
}

#: Minimum wage by tier (yuan per month), effective 2022-04-01 (fujian_min_wage.csv).
MIN_WAGE_MONTHLY_YUAN = {1: 2030, 2: 1960, 3: 1810, 4: 1660}

#: Former county-level codes and names still seen in addresses and on old ID cards.
FORMER_DIVISIONS = (
    ("350182", "长乐市", "350112"),
    ("350402", "梅列区", "350404"),
    ("350427", "沙县", "350405"),
    ("350681", "龙海市", "350604"),
    ("350625", "长泰县", "350605"),
    ("350784", "建阳市", "350703"),
    ("350822", "永定县", "350803"),
)


@cache
def counties() -> tuple[County, ...]:
    """Fujian's county-level divisions where projects are built (金门县 excluded)."""
    with open(CORE_DATA / "fujian_divisions.csv", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["level"] in ("district", "county", "county_level_city")]
    with open(CORE_DATA / "fujian_min_wage_counties.csv", encoding="utf-8") as f:
        tiers = {r["county_code"]: r["tier"] for r in csv.DictReader(f)}
    city_names = {}
    with open(CORE_DATA / "fujian_divisions.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["level"] == "prefecture_city":
                city_names[r["code"]] = r["name"]
    out = []
    for r in rows:
        if r["code"] == "350527":  # 金门县: administered by Taiwan authorities
            continue
        city = r["parent_code"]
        in_city = [x for x in rows if x["parent_code"] == city and x["code"] != "350527"]
        # Districts (the city proper) build more than the outlying counties.
        raw = [2.0 if x["level"] == "district" else 1.0 for x in in_city]
        own = 2.0 if r["level"] == "district" else 1.0
        out.append(
            County(
                code=r["code"],
                name=r["name"],
                city_code=city,
                city_name=city_names[city],
                level=r["level"],
                tier=int(tiers.get(r["code"]) or 3),
                weight=CITY_WEIGHT[city] * own / sum(raw),
            )
        )
    return tuple(out)


#: Hometowns of the workforce: (region code, weight). Real county-level codes of the
#: provinces that send workers to Fujian's sites, and Fujian's own counties.
HOMETOWNS_OTHER = (
    # 四川 Sichuan
    ("510107", 1),
    ("510112", 1),
    ("510121", 1),
    ("510181", 1),
    ("511321", 2),
    ("511322", 2),
    ("511323", 2),
    ("511324", 2),
    ("511381", 1),
    ("510722", 2),
    ("510781", 1),
    ("511621", 2),
    ("511623", 2),
    ("511722", 2),
    ("511724", 2),
    ("511725", 2),
    ("512021", 2),
    # 重庆 Chongqing
    ("500101", 2),
    ("500102", 1),
    ("500110", 1),
    ("500115", 1),
    ("500117", 1),
    ("500230", 1),
    ("500231", 1),
    ("500233", 1),
    ("500235", 2),
    ("500236", 2),
    ("500237", 1),
    # 贵州 Guizhou
    ("520502", 2),
    ("520521", 2),
    ("520523", 1),
    ("520524", 2),
    ("520525", 2),
    ("520527", 2),
    ("520302", 1),
    ("520322", 1),
    ("520323", 1),
    ("520324", 1),
    ("520330", 1),
    ("522301", 1),
    ("522601", 1),
    # 江西 Jiangxi
    ("360121", 1),
    ("360124", 1),
    ("360722", 1),
    ("360723", 1),
    ("360726", 1),
    ("360730", 2),
    ("360731", 2),
    ("360732", 2),
    ("360733", 1),
    ("360735", 1),
    ("360781", 2),
    ("361123", 1),
    ("361124", 1),
    ("361125", 1),
    ("361127", 2),
    ("361128", 2),
    ("361181", 1),
    # 湖南 Hunan
    ("430121", 1),
    ("430181", 1),
    ("431122", 1),
    ("431124", 1),
    ("431126", 1),
    ("430522", 1),
    ("430523", 1),
    ("430524", 2),
    ("430525", 1),
    ("430528", 1),
    ("430581", 1),
    ("431021", 1),
    ("431022", 1),
    ("430621", 1),
    ("430626", 1),
    ("431321", 1),
    ("431322", 2),
    ("431382", 1),
    # 河南 Henan
    ("411324", 1),
    ("411325", 1),
    ("411328", 1),
    ("411381", 1),
    ("411521", 1),
    ("411522", 1),
    ("411524", 1),
    ("411525", 2),
    ("411526", 1),
    ("411528", 1),
    ("411622", 1),
    ("411623", 1),
    ("411625", 1),
    ("411627", 1),
    ("411628", 1),
    ("411722", 1),
    ("411724", 1),
    ("411729", 1),
    # 安徽 Anhui
    ("341221", 2),
    ("341222", 2),
    ("341225", 1),
    ("341226", 1),
    ("341282", 1),
    ("341321", 1),
    ("341322", 1),
    ("341323", 1),
    ("341324", 1),
    ("341522", 1),
    ("341523", 1),
    ("341524", 1),
    ("340822", 1),
    ("340825", 1),
    ("340826", 1),
    ("340827", 1),
    ("340881", 1),
    # 云南 Yunnan
    ("530322", 1),
    ("530323", 1),
    ("530324", 1),
    ("530325", 1),
    ("530326", 1),
    ("530381", 1),
    ("530621", 1),
    ("530622", 1),
    ("530625", 1),
    ("530627", 2),
    ("530628", 1),
)
#: Fujian's own sending counties (rural, inland and Putian/Quanzhou hill counties).
HOMETOWNS_FUJIAN = (
    ("350322", 3),
    ("350524", 3),
    ("350525", 2),
    ("350526", 1),
    ("350583", 2),
    ("350121", 1),
    ("350124", 1),
    ("350125", 1),
    ("350181", 2),
    ("350424", 1),
    ("350425", 1),
    ("350426", 1),
    ("350623", 2),
    ("350624", 2),
    ("350628", 1),
    ("350722", 1),
    ("350821", 2),
    ("350823", 1),
    ("350824", 1),
    ("350825", 1),
    ("350921", 1),
    ("350922", 1),
    ("350981", 1),
    ("350182", 1),
    ("350102", 1),
    ("350203", 1),
)
#: Share of workers from Fujian itself.
FUJIAN_WORKER_SHARE = 0.32


@dataclass(frozen=True)
class Trade:
    name: str
    weight: float
    wage_type: str  # daily | monthly
    rate_mean: float  # yuan per day or per month
    rate_sd: float
    piece_share: float = 0.0  # share of this trade's workers on piece rates
    piece_unit_price: tuple[float, float] = (0.0, 0.0)  # yuan per unit (m², t, ...)


#: Trades on a Fujian site with 2025-26 market rates.
TRADES = (
    Trade("普工", 0.19, "daily", 250, 25),
    Trade("钢筋工", 0.13, "daily", 380, 35, 0.06, (300, 480)),
    Trade("木工", 0.14, "daily", 400, 35, 0.04, (35, 55)),
    Trade("泥瓦工", 0.12, "daily", 370, 35, 0.10, (40, 70)),
    Trade("架子工", 0.08, "daily", 390, 30),
    Trade("混凝土工", 0.07, "daily", 310, 30),
    Trade("电焊工", 0.06, "daily", 420, 35),
    Trade("水电工", 0.07, "daily", 350, 30),
    Trade("油漆工", 0.05, "daily", 330, 30, 0.08, (18, 30)),
    Trade("防水工", 0.03, "daily", 320, 25),
    Trade("幕墙工", 0.02, "daily", 360, 30),
    Trade("塔吊司机", 0.012, "monthly", 10500, 900),
    Trade("施工员", 0.012, "monthly", 6800, 900),
    Trade("安全员", 0.008, "monthly", 6200, 700),
    Trade("资料员", 0.005, "monthly", 5200, 600),
    Trade("门卫", 0.006, "monthly", 3300, 300),
    Trade("炊事员", 0.006, "monthly", 3600, 300),
)

TEAM_NUMERALS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十")

SURNAMES = (
    ("陈", 9),
    ("林", 8),
    ("黄", 6),
    ("张", 6),
    ("李", 6),
    ("王", 6),
    ("吴", 4),
    ("刘", 4),
    ("郑", 3),
    ("杨", 3),
    ("周", 2),
    ("谢", 2),
    ("赵", 2),
    ("徐", 2),
    ("何", 2),
    ("罗", 2),
    ("胡", 2),
    ("曾", 2),
    ("邓", 2),
    ("彭", 2),
    ("肖", 1),
    ("许", 2),
    ("蔡", 2),
    ("余", 1),
    ("杜", 1),
    ("叶", 2),
    ("苏", 1),
    ("魏", 1),
    ("游", 1),
    ("廖", 1),
    ("朱", 2),
    ("唐", 1),
    ("冯", 1),
    ("蒋", 1),
    ("江", 1),
    ("袁", 1),
    ("邱", 1),
    ("熊", 1),
    ("秦", 1),
    ("向", 1),
    ("谭", 1),
    ("雷", 1),
    ("龙", 1),
    ("田", 1),
    ("韦", 1),
    ("孙", 1),
    ("马", 1),
    ("高", 1),
    ("梁", 1),
    ("宋", 1),
    ("卢", 1),
    ("方", 1),
    ("钟", 1),
    ("洪", 1),
    ("庄", 1),
    ("詹", 1),
)
GIVEN_CHARS = (
    "伟",
    "强",
    "军",
    "平",
    "勇",
    "明",
    "华",
    "建",
    "国",
    "文",
    "志",
    "海",
    "东",
    "林",
    "红",
    "春",
    "永",
    "金",
    "德",
    "福",
    "清",
    "俊",
    "斌",
    "辉",
    "波",
    "峰",
    "亮",
    "刚",
    "杰",
    "涛",
    "兵",
    "成",
    "荣",
    "新",
    "忠",
    "兴",
    "庆",
    "祥",
    "贵",
    "发",
    "友",
    "良",
    "生",
    "宝",
    "义",
    "芳",
    "英",
    "秀",
    "兰",
    "玲",
    "丽",
    "梅",
    "燕",
    "霞",
    "琴",
    "云",
    "龙",
    "元",
    "鑫",
    "超",
)

#: Bank codes (txn_id prefix), names, card BINs.
BANKS = (
    ("ICBC", "中国工商银行", "622202", 0.20),
    ("CCB", "中国建设银行", "621700", 0.20),
    ("ABC", "中国农业银行", "622848", 0.17),
    ("BOC", "中国银行", "621661", 0.12),
    ("COMM", "交通银行", "622262", 0.06),
    ("CIB", "兴业银行", "622908", 0.10),
    ("FJNX", "福建省农村信用社", "623038", 0.10),
    ("PSBC", "中国邮政储蓄银行", "621799", 0.05),
)

ROADS = (
    "五四路",
    "湖东路",
    "工业路",
    "建设路",
    "人民路",
    "解放路",
    "江滨大道",
    "滨海大道",
    "学府路",
    "东环路",
    "西环路",
    "站前路",
    "环城路",
    "新华路",
    "中山路",
    "海峡路",
    "创业路",
    "科技路",
    "兴业路",
    "文化路",
    "北环路",
    "南环路",
    "沿江路",
    "金山大道",
    "城东路",
    "长安路",
    "福厦路",
)
PLACE_WORDS = (
    "海峡",
    "滨江",
    "东湖",
    "西湖",
    "金山",
    "南湖",
    "翠屏",
    "凤凰",
    "龙湖",
    "锦绣",
    "阳光",
    "紫荆",
    "榕城",
    "鹭岛",
    "刺桐",
    "清源",
    "芝山",
    "九龙",
    "闽江",
    "东海",
    "天湖",
    "云龙",
)
PROJECT_TYPES = (
    ("花园{n}期住宅项目", 0.25, "47"),
    ("安置房工程", 0.12, "47"),
    ("学校改扩建工程", 0.08, "47"),
    ("人民医院综合楼工程", 0.05, "47"),
    ("产业园标准厂房项目", 0.10, "47"),
    ("商务中心项目", 0.07, "47"),
    ("道路改造工程", 0.10, "48"),
    ("市政管网工程", 0.06, "48"),
    ("大桥工程", 0.03, "48"),
    ("保障性租赁住房项目", 0.08, "47"),
    ("片区城市更新项目", 0.06, "47"),
)
FIRM_WORDS = (
    "宏发",
    "永兴",
    "建鑫",
    "恒泰",
    "华隆",
    "鸿盛",
    "闽建",
    "中闽",
    "榕建",
    "鹭建",
    "泉鑫",
    "金诚",
    "联创",
    "顺达",
    "宏基",
    "东晟",
    "嘉禾",
    "信达",
    "天元",
    "瑞丰",
    "振兴",
    "海源",
    "华建",
    "博远",
    "鼎盛",
    "恒通",
    "汇丰",
    "福泰",
    "长城",
    "腾达",
    "新鸿",
    "和盛",
    "荣达",
    "正通",
    "安泰",
    "协力",
    "万通",
    "成功",
    "同创",
    "宏远",
)
#: Non-construction employers: (name pattern, industry code, kWh per insured head per month).
EMPLOYER_KINDS = (
    ("{w}鞋业有限公司", "C19", 900),
    ("{w}纺织有限公司", "C17", 1800),
    ("{w}服饰有限公司", "C18", 500),
    ("{w}电子科技有限公司", "C39", 1500),
    ("{w}食品有限公司", "C14", 1100),
    ("{w}石材有限公司", "C30", 2500),
    ("{w}陶瓷有限公司", "C30", 2800),
    ("{w}物流有限公司", "G54", 250),
    ("{w}酒店管理有限公司", "H61", 900),
    ("{w}机械制造有限公司", "C34", 1600),
    ("{w}茶业有限公司", "C15", 700),
    ("{w}包装材料有限公司", "C22", 1300),
)
LAWSUIT_BACKGROUND_CAUSES = ("劳动合同纠纷", "经济补偿金纠纷", "工伤保险待遇纠纷", "确认劳动关系纠纷")
WAGE_CAUSE = "追索劳动报酬纠纷"
