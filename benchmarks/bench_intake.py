"""Benchmark (run on demand: `make bench`): public complaint submission on PostgreSQL.

Creates a throw-away PostgreSQL database (dropped at the end), migrates it, seeds the
calendar, the power list and the demo region with the functions `make run` uses, and
serves the app as the non-superuser application role with row-level security forced,
as production does (tests/support.py's PostgresDatabase and start_live_server, reused).
Rate limiting is disabled (the limiter's `enabled` flag, which its init_app records as
RATELIMIT_ENABLED=False: create_app takes no Flask config overrides); the broker is
the embedded stub:// with no worker started, so the SMS is only queued in the outbox
and never delivered inline.

Then, in the same run and the same database, it measures N complaints (--n, default 500):

  app (in-process)  POST /api/v1/public/xuanwu/complaints through the Flask WSGI stack
                    with the test client (no socket), one client;
  app (HTTP)        the same over real HTTP to the threaded werkzeug server, 4 client
                    threads (--threads; --no-http to skip); the clients share the server's
                    process and GIL, so this shows the cost of HTTP and concurrency, not
                    a deployment's capacity;
  plain SQL         the rows one complaint writes (clue, clue_step, outbox_message, with
                    the column values of a row the app wrote) inserted with psycopg as the
                    same role, one transaction per complaint with the same RLS binding.

and prints complaints/s, ms per complaint (p50/p95), the ratio, the rows and the SQL
statements of one app complaint. --profile adds a cProfile of the in-process app path:
time waiting on PostgreSQL vs Python, top 15 by cumulative time, top 10 by own time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

PATH = "/api/v1/public/xuanwu/complaints"


def _complaint(i: int) -> dict:
    # A named complaint about a matter on the power list: routed to its holder (one
    # offered step) and texted a receipt (one outbox row), the common case.
    return {
        "matter_code": "CG-0014",
        "description": f"小区楼下餐馆油烟直排，窗户都不敢开 ({i})",
        "place": "玄武区珠江路88号",
        "name": "王女士",
        "phone": "139" + "".join(random.choice("0123456789") for _ in range(8)),
    }


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Result:
    """Accumulates the rounds of one way of filing (interleaved with the others, so
    that a busy machine slows every way alike)."""

    def __init__(self, name: str) -> None:
        self.name, self.n, self.wall, self.latencies = name, 0, 0.0, []

    def add(self, wall: float, latencies: list[float]) -> None:
        self.n, self.wall = self.n + len(latencies), self.wall + wall
        self.latencies += latencies

    @property
    def rate(self) -> float:
        return self.n / self.wall

    def row(self, baseline: Result) -> str:
        ms = [x * 1000 for x in self.latencies]
        ratio = f"{baseline.rate / self.rate:.1f}x" if baseline is not self else "1x"
        return (
            f"{self.name:<34}{self.rate:>10,.0f}{_percentile(ms, 0.5):>9.2f}"
            f"{_percentile(ms, 0.95):>9.2f}{statistics.mean(ms):>9.2f}{ratio:>10}"
        )


def bench_in_process(client, count: int) -> tuple[float, list[float]]:
    latencies = []
    started = time.perf_counter()
    for i in range(count):
        t = time.perf_counter()
        r = client.post(PATH, json=_complaint(i))
        latencies.append(time.perf_counter() - t)
        assert r.status_code == 201, r.json
    return time.perf_counter() - started, latencies


def bench_http(url: str, n: int, threads: int) -> tuple[float, list[float]]:
    import requests

    latencies: list[float] = []
    lock = threading.Lock()
    failures: list[str] = []

    def work(count: int, offset: int) -> None:
        mine = []
        with requests.Session() as http:
            for i in range(count):
                t = time.perf_counter()
                r = http.post(url + PATH, json=_complaint(offset + i), timeout=30)
                mine.append(time.perf_counter() - t)
                if r.status_code != 201:
                    failures.append(f"{r.status_code} {r.text[:200]}")
        with lock:
            latencies.extend(mine)

    shares = [n // threads + (1 if k < n % threads else 0) for k in range(threads)]
    workers = [
        threading.Thread(target=work, args=(share, sum(shares[:k])))
        for k, share in enumerate(shares)
    ]
    started = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    wall = time.perf_counter() - started
    assert not failures, failures[:3]
    return wall, latencies


def _template(conn, table: str, where: str, value) -> dict:
    cur = conn.execute(f"SELECT * FROM {table} WHERE {where} = %s LIMIT 1", (value,))
    names = [c.name for c in cur.description]
    return dict(zip(names, cur.fetchone(), strict=True))


def _insert(table: str, row: dict) -> str:
    columns = ", ".join(row)
    return f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(row))})"


class PlainSql:
    """The three rows of one complaint, copied from a row the app wrote (so every
    column is there, with the same kind of value), inserted in one transaction per
    complaint as the application role, tenant bound the way the app binds it."""

    def __init__(self, database, tenant_id, sample_clue_id) -> None:
        self.conn = database.connect_as_app()
        self.tenant = str(tenant_id)
        with self.conn.transaction():
            self.conn.execute("select set_config('app.tenant_id', %s, true)", (self.tenant,))
            self.clue = _template(self.conn, "clue", "id", sample_clue_id)
            self.step = _template(self.conn, "clue_step", "clue_id", sample_clue_id)
            self.message = _template(
                self.conn,
                "outbox_message",
                "idempotency_key",
                f"clue:{sample_clue_id}:1:SMS_CLUE_RECEIVED",
            )
        self.sql = {
            t: _insert(t, r)
            for t, r in (
                ("clue", self.clue),
                ("clue_step", self.step),
                ("outbox_message", self.message),
            )
        }

    def run(self, count: int) -> tuple[float, list[float]]:
        from psycopg.types.json import Json

        from yimen.platform.intake.service import receipt_code

        def adapt(row: dict) -> tuple:
            return tuple(Json(v) if isinstance(v, dict | list) else v for v in row.values())

        conn, latencies = self.conn, []
        started = time.perf_counter()
        for i in range(count):
            t = time.perf_counter()
            data = _complaint(i)
            clue_id, code = uuid.uuid4(), receipt_code()
            clue = self.clue | {
                "id": clue_id,
                "receipt_code": code,
                "description": data["description"],
                "complainant_phone": data["phone"],
            }
            step = self.step | {"id": uuid.uuid4(), "clue_id": clue_id}
            payload = self.message["payload"]
            message = self.message | {
                "id": uuid.uuid4(),
                "payload": payload
                | {"to": data["phone"], "params": payload["params"] | {"code": code}},
                "idempotency_key": f"clue:{clue_id}:1:SMS_CLUE_RECEIVED",
            }
            with conn.transaction():
                conn.execute("select set_config('app.tenant_id', %s, true)", (self.tenant,))
                conn.execute(self.sql["clue"], adapt(clue))
                conn.execute(self.sql["clue_step"], adapt(step))
                conn.execute(self.sql["outbox_message"], adapt(message))
            latencies.append(time.perf_counter() - t)
        return time.perf_counter() - started, latencies

    def close(self) -> None:
        self.conn.close()


def _counts(database, tenant_id) -> dict[str, int]:
    with database.connect_as_app() as conn, conn.transaction():
        conn.execute("select set_config('app.tenant_id', %s, true)", (str(tenant_id),))
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = 'public' AND c.relkind = 'r'"
                " AND has_table_privilege(c.oid, 'SELECT')"
            )
        ]
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def profile_in_process(app, n: int) -> str:
    """cProfile of n in-process submissions: the top 15 by cumulative time below the
    WSGI/webargs wrappers (the view, the use case, the session, the driver), the top 10
    by own time, and the share spent waiting on PostgreSQL."""
    from harness import profile_report

    client = app.test_client()
    submitted = iter(range(n))

    def submit() -> None:
        assert client.post(PATH, json=_complaint(next(submitted))).status_code == 201

    return profile_report(submit, n, "complaints", r"yimen/|orm/session\.py|psycopg/cursor\.py")


class Trace:
    """What one app complaint costs in SQL (SQLAlchemy engine and pool events, no
    profiler): statements, transactions, pool checkouts (each pre-pinged), and the
    time spent inside the statements' execute calls."""

    def __init__(self, app, n: int) -> None:
        from sqlalchemy import event

        from yimen.platform.kernel.db import db

        self.statements: list[str] = []
        self.begins = self.checkouts = 0
        self.in_sql = 0.0
        started: list[float] = []

        def before(_conn, _cursor, statement, *_):
            self.statements.append(" ".join(statement.split())[:110])
            started.append(time.perf_counter())

        def after(*_):
            self.in_sql += time.perf_counter() - started.pop()

        def begin(_conn):
            self.begins += 1

        def checkout(*_):
            self.checkouts += 1

        hooks = [
            (db.engine, "before_cursor_execute", before),
            (db.engine, "after_cursor_execute", after),
            (db.engine, "begin", begin),
            (db.engine.pool, "checkout", checkout),
        ]
        for target, name, fn in hooks:
            event.listen(target, name, fn)
        try:
            client = app.test_client()
            t = time.perf_counter()
            for i in range(n):
                assert client.post(PATH, json=_complaint(i)).status_code == 201
            self.total = time.perf_counter() - t
        finally:
            for target, name, fn in hooks:
                event.remove(target, name, fn)
        self.n = n

    def report(self) -> str:
        n = self.n
        # psycopg sends BEGIN, and COMMIT or ROLLBACK, as round trips of their own.
        trips = (len(self.statements) + self.checkouts + 2 * self.begins) / n
        lines = [
            f"SQL per app complaint: {len(self.statements) / n:g} statements in "
            f"{self.begins / n:g} transactions on {self.checkouts / n:g} pool checkouts "
            f"(pre-ping each) = {trips:g} round trips (plain SQL: 4 statements, 1 transaction"
            f" = 6 round trips); {self.in_sql / n * 1000:.1f} of {self.total / n * 1000:.1f} ms"
            " inside statement execution",
        ]
        lines += [f"  {s}" for s in self.statements[: len(self.statements) // n]]
        return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="complaints per measurement")
    parser.add_argument("--threads", type=int, default=4, help="HTTP client threads")
    parser.add_argument(
        "--rounds", type=int, default=5, help="interleaved rounds (n split across them)"
    )
    parser.add_argument("--no-http", action="store_true", help="skip the real-HTTP run")
    parser.add_argument("--profile", action="store_true", help="cProfile the app path")
    args = parser.parse_args()

    from harness import postgres_support

    support = postgres_support("bench_intake")  # quiet logs: no access line per request
    if support is None:
        return

    from sqlalchemy import select

    from yimen.platform.api.limits import limiter
    from yimen.platform.kernel.db import db
    from yimen.platform.kernel.directory import Tenant

    database = support.PostgresDatabase()
    database.create()  # the database, migrated; the app role NOSUPERUSER NOBYPASSRLS
    server = None
    try:
        limiter.enabled = False  # init_app then records RATELIMIT_ENABLED=False and stops
        var = Path(tempfile.mkdtemp(prefix="yimen-bench-"))
        server = support.start_live_server(database.app_url, var, "postgresql")
        app = server.app
        assert app.config["RATELIMIT_ENABLED"] is False
        assert app.extensions["yimen.broker"].kind == "stub"  # no worker: SMS only queued
        with db.new_session() as s:
            tenant_id = s.execute(select(Tenant.id).where(Tenant.slug == "xuanwu")).scalar_one()

        # Warm up (first-request costs: imports, caches, the connection pool).
        client = app.test_client()
        for i in range(20):
            assert client.post(PATH, json=_complaint(i)).status_code == 201
        sample = client.post(PATH, json=_complaint(0)).json["receipt_code"]
        with db.new_session() as s:
            from yimen.platform.intake.model import Clue
            from yimen.platform.kernel.db import tenant_scope

            with tenant_scope(tenant_id):
                sample_id = s.execute(
                    select(Clue.id).where(Clue.receipt_code == sample)
                ).scalar_one()

        before = _counts(database, tenant_id)
        bench_in_process(client, 20)  # which rows one complaint writes, in every table
        after = _counts(database, tenant_id)
        written = {t: (after[t] - before[t]) / 20 for t in after if after[t] != before[t]}

        app_result = Result("app, in-process WSGI (1 client)")
        http = Result(f"app, HTTP werkzeug ({args.threads} clients)")
        sql = Result("plain SQL (psycopg, 1 tx each)")
        plain = PlainSql(database, tenant_id, sample_id)
        try:
            for k in range(args.rounds):
                count = args.n // args.rounds + (1 if k < args.n % args.rounds else 0)
                app_result.add(*bench_in_process(client, count))
                if not args.no_http:
                    http.add(*bench_http(server.url, count, args.threads))
                sql.add(*plain.run(count))
        finally:
            plain.close()
        results = [app_result] + ([] if args.no_http else [http]) + [sql]
        trace = Trace(app, 50)

        baseline = results[-1]
        print(
            f"\nPublic complaint submission, PostgreSQL {_server_version(database)}, "
            f"app role with RLS, N={args.n} each in {args.rounds} interleaved rounds, same database"
        )
        print(f"{'':<34}{'compl/s':>10}{'p50 ms':>9}{'p95 ms':>9}{'mean ms':>9}{'SQL/app':>10}")
        for r in results:
            print(r.row(baseline))
        print(
            "ratio (plain SQL complaints/s ÷ app complaints/s): "
            + "; ".join(
                f"{r.name.split(' (')[0]} {baseline.rate / r.rate:.1f}" for r in results[:-1]
            )
        )
        print(
            "rows written per complaint by the app: "
            + ", ".join(f"{t} {v:g}" for t, v in sorted(written.items()))
        )
        print(trace.report())
        if args.profile:
            print("\ncProfile, in-process app path:")
            print(profile_in_process(app, args.n))
    finally:
        if server is not None:
            server.stop()
        db.remove()
        if db.engine is not None:
            db.engine.dispose()
        database.drop()


def _server_version(database) -> str:
    with database.connect_as_app() as conn:
        return conn.execute("SHOW server_version").fetchone()[0].split()[0]


if __name__ == "__main__":
    main()
