"""The power list's use cases called with their commands (contracts.py), outside any
request: no Flask app, an in-memory SQLite database (fakes_directory.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.unit.fakes_directory import district
from yimen.platform.kernel.errors import Conflict, Invalid
from yimen.tenants.powers import service
from yimen.tenants.powers.contracts import AdoptMatters, AssignMatter, SetMajor, TransferMatter
from yimen.tenants.powers.model import EnforcementMatter

OIL_FUME, STALLS, FOOD_LICENCE, REPEALED = "CG-0014", "CG-0020", "SC-0003", "CG-0099"


@pytest.fixture
def xuanwu():
    with district() as d:
        with d.uow.for_tenant(None) as tx:  # the catalog belongs to no district
            for code, domain, major, effective_to in (
                (OIL_FUME, "urban_management", False, None),
                (STALLS, "urban_management", False, None),
                (FOOD_LICENCE, "market_regulation", True, None),
                (REPEALED, "urban_management", False, dt.date(2020, 1, 1)),
            ):
                tx.session.add(
                    EnforcementMatter(
                        code=code,
                        name=f"事项 {code}",
                        domain=domain,
                        law="大气污染防治法",
                        article="第一百一十八条",
                        is_major=major,
                        effective_from=dt.date(2019, 1, 1),
                        effective_to=effective_to,
                    )
                )
            tx.commit()
        yield d


def test_adopting_by_code_and_by_domain_skips_what_is_already_there(xuanwu):
    first = xuanwu.run(service.adopt, AdoptMatters(codes=[OIL_FUME]))
    assert first == {"adopted": 1, "already": 0}
    by_domain = xuanwu.run(service.adopt, AdoptMatters(domain="urban_management"))
    assert by_domain["adopted"] == 1  # STALLS; neither OIL_FUME again nor the repealed one
    with xuanwu.uow.for_tenant(xuanwu.tenant_id) as tx:
        assert service.adoption_of(tx.session, STALLS).on_major_list is False


def test_an_unknown_or_repealed_code_adopts_nothing(xuanwu):
    with pytest.raises(Invalid) as invalid:
        xuanwu.run(service.adopt, AdoptMatters(codes=[OIL_FUME, "CG-9999"]))
    assert invalid.value.code == "unknown-matters"
    with pytest.raises(Invalid) as invalid:
        xuanwu.run(service.adopt, AdoptMatters(codes=[OIL_FUME, REPEALED]))
    assert invalid.value.code == "matters-repealed"
    assert xuanwu.run(service.adopt, AdoptMatters(codes=[OIL_FUME]))["adopted"] == 1


def test_a_major_matter_of_the_catalog_stays_on_the_district_list(xuanwu):
    xuanwu.run(service.adopt, AdoptMatters(codes=[FOOD_LICENCE, OIL_FUME]))
    with pytest.raises(Invalid) as invalid:
        xuanwu.run(service.set_major, SetMajor(FOOD_LICENCE, False))
    assert invalid.value.code == "major-by-law"
    assert xuanwu.run(service.set_major, SetMajor(OIL_FUME, True)).on_major_list is True


def test_one_agency_holds_a_matter_and_a_transfer_keeps_the_history(xuanwu):
    xuanwu.run(service.adopt, AdoptMatters(codes=[OIL_FUME]))
    zhzf, xlw = xuanwu.agencies["zhzf"], xuanwu.agencies["xlw"]
    began = dt.date.today() - dt.timedelta(days=60)
    xuanwu.run(service.assign, AssignMatter(OIL_FUME, zhzf, "初始认领", began))
    with pytest.raises(Conflict) as held:
        xuanwu.run(service.assign, AssignMatter(OIL_FUME, xlw))
    assert held.value.code == "already-assigned"

    delegated = dt.date.today() - dt.timedelta(days=30)
    command = TransferMatter(OIL_FUME, xlw, "玄政发〔2026〕12号 赋权街道", delegated)
    xuanwu.run(service.transfer, command)
    with xuanwu.uow.for_tenant(xuanwu.tenant_id) as tx:
        history = service.history(tx.session, OIL_FUME)
    assert [(h["agency_id"], h["reason"]) for h in history] == [
        (zhzf, "初始认领"),
        (xlw, "玄政发〔2026〕12号 赋权街道"),
    ]
    assert history[0]["valid_to"] == history[1]["valid_from"]


def test_a_matter_goes_only_to_an_agency_of_its_domain(xuanwu):
    xuanwu.run(service.adopt, AdoptMatters(codes=[OIL_FUME]))
    with pytest.raises(Invalid) as invalid:
        xuanwu.run(service.assign, AssignMatter(OIL_FUME, xuanwu.agencies["scjg"]))
    assert invalid.value.code == "domain-not-held"
    assert [f.field for f in invalid.value.fields] == ["agency_id"]
