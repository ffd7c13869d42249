"""Realistic Chinese test data: agencies with valid credit codes, officers with certificates."""

from __future__ import annotations

import io

from openpyxl import Workbook

from yimen.platform.demo import credit_code
from yimen.tenants.directory.bulk import AGENCY_COLUMNS, OFFICER_COLUMNS

AGENCY_NAMES = (
    ("zhzf", "综合行政执法局", "comprehensive_bureau", "urban_management"),
    ("scjg", "市场监督管理局", "business_regulator", "market_regulation"),
    ("sthj", "生态环境分局", "enforcement", "environment"),
    ("yjgl", "应急管理局", "enforcement", "safety_production"),
    ("zrzy", "自然资源分局", "enforcement", "natural_resources"),
    ("whly", "文化和旅游局", "enforcement", "culture_tourism"),
    ("zjj", "住房和城乡建设局", "enforcement", "housing_construction"),
    ("jtys", "交通运输局", "enforcement", "transport"),
    ("nync", "农业农村局", "enforcement", "agriculture"),
    ("slj", "水利局", "enforcement", "water"),
    ("wsjk", "卫生健康局", "enforcement", "health"),
    ("jyj", "教育局", "enforcement", "education"),
    ("rsj", "人力资源和社会保障局", "enforcement", "labour"),
    ("mzj", "民政局", "enforcement", "civil_affairs"),
    ("swj", "商务局", "enforcement", "commerce"),
    ("tjj", "统计局", "enforcement", "statistics"),
    ("lyj", "林业局", "enforcement", "forestry"),
    ("ylbz", "医疗保障局", "enforcement", "medical_insurance"),
    ("xfjy", "消防救援大队", "enforcement", "fire"),
    ("sfj", "司法局", "legal_affairs", ""),
    ("jcy", "人民检察院", "procuratorate", ""),
    ("gafj", "公安分局", "police", ""),
    ("jwjw", "纪委监委", "discipline", ""),
    ("jd1", "城东街道办事处", "township", "urban_management"),
    ("jd2", "城西街道办事处", "township", "urban_management"),
    ("zhen1", "临江镇人民政府", "township", "urban_management"),
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = (
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "强",
    "磊",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
)


def agency_rows(division_code: str, count: int = 26) -> list[list[str]]:
    rows = []
    for seq, (code, name, kind, domain) in enumerate(AGENCY_NAMES[:count], start=1):
        rows.append(
            [
                code,
                f"测试区{name}",
                "",
                credit_code(division_code, seq),
                kind,
                domain,
                "是" if kind in ("comprehensive_bureau", "police") else "否",
                f"测{name[:2]}罚" if domain else "",
                str(20 + seq),
                "",
            ]
        )
    return rows


def officer_rows(count: int, slug: str, agencies: int = 26) -> list[list[str]]:
    rows = []
    for n in range(count):
        code, _, kind, domain = AGENCY_NAMES[n % agencies]
        name = SURNAMES[n % len(SURNAMES)] + GIVEN[(n // len(SURNAMES) + n) % len(GIVEN)]
        certified = bool(domain)
        rows.append(
            [
                f"{slug}.u{n:04d}",
                name,
                code,
                "",
                f"测{slug[:4]}{n:05d}" if certified else "",
                domain,
                "2029-06-30" if certified else "",
                "officer"
                if certified
                else "legal_affairs"
                if kind == "legal_affairs"
                else "officer",
            ]
        )
    return rows


def xlsx(columns, rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append([c.header for c in columns])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def agencies_xlsx(division_code: str, count: int = 26) -> bytes:
    return xlsx(AGENCY_COLUMNS, agency_rows(division_code, count))


def officers_xlsx(count: int, slug: str) -> bytes:
    return xlsx(OFFICER_COLUMNS, officer_rows(count, slug))
