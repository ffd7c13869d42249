"""Page-number paging with totals, the envelope of every list the API returns."""

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
    total = session.execute(
        select(func.count()).select_from(query.order_by(None).subquery())
    ).scalar_one()
    result = session.execute(query.limit(page_size).offset((page - 1) * page_size))
    items = result.mappings().all() if rows else result.scalars().all()
    return {
        "items": items,
        "page": page,
        "page_size": page_size,
        "total": total,
        "pages": math.ceil(total / page_size) if total else 0,
    }


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
