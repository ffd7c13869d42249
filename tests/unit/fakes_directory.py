"""A district's directory in an in-memory SQLite database (the platform's own tables,
no app, no server), and a stand-in for the identity provider that remembers what the
directory asked of it: for driving the tenants' use cases with their commands."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from yimen.platform.kernel.db.session import Database
from yimen.platform.kernel.directory import Agency, AgencyKind, Tenant
from yimen.platform.kernel.uow import UnitOfWork
from yimen.platform.models import metadata
from yimen.tenants.identity import tasks
from yimen.tenants.identity.ports import (
    DistrictRef,
    IdentityProvisioner,
    LiftedLockout,
    OfficerRef,
)


@dataclass
class District:
    uow: UnitOfWork
    tenant_id: uuid.UUID
    agencies: dict[str, uuid.UUID]  # code → id

    def run(self, use_case, *args):
        return self.uow.run(self.tenant_id, use_case, *args)


AGENCIES = (
    ("zhzf", "玄武区综合行政执法局", AgencyKind.COMPREHENSIVE_BUREAU, ["urban_management"]),
    ("scjg", "玄武区市场监督管理局", AgencyKind.BUSINESS_REGULATOR, ["market_regulation"]),
    ("xlw", "玄武区孝陵卫街道办事处", AgencyKind.TOWNSHIP, ["urban_management"]),
)


@contextmanager
def district() -> Iterator[District]:
    """玄武区 with two agencies, in a database of its own."""
    database = Database()
    database.init("sqlite://")
    metadata.create_all(database.engine)
    tenant_id = uuid.uuid4()
    uow = UnitOfWork(database)
    with uow.for_tenant(tenant_id) as tx:
        tx.session.add(
            Tenant(id=tenant_id, slug="xuanwu", name="南京市玄武区", division_code="320102")
        )
        tx.session.flush()
        agencies = {}
        for number, (code, name, kind, domains) in enumerate(AGENCIES, start=1):
            agency = Agency(
                code=code,
                name=name,
                credit_code=f"11320102MB{number:07d}X",
                kind=kind,
                domains=domains,
            )
            tx.session.add(agency)
            tx.session.flush()
            agencies[code] = agency.id
        tx.commit()
    try:
        yield District(uow, tenant_id, agencies)
    finally:
        database.engine.dispose()


@dataclass
class RememberingProvider(IdentityProvisioner):
    """Answers the directory's questions as a provider with `locked` user names would
    (failures counted against each) and remembers what it was asked."""

    locked: dict[str, int] = field(default_factory=dict)
    asked: list[tuple[str, str]] = field(default_factory=list)  # (what, user name)
    passwords: dict[str, str] = field(default_factory=dict)

    def issuer_for(self, slug: str) -> str:
        return f"https://idp.test/{slug}"

    def ensure_district(self, district: DistrictRef) -> None:
        self.asked.append(("ensure_district", district.slug))

    def ensure_agency(self, district: DistrictRef, agency) -> None:
        self.asked.append(("ensure_agency", agency.code))

    def ensure_officer(self, district: DistrictRef, officer: OfficerRef, roles) -> str:
        self.asked.append(("ensure_officer", officer.username))
        return officer.id

    def set_roles(self, district: DistrictRef, officer: OfficerRef, roles) -> None:
        self.asked.append(("set_roles", officer.username))

    def set_enabled(self, district: DistrictRef, officer: OfficerRef, enabled: bool) -> None:
        self.asked.append(("set_enabled", officer.username))

    def revoke_sessions(self, session, district: DistrictRef, officer: OfficerRef) -> None:
        self.asked.append(("revoke_sessions", officer.username))

    def unlock_sign_in(self, session, district: DistrictRef, officer: OfficerRef):
        self.asked.append(("unlock_sign_in", officer.username))
        failures = self.locked.pop(officer.username, None)
        return None if failures is None else LiftedLockout(failures, "2026-12-07T08:00:00+00:00")

    def locked_user_names(self, session, district: DistrictRef, usernames: Collection[str]):
        return {name for name in usernames if name in self.locked}

    def set_initial_password(self, session, district, officer: OfficerRef, password: str) -> None:
        self.asked.append(("set_initial_password", officer.username))
        self.passwords[officer.username] = password


@contextmanager
def provider(adapter: IdentityProvisioner) -> Iterator[IdentityProvisioner]:
    """`adapter` as the configured provider for the block (the composition root's
    choice restored afterwards)."""
    saved = tasks._provisioner
    tasks.configure(adapter)
    try:
        yield adapter
    finally:
        tasks._provisioner = saved
