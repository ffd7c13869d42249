"""The demo districts' power lists: adopted from the catalog, assigned, one transfer."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from yimen.platform.kernel.directory import Agency, AgencyKind
from yimen.tenants.powers import matters, service
from yimen.tenants.powers.contracts import AdoptMatters, AssignMatter, TransferMatter
from yimen.tenants.powers.model import EnforcementMatter, MatterAdoption, MatterAssignment

# Street-level city-appearance matters a township office takes over (处罚法 第二十四条
# lets a province give county-level penalty powers to townships and sub-districts).
DELEGATED = ("CG-0001", "CG-0002", "CG-0003")
DELEGATION_REASON = (
    "依据《行政处罚法》第二十四条，市容环卫类行政处罚权由区综合行政执法局划转街道办事处"
)


def seed_demo_powers(session: Session) -> int:
    """Adopt every catalog matter of a domain some agency of the current district holds
    and assign it to the first such agency (the comprehensive bureau before a township
    office); then record a transfer of street-level matters to the township office, so
    the history has a story. Does nothing before `yimen powers seed`, or once the
    district has a power list. Returns how many matters were assigned."""
    if session.execute(select(MatterAdoption.id).limit(1)).first() is not None:
        return 0
    agencies = session.execute(select(Agency).order_by(Agency.kind, Agency.code)).scalars().all()
    holders: dict[str, Agency] = {}
    for agency in agencies:
        for domain in agency.domains:
            holders.setdefault(domain, agency)
    codes = (
        session.execute(
            select(EnforcementMatter.code)
            .where(EnforcementMatter.domain.in_(holders))
            .order_by(EnforcementMatter.code)
        )
        .scalars()
        .all()
    )
    if not codes:
        return 0
    service.adopt(session, AdoptMatters(codes=list(codes)))
    today = service.district_today(session)
    began = min(matters.EDITION, today - dt.timedelta(days=60))
    reason = "初始认领：按部门执法领域承担"
    adoptions = {a.matter.code: a for a in session.execute(select(MatterAdoption)).scalars().all()}
    # The first through the use case (it checks the agency and the date); the rest, held
    # by agencies chosen for their domain from the same day, in one flush instead of a
    # look-up, a check and a flush per matter (every test module seeds a district).
    first = service.assign(
        session,
        AssignMatter(codes[0], holders[adoptions[codes[0]].matter.domain].id, reason, began),
    )
    session.add_all(
        MatterAssignment(
            adoption_id=adoptions[code].id,
            agency_id=holders[adoptions[code].matter.domain].id,
            valid_from=first.valid_from,
            reason=reason,
        )
        for code in codes[1:]
    )
    session.flush()
    township = next(
        (a for a in agencies if a.kind == AgencyKind.TOWNSHIP and "urban_management" in a.domains),
        None,
    )
    if township is not None and holders.get("urban_management") is not township:
        for code in DELEGATED:
            if code in codes:
                service.transfer(
                    session,
                    TransferMatter(
                        code, township.id, DELEGATION_REASON, today - dt.timedelta(days=30)
                    ),
                )
    session.commit()  # the power list's use cases only flush: the seed is one unit
    return len(codes)
