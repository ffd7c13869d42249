"""The demo region: two districts of 南京市, each with agencies of every kind.

Credit codes carry valid GB 11714 and GB 32100 check characters; certificate numbers,
names and units are realistic but fictitious.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.cn import uscc
from werkzeug.security import generate_password_hash

from yimen.platform.idp import admin as idp_admin
from yimen.platform.idp.model import OAuthClient
from yimen.platform.kernel.db import db, tenant_scope
from yimen.platform.kernel.directory import AgencyKind as K
from yimen.platform.kernel.directory import Tenant, TenantKind
from yimen.platform.kernel.directory import UnitKind as U
from yimen.platform.kernel.feature import DistrictDefault
from yimen.tenants.directory.onboarding import (
    REGION_SLUG,
    AgencySpec,
    OfficerSpec,
    add_agency,
    create_tenant,
)

DEMO_PASSWORD = "Yimen@2026"
VALID_UNTIL = dt.date(2029, 12, 31)
_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def organisation_code(base8: str) -> str:
    """GB 11714: eight characters and a check character (weights 3,7,9,10,5,8,4,2)."""
    total = sum(
        _ORG_ALPHABET.index(c) * w for c, w in zip(base8, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)
    )
    check = 11 - total % 11
    return base8 + {10: "X", 11: "0"}.get(check, str(check))


def credit_code(division: str, seq: int) -> str:
    """A 机关 (authority 1, category 1) credit code for a district organ."""
    body = "11" + division + organisation_code(f"{division[2:]}{seq:04d}")
    return body + uscc.calc_check_digit(body)


DISTRICTS = (
    ("xuanwu", "南京市玄武区", "Xuanwu District, Nanjing", "320102", "玄"),
    ("qinhuai", "南京市秦淮区", "Qinhuai District, Nanjing", "320104", "秦"),
)

# (code, name suffix, English, kind, domains, prefix suffix, compulsory, quota, units, officers)
# officers: (username suffix, name, roles, certificate domains or None)
AGENCIES = (
    (
        "zhzf",
        "综合行政执法局",
        "Comprehensive Administrative Enforcement Bureau",
        K.COMPREHENSIVE_BUREAU,
        ("urban_management", "housing_construction", "natural_resources"),
        "综执罚",
        True,
        120,
        (
            ("市容环卫中队", U.PROFESSIONAL),
            ("违法建设查处中队", U.PROFESSIONAL),
            ("梅园街道执法中队", U.TOWNSHIP_SQUAD),
        ),
        (
            ("zhangwei", "张伟", ("officer",), True),
            ("wangfang", "王芳", ("officer",), True),
            ("liqiang", "李强", ("agency_head", "officer"), True),
            ("zhaomin", "赵敏", ("legal_reviewer",), True),
            ("chenjing", "陈静", ("hotline_operator",), False),
            ("sunli", "孙丽", ("agency_admin",), False),
        ),
    ),
    (
        "scjg",
        "市场监督管理局",
        "Market Regulation Bureau",
        K.BUSINESS_REGULATOR,
        ("market_regulation", "food_safety"),
        "市监罚",
        False,
        80,
        (("稽查大队", U.PROFESSIONAL), ("新街口市场监管所", U.TERRITORIAL)),
        (
            ("liuyang", "刘洋", ("officer",), True),
            ("huangxin", "黄欣", ("officer",), True),
            ("zhoujun", "周军", ("agency_head",), True),
        ),
    ),
    (
        "sthj",
        "生态环境局",
        "Ecology and Environment Bureau",
        K.ENFORCEMENT,
        ("environment",),
        "环罚",
        False,
        40,
        (("环境监察大队", U.PROFESSIONAL),),
        (
            ("wuhao", "吴昊", ("officer",), True),
            ("xuting", "徐婷", ("officer",), True),
            ("maqiang", "马强", ("agency_head",), True),
        ),
    ),
    (
        "yjgl",
        "应急管理局",
        "Emergency Management Bureau",
        K.ENFORCEMENT,
        ("safety_production",),
        "应急罚",
        False,
        35,
        (("安全生产执法大队", U.PROFESSIONAL),),
        (
            ("hulei", "胡磊", ("officer",), True),
            ("guoyan", "郭艳", ("officer",), True),
            ("linfeng", "林峰", ("agency_head",), True),
        ),
    ),
    (
        "sfj",
        "司法局",
        "Justice Bureau (legal-affairs office)",
        K.LEGAL_AFFAIRS,
        (),
        "",
        False,
        30,
        (("行政执法监督科", U.OFFICE),),
        (
            ("heyun", "何芸", ("legal_affairs",), False),
            ("gaoming", "高明", ("district_admin",), False),
        ),
    ),
    (
        "jcy",
        "人民检察院",
        "People's Procuratorate",
        K.PROCURATORATE,
        (),
        "",
        False,
        60,
        (),
        (("luohui", "罗慧", ("procuratorate",), False),),
    ),
    (
        "gafj",
        "公安分局",
        "Public Security Sub-bureau",
        K.POLICE,
        (),
        "",
        True,
        300,
        (("经济犯罪侦查大队", U.PROFESSIONAL),),
        (("zhengkai", "郑凯", ("police",), False),),
    ),
    (
        "jwjw",
        "纪委监委",
        "Discipline Inspection and Supervision Commission",
        K.DISCIPLINE,
        (),
        "",
        False,
        25,
        (),
        (("fengxue", "冯雪", ("discipline",), False),),
    ),
    (
        "jdb",
        "梅园新村街道办事处",
        "Meiyuan Xincun Subdistrict Office",
        K.TOWNSHIP,
        ("urban_management",),
        "梅街罚",
        False,
        20,
        (("综合执法队", U.TOWNSHIP_SQUAD),),
        (("tanglin", "唐琳", ("officer",), True), ("dengbo", "邓博", ("officer",), True)),
    ),
)


def agency_specs(slug: str, division: str, short: str, district: str) -> list[AgencySpec]:
    specs = []
    cert_seq = 0
    for seq, (
        code,
        suffix,
        en,
        kind,
        domains,
        prefix,
        compulsory,
        quota,
        units,
        officers,
    ) in enumerate(AGENCIES, 1):
        officer_specs = []
        for username, name, roles, certified in officers:
            cert_seq += 1
            officer_specs.append(
                OfficerSpec(
                    username=f"{slug}.{username}",
                    name=name,
                    roles=roles,
                    certificate_no=f"苏{division}{cert_seq:05d}" if certified else None,
                    domains=domains if certified else (),
                    valid_until=VALID_UNTIL if certified else None,
                    unit=units[0][0] if units and certified else None,
                    # a legal reviewer holds 法律职业资格 (处罚法 第五十八条第二款)
                    legal_qualification_no=(
                        f"A2019{division}{cert_seq:04d}" if "legal_reviewer" in roles else None
                    ),
                    legal_qualification_on=(
                        dt.date(2019, 3, 1) if "legal_reviewer" in roles else None
                    ),
                )
            )
        specs.append(
            AgencySpec(
                code=code,
                name=f"{district}{suffix}" if kind != K.TOWNSHIP else suffix,
                name_en=f"{slug.title()} {en}",
                credit_code=credit_code(division, seq),
                kind=kind,
                domains=domains,
                doc_prefix=f"{short}{prefix}" if prefix else "",
                has_compulsory_power=compulsory,
                staffing_quota=quota,
                units=units,
                officers=tuple(officer_specs),
            )
        )
    return specs


REGION = ("南京市一门平台运营", "Nanjing Yimen platform operations", "320100")
OPERATORS = (
    ("platform.admin", "钱进", "南京市一门平台运营中心"),
    ("platform.reviewer", "严谨", "南京市一门平台运营中心"),
)


def seed_region(session: Session, public_url: str, password_hash: str) -> dict:
    """The platform operator's realm (`/oidc/platform`) with two operators, so that a
    maker and a different checker exist for reviewed changes."""
    tenant = session.execute(select(Tenant).where(Tenant.slug == REGION_SLUG)).scalar_one_or_none()
    if tenant is None:
        name, name_en, division = REGION
        tenant = create_tenant(
            session, REGION_SLUG, name, division, public_url, name_en, TenantKind.REGION
        )
        with tenant_scope(tenant.id):
            add_agency(
                session,
                AgencySpec(
                    code="yunying",
                    name=OPERATORS[0][2],
                    name_en="Platform operations centre",
                    credit_code=credit_code(division, 1),
                    kind=K.OPERATOR,
                    officers=tuple(
                        OfficerSpec(u, n, ("platform_operator",)) for u, n, _ in OPERATORS
                    ),
                ),
                password_hash=password_hash,
            )
            session.commit()
    return {
        "issuer": f"{public_url}/oidc/{REGION_SLUG}",
        "console": f"{public_url}/console/?district={REGION_SLUG}",
        "officers": [
            {"username": u, "name": n, "roles": ["platform_operator"], "password": DEMO_PASSWORD}
            for u, n, _ in OPERATORS
        ],
    }


def seed_district(
    session: Session,
    public_url: str,
    slug: str,
    name: str,
    division: str,
    short: str,
    *,
    name_en: str = "",
    password_hash: str | None = None,
    defaults: Iterable[DistrictDefault] = (),
) -> dict:
    """One district shaped like the demo's, created if `slug` is missing: its agencies
    (units, officers with certificates and the demo password), the power list, a
    read-only machine client and the console client. Returns its sign-ins (an entry of
    var/demo.json's `districts`). `short`: the one character of the document prefixes
    (玄综执罚); `password_hash`: the demo password's hash, when the caller has one (a
    hash is slow on purpose)."""
    password_hash = password_hash or generate_password_hash(DEMO_PASSWORD)
    tenant = session.execute(select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()
    fresh = tenant is None
    if fresh:
        tenant = create_tenant(
            session, slug, name, division, public_url, name_en=name_en, defaults=defaults
        )
    # The district is bound per transaction: end the one begun by the look-up above
    # (outside any district) so that what follows runs, and is checked, inside it.
    session.commit()
    with tenant_scope(tenant.id):
        specs = agency_specs(slug, division, short, name.removeprefix("南京市"))
        if fresh:
            for spec in specs:
                add_agency(session, spec, password_hash=password_hash)
            session.commit()
        from yimen.tenants.powers.demo import seed_demo_powers

        seed_demo_powers(session)  # once the catalog is there (`yimen powers seed`)
        client_id = f"{slug}-reader"
        secret = f"demo-{slug}-reader-secret"
        client = session.execute(
            select(OAuthClient).where(OAuthClient.client_id == client_id)
        ).scalar_one_or_none()
        if client is None:
            idp_admin.create_machine_client(
                session, client_id, f"{name} 只读客户端", ["gateway_client"], secret
            )
        idp_admin.ensure_console_client(session, public_url)
        session.commit()
    return {
        "slug": slug,
        "name": name,
        "division_code": division,
        "console": f"{public_url}/console/?district={slug}",
        "public_site": f"{public_url}/t/{slug}/",
        "client": {
            "issuer": f"{public_url}/oidc/{slug}",
            "client_id": client_id,
            "client_secret": secret,
        },
        "officers": [
            {
                "username": o.username,
                "name": o.name,
                "agency": spec.name,
                "roles": list(o.roles),
                "password": DEMO_PASSWORD,
            }
            for spec in specs
            for o in spec.officers
        ],
    }


def seed_demo(
    session: Session,
    public_url: str,
    out: Path,
    defaults: Iterable[DistrictDefault] = (),
    province: dict | None = None,
) -> dict:
    """Create the demo region if missing; write the sign-ins to `out` (var/demo.json).
    `defaults`: what the features give a new district (`Feature.district_defaults`);
    `province`: the mounted provincial simulator (its endpoint and credentials), which
    the demo districts are then subscribed to (`seed_province`)."""
    password_hash = generate_password_hash(DEMO_PASSWORD)  # one slow hash, shared
    demo: dict = {
        "password": DEMO_PASSWORD,
        "platform": seed_region(session, public_url, password_hash),
        "districts": [
            seed_district(
                session,
                public_url,
                slug,
                name,
                division,
                short,
                name_en=name_en,
                password_hash=password_hash,
                defaults=defaults,
            )
            for slug, name, name_en, division, short in DISTRICTS
        ],
    }
    if province is not None:
        slugs = [d["slug"] for d in demo["districts"]]
        ids = session.execute(select(Tenant.id).where(Tenant.slug.in_(slugs))).scalars().all()
        session.commit()
        seed_province(province, list(ids))
        demo["province_simulator"] = {
            "ledger": province["endpoint"].rsplit("/ws/", 1)[0] + "/_admin/ledger"
        }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(demo, ensure_ascii=False, indent=2))
    return demo


PROVINCE_LABELS = ("省行政执法监督平台", "Provincial enforcement supervision platform")
PROVINCE_EVENTS = (
    "case.filed",
    "case.stage_changed",
    "case.penalty_decided",
    "case.decision_revoked",
    "case.closed",
)


def seed_province(province: dict, tenant_ids: list) -> None:
    """The region offers the provincial platform (the mounted simulator by default) and
    each district named is subscribed to it with the simulator's credentials (sealed
    with the gateway key, as an administrator's would be), unless it has a subscription
    already: what an administrator turned off stays off."""
    from yimen.gateway.delivery import service as gateway
    from yimen.gateway.delivery.model import GatewaySubscription
    from yimen.platform.kernel.uow import uow

    gateway.define_connector(
        uow,
        gateway.DefineConnector(
            "province",
            "soap",
            *PROVINCE_LABELS,
            event_types=PROVINCE_EVENTS,
            default_endpoint=province["endpoint"],
        ),
    )
    for tenant_id in tenant_ids:
        with tenant_scope(tenant_id), db.new_session() as s:
            mine = s.execute(
                select(GatewaySubscription).where(GatewaySubscription.connector == "province")
            ).scalar_one_or_none()
        if mine is not None:
            continue
        gateway.configure_subscription(
            uow,
            tenant_id,
            gateway.ConfigureSubscription(
                "province", True, "demo", credentials=dict(province["credentials"])
            ),
        )
