"""The hash chain of the full-process record (全过程记录, 处罚法 第四十七条; 国办发〔2018〕118号
(九) 防删改): canonical form, genesis, and the first broken link."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from yimen.platform.cases.record import chain

CASE = uuid.UUID("6f1c2e4a-0000-4000-8000-000000000001")
TENANT = uuid.UUID("6f1c2e4a-0000-4000-8000-0000000000aa")
AT = dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC)


def _chain(n: int, case_id: uuid.UUID = CASE) -> list[chain.Link]:
    links, prev = [], chain.genesis(case_id)
    for seq in range(1, n + 1):
        facts = dict(
            tenant_id=TENANT,
            case_id=case_id,
            seq=seq,
            kind="evidence_added",
            stage="investigation",
            actor="xuanwu.zhangsan",
            at=AT + dt.timedelta(minutes=seq),
            payload={"sha256": hashlib.sha256(str(seq).encode()).hexdigest(), "名称": "现场照片"},
            client_id=None,
            prev_hash=prev,
        )
        digest = chain.event_hash(**facts)
        links.append(chain.Link(id=uuid.uuid4(), hash=digest, **facts))
        prev = digest
    return links


def test_canonical_form_is_fixed_sorted_compact_utf8_with_utc_microseconds():
    shanghai = dt.datetime(2026, 3, 2, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    text = chain.canonical(
        {"b": 1, "a": "玄武区", "at": shanghai, "on": dt.date(2026, 3, 2), "id": CASE}
    )
    assert text == (
        '{"a":"玄武区","at":"2026-03-02T01:30:00.000000+00:00","b":1,'
        f'"id":"{CASE}","on":"2026-03-02"}}'
    )


def test_the_same_facts_in_any_key_order_or_time_zone_hash_the_same():
    one = chain.event_hash(
        tenant_id=TENANT,
        case_id=CASE,
        seq=1,
        kind="filed",
        stage="filing",
        actor="a",
        at=AT,
        payload={"x": 1, "y": [1, 2]},
        client_id=None,
        prev_hash=chain.genesis(CASE),
    )
    two = chain.event_hash(
        tenant_id=str(TENANT),
        case_id=str(CASE),
        seq=1,
        kind="filed",
        stage="filing",
        actor="a",
        at=AT.astimezone(ZoneInfo("Asia/Shanghai")),
        payload={"y": [1, 2], "x": 1},
        client_id=None,
        prev_hash=chain.genesis(CASE),
    )
    assert one == two and len(one) == 64


@pytest.mark.parametrize(
    "field,value",
    [
        ("seq", 2),
        ("kind", "closed"),
        ("stage", "closure"),
        ("actor", "b"),
        ("at", AT + dt.timedelta(microseconds=1)),
        ("payload", {"x": 2, "y": [1, 2]}),
        ("client_id", "m-1"),
        ("prev_hash", "0" * 64),
        ("tenant_id", uuid.uuid4()),
        ("case_id", uuid.uuid4()),
    ],
)
def test_every_fact_of_an_event_is_covered_by_its_hash(field, value):
    facts = dict(
        tenant_id=TENANT,
        case_id=CASE,
        seq=1,
        kind="filed",
        stage="filing",
        actor="a",
        at=AT,
        payload={"x": 1, "y": [1, 2]},
        client_id=None,
        prev_hash=chain.genesis(CASE),
    )
    assert chain.event_hash(**facts) != chain.event_hash(**{**facts, field: value})


def test_the_genesis_is_fixed_and_differs_per_case():
    assert (
        chain.genesis(CASE)
        == hashlib.sha256(f"yimen/case_event/genesis/{CASE}".encode()).hexdigest()
    )
    assert chain.genesis(CASE) == chain.genesis(str(CASE)) != chain.genesis(uuid.uuid4())


def test_what_is_stored_is_what_was_hashed_and_naive_times_are_refused():
    assert chain.normalise({"at": AT, "amount": Decimal("200.00"), "kinds": ("warning",)}) == {
        "at": "2026-03-02T01:30:00.000000+00:00",
        "amount": "200.00",
        "kinds": ["warning"],
    }
    with pytest.raises(TypeError):
        chain.canonical({"at": dt.datetime(2026, 3, 2, 9, 30)})
    with pytest.raises(ValueError):
        chain.canonical({"x": float("nan")})


def test_an_intact_chain_has_no_break():
    assert chain.first_break(CASE, _chain(5)) == (5, None)


def test_an_edited_row_is_a_hash_mismatch_at_its_own_seq():
    links = _chain(5)
    links[2] = dataclasses.replace(links[2], payload={"sha256": "f" * 64, "名称": "现场照片"})
    count, broken = chain.first_break(CASE, links)
    assert count == 5
    assert (broken.seq, broken.event_id, broken.fault) == (
        3,
        links[2].id,
        chain.Fault.HASH_MISMATCH,
    )
    assert "被改动" in broken.message and "altered" in broken.message_en


def test_an_edited_and_rehashed_row_breaks_the_next_link():
    links = _chain(5)
    forged = dataclasses.replace(links[2], actor="someone.else")
    forged = dataclasses.replace(
        forged,
        hash=chain.event_hash(**{n: getattr(forged, n) for n in chain.HASHED_FIELDS}),
    )
    links[2] = forged
    _, broken = chain.first_break(CASE, links)
    assert (broken.seq, broken.fault) == (4, chain.Fault.PREV_HASH_MISMATCH)


def test_a_deleted_row_is_a_gap_at_the_missing_seq():
    links = _chain(5)
    del links[1]
    _, broken = chain.first_break(CASE, links)
    assert (broken.seq, broken.event_id, broken.fault) == (2, links[1].id, chain.Fault.SEQ_GAP)
    assert "应为第 2 条，实为第 3 条" in broken.message


def test_a_deleted_first_row_and_another_cases_chain_are_caught_by_the_genesis():
    links = _chain(3)
    _, broken = chain.first_break(CASE, links[1:])
    assert (broken.seq, broken.fault) == (1, chain.Fault.SEQ_GAP)
    _, broken = chain.first_break(uuid.uuid4(), links)
    assert (broken.seq, broken.fault) == (1, chain.Fault.PREV_HASH_MISMATCH)
