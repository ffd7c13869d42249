"""The case list's query: its order and the index that serves it, keyset paging after
a row, and text search through indexes (migration 20261207_0130).

Order: nearest deadline first, cases without a deadline last, then newest first, then
the id (a total order, so that a keyset page never skips or repeats a row). The
deadline key is coalesce(next_deadline, '9999-12-31') — the expression the indexes
ix_case_list_agency (tenant, agency, key, created_at DESC, id) and
ix_case_list_district (tenant, key, created_at DESC, id) hold — so that PostgreSQL
reads a page from the index in order and stops at its size.

Search (PostgreSQL): `LIKE '%q%'` on a column needs a scan; pg_trgm's GIN index serves
queries of three characters or more, but not two (most Chinese names): a pattern of two
characters has no trigram. So every two-character substring (bigram) of the query must
be among the row's — yimen_bigrams(lower(text)) @> yimen_bigrams(lower(q)), served by a
GIN index on the row's bigrams — and the original LIKE is applied to the rows found,
so the answer is exactly what the scan gave. From three characters the trigram
condition is added too where pg_trgm is installed (the planner picks). On SQLite both
are left out (no such function; small data).

Limit: under row-level security (the application role) PostgreSQL makes a condition an
index condition only if its functions are LEAKPROOF, and @>, LIKE, lower and these
functions are not: there the indexes go unused and the search filters the agency's
(district's) rows read through the list index. See benchmarks/bench_case_list.py.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
import uuid

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    func,
    or_,
    select,
    union,
)
from sqlalchemy.orm import Session, defer, raiseload, selectinload

from yimen.platform.api.paging import count_of, page_with_total
from yimen.platform.cases.record.model import (
    CASE_SEARCHED,
    DEADLINE_KEY,
    NO_DEADLINE,
    Case,
    CaseParty,
)

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


def bigrams_contain(text: ColumnElement, q: str, dialect: str) -> list[ColumnElement]:
    """Index conditions implied by `text` containing `q` (ignoring case): empty where
    there is none (SQLite, a one-character query)."""
    if dialect != "postgresql" or len(q) < 2:
        return []
    # The query is written into the statement (quoted by SQLAlchemy), not bound: a
    # prepared statement's generic plan cannot see which bigrams are asked for, and
    # then prefers to walk the list's index computing every row's bigrams.
    asked = bindparam("q", q, literal_execute=True, unique=True)
    conditions: list[ColumnElement] = [
        func.yimen_bigrams(func.lower(text)).op("@>")(func.yimen_bigrams(func.lower(asked)))
    ]
    if len(q) >= 3:  # pg_trgm's index, where the extension is installed
        escaped = q.replace("/", "//").replace("%", "/%").replace("_", "/_")
        pattern = bindparam("q_pattern", f"%{escaped}%", literal_execute=True, unique=True)
        conditions.append(func.lower(text).like(func.lower(pattern), escape="/"))
    return conditions


def api_search(query: Select, q: str, dialect: str) -> Select:
    """The API's q: the case number or the facts contain q (case as typed)."""
    return query.where(
        *bigrams_contain(CASE_SEARCHED, q, dialect),
        or_(
            Case.number.contains(q, autoescape=True),
            Case.facts.contains(q, autoescape=True),
        ),
    )


def console_search(query: Select, search: str, dialect: str) -> Select:
    """The console's search: the case number or a party's name contains it (any case),
    as one IN over a union, so that each arm uses its own index."""
    by_number = (
        select(Case.id)
        .where(
            *bigrams_contain(CASE_SEARCHED, search, dialect),
            Case.number.icontains(search, autoescape=True),
        )
        .correlate(None)  # its own scan of the cases, not the outer query's row
    )
    by_party = select(CaseParty.case_id).where(
        *bigrams_contain(CaseParty.name, search, dialect),
        CaseParty.name.icontains(search, autoescape=True),
    )
    return query.where(Case.id.in_(union(by_number, by_party)))


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
