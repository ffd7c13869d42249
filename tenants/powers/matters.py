"""Use cases of the regional catalog (执法事项目录): load the starter catalog, read and
search it. The XLSX import (xlsx.py) writes through `apply_fields` too."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from yimen.platform.kernel.errors import NotFound
from yimen.tenants.powers import catalog
from yimen.tenants.powers.domains import DOMAINS
from yimen.tenants.powers.model import EnforcementMatter, MatterAdoption
from yimen.tenants.powers.rules import benchmark, is_major, provision

# The catalog edition the starter rows belong to (their `effective_from`).
EDITION = dt.date(2026, 1, 1)
# Fields whose change is a change of the matter's substance (a new version) when an
# operator imports them.
SUBSTANCE = (
    "name",
    "domain",
    "law",
    "article",
    "basis",
    "penalty_kinds",
    "party_type",
    "fine_min",
    "fine_max",
    "fine_rule",
    "benchmark",
    "is_major",
    "criminal_threshold",
    "threshold_values",
)
# The starter catalog's corrections that make a new version: the penalty provision and
# what it sets. Filling in derived or descriptive fields (tiers, the provisions
# violated, figures) for rows loaded by an older edition does not.
PENALTY_SUBSTANCE = (
    "law",
    "article",
    "penalty_kinds",
    "party_type",
    "fine_min",
    "fine_max",
    "fine_rule",
    "is_major",
)


def starter_fields(row: tuple) -> dict:
    """A row of the starter catalog as the fields of a matter."""
    code, name, domain, law, article, kinds, fine, fine_rule, major, criminal = row
    fine_min, fine_max = fine if fine else (None, None)
    party = catalog.PARTY.get(code, "any")
    return {
        "code": code,
        "name": name,
        "domain": domain,
        "law": law,
        "article": article,
        "basis": [provision(law_, art) for law_, art in catalog.VIOLATED.get(code, ())],
        "penalty_kinds": list(kinds),
        "party_type": party,
        "fine_min": fine_min,
        "fine_max": fine_max,
        "fine_rule": fine_rule,
        "benchmark": [t.as_dict() for t in benchmark(fine_min, fine_max, party, kinds)]
        if fine
        else [],
        "is_major": is_major(kinds, major),
        "criminal_threshold": criminal,
        "threshold_values": [
            {"metric": metric, "label": text, "value": value, "unit": unit}
            for metric, text, value, unit in catalog.THRESHOLDS.get(code, ())
        ],
    }


def matter_from_row(row: tuple) -> EnforcementMatter:
    return EnforcementMatter(**starter_fields(row), effective_from=EDITION, origin="starter")


def apply_fields(
    matter: EnforcementMatter, fields: dict, substance: tuple[str, ...] = SUBSTANCE
) -> bool:
    """Set `fields` on `matter`; a change of one of the `substance` fields makes a new
    version. Returns whether one did."""
    changed = any(getattr(matter, key) != fields[key] for key in substance if key in fields)
    for key, value in fields.items():
        if getattr(matter, key) != value:
            setattr(matter, key, value)
    if changed and matter.version is not None:  # a new matter starts at version 1
        matter.version += 1
    return changed


def seed_catalog(session: Session) -> int:
    """Load the starter catalog (idempotent): add the matters that are missing, and
    bring starter matters nobody has changed by import up to the shipped text.
    Returns how many matters were added."""
    existing = {m.code: m for m in session.execute(select(EnforcementMatter)).scalars()}
    added = 0
    for row in catalog.MATTERS:
        matter = existing.get(row[0])
        if matter is None:
            session.add(matter_from_row(row))
            added += 1
        elif matter.origin == "starter":
            apply_fields(matter, starter_fields(row), PENALTY_SUBSTANCE)
    session.commit()
    return added


def catalog_query(
    q: str | None = None, domain: str | None = None, major: bool | None = None
) -> Select:
    query = select(EnforcementMatter).order_by(EnforcementMatter.code)
    if q:
        query = query.where(
            or_(
                EnforcementMatter.name.contains(q, autoescape=True),
                EnforcementMatter.code.contains(q, autoescape=True),
                EnforcementMatter.law.contains(q, autoescape=True),
            )
        )
    if domain:
        query = query.where(EnforcementMatter.domain == domain)
    if major is not None:
        query = query.where(EnforcementMatter.is_major.is_(major))
    return query


def get_matter(session: Session, code: str) -> EnforcementMatter:
    matter = session.execute(
        select(EnforcementMatter).where(EnforcementMatter.code == code)
    ).scalar_one_or_none()
    if matter is None:
        raise NotFound("not-found", f"执法事项 {code} 不存在。", f"No enforcement matter {code}.")
    return matter


def adopted_matters(session: Session) -> list[tuple[str, str]]:
    """The district's adopted enforcement matters (code, name), as the public form lists them."""
    rows = session.execute(
        select(EnforcementMatter.code, EnforcementMatter.name)
        .join(MatterAdoption, MatterAdoption.matter_id == EnforcementMatter.id)
        .order_by(EnforcementMatter.code)
    ).all()
    return [(code, name) for code, name in rows]


@dataclass(frozen=True)
class MatterGroup:
    domain: str
    label: tuple[str, str]  # the domain's (Chinese, English) name
    matters: list[tuple[str, str]]  # (code, name), by name


def adopted_by_domain(session: Session) -> list[MatterGroup]:
    """The district's adopted matters grouped by domain, as a complainant or an operator
    chooses one (by name; the code is the choice's value): domains in the catalog's
    order, an unknown one last."""
    by_domain: dict[str, list[tuple[str, str]]] = {}
    rows = session.execute(
        select(EnforcementMatter.domain, EnforcementMatter.code, EnforcementMatter.name)
        .join(MatterAdoption, MatterAdoption.matter_id == EnforcementMatter.id)
        .order_by(EnforcementMatter.code)
    )
    for domain, code, name in rows:
        by_domain.setdefault(domain, []).append((code, name))
    order = list(DOMAINS)
    domains = sorted(by_domain, key=lambda d: (order.index(d) if d in order else len(order), d))
    return [
        MatterGroup(d, DOMAINS.get(d, (d, d)), sorted(by_domain[d], key=lambda m: m[1]))
        for d in domains
    ]


def matter_names(session: Session, codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    return dict(
        session.execute(
            select(EnforcementMatter.code, EnforcementMatter.name).where(
                EnforcementMatter.code.in_(codes)
            )
        ).all()
    )
