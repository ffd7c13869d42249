"""The matters a complainant or an operator chooses from, grouped by enforcement domain:
the district's adopted matters (its power list), by their Chinese names — the code is
the choice's value, never shown."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from yimen.tenants.powers.domains import DOMAINS
from yimen.tenants.powers.model import EnforcementMatter, MatterAdoption


@dataclass(frozen=True)
class MatterGroup:
    domain: str
    label: tuple[str, str]  # the domain's (Chinese, English) name
    matters: list[tuple[str, str]]  # (code, name), by name


def grouped_matters(session: Session) -> list[MatterGroup]:
    """The adopted matters by domain, domains in the catalog's order (an unknown domain
    last, by its code)."""
    rows = session.execute(
        select(EnforcementMatter.domain, EnforcementMatter.code, EnforcementMatter.name)
        .join(MatterAdoption, MatterAdoption.matter_id == EnforcementMatter.id)
        .order_by(EnforcementMatter.code)
    ).all()
    by_domain: dict[str, list[tuple[str, str]]] = {}
    for domain, code, name in rows:
        by_domain.setdefault(domain, []).append((code, name))
    order = list(DOMAINS)
    domains = sorted(by_domain, key=lambda d: (order.index(d) if d in order else len(order), d))
    return [
        MatterGroup(d, DOMAINS.get(d, (d, d)), sorted(by_domain[d], key=lambda m: m[1]))
        for d in domains
    ]
