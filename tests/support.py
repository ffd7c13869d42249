"""Test infrastructure: databases on both backends, a live server, tokens over HTTP."""

from __future__ import annotations

import functools
import itertools
import os
import socket
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import requests
from werkzeug.serving import make_server

from yimen.platform.app import create_app
from yimen.platform.kernel.config import load_settings
from yimen.platform.migrate import upgrade

PG_ADMIN_DSN = os.environ.get(
    "YIMEN_TEST_PG_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
)
OWNER_ROLE = "yimen_test_owner"
APP_ROLE = "yimen_test_app"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pg_unavailable_reason() -> str | None:
    try:
        with psycopg.connect(PG_ADMIN_DSN, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL not reachable at {PG_ADMIN_DSN}: {exc.__class__.__name__}"


def _dsn_with(dbname: str, user: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(PG_ADMIN_DSN)
    host, port = info.get("host", "127.0.0.1"), info.get("port", "5432")
    return f"postgresql+psycopg://{user}@{host}:{port}/{dbname}"


class PostgresDatabase:
    """A fresh database owned by a non-superuser role; the app connects as a role
    that owns nothing and does not bypass RLS (NOSUPERUSER NOBYPASSRLS)."""

    def __init__(self) -> None:
        self.name = f"yimen_test_{uuid.uuid4().hex[:10]}"
        self.owner_url = _dsn_with(self.name, OWNER_ROLE)
        self.app_url = _dsn_with(self.name, APP_ROLE)

    def create(self, revision: str = "heads") -> None:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            for role in (OWNER_ROLE, APP_ROLE):
                exists = conn.execute(
                    "select 1 from pg_roles where rolname = %s", (role,)
                ).fetchone()
                if not exists:
                    conn.execute(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE")
            conn.execute(f"CREATE DATABASE {self.name} OWNER {OWNER_ROLE}")
        os.environ["YIMEN_DB_APP_ROLE"] = APP_ROLE
        upgrade(self.owner_url, revision)

    def drop(self) -> None:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")

    def connect_as_app(self):
        return psycopg.connect(self.app_url.replace("+psycopg", ""))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveServer:
    """The whole platform served over real HTTP on a free port."""

    url: str
    app: object
    demo: dict
    backend: str
    _server: object = field(repr=False, default=None)
    _thread: threading.Thread | None = field(repr=False, default=None)
    # the districts seeded for test modules (`seed_district`), by slug
    seeded: dict[str, dict] = field(default_factory=dict)

    def district(self, slug: str) -> dict:
        if slug in self.seeded:
            return self.seeded[slug]
        return next(d for d in self.demo["districts"] if d["slug"] == slug)

    def client_token(
        self, slug: str, client_id: str | None = None, secret: str | None = None
    ) -> str:
        """A client-credentials token from the district's issuer, over HTTP (by default
        its read-only demo client)."""
        known = slug in self.seeded or slug in {d["slug"] for d in self.demo["districts"]}
        client = self.district(slug)["client"] if known else {}
        response = requests.post(
            f"{self.url}/oidc/{slug}/token",
            data={"grant_type": "client_credentials"},
            auth=(client_id or client["client_id"], secret or client["client_secret"]),
            timeout=10,
        )
        response.raise_for_status()
        return response.json()["access_token"]

    def seed_district(self) -> dict:
        """A fresh district shaped like the demo's (platform/demo.py `seed_district`): its
        own slug and division code, the demo's agencies, units, officers (password
        `Yimen@2026`, usernames `<slug>.zhangwei` …), power list, read-only client and
        console client. Returns its entry of the demo's `districts` and keeps it, so that
        `district(slug)` and `client_token(slug)` know it. The entry also holds the
        district's `tenant_id`, for tests that read or write inside it."""
        from yimen.platform.demo import seed_district
        from yimen.platform.kernel.db import db

        slug = f"t{uuid.uuid4().hex[:8]}"
        with db.new_session() as s:
            district = seed_district(
                s,
                self.url,
                slug,
                "测试区",
                unique_division_code(),
                "测",
                name_en="Test District",
                password_hash=_demo_password_hash(),
                defaults=self.app.extensions["yimen.district_defaults"],
            )
        district["tenant_id"] = tenant_id(slug)
        self.seeded[slug] = district
        return district

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(5)


def start_live_server(database_url: str, var_dir: Path, backend: str) -> LiveServer:
    from yimen.platform.demo import seed_demo
    from yimen.platform.kernel.db import db

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = load_settings(
        var_dir=var_dir,
        database_url=database_url,
        public_url=url,
        broker_url="stub://",
        secret_key="test-secret-key",
    )
    app = create_app(settings)
    app.config["YIMEN_PUBLIC_RATE_LIMIT"] = "10000 per hour"  # many tests file from 127.0.0.1
    app.config["YIMEN_PUBLIC_READ_RATE_LIMIT"] = "10000 per hour"
    from yimen.tenants.calendar.service import seed as seed_calendar
    from yimen.tenants.powers.service import seed_catalog
    from yimen.tenants.workflow.service import seed_library

    with db.new_session() as s:
        seed_calendar(s)
        seed_catalog(s)
        seed_library(s)
        demo = seed_demo(s, url, var_dir / "demo.json", app.extensions["yimen.district_defaults"])
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True, name="live-server")
    thread.start()
    return LiveServer(url, app, demo, backend, server, thread)


@functools.cache
def _demo_password_hash() -> str:
    """The demo password's hash, computed once (a hash is slow on purpose)."""
    from werkzeug.security import generate_password_hash

    from yimen.platform.demo import DEMO_PASSWORD

    return generate_password_hash(DEMO_PASSWORD)


@functools.cache
def _current_division_codes() -> list[str]:
    """County-level GB/T 2260 codes in force (python-stdnum's table), for test districts."""
    from yimen.tenants.directory.rules import division_name

    codes = [f"{p}{n:04d}" for p in ("33", "44", "37", "41", "42", "43") for n in range(101, 3000)]
    return [c for c in codes if (name := division_name(c)) and name[1] != "市辖区"]


_division_index = itertools.count(os.getpid() % 97)


def unique_division_code() -> str:
    """A current county-level code no other test district of this run uses."""
    codes = _current_division_codes()
    return codes[next(_division_index) % len(codes)]


def tenant_id(slug: str) -> uuid.UUID:
    """The id of district `slug` (looked up outside any district)."""
    from sqlalchemy import select

    from yimen.platform.kernel.db import db
    from yimen.platform.kernel.directory import Tenant

    with db.new_session() as s:
        return s.execute(select(Tenant.id).where(Tenant.slug == slug)).scalar_one()


def documents_worker_for(app) -> None:
    """The document worker renders into this app's blob store, and documents issued by
    earlier tests are not rendered by this one (their messages are dropped)."""
    from yimen.platform.cases.documents import rendering as document_tasks

    document_tasks.configure(app.extensions["yimen.blobs"])
    document_tasks.render_document.broker.flush(document_tasks.QUEUE)


def drain_documents() -> list[uuid.UUID]:
    """Run the document worker now, in this thread: the `render_document` messages the
    actions sent on commit, decoded from the broker the actor sends to (the live
    server's stub broker; a Redis test switches brokers and back) and run as a worker
    would (platform/cases/documents/rendering.py). Returns the ids of the documents rendered."""
    import dramatiq

    from yimen.platform.cases.documents import rendering as document_tasks

    queue = document_tasks.render_document.broker.queues[document_tasks.QUEUE]
    rendered = []
    while not queue.empty():
        message = dramatiq.Message.decode(queue.get_nowait())
        queue.task_done()
        tenant_id, document_id = message.args
        if document_tasks.render_now(uuid.UUID(tenant_id), uuid.UUID(document_id)):
            rendered.append(uuid.UUID(document_id))
    return rendered
