"""The directory's use cases called with their commands (contracts.py), outside any
request: no Flask app, an in-memory SQLite database (fakes_directory.py), and a
stand-in identity provider for what the directory asks of it while the caller waits."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.unit.fakes_directory import RememberingProvider, district, provider
from yimen.platform.kernel.directory import Officer, OfficerStatus
from yimen.platform.kernel.errors import Forbidden, Invalid, Unavailable
from yimen.tenants.directory import service
from yimen.tenants.directory.contracts import (
    KEEP,
    ChangeRoles,
    CreateOfficer,
    IssueInitialPassword,
    SetOfficerStatus,
    UnlockSignIn,
    UpdateOfficer,
)
from yimen.tenants.directory.rules import Granter
from yimen.tenants.identity.model import ProvisioningTask
from yimen.tenants.identity.ports import ProvisioningError

DISTRICT_ADMIN = Granter(frozenset({"district_admin"}))
ZHZF_ADMIN = Granter(frozenset({"agency_admin"}), "zhzf")


@pytest.fixture
def xuanwu():
    with district() as d:
        yield d


def _wang(xuanwu, **changes) -> CreateOfficer:
    fields = {
        "agency_id": xuanwu.agencies["zhzf"],
        "username": "xuanwu.wangfang",
        "name": "王芳",
        "certificate_no": "32010220260001",
        "certificate_domains": ("urban_management",),
        "certificate_valid_until": dt.date(2029, 12, 31),
    }
    return CreateOfficer(**{**fields, **changes})


def _jobs(xuanwu) -> list[tuple[str, str]]:
    with xuanwu.uow.for_tenant(xuanwu.tenant_id) as tx:
        rows = tx.session.execute(select(ProvisioningTask).order_by(ProvisioningTask.created_at))
        return [(t.entity, t.operation) for t in rows.scalars()]


def test_an_officer_is_created_with_the_roles_asked_for_and_a_provisioning_job(xuanwu):
    command = _wang(xuanwu, roles=("officer", "legal_reviewer", "officer"))
    created = xuanwu.run(service.create_officer, command, ZHZF_ADMIN)
    with xuanwu.uow.for_tenant(xuanwu.tenant_id) as tx:
        wang = service.get_officer(tx.session, created.id)
        assert wang.username == "xuanwu.wangfang" and wang.subject == str(wang.id)
        assert sorted(wang.roles) == ["legal_reviewer", "officer"]  # each once
        assert wang.certificate_domains == ["urban_management"]
        assert wang.status == OfficerStatus.ACTIVE
    assert _jobs(xuanwu) == [("officer", "ensure")]


def test_an_officer_gets_the_officer_role_when_none_is_named(xuanwu):
    created = xuanwu.run(service.create_officer, _wang(xuanwu), DISTRICT_ADMIN)
    assert created.roles == ["officer"]


def test_an_agency_administrator_cannot_create_in_another_agency_nor_give_district_roles(xuanwu):
    elsewhere = _wang(xuanwu, agency_id=xuanwu.agencies["scjg"])
    with pytest.raises(Forbidden) as refused:
        xuanwu.run(service.create_officer, elsewhere, ZHZF_ADMIN)
    assert refused.value.code == "role-not-grantable"
    with pytest.raises(Forbidden):
        xuanwu.run(service.create_officer, _wang(xuanwu, roles=("hotline_operator",)), ZHZF_ADMIN)
    assert _jobs(xuanwu) == []  # nothing written


def test_a_taken_user_name_and_certificate_are_refused_field_by_field(xuanwu):
    xuanwu.run(service.create_officer, _wang(xuanwu), DISTRICT_ADMIN)
    with pytest.raises(Invalid) as invalid:
        xuanwu.run(service.create_officer, _wang(xuanwu, name="王方"), DISTRICT_ADMIN)
    assert {f.field for f in invalid.value.fields} == {"username", "certificate_no"}
    undated = _wang(xuanwu, username="xuanwu.lisi", certificate_no="32010220260002")
    with pytest.raises(Invalid) as invalid:
        xuanwu.run(
            service.create_officer,
            CreateOfficer(**{**undated.__dict__, "certificate_valid_until": None}),
            DISTRICT_ADMIN,
        )
    assert [f.field for f in invalid.value.fields] == ["certificate_valid_until"]


def test_changing_roles_grants_and_revokes_and_asks_the_provider_by_a_job(xuanwu):
    wang = xuanwu.run(service.create_officer, _wang(xuanwu, roles=("officer",)), DISTRICT_ADMIN)
    command = ChangeRoles(wang.id, ["legal_reviewer", "agency_head"])
    changed = xuanwu.run(service.set_roles, command, ZHZF_ADMIN)
    assert sorted(changed.roles) == ["agency_head", "legal_reviewer"]
    assert _jobs(xuanwu) == [("officer", "ensure"), ("officer", "roles")]


def test_an_agency_administrator_cannot_take_a_district_wide_role_away(xuanwu):
    command = _wang(xuanwu, roles=("officer", "hotline_operator"))
    wang = xuanwu.run(service.create_officer, command, DISTRICT_ADMIN)
    with pytest.raises(Forbidden):
        xuanwu.run(service.set_roles, ChangeRoles(wang.id, ["officer"]), ZHZF_ADMIN)
    with xuanwu.uow.for_tenant(xuanwu.tenant_id) as tx:
        assert sorted(service.get_officer(tx.session, wang.id).roles) == [
            "hotline_operator",
            "officer",
        ]


def test_an_update_changes_only_what_it_names(xuanwu):
    wang = xuanwu.run(service.create_officer, _wang(xuanwu), DISTRICT_ADMIN)
    command = UpdateOfficer(wang.id, name="王芳芳", certificate_no=None)
    assert command.unit_id is KEEP
    xuanwu.run(service.update_officer, command)
    with xuanwu.uow.for_tenant(xuanwu.tenant_id) as tx:
        row = tx.session.execute(select(Officer).where(Officer.id == wang.id)).scalar_one()
        assert (row.name, row.certificate_no) == ("王芳芳", None)
        assert row.certificate_valid_until == dt.date(2029, 12, 31)  # kept


def test_deactivation_ends_the_officers_sessions_at_the_provider_at_once(xuanwu):
    wang = xuanwu.run(service.create_officer, _wang(xuanwu), DISTRICT_ADMIN)
    with provider(RememberingProvider()) as idp:
        xuanwu.run(service.set_status, SetOfficerStatus(wang.id, OfficerStatus.INACTIVE))
        assert idp.asked == [("revoke_sessions", "xuanwu.wangfang")]
        xuanwu.run(service.set_status, SetOfficerStatus(wang.id, OfficerStatus.ACTIVE))
        assert len(idp.asked) == 1  # reactivation has nothing to end
    assert _jobs(xuanwu)[1:] == [("officer", "disable"), ("officer", "enable")]


def test_an_unlock_says_what_it_lifted_and_an_unlocked_officer_has_nothing_to_lift(xuanwu):
    wang = xuanwu.run(service.create_officer, _wang(xuanwu), DISTRICT_ADMIN)
    with provider(RememberingProvider(locked={"xuanwu.wangfang": 10})):
        lifted = xuanwu.run(service.unlock_sign_in, UnlockSignIn(wang.id))
        assert (lifted.username, lifted.was_locked, lifted.failures) == (
            "xuanwu.wangfang",
            True,
            10,
        )
        again = xuanwu.run(service.unlock_sign_in, UnlockSignIn(wang.id))
        assert (again.was_locked, again.failures) == (False, 0)


def test_an_initial_password_is_set_at_the_provider_and_answered_once(xuanwu):
    wang = xuanwu.run(service.create_officer, _wang(xuanwu), DISTRICT_ADMIN)
    with provider(RememberingProvider()) as idp:
        issued = xuanwu.run(service.issue_initial_password, IssueInitialPassword(wang.id))
    assert issued.username == "xuanwu.wangfang"
    assert idp.passwords == {"xuanwu.wangfang": issued.password}
    assert len(issued.password) > 12


class Unreachable(RememberingProvider):
    def revoke_sessions(self, session, district, officer):
        raise ProvisioningError("keycloak log out user failed (503)")


def test_an_unreachable_provider_leaves_the_officer_active_and_says_so(xuanwu):
    wang = xuanwu.run(service.create_officer, _wang(xuanwu), DISTRICT_ADMIN)
    with provider(Unreachable()), pytest.raises(Unavailable) as down:
        xuanwu.run(service.set_status, SetOfficerStatus(wang.id, OfficerStatus.INACTIVE))
    assert down.value.code == "identity-provider-unavailable"
    with xuanwu.uow.for_tenant(xuanwu.tenant_id) as tx:
        assert service.get_officer(tx.session, wang.id).status == OfficerStatus.ACTIVE
    assert _jobs(xuanwu) == [("officer", "ensure")]
