"""Identifier and certificate rules of the directory (GB 32100, GB 11643, 处罚法 第四十二条)."""

from __future__ import annotations

import datetime as dt

from yimen.platform.demo import credit_code, organisation_code
from yimen.tenants.directory.rules import (
    Certificate,
    check_credit_code,
    check_division_code,
    check_role_change,
    check_slug,
    grantable_roles,
    may_handle,
)


def test_the_worked_credit_code_of_rules_7_1_is_valid():
    """GB 32100: 91110108551385082Q — Σ = 999, 999 mod 31 = 7, 31 − 7 = 24 → Q."""
    assert check_credit_code("91110108551385082Q").ok
    assert check_credit_code("91110000600037341L").ok


def test_a_wrong_check_character_is_a_warning_the_officer_may_confirm():
    """GB 32100: early pilot codes fail the checksum but are legal → warning, not reject."""
    verdict = check_credit_code("91110108551385082A")
    assert not verdict.ok and verdict.warning
    assert "应为 Q" in verdict.zh


def test_a_malformed_credit_code_is_refused_outright():
    for bad in ("91110108551385082", "9111010855138508IO", "ABCDEFGHJKLMNPQRTU"):
        verdict = check_credit_code(bad)
        assert not verdict.ok and not verdict.warning


def test_demo_credit_codes_carry_both_check_characters():
    """GB 11714 (organisation code, position 17) and GB 32100 (position 18)."""
    assert organisation_code("55138508") == "551385082"
    assert check_credit_code(credit_code("320102", 7)).ok


def test_division_codes_must_be_current_gb_t_2260_codes():
    assert check_division_code("320102").ok  # 南京市玄武区
    assert check_division_code("440608").ok  # 佛山市高明区
    assert not check_division_code("999999").ok
    assert not check_division_code("32010").ok


def test_slugs_are_lowercase_and_not_reserved():
    assert check_slug("xuanwu").ok
    assert not check_slug("platform").ok
    assert not check_slug("Xuanwu").ok


def test_an_officer_needs_a_valid_certificate_covering_the_domain():
    """处罚法 第四十二条: only officers holding enforcement qualifications."""
    cert = Certificate("苏32010200001", ("urban_management",), dt.date(2027, 6, 30))
    assert may_handle(cert, "urban_management", dt.date(2026, 11, 22)).ok
    assert "过期" in may_handle(cert, "urban_management", dt.date(2027, 7, 1)).zh
    assert "不涵盖" in may_handle(cert, "environment", dt.date(2026, 11, 22)).zh
    assert not may_handle(Certificate(None, (), None), "urban_management", dt.date(2026, 1, 1)).ok
    inactive = Certificate("苏1", ("urban_management",), dt.date(2030, 1, 1), active=False)
    assert not may_handle(inactive, "urban_management", dt.date(2026, 1, 1)).ok


def test_the_individual_business_placeholder_is_not_a_credit_code__GB_32100():
    """GB 32100: "00000000000000000X" stands in for a missing code in 双公示 reports;
    as a party's code it is refused outright, not a warning an officer could confirm."""
    verdict = check_credit_code("00000000000000000x")
    assert not verdict.ok and not verdict.warning and "占位符" in verdict.zh


AGENCY_ROLES = {"officer", "agency_head", "legal_reviewer", "agency_admin"}
DISTRICT_ROLES = {
    "district_admin",
    "hotline_operator",
    "legal_affairs",
    "procuratorate",
    "discipline",
    "police",
}


def test_an_agency_administrator_grants_only_the_agency_roles_to_its_own_officers():
    assert grantable_roles({"agency_admin"}, "zhzf", "zhzf") == AGENCY_ROLES
    assert grantable_roles({"agency_admin"}, "zhzf", "scjg") == frozenset()
    assert grantable_roles({"agency_admin"}, None, None) == frozenset()


def test_the_district_administrator_grants_every_role_of_the_district_to_anyone():
    for target in ("zhzf", "scjg", None):
        assert grantable_roles({"district_admin"}, None, target) == AGENCY_ROLES | DISTRICT_ROLES


def test_the_operator_and_machine_roles_are_never_grantable_through_a_district():
    for granter in ({"district_admin"}, {"agency_admin"}, {"platform_operator"}):
        granted = grantable_roles(granter, "zhzf", "zhzf")
        assert not granted & {"platform_operator", "gateway_client"}


def test_other_roles_grant_nothing():
    for role in ("officer", "agency_head", "legal_affairs", "discipline", "gateway_client"):
        assert grantable_roles({role}, "zhzf", "zhzf") == frozenset()


def test_a_change_is_judged_by_what_it_adds_and_removes():
    admin = ({"agency_admin"}, "zhzf", "zhzf")
    assert check_role_change(*admin, (), ["officer", "agency_head"]).ok
    refused = check_role_change(*admin, (), ["officer", "discipline", "district_admin"])
    assert not refused.ok
    assert "监察、区级管理员" in refused.zh and "discipline, district_admin" in refused.en
    # A district-wide role the officer already holds is kept by an agency administrator's
    # change, but not removed by it.
    assert check_role_change(*admin, {"officer", "police"}, ["officer", "agency_head", "police"]).ok
    assert not check_role_change(*admin, {"officer", "police"}, ["officer"]).ok
    # Another agency's officer: not even the agency roles.
    assert not check_role_change({"agency_admin"}, "zhzf", "scjg", (), ["officer"]).ok
    assert check_role_change({"district_admin"}, None, "scjg", {"officer"}, ["procuratorate"]).ok
