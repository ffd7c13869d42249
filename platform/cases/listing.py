"""The case list's query: its order and the index that serves it, keyset paging after
a row, and text search through indexes (migration 20261207_0130).

Order: nearest deadline first, cases without a deadline last, then newest first, then
the id (a total order, so that a keyset page never skips or repeats a row). The
deadline key is coalesce(next_deadline, '9999-12-31') — the expression the indexes
ix_case_list_agency (tenant, agency, key, created_at DESC, id) and
ix_case_list_district (tenant, key, created_at DESC, id) hold — so that PostgreSQL
reads a page from the index in order and stops at its size.

Search (PostgreSQL): `LIKE '%q%'` on a column needs a scan, and pg_trgm's trigrams
cannot serve a two-character query (most Chinese names). Every two-character substring
(bigram) of the query must be among the case's: case_search_term holds the bigrams of
each case's number, facts and parties' names (migration 20261207_0180, kept by
triggers), and the cases having all of the query's are found by equality on its primary
key — under row-level security too, where PostgreSQL makes a condition an index
condition only if its functions are LEAKPROOF (texteq is; @>, LIKE and the pg_trgm
operators are not, which is why GIN indexes served only a role RLS does not bind). The
original LIKE is applied to the candidates, so the answer is exactly what a scan gives.
On SQLite the search is the LIKE alone (small data). See benchmarks/bench_case_list.py.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
import uuid

from sqlalchemy import (
    Select,
    and_,
    bindparam,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session, defer, raiseload, selectinload

from yimen.platform.api.paging import count_of, page_with_total
from yimen.platform.cases.record.model import (
    DEADLINE_KEY,
    NO_DEADLINE,
    Case,
    CaseParty,
    case_search_term,
)
from yimen.platform.kernel.db.tenancy import current_tenant_id

ORDER = (DEADLINE_KEY, Case.created_at.desc(), Case.id)
# What the list shows of a case: its columns, not the JSON it does not show nor the
# parties, officers and pauses (three more statements a page); touching them raises.
LIST_ONLY = (
    defer(Case.details, raiseload=True),
    defer(Case.discretion, raiseload=True),
    raiseload(Case.parties),
    raiseload(Case.officers),
    raiseload(Case.pauses),
)
# The console shows the first party's name as well.
CONSOLE_LIST = (
    defer(Case.details, raiseload=True),
    defer(Case.discretion, raiseload=True),
    selectinload(Case.parties),
    raiseload(Case.officers),
    raiseload(Case.pauses),
)


class BadCursor(ValueError):
    """An `after` value this list did not hand out."""


def cursor_of(case: Case) -> str:
    """The opaque `after` value that continues the list after `case`."""
    created = case.created_at
    if created.tzinfo is None:
        created = created.replace(tzinfo=dt.UTC)
    key = [(case.next_deadline or NO_DEADLINE).isoformat(), created.isoformat(), case.id.hex]
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def after(query: Select, cursor: str) -> Select:
    """The rows of `query` (in ORDER) after the row `cursor` names."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        deadline, created, case_id = json.loads(raw)
        key = dt.date.fromisoformat(deadline)
        at = dt.datetime.fromisoformat(created)
        last = uuid.UUID(hex=case_id)
    except (ValueError, TypeError, binascii.Error) as exc:
        raise BadCursor(cursor) from exc
    return query.where(
        DEADLINE_KEY >= key,  # the index's range starts here; the rest filters ties
        or_(
            DEADLINE_KEY > key,
            and_(
                DEADLINE_KEY == key,
                or_(Case.created_at < at, and_(Case.created_at == at, Case.id > last)),
            ),
        ),
    )


def search_candidates(q: str, dialect: str) -> Select | None:
    """The ids of the cases whose number, facts or parties' names hold every bigram of
    `q` (ignoring case): a superset of the cases that contain `q`, looked up by equality
    in case_search_term (texteq is LEAKPROOF: an index condition under row-level
    security). None where there is no such index (SQLite) or no bigram (one character)."""
    if dialect != "postgresql" or len(q) < 2:
        return None
    # The query is written into the statement (quoted by SQLAlchemy), not bound: a
    # prepared statement's generic plan cannot see how many bigrams are asked for.
    asked = func.yimen_bigrams(func.lower(bindparam("q", q, literal_execute=True, unique=True)))
    term, case_id = case_search_term.c.term, case_search_term.c.case_id
    # The district, explicitly (the session's tenant criteria reach mapped classes only;
    # row-level security applies it again).
    return (
        select(case_id)
        .where(case_search_term.c.tenant_id == current_tenant_id(), term == func.any(asked))
        .group_by(case_id)
        .having(func.count() == func.cardinality(asked))
    )


def api_search(query: Select, q: str, dialect: str) -> Select:
    """The API's q: the case number or the facts contain q (case as typed)."""
    contains = or_(
        Case.number.contains(q, autoescape=True),
        Case.facts.contains(q, autoescape=True),
    )
    candidates = search_candidates(q, dialect)
    if candidates is None:
        return query.where(contains)
    return query.where(Case.id.in_(candidates), contains)


def console_search(query: Select, search: str, dialect: str) -> Select:
    """The console's search: the case number or a party's name contains it (any case)."""
    by_party = (
        select(CaseParty.case_id)
        .where(CaseParty.name.icontains(search, autoescape=True))
        .where(CaseParty.case_id == Case.id)
    )
    contains = or_(Case.number.icontains(search, autoescape=True), by_party.exists())
    candidates = search_candidates(search, dialect)
    if candidates is None:
        return query.where(contains)
    return query.where(Case.id.in_(candidates), contains)


def page(session: Session, query: Select, number: int, size: int, cursor: str | None) -> dict:
    """A page of the list with its total in one statement: by number (offset), or after
    the row `cursor` names (keyset: as fast deep in the list as at its head, `page` is
    then null). `next` continues after the page's last row when more rows follow."""
    base = query.order_by(*ORDER)
    if cursor:
        rows, total = page_with_total(session, after(base, cursor), size + 1, counted=base)
    else:
        rows, total = page_with_total(session, base.offset((number - 1) * size), size + 1)
    if total is None:
        total = count_of(session, base) if cursor or number > 1 else 0
    items = rows[:size]
    return {
        "items": items,
        "page": None if cursor else number,
        "page_size": size,
        "total": total,
        "pages": math.ceil(total / size) if total else 0,
        "next": cursor_of(items[-1]) if len(rows) > size else None,
    }
