"""The gateway's pure parts: who takes an event, backoff, masking, keys, breakers."""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid

import pytest
from cryptography.fernet import Fernet

from yimen.gateway import contracts as c
from yimen.gateway.delivery import engine, queries, routing
from yimen.gateway.delivery.guards import Guards
from yimen.gateway.delivery.model import GatewaySubscription
from yimen.gateway.delivery.secrets import KeyRing, KeysMissing, load_keys
from yimen.gateway.ports import AmbiguousDelivery, ConnectorError

OFFERED = [c.CaseFiled.TYPE, c.PenaltyDecided.TYPE]


def _common(agency: str, origin: str) -> dict:
    return dict(
        aggregate_id=uuid.uuid4(),
        sequence=3,
        agency_code=agency,
        occurred_at=dt.datetime.now(dt.UTC),
        origin=origin,
        case_number="",
        matter_code="",
        district_code="320102",
    )


def closed(agency="zhzf", origin=c.ORIGIN_SELF) -> c.CaseClosed:
    return c.CaseClosed(**_common(agency, origin), closed_on=dt.date(2026, 11, 24), outcome="x")


def filed(agency="zhzf", origin=c.ORIGIN_SELF) -> c.CaseFiled:
    return c.CaseFiled(
        **_common(agency, origin),
        source="patrol",
        title="无证经营",
        procedure="general",
        filed_on=dt.date(2026, 11, 24),
        officers_certificates=(),
        major=False,
        criminal=False,
        parties=(),
    )


def sub(**kw) -> GatewaySubscription:
    values = dict(connector="prov", enabled=True, event_types=[], agency_codes=[])
    return GatewaySubscription(**{**values, **kw})


def test_a_subscription_takes_what_its_connector_offers_for_its_agencies_never_its_own_echo():
    assert routing.takes(sub(), OFFERED, filed())
    assert not routing.takes(sub(enabled=False), OFFERED, filed())
    assert not routing.takes(sub(), OFFERED, closed())  # the connector does not take closures
    assert not routing.takes(sub(event_types=[c.PenaltyDecided.TYPE]), OFFERED, filed())
    assert routing.takes(sub(agency_codes=["zhzf", "scjg"]), OFFERED, filed("scjg"))
    assert not routing.takes(sub(agency_codes=["scjg"]), OFFERED, filed("zhzf"))
    assert not routing.takes(sub(), OFFERED, filed(origin="prov"))  # it came from there
    assert routing.takes(sub(), OFFERED, filed(origin="sector"))


def test_backoff_grows_with_jitter_and_stops_at_an_hour():
    rng = random.Random(7)
    steps = [engine.backoff(n, rng) for n in range(1, 20)]
    assert all(dt.timedelta(seconds=1) <= s <= dt.timedelta(hours=1) for s in steps)
    assert steps[5] > steps[0] and steps[-1] == dt.timedelta(hours=1)
    assert len({engine.backoff(3) for _ in range(20)}) > 1  # two workers do not retry in step


def test_a_dead_letter_shows_no_persons_name_id_number_or_phone():
    payload = {
        "parties": [
            {"kind": "person", "name": "王小明", "id_number": "11010519491231002X"},
            {
                "kind": "organisation",
                "name": "南京味道餐饮管理有限公司",
                "id_number": "91320102MA1MXXX90X",
            },
        ],
        "note": "请联系13812345678核实",
    }
    shown = queries.masked(payload)
    person, company = shown["parties"]
    assert person == {"kind": "person", "name": "王**", "id_number": "110*************2X"}
    assert company["name"] == "南京味道餐饮管理有限公司"
    assert "13812345678" not in shown["note"]


def test_credentials_open_under_any_listed_key_and_rotate_to_the_first(tmp_path):
    old, new = Fernet.generate_key(), Fernet.generate_key()
    token = KeyRing([old]).seal({"user": "ym", "password": "口令-1"})
    assert "口令" not in token and "password" not in token
    both = KeyRing([new, old])
    rotated = both.rotate(token)
    assert KeyRing([new]).open(rotated) == {"user": "ym", "password": "口令-1"}
    with pytest.raises(KeysMissing):
        KeyRing([new]).open(token)
    assert KeyRing([new]).seal({}) == "" and KeyRing([new]).open("") == {}


def test_keys_come_from_the_environment_or_a_file_else_a_development_key_kept_in_var(tmp_path):
    key = Fernet.generate_key().decode()
    assert load_keys(tmp_path, {"YIMEN_GATEWAY_KEYS": f" {key} ,"}) == [key.encode()]
    listed = tmp_path / "keys.txt"
    listed.write_text(f"{key}\n{key}\n")
    assert len(load_keys(tmp_path, {"YIMEN_GATEWAY_KEYS_FILE": str(listed)})) == 2
    first = load_keys(tmp_path / "var", {})
    assert first == load_keys(tmp_path / "var", {})  # generated once, then reused
    assert (tmp_path / "var" / "gateway.keys").stat().st_mode & 0o077 == 0


def test_the_breaker_opens_after_consecutive_failures_not_refusals_and_half_opens():
    guards = Guards(fail_max=2, reset_timeout=0.2)
    guards.report("prov", ConnectorError("refused", retryable=False))
    guards.report("prov", ConnectorError("refused", retryable=False))
    assert guards.state_of("prov").state == "closed"  # an answer is not an outage
    guards.report("prov", ConnectorError("503"))
    guards.report("prov", AmbiguousDelivery("timeout"))
    assert guards.state_of("prov").state == "open" and guards.closed_to("prov")
    time.sleep(0.25)
    assert not guards.closed_to("prov")  # one trial may go
    guards.report("prov", None)
    assert guards.state_of("prov").state == "closed"
    assert [s.connector for s in guards.states()] == ["prov"]


def test_a_rate_counts_per_connector():
    guards = Guards()
    assert [guards.allow("a", "2/minute") for _ in range(3)] == [True, True, False]
    assert guards.allow("b", "2/minute") and guards.allow("c", "")
