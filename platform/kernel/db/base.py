"""Declarative base and the mixins every model uses."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    MetaData,
    Table,
    TypeDecorator,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column


def _last_column_name(constraint, _table) -> str:
    """A foreign key is named after its last column: a key between two districts' tables
    is (tenant_id, x_id), and its name stays the one the single-column key on x_id had."""
    return (
        list(constraint.columns)[-1].name
        if constraint.columns
        else constraint.elements[-1].parent.name
    )


NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "column_last_name": _last_column_name,
    "fk": "fk_%(table_name)s_%(column_last_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# How a table is laid out when the database is distributed by district (Citus; README,
# "Distributing by district"). A table with a tenant_id is distributed by it, co-located
# with every other one; a table without one says what it is in `Table.info["citus"]`.
DISTRIBUTED = "distributed"  # sharded by tenant_id (create_distributed_table)
REFERENCE = "reference"  # the same on every node (create_reference_table)
LOCAL = "local"  # kept on the coordinator only (platform housekeeping)


def citus_reference() -> dict[str, Any]:
    """`__table_args__` of a catalog shared by all districts (create_reference_table)."""
    return {"info": {"citus": REFERENCE}}


def citus_local() -> dict[str, Any]:
    """`__table_args__` of a platform table that stays on the coordinator."""
    return {"info": {"citus": LOCAL}}


def keyed_for_lookup(table: Table) -> bool:
    """A district's lookup table (a search index kept by triggers, never read by an id):
    its primary key is tenant_id and the columns looked up, not (tenant_id, id)."""
    return table.info.get("key") == "lookup"


def distribution(table: Table) -> str | None:
    """DISTRIBUTED, REFERENCE or LOCAL; None for a table that has not said (a mistake the
    schema catalog test reports)."""
    declared = table.info.get("citus")
    if "tenant_id" in table.c:
        return DISTRIBUTED if declared in (None, DISTRIBUTED) else None
    return declared if declared in (REFERENCE, LOCAL) else None


def tenant_fk(column: str, target: str, **kwargs: Any) -> ForeignKeyConstraint:
    """A foreign key from one district's table to another's: (tenant_id, column) →
    target (tenant_id, id), so the two rows are always in the same district and, once
    distributed, on the same shard."""
    return ForeignKeyConstraint(
        ["tenant_id", column], [f"{target}.tenant_id", f"{target}.id"], **kwargs
    )


def new_id() -> uuid.UUID:
    return uuid.uuid4()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator):
    """Timestamps are stored in UTC and always come back timezone-aware (SQLite
    drops the offset; PostgreSQL keeps it)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime: pass an aware one")
            value = value.astimezone(dt.UTC)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dt.datetime: UTCDateTime(), uuid.UUID: Uuid()}


class Timestamped:
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class TenantOwned:
    """A row that belongs to one district.

    The session adds `tenant_id = <current tenant>` to every query of such a model and
    stamps new rows with it; on PostgreSQL a row-level security policy enforces the same
    again (see yimen.platform.kernel.db.rls and the catalog test over pg_class).

    The table's primary key is (tenant_id, id), and a key to another district's table is
    `tenant_fk(...)`, so the table can be distributed by tenant_id (Citus). The mapper's
    identity stays `id` (UUIDs are unique everywhere): `session.get(Model, id)` works,
    and the unit of work still names tenant_id in every UPDATE and DELETE it sends. A
    model that sets its own `__mapper_args__` says `"primary_key": [id]` there too.
    """

    @declared_attr
    def tenant_id(cls) -> Mapped[uuid.UUID]:  # noqa: N805 - SQLAlchemy declared_attr
        return mapped_column(
            Uuid(),
            ForeignKey("tenant.id", ondelete="RESTRICT"),
            primary_key=True,
            sort_order=-1,  # first in the primary key: (tenant_id, id)
            index=True,
            nullable=False,
        )

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805 - SQLAlchemy declared_attr
        return {"primary_key": [cls.__table__.c.id]}  # type: ignore[attr-defined]
