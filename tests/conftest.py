"""Fixtures shared by every tier. Database-backed tests run on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest

from tests import support


@pytest.fixture(scope="session")
def pg_database():
    """A fresh PostgreSQL database, migrated, with the application role (RLS on)."""
    reason = support.pg_unavailable_reason()
    if reason:
        if support.IN_CI:
            pytest.fail(f"{reason} (CI must run the PostgreSQL tests)")
        print(f"\nSKIPPING PostgreSQL tests: {reason}")
        pytest.skip(reason)
    database = support.PostgresDatabase()
    database.create()
    yield database
    from yimen.platform.kernel.db import db

    db.remove()
    if db.engine is not None:
        db.engine.dispose()
    database.drop()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def live_server(backend, request, tmp_path_factory):
    var_dir = tmp_path_factory.mktemp(f"var-{backend}")
    if backend == "sqlite":
        url = f"sqlite:///{var_dir / 'yimen.db'}"
        support.upgrade(url)
    else:
        url = request.getfixturevalue("pg_database").app_url
    server = support.start_live_server(url, var_dir, backend)
    yield server
    server.stop()


def _bind_database(live_server) -> None:
    """The process's database is the live server's (the backend under test)."""
    from yimen.platform.kernel.db import db

    url = live_server.app.extensions["yimen.settings"].database_url
    if db.engine is None or str(db.engine.url) != str(url):
        db.init(url)


@pytest.fixture
def app(live_server):
    _bind_database(live_server)
    support.documents_worker_for(live_server.app)
    return live_server.app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def demo(live_server) -> dict:
    """The demo region the live server seeded once per session (`yimen demo seed`): for
    tests of the demo seed itself. A test that makes or counts records uses `own_district`."""
    return live_server.demo


@pytest.fixture(scope="module")
def own_district(live_server) -> dict:
    """A district of this test module's own, shaped like the demo's (agencies, units,
    officers with the demo password, power list, read-only client): its entry of the
    demo's `districts` — slug, name, division_code, console, public_site, client,
    officers. What one module files, lists or numbers there no other module sees.
    `live_server.client_token(own_district["slug"])` reads it; officers sign in at
    `/oidc/<slug>` as `<slug>.zhangwei` … with `Yimen@2026`."""
    _bind_database(live_server)
    return live_server.seed_district()


@pytest.fixture
def new_district(app, live_server):
    """Creates a fresh district (its own slug and division code) and returns it."""
    from yimen.platform.kernel.db import db
    from yimen.tenants.directory.onboarding import create_tenant

    def make(name: str = "测试区"):
        slug = f"t{uuid.uuid4().hex[:8]}"
        with db.new_session() as s:
            defaults = app.extensions["yimen.district_defaults"]
            division = support.unique_division_code()
            return create_tenant(s, slug, name, division, live_server.url, defaults=defaults)

    return make


@pytest.fixture
def machine_token(app, live_server):
    """A client-credentials token, over HTTP, for a new client of `slug` with `roles`."""
    from sqlalchemy import select

    from yimen.platform.idp.admin import create_machine_client
    from yimen.platform.kernel.db import db, tenant_scope
    from yimen.platform.kernel.directory import Tenant

    def make(slug: str, roles: list[str]) -> str:
        with db.new_session() as s:
            tenant_id = s.execute(select(Tenant.id).where(Tenant.slug == slug)).scalar_one()
        client_id = f"test-{uuid.uuid4().hex[:8]}"
        with tenant_scope(tenant_id), db.new_session() as s:
            _, secret = create_machine_client(s, client_id, "测试客户端", roles)
            s.commit()
        return live_server.client_token(slug, client_id, secret)

    return make


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def render_documents(app):
    """The document worker, run when the test says: issued documents stay pending (生成中)
    until `render_documents()` runs the `render_document` messages the actions sent on
    commit (support.drain_documents). Returns the ids of the documents it rendered."""
    return support.drain_documents
