"""Enforcement domains (执法领域) with their Chinese and English names.

The codes are the ones agencies and officers' certificates carry in the directory
(platform/demo.py, tests/factories.py); a catalog matter belongs to one. Kept in the
kernel because both the matter catalog (tenants/powers) and the directory choose from
them, and neither may import the other.
"""

from __future__ import annotations

DOMAINS: dict[str, tuple[str, str]] = {
    "urban_management": ("城市管理", "Urban management"),
    "environment": ("生态环境", "Ecology and environment"),
    "market_regulation": ("市场监管", "Market regulation"),
    "food_safety": ("食品安全", "Food safety"),
    "drug_safety": ("药品安全", "Drug safety"),
    "safety_production": ("安全生产", "Work safety"),
    "fire": ("消防", "Fire safety"),
    "natural_resources": ("自然资源", "Natural resources"),
    "forestry": ("林业", "Forestry"),
    "housing_construction": ("住房和城乡建设", "Housing and construction"),
    "culture_tourism": ("文化和旅游", "Culture and tourism"),
    "agriculture": ("农业农村", "Agriculture"),
    "health": ("卫生健康", "Health"),
    "water": ("水利", "Water"),
    "transport": ("交通运输", "Transport"),
    "education": ("教育", "Education"),
    "labour": ("人力资源和社会保障", "Human resources and social security"),
    "civil_affairs": ("民政", "Civil affairs"),
    "commerce": ("商务", "Commerce"),
    "statistics": ("统计", "Statistics"),
    "medical_insurance": ("医疗保障", "Medical insurance"),
}


def label(code: str, lang: str = "zh") -> str:
    zh, en = DOMAINS.get(code, (code, code))
    return en if lang == "en" else zh
