"""Who reaches which clues and cases (kernel/db/agency_scope.py: scope_for; DESIGN.md,
the roles table)."""

from __future__ import annotations

import pytest

from yimen.platform.kernel.db.agency_scope import AgencyScope, scope_for

EVERYTHING = AgencyScope(everything=True)


@pytest.mark.parametrize("role", ["legal_affairs", "procuratorate", "discipline", "district_admin"])
def test_the_district_readers_read_everything_and_act_on_nothing_outside_their_agency(role):
    assert scope_for({role}, "sfj", "u", "cases.read") == EVERYTHING
    assert scope_for({role}, "sfj", "u", "clues.arbitrate") == EVERYTHING
    for acting in ("cases.handle", "cases.approve", "clues.route"):
        assert scope_for({role}, "sfj", "u", acting) == AgencyScope()
        assert scope_for({role, "officer"}, "sfj", "u", acting) == AgencyScope(agency_code="sfj")


@pytest.mark.parametrize("role", ["officer", "agency_head", "legal_reviewer", "agency_admin"])
def test_agency_staff_reach_what_their_agency_takes_part_in(role):
    assert scope_for({role}, "zhzf", "u", "cases.read") == AgencyScope(agency_code="zhzf")
    assert scope_for({role}, None, "u", "cases.read") == AgencyScope()  # no agency: nothing


def test_a_hotline_operator_reaches_the_calls_it_entered_and_with_an_officers_role_both():
    assert scope_for({"hotline_operator"}, "zhzf", "chen", "clues.read") == AgencyScope(
        entered_by="chen"
    )
    assert scope_for({"hotline_operator", "officer"}, "zhzf", "chen", "clues.read") == (
        AgencyScope(agency_code="zhzf", entered_by="chen")
    )


def test_a_machine_client_reaches_no_record():
    assert scope_for({"gateway_client"}, None, "service-account-x", "clues.inbound") == (
        AgencyScope()
    )
