"""The unit of work (kernel/uow.py): commit or nothing, joinable, bound to its district.

An in-memory SQLite database with two tables of its own: no app, no server."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from yimen.platform.kernel import uow as uow_module
from yimen.platform.kernel.db import TenantMismatch, TenantOwned
from yimen.platform.kernel.db.session import Database
from yimen.platform.kernel.uow import UnitOfWork


class _Base(DeclarativeBase):
    pass


class _Tenant(_Base):
    __tablename__ = "tenant"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)


class _Note(_Base, TenantOwned):
    __tablename__ = "note"
    # a UUID like every platform table: with the key (tenant_id, id) an integer id
    # would not count up by itself on SQLite
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    text: Mapped[str] = mapped_column(String(50))


A, B = uuid.uuid4(), uuid.uuid4()


@pytest.fixture
def uow():
    database = Database()
    database.init("sqlite://")
    _Base.metadata.create_all(database.engine)
    with database.factory() as s:
        s.add_all([_Tenant(id=A), _Tenant(id=B)])
        s.commit()
    yield UnitOfWork(database)
    database.engine.dispose()


def _notes(uow: UnitOfWork, tenant: uuid.UUID) -> list[str]:
    with uow.for_tenant(tenant) as tx:
        return list(tx.session.execute(select(_Note.text).order_by(_Note.text)).scalars())


def test_commit_writes_and_stamps_the_district(uow):
    with uow.for_tenant(A) as tx:
        tx.session.add(_Note(text="a"))
        tx.commit()
    assert _notes(uow, A) == ["a"]
    assert _notes(uow, B) == []  # the other district does not see it


def test_without_commit_nothing_is_written(uow):
    with uow.for_tenant(A) as tx:
        tx.session.add(_Note(text="forgotten"))
        tx.flush()
    assert _notes(uow, A) == []


def test_an_error_rolls_back_and_propagates(uow):
    with pytest.raises(RuntimeError), uow.for_tenant(A) as tx:
        tx.session.add(_Note(text="half"))
        tx.flush()
        raise RuntimeError("refused")
    assert _notes(uow, A) == []


def test_a_joined_unit_commits_with_the_outer_one_only(uow):
    def inner_use_case(text: str) -> None:
        with uow.for_tenant(A) as tx:
            tx.session.add(_Note(text=text))
            tx.commit()  # joined: flushes, the outer block decides

    with uow.for_tenant(A) as outer:
        inner_use_case("transfer out")
        inner_use_case("create")
        assert uow_module.current() is outer
    assert _notes(uow, A) == []  # the outer block never committed

    with uow.for_tenant(A) as outer:
        inner_use_case("transfer out")
        inner_use_case("create")
        outer.commit()
    assert sorted(_notes(uow, A)) == ["create", "transfer out"]


def test_a_joined_unit_that_fails_undoes_the_whole(uow):
    with pytest.raises(ValueError), uow.for_tenant(A) as outer:
        outer.session.add(_Note(text="first"))
        with uow.for_tenant(A) as tx:
            tx.session.add(_Note(text="second"))
            raise ValueError("the second use case refused")
    assert _notes(uow, A) == []


def test_joining_another_district_is_refused(uow):
    with uow.for_tenant(A), pytest.raises(TenantMismatch), uow.for_tenant(B):
        pass


def test_in_a_request_the_request_session_is_used(uow):
    uow_module.begin_request()
    try:
        request_session = uow.database.session()
        with uow.for_tenant(A) as tx:
            assert tx.session is request_session
            tx.session.add(_Note(text="request"))
            tx.commit()
    finally:
        uow_module.end_request()
        uow.database.remove()
    with uow.for_tenant(A) as tx:
        assert tx.session is not request_session
    assert _notes(uow, A) == ["request"]
