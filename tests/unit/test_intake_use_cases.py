"""The intake use cases driven with in-memory fakes (fakes_intake.py): no database, no app.

What the integration tests show through HTTP, here at the level of the use case: one
complaint command and one set of rules for every channel, routing refused with domain
errors, and the unit of work committed once — or not at all."""

from __future__ import annotations

import uuid

import pytest

from tests.unit.fakes_intake import FakeIntakeStore, FakeUnitOfWork
from yimen.platform.intake.service import (
    DesignateHandler,
    Intake,
    MergeClue,
    RouteClue,
    SubmitComplaint,
)
from yimen.platform.kernel.errors import Invalid, NotFound, Refused
from yimen.platform.kernel.identity import Identity

DISTRICT = uuid.uuid4()
OIL_FUME = "CG-0014"
PHONE = "13800138000"


def _officer(agency: str | None, username: str = "wang", roles=("officer",)) -> Identity:
    return Identity(
        tenant_id=DISTRICT,
        tenant_slug="xuanwu",
        issuer="https://idp.test/xuanwu",
        subject=str(uuid.uuid4()),
        username=username,
        name="王",
        roles=frozenset(roles),
        agency=agency,
    )


@pytest.fixture
def store() -> FakeIntakeStore:
    s = FakeIntakeStore()
    s.agency_named("zhzf", "综合行政执法局", holds=(OIL_FUME,))
    s.agency_named("scjg", "市场监督管理局")
    return s


@pytest.fixture
def uow(store) -> FakeUnitOfWork:
    return FakeUnitOfWork(store, DISTRICT)


@pytest.fixture
def intake(store, uow) -> Intake:
    return Intake(uow, store=lambda _tx: store)


def _complaint(**changes) -> SubmitComplaint:
    fields = {
        "channel": "public_web",
        "description": "某餐馆油烟直排，影响居民生活",
        "place": "玄武区珠江路1号",
        "matter_code": OIL_FUME,
        "name": "王女士",
        "phone": PHONE,
        "district": DISTRICT,
    }
    return SubmitComplaint(**{**fields, **changes})


def _agency_id(store: FakeIntakeStore, code: str) -> uuid.UUID:
    found = store.agency_id_of(code)
    assert found is not None
    return found


def test_a_complaint_is_offered_to_the_holder_of_its_matter_and_texted_after_commit(
    intake, store, uow
):
    submitted = intake.submit_complaint(_complaint(), None)
    clue = submitted.clue
    assert submitted.created and submitted.agency == "综合行政执法局"
    assert clue.status == "offered" and clue.agency_id == _agency_id(store, "zhzf")
    assert clue.accept_due is not None and clue.receipt_code.startswith("YM")
    assert [s.action for s in clue.steps] == ["offered"] and clue.steps[0].actor == "public"
    assert store.clues == {clue.id: clue} and uow.commits == 1
    assert [(t["template"], t["to"]) for t in store.sent] == [("SMS_CLUE_RECEIVED", PHONE)]


def test_without_agency_or_holder_the_clue_waits_for_the_legal_affairs_office(intake, store):
    clue = intake.submit_complaint(_complaint(matter_code=None), None).clue
    assert clue.status == "arbitration" and clue.agency_id is None
    assert clue.steps[0].action == "submitted"


@pytest.mark.parametrize(
    ("channel", "caller"),
    [
        ("public_web", None),
        ("open311", None),
        ("hotline", _officer(None, "operator", ("hotline_operator",))),
        ("upper_level", _officer(None, "province", ("inbound",))),
    ],
)
def test_the_same_anonymity_rule_on_every_channel(intake, store, channel, caller):
    asked = intake.submit_complaint(_complaint(channel=channel, anonymous=True), caller).clue
    no_phone = intake.submit_complaint(_complaint(channel=channel, phone=""), caller).clue
    named = intake.submit_complaint(_complaint(channel=channel), caller).clue
    for clue in (asked, no_phone):
        assert clue.anonymous and clue.complainant_name == "" and clue.complainant_phone == ""
    assert not named.anonymous and (named.complainant_name, named.complainant_phone) == (
        "王女士",
        PHONE,
    )
    assert [t["to"] for t in store.sent] == [PHONE]  # only the named complainant is texted


@pytest.mark.parametrize("channel", ["public_web", "hotline", "police", "upper_level"])
def test_a_matter_not_on_the_power_list_goes_to_arbitration_on_every_channel(
    intake, store, channel
):
    """One door: nobody's complaint is lost because of the matter it names. With no
    agency holding the matter, the legal-affairs office designates one."""
    caller = None if channel == "public_web" else _officer("zhzf")
    clue = intake.submit_complaint(_complaint(channel=channel, matter_code="XX-1"), caller).clue
    assert clue.status == "arbitration" and clue.agency_id is None
    assert clue.matter_code == "XX-1"
    assert list(store.clues) == [clue.id]


def test_an_unknown_agency_is_a_field_error_and_nothing_is_written(intake, store, uow):
    with pytest.raises(Invalid) as refused:
        intake.submit_complaint(_complaint(agency_id=uuid.uuid4()), None)
    assert refused.value.code == "unknown-agency" and refused.value.fields[0].field == "agency_id"
    assert store.clues == {} and store.sent == [] and uow.commits == 0


