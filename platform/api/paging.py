"""Page-number paging with totals, the envelope of every list the API returns.

The page and its total come back from one statement (the count is an uncorrelated
scalar subquery of the page's SELECT, which PostgreSQL computes once, as an InitPlan):
one round trip, the page still read in its index's order and stopped at its size."""

from __future__ import annotations

import math
from functools import cache

import marshmallow as ma
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

MAX_PAGE_SIZE = 100


class PageArgs(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=100000))
    page_size = ma.fields.Integer(
        load_default=20, validate=ma.validate.Range(min=1, max=MAX_PAGE_SIZE)
    )


@cache
def page_of(item_schema: type[ma.Schema]) -> type[ma.Schema]:
    """The envelope schema `{items, page, page_size, total, pages}` for `item_schema`."""
    name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
    return ma.Schema.from_dict(
        {
            "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
            "page": ma.fields.Integer(required=True),
            "page_size": ma.fields.Integer(required=True),
            "total": ma.fields.Integer(required=True),
            "pages": ma.fields.Integer(required=True),
        },
        name=name,
    )


def paginate(
    session: Session, query: Select, page: int, page_size: int, rows: bool = False
) -> dict:
    """One page of `query` with the total; `rows=True` keeps whole rows (for reports)."""
    if rows:
        total = count_of(session, query)
        result = session.execute(query.limit(page_size).offset((page - 1) * page_size))
        items = result.mappings().all()
    else:
        items, total = page_with_total(session, query.offset((page - 1) * page_size), page_size)
        if total is None:  # past the end: the count alone
            total = count_of(session, query) if page > 1 else 0
    return {
        "items": items,
        "page": page,
        "page_size": page_size,
        "total": total,
        "pages": math.ceil(total / page_size) if total else 0,
    }


def count_of(session: Session, query: Select) -> int:
    return session.execute(_count(query)).scalar_one()


def _count(query: Select):
    return select(func.count()).select_from(
        query.order_by(None).limit(None).offset(None).subquery()
    )


def page_with_total(
    session: Session, query: Select, limit: int, counted: Select | None = None
) -> tuple[list, int | None]:
    """The first `limit` entities of `query` (its offset kept) with the count of
    `counted` (by default `query` without its offset), in one statement; None for the
    count when no row came."""
    total = _count(query if counted is None else counted).scalar_subquery().label("page_total")
    result = session.execute(query.add_columns(total).limit(limit)).all()
    if not result:
        return [], None
    return [row[0] for row in result], result[0][-1]


def page_list(items: list, page: int, page_size: int) -> dict:
    """The same envelope for a list computed in Python (proposals, per-agency figures)."""
    total = len(items)
    return {
        "items": items[(page - 1) * page_size : page * page_size],
        "page": page,
        "page_size": page_size,
        "total": total,
        "pages": math.ceil(total / page_size) if total else 0,
    }
