"""Domain events (kernel/events.py): the case engine announces what became of a case,
the one door follows it — wired by the composition root, never by an import between
the two features (issue 13, item 10)."""

from __future__ import annotations

from yimen.platform.cases import contracts
from yimen.platform.features import event_handlers, features
from yimen.platform.kernel import events


def test_every_case_event_is_followed_by_the_one_door_through_the_composition_root():
    handlers = event_handlers(features())
    assert set(contracts.TOPICS) <= set(handlers)
    for topic in contracts.TOPICS:
        assert len(handlers[topic]) == 1  # the complainant is told once
    # a decision in any of the ways of 处罚法 第五十七条, and the filing and closure
    assert set(contracts.ANNOUNCED_BY.values()) == set(contracts.TOPICS)


def test_handlers_run_in_order_and_installing_again_replaces_them():
    seen: list[tuple[str, dict]] = []
    events.install({"t": [lambda s, e: seen.append(("a", dict(e)))]})
    events.install(
        {"t": [lambda s, e: seen.append(("b", dict(e))), lambda s, e: seen.append(("c", {}))]}
    )
    events.announce(None, "t", {"case_id": "1"})  # type: ignore[arg-type]
    events.announce(None, "nobody-listens", {})  # type: ignore[arg-type]
    assert seen == [("b", {"case_id": "1"}), ("c", {})]
    events.install(event_handlers(features()))