def test_an_inbound_replay_returns_the_clue_already_made(intake, store):
    province = _officer(None, "province", ("inbound",))
    command = _complaint(channel="upper_level", source_ref="SJ-2026-001")
    first = intake.submit_complaint(command, province)
    again = intake.submit_complaint(command, province)
    assert first.created and not again.created and again.clue is first.clue
    assert len(store.clues) == 1


def test_joining_an_open_complaint_merges_into_its_group(intake, store):
    lead = intake.submit_complaint(_complaint(), None).clue
    joined = intake.submit_complaint(_complaint(join=lead.id, phone="13900139000"), None).clue
    assert joined.status == "merged" and joined.group_id == lead.group_id is not None
    assert store.groups[lead.group_id].lead_clue_id == lead.id
    assert [t["template"] for t in store.sent] == ["SMS_CLUE_RECEIVED", "SMS_CLUE_MERGED"]
    with pytest.raises(Invalid) as refused:
        intake.submit_complaint(_complaint(join=uuid.uuid4()), None)
    assert refused.value.code == "cannot-join"


def test_the_holder_accepts_and_another_agency_is_refused(intake, store, uow):
    clue = intake.submit_complaint(_complaint(), None).clue
    with pytest.raises(Refused) as refused:
        intake.route(RouteClue(clue.id, "accept"), _officer("scjg"))
    assert refused.value.code == "not-holder" and uow.commits == 1  # nothing more committed
    accepted = intake.route(RouteClue(clue.id, "accept"), _officer("zhzf"))
    assert accepted.status == "accepted" and accepted.steps[-1].actor == "wang"
    assert [t["template"] for t in store.sent][-1] == "SMS_CLUE_ACCEPTED"
    assert uow.commits == 2


def test_a_third_transfer_is_refused_by_rule(intake, store):
    agencies = [store.agency_named(f"a{i}", f"部门{i}") for i in range(3)]
    clue = intake.submit_complaint(_complaint(agency_id=agencies[0].id), None).clue
    for i in (0, 1):
        intake.route(
            RouteClue(clue.id, "transfer", to_agency_id=agencies[i + 1].id, reason="不属本部门"),
            _officer(f"a{i}"),
        )
    assert clue.transfers == 2 and clue.agency_id == agencies[2].id
    with pytest.raises(Refused) as refused:
        intake.route(
            RouteClue(clue.id, "transfer", to_agency_id=agencies[0].id, reason="不属本部门"),
            _officer("a2"),
        )
    assert refused.value.code == "transfer-limit"


def test_filing_a_case_hands_the_clue_to_the_case_engine_in_the_same_commit(intake, store):
    clue = intake.submit_complaint(_complaint(), None).clue
    intake.route(RouteClue(clue.id, "accept"), _officer("zhzf"))
    intake.route(RouteClue(clue.id, "file_case"), _officer("zhzf"))
    assert store.cases == [clue.id] and clue.outcome == "case_review"
    # nothing says "filed" before the head approves the filing (issue 13, item 10)
    assert "SMS_CLUE_CASE_FILED" not in [m["template"] for m in store.sent]


def test_an_unknown_clue_is_not_found(intake):
    with pytest.raises(NotFound):
        intake.route(RouteClue(uuid.uuid4(), "accept"), _officer("zhzf"))


def test_merge_and_designate_speak_the_domain(intake, store):
    a = intake.submit_complaint(_complaint(), None).clue
    b = intake.submit_complaint(_complaint(place="玄武区珠江路3号"), None).clue
    with pytest.raises(Invalid) as refused:
        intake.merge(MergeClue(a.id, a.id), _officer("zhzf"))
    assert refused.value.code == "cannot-merge"
    merged = intake.merge(MergeClue(b.id, a.id), _officer("zhzf"))
    assert merged.status == "merged" and merged.group_id == a.group_id

    orphan = intake.submit_complaint(_complaint(matter_code=None), None).clue
    legal = _officer(None, "legal", ("legal_affairs",))
    with pytest.raises(Invalid) as unknown:
        intake.designate(DesignateHandler(orphan.id, uuid.uuid4(), (), "指定"), legal)
    assert unknown.value.fields[0].field == "handler_agency_id"
    handler = _agency_id(store, "scjg")
    designated = intake.designate(DesignateHandler(orphan.id, handler, (), "指定承办"), legal)
    assert designated.designated and designated.agency_id == handler


def test_two_use_cases_in_one_unit_of_work_commit_once(intake, store, uow):
    """A larger use case (submit and accept at once) runs both in one transaction."""
    with uow.for_tenant(DISTRICT) as tx:
        clue = intake.submit_complaint(_complaint(), None).clue
        intake.route(RouteClue(clue.id, "accept"), _officer("zhzf"))
        assert store.clues == {}  # nothing is committed before the outer unit is
        tx.commit()
    assert store.clues[clue.id].status == "accepted" and uow.commits == 1
    assert [t["template"] for t in store.sent] == ["SMS_CLUE_RECEIVED", "SMS_CLUE_ACCEPTED"]


def test_a_refusal_inside_a_larger_unit_leaves_nothing(intake, store, uow):
    with pytest.raises(Refused), uow.for_tenant(DISTRICT) as tx:
        clue = intake.submit_complaint(_complaint(), None).clue
        intake.route(RouteClue(clue.id, "accept"), _officer("scjg"))  # not the holder
        tx.commit()
    assert store.clues == {} and store.sent == [] and uow.commits == 0
