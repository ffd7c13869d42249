"""Migration 20261207_0230: a clue turned into a case draft was recorded as "case filed"
before anything was filed. Its step now says it was turned into a case, and its outcome
follows the case: under review while a draft, declined, filed while open, closed — so
the complainant's page tells the truth about what happened before this version (issue
13, item 10). On PostgreSQL it runs district by district (row-level security)."""

from __future__ import annotations

import sqlalchemy as sa

from tests.integration.test_agency_participation_migration import (  # noqa: F401  (fixture)
    _as,
    _case,
    _clue,
    _district,
    url,
)
from yimen.platform.migrate import upgrade

BEFORE, AFTER = "20261207_0220", "20261207_0230"


def test_clues_recorded_as_filed_at_conversion_follow_their_case(url):  # noqa: F811
    upgrade(url, BEFORE)
    engine = sa.create_engine(url)
    made = {}
    for slug in ("xuanwu", "qinhuai"):
        with engine.begin() as conn:
            tenant, a = _district(conn, slug)
            for status in ("draft", "not_filed", "open", "archived"):
                clue = _clue(conn, tenant, a["zhzf"], steps=[("case_filed", a["zhzf"])])
                case = _case(conn, tenant, a["zhzf"], clue=clue)
                key = clue.hex if conn.dialect.name == "sqlite" else clue
                conn.execute(
                    sa.text(
                        "update clue set status = 'closed', outcome = 'case_filed' where id = :c"
                    ),
                    {"c": key},
                )
                conn.execute(
                    sa.text("update enforcement_case set status = :s where id = :c"),
                    {"s": status, "c": case.hex if conn.dialect.name == "sqlite" else case},
                )
                made[(tenant, status)] = clue
    upgrade(url, AFTER)
    expected = {
        "draft": "case_review",
        "not_filed": "case_declined",
        "open": "case_filed",
        "archived": "case_closed",
    }
    with engine.begin() as conn:
        for (tenant, status), clue in made.items():
            _as(conn, tenant)
            key = clue.hex if conn.dialect.name == "sqlite" else clue
            outcome = conn.execute(
                sa.text("select outcome from clue where id = :c"), {"c": key}
            ).scalar_one()
            actions = (
                conn.execute(sa.text("select action from clue_step where clue_id = :c"), {"c": key})
                .scalars()
                .all()
            )
            assert (outcome, actions) == (expected[status], ["case_drafted"]), status
