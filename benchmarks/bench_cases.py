"""Benchmark (run on demand: `make bench`): a full case lifecycle on PostgreSQL.

Creates a throw-away PostgreSQL database (dropped at the end), migrates it, seeds the
calendar, the power list, the workflow library and the demo region with the functions
`make run` uses, and serves the app as the non-superuser application role with
row-level security forced, as production does (tests/support.py, reused, as
bench_intake does). Tokens for an officer, the agency head and a legal reviewer of the
demo district's comprehensive enforcement bureau (zhzf) are machine clients made the way
the tests make them (tests/integration/conftest.py `_agency_client`).

Then, in the same run and the same database, N cases (--n, default 30) per path:

  app (in-process)  each case driven through the API with the Flask test client (no
                    socket) from draft to archive, the steps of
                    tests/integration/test_case_lifecycle.py: the general procedure
                    without a hearing (path "general", the main figure) and, with
                    --hearing, with a hearing, legal review and collective discussion
                    (path "hearing");
  worker            the documents the actions issued are rendered after commit by the
                    document worker (platform/cases/documents/rendering.py): after the N
                    cases, the messages they sent are run in this thread, timed apart
                    from the requests (PDF into the blob store, its hash bound by a
                    `document_rendered` chain event);
  plain SQL         the same rows written with psycopg as the same role: every INSERT,
                    UPDATE and DELETE the app and its document worker sent for one
                    sample case (recorded from the SQLAlchemy engine, with their
                    parameters), replayed per case in one transaction per app
                    transaction (one per action, one per rendered document) with the
                    same RLS binding, new ids for the new rows, the document counters
                    incremented by the same UPDATE … RETURNING and the numbers it
                    returns put into the rows. No reads, no rendering, no hashing: what
                    the database costs alone.

and prints cases/s, ms per action (p50/p95), the ratio (for the requests, and with the
worker's time added), the rows one case writes in every table (counted before and
after), and where the time goes: in PostgreSQL statements and Python for the requests;
in `documents.render_pdf` (WeasyPrint, timed by a wrapper), statements and the blob
store for the worker.
--profile adds a cProfile of the in-process app path: top 15 by cumulative time, top 10
by own time.

Measured 2026-12-07, one run each, N=30, PostgreSQL 15, on the shared 2-core machine
under a load average of 13-19 (other sessions running suites), so absolute figures are
several times those of a quiet machine; the before run is main at b7bd273 (PDFs rendered
inside the action, under the number's row lock, stored in the row), the after run this
version (issue #12 item 6: rendered after commit by the document worker into the blob
store):

                                  before            after
  requests, ms per case            20089             7555   (23 requests)
  any request p50 / p95 ms     587 / 2135        305 / 528
  approve_filing p50 ms             1518              376   (issues 立案审批表)
  decide p50 ms                     1456              335   (issues 行政处罚决定书)
  plain SQL, ms per case             524              290   (23 → 33 transactions)
  ratio to plain SQL                 38x              26x   (requests)
  ratio, rendering taken out         20x                -
  worker after commit, ms/case         -            11524   (10 PDFs)
  ratio with the worker added          -              66x

Where the time goes. Before: PDF rendering (WeasyPrint) 9859 ms per case = 49 %, SQL
statements 6562 ms = 33 % (988 statements), Python 3668 ms. After, the requests: SQL
statements 4672 ms = 62 % (982 statements), Python 2884 ms (filling the templates stays
in the request: the HTML is what the document says when it is numbered); no rendering.
The worker: rendering 9915 ms = 86 % (991 ms and 236 KiB per PDF under this load),
SQL 914 ms (136 statements: the chain event with the case row's lock, the row update,
the seal), blob store 695 ms. The total work is unchanged (rendering costs what it
cost); it left the requests and the lock: an officer waits 3-4× less per action that
issues a document, and the numbering lock is held for the action's SQL only. The plain
SQL figure moved between the runs (524 → 290 ms) with the machine's load, which is why
the ratios moved more than the requests' times; each case also writes 10 more events
(one `document_rendered` per document) in 10 more transactions.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

OIL_FUMES = "CG-0014"  # 餐饮油烟: 大气污染防治法 第一百一十八条, ¥5,000–50,000
PARTY = {
    "kind": "organisation",
    "name": "南京味道餐饮管理有限公司",
    "address": "玄武区珠江路88号",
}


def _credit_code() -> str:
    from stdnum.cn import uscc

    body = "91320102MA1MXXX90"
    return body + uscc.calc_check_digit(body)


def _draft(desk: dict, **extra) -> dict:
    return {
        "matter_code": OIL_FUMES,
        "facts": "当事人在玄武区珠江路88号经营餐馆，未安装油烟净化设施直排油烟。",
        "place": "玄武区珠江路88号",
        "violation_started_on": "2026-10-01",
        "parties": [{**PARTY, "credit_code": _credit_code()}],
        "officer_ids": desk["officers"],
        **extra,
    }


# (action, who, body): the steps of test_case_lifecycle.py, the refused ones left out.
OPENING = [
    ("approve_filing", "head", {}),
    ("add_evidence", "officer", {"kind": "audio_visual", "title": "现场油烟直排视频"}),
    (
        "add_record",
        "officer",
        {"kind": "现场检查笔录", "content": "现场检查发现未安装油烟净化设施。"},
    ),
    ("add_record", "officer", {"kind": "询问笔录", "content": "当事人承认未安装净化设施。"}),
    ("advance", "officer", {}),
    ("order_correction", "officer", {"content": "责令于2026年12月1日前安装油烟净化设施"}),
    ("advance", "officer", {}),
]
CLOSING = [
    ("serve_decision", "officer", {"method": "direct"}),
    ("record_payment", "officer", {"amount_fen": 3_000_000}),
    ("advance", "officer", {}),
    ("approve_closure", "head", {}),
    ("archive", "officer", {}),
]
STATEMENT = (
    "record_statement",
    "officer",
    {
        "statement": "已在整改中，请求从轻处罚",
        "reexamination": "经复核，当事人所述整改属实，维持拟处罚意见。",
    },
)
LEGAL_REVIEW = (
    "legal_review",
    "reviewer",
    {"result": "passed", "opinion": "事实清楚，证据充分，程序合法。"},
)
DISCUSSION = (
    "record_discussion",
    "head",
    {"minutes": "集体讨论记录……", "conclusion": "同意罚款三万元"},
)
# A fine of ¥30,000 for an organisation: below Shanghai's ¥50,000, no hearing right.
GENERAL = (
    OPENING
    + [
        (
            "propose_penalty",
            "officer",
            {
                "penalty_kinds": ["fine"],
                "fine_fen": 3_000_000,
                "circumstance": "ordinary",
                "first_violation": True,
            },
        ),
        # Served today: every entered date is checked against the record and today, so a
        # case filed today cannot carry a notice served weeks ago. The party states its
        # case and waives what is left of the window in writing, and the case goes on.
        ("serve_prior_notice", "officer", {}),
        STATEMENT,
        ("waive", "officer", {"signed_by": "当事人法定代表人 王某"}),
        ("advance", "officer", {}),
        LEGAL_REVIEW,
        ("advance", "officer", {}),
        DISCUSSION,
        ("advance", "officer", {}),
        ("decide", "head", {"fine_fen": 3_000_000}),
    ]
    + CLOSING
)


def _hearing_steps(desk: dict) -> list:
    """The hearing path's steps, for when `--hearing` moves the clock between them."""
    return (
        OPENING
        + [
            (
                "propose_penalty",
                "officer",
                {
                    "penalty_kinds": ["fine", "order_suspension"],  # a hearing right (第六十三条)
                    "fine_fen": 3_000_000,
                    "circumstance": "ordinary",
                    "first_violation": True,
                },
            ),
            ("serve_prior_notice", "officer", {"served_on": "2026-11-02"}),
            ("request_hearing", "officer", {"requested_on": "2026-11-05"}),
            STATEMENT,
            ("advance", "officer", {}),
            (
                "schedule_hearing",
                "officer",
                {
                    "hearing_on": "2026-11-20",
                    "noticed_on": "2026-11-09",
                    "presider_id": desk["presider"],
                    "place": "区综合执法局听证室",
                },
            ),
            (
                "record_hearing",
                "officer",
                {"transcript": "听证笔录：当事人陈述整改情况……", "held_on": "2026-11-20"},
            ),
            ("advance", "officer", {}),
            LEGAL_REVIEW,
            ("advance", "officer", {}),
            DISCUSSION,
            ("advance", "officer", {}),
            ("decide", "head", {"fine_fen": 3_000_000}),
        ]
        + CLOSING
    )


class Path_:
    """One way through the procedure: its draft and its steps."""

    def __init__(self, name: str, draft: dict, steps: list) -> None:
        self.name, self.draft, self.steps = name, draft, steps


class Desk(dict):
    """Tokens of the zhzf bureau's officer, agency head and legal reviewer: machine
    clients made as tests/integration/conftest.py `_agency_client` makes them, the
    secrets kept so that a token is fetched again before it expires (a run outlasts
    one), outside the timed requests."""

    ROLES = {
        "officer": ["officer"],
        "head": ["agency_head", "officer"],
        "reviewer": ["legal_reviewer"],
    }

    def __init__(self, server, app) -> None:
        from sqlalchemy import select

        from yimen.platform.idp.admin import create_machine_client
        from yimen.platform.kernel.db import db, tenant_scope
        from yimen.platform.kernel.directory import Tenant

        super().__init__()
        self.server, self.credentials, self.fetched = server, {}, 0.0
        with db.new_session() as s:
            tenant_id = s.execute(select(Tenant.id).where(Tenant.slug == "xuanwu")).scalar_one()
        for who, roles in self.ROLES.items():
            client_id = f"zhzf-{uuid.uuid4().hex[:6]}"
            with tenant_scope(tenant_id), db.new_session() as s:
                row, secret = create_machine_client(s, client_id, "zhzf", roles)
                row.agency_code = "zhzf"
                s.commit()
            self.credentials[who] = (client_id, secret)
        with tenant_scope(tenant_id), db.new_session() as s:
            from yimen.platform.kernel.directory import Officer

            # The demo's qualified legal reviewer, named by the reviewer's client
            # (处罚法 第五十八条: the review is an officer's, not a machine's).
            self.reviewer_id = str(
                s.execute(
                    select(Officer.id).where(Officer.username == "xuanwu.zhaomin")
                ).scalar_one()
            )
        self.refresh()

    def refresh(self, older_than: float = 60.0) -> None:
        if time.monotonic() - self.fetched < older_than:
            return
        for who, (client_id, secret) in self.credentials.items():
            token = self.server.client_token("xuanwu", client_id, secret)
            self[who] = {"Authorization": f"Bearer {token}"}
        self.fetched = time.monotonic()


def run_case(client, desk: dict, path: Path_, timings: dict | None = None) -> str:
    """Drive one case from draft to archive; returns its id. `timings` collects the
    seconds of each request by action."""
    if isinstance(desk, Desk):
        desk.refresh()

    def timed(label, fn):
        t = time.perf_counter()
        r = fn()
        if timings is not None:
            timings[label].append(time.perf_counter() - t)
        return r

    r = timed(
        "draft",
        lambda: client.post("/api/v1/cases", json=path.draft, headers=desk["officer"]),
    )
    assert r.status_code == 201, r.json
    case_id = r.json["id"]
    for action, who, body in path.steps:
        if action == "add_evidence":
            body = {**body, "sha256": uuid.uuid4().hex * 2}
        if action == "legal_review":
            body = {**body, "reviewer_id": desk.reviewer_id}
        r = timed(
            action,
            lambda action=action, body=body, who=who: client.post(
                f"/api/v1/cases/{case_id}/actions/{action}", json=body, headers=desk[who]
            ),
        )
        assert r.status_code == 200, (path.name, action, r.status_code, r.json)
    assert r.json["status"] == "archived", r.json
    return case_id


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class RenderClock:
    """Wraps documents.render_pdf (WeasyPrint, run by the document worker): how many
    PDFs, how long."""

    def __init__(self) -> None:
        from yimen.platform.cases.documents import issuing as documents

        self.module, self.original = documents, documents.render_pdf
        self.calls, self.seconds, self.bytes = 0, 0.0, 0

        def render_pdf(html):
            t = time.perf_counter()
            try:
                pdf = self.original(html)
                self.bytes += len(pdf)
                return pdf
            finally:
                self.calls += 1
                self.seconds += time.perf_counter() - t

        documents.render_pdf = render_pdf

    def reset(self) -> tuple[int, float, int]:
        taken = self.calls, self.seconds, self.bytes
        self.calls, self.seconds, self.bytes = 0, 0.0, 0
        return taken

    def close(self) -> None:
        self.module.render_pdf = self.original


def drain_documents() -> int:
    """Run the document worker on what the actions sent (the stub broker's queue), in
    this thread, as `yimen run`'s in-process worker would; returns how many messages."""
    import dramatiq

    from yimen.platform.cases.documents import rendering as document_tasks

    queue = document_tasks.render_document.broker.queues[document_tasks.QUEUE]
    count = 0
    while not queue.empty():
        message = dramatiq.Message.decode(queue.get_nowait())
        queue.task_done()
        tenant_id, document_id = message.args
        document_tasks.render_now(uuid.UUID(tenant_id), uuid.UUID(document_id))
        count += 1
    return count


class SqlClock:
    """Statements, transactions and the time inside statement execution (engine events)."""

    def __init__(self) -> None:
        from sqlalchemy import event

        from yimen.platform.kernel.db import db

        self.statements = self.begins = self.checkouts = 0
        self.seconds = 0.0
        started: list[float] = []

        def before(*_):
            self.statements += 1
            started.append(time.perf_counter())

        def after(*_):
            self.seconds += time.perf_counter() - started.pop()

        def begin(_conn):
            self.begins += 1

        def checkout(*_):
            self.checkouts += 1

        self.hooks = [
            (db.engine, "before_cursor_execute", before),
            (db.engine, "after_cursor_execute", after),
            (db.engine, "begin", begin),
            (db.engine.pool, "checkout", checkout),
        ]
        self.event = event
        for target, name, fn in self.hooks:
            event.listen(target, name, fn)

    def reset(self) -> dict:
        taken = {
            "statements": self.statements,
            "begins": self.begins,
            "checkouts": self.checkouts,
            "seconds": self.seconds,
        }
        self.statements = self.begins = self.checkouts = 0
        self.seconds = 0.0
        return taken

    def close(self) -> None:
        for target, name, fn in self.hooks:
            self.event.remove(target, name, fn)


class Recorder:
    """The writes of the app's transactions while it is on (INSERT, UPDATE, DELETE with
    their cursor parameters), grouped by transaction; read-only transactions dropped."""

    def __init__(self) -> None:
        from sqlalchemy import event

        from yimen.platform.kernel.db import db

        self.transactions: list[list[list]] = []
        self.current: list[list] | None = None

        def begin(_conn):
            self.current = []

        def before(_conn, _cursor, statement, parameters, _context, executemany):
            verb = statement.lstrip().split(None, 1)[0].upper()
            if self.current is not None and verb in {"INSERT", "UPDATE", "DELETE"}:
                self.current.append([statement, parameters, executemany, None])

        def end(_conn):
            if self.current:
                self.transactions.append(self.current)
            self.current = None

        def rollback(_conn):
            self.current = None

        self.hooks = [
            (db.engine, "begin", begin),
            (db.engine, "before_cursor_execute", before),
            (db.engine, "commit", end),
            (db.engine, "rollback", rollback),
        ]
        self.event = event
        for target, name, fn in self.hooks:
            event.listen(target, name, fn)

    def close(self) -> None:
        for target, name, fn in self.hooks:
            self.event.remove(target, name, fn)


UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
COUNTER = "UPDATE document_counter"


def _new_row_ids(transactions: list[list[list]]) -> set[uuid.UUID]:
    """The ids of the rows the recorded INSERTs created (`id`, or `id__N` when batched)."""
    ids = set()
    for statements in transactions:
        for statement, parameters, executemany, _ in statements:
            if not statement.lstrip().upper().startswith("INSERT"):
                continue
            for params in parameters if executemany else [parameters]:
                for key, value in (params or {}).items():
                    if (key == "id" or key.startswith("id__")) and isinstance(value, uuid.UUID):
                        ids.add(value)
    return ids


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)
    elif hasattr(value, "obj"):  # psycopg's Json wrapper
        yield from _strings(value.obj)


def _mark_counters(transactions: list[list[list]], stem: str) -> None:
    """A recorded counter UPDATE does not show the serial it returned to the app: find
    it in the number the rows after it carry (stem + kind word + 〔year〕serial号) and
    note (prefix, year, serial) on the statement, for the replay to swap numbers."""
    from yimen.platform.cases.documents.numbering import WORDS

    for statements in transactions:
        for i, entry in enumerate(statements):
            if not entry[0].lstrip().startswith(COUNTER):
                continue
            kind = next(v for v in entry[1].values() if v in WORDS)
            pattern = re.compile(re.escape(stem + WORDS[kind]) + r"〔(\d{4})〕(\d+)号")
            for later in statements[i + 1 :]:
                found = next(
                    (m for text in _strings(later[1]) if (m := pattern.search(text))), None
                )
                if found:
                    entry[3] = (kind, stem + WORDS[kind], int(found[1]), int(found[2]))
                    break
            assert entry[3] is not None, f"no number after the counter of {kind}"


class PlainSql:
    """The recorded writes of one sample case, replayed with psycopg per case: one
    transaction per app transaction, tenant bound as the app binds it, new ids for new
    rows, and the numbers the document counters return in this run put in the rows."""

    def __init__(self, database, tenant_id, transactions: list[list[list]]) -> None:
        self.conn = database.connect_as_app()
        self.tenant = str(tenant_id)
        self.transactions = transactions
        self.new_ids = _new_row_ids(transactions)
        self.statements = sum(len(t) for t in transactions)

    def _remap(self, value, ids: dict, texts: dict):
        if isinstance(value, uuid.UUID):
            return ids.get(value, value)
        if isinstance(value, str):
            if "-" in value:
                value = UUID_TEXT.sub(
                    lambda m: str(ids.get(uuid.UUID(m.group()), m.group())), value
                )
            for old, new in texts.items():
                value = value.replace(old, new)
            return value
        if isinstance(value, dict):
            return {k: self._remap(v, ids, texts) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self._remap(v, ids, texts) for v in value)
        if hasattr(value, "obj"):  # psycopg's Json / Jsonb
            return type(value)(self._remap(value.obj, ids, texts))
        return value

    def _params(self, parameters, ids: dict, texts: dict, serials: dict):
        remapped = self._remap(parameters, ids, texts)
        if serials and isinstance(remapped, dict):
            for key, value in remapped.items():
                if key == "serial" or key.startswith("serial__"):
                    kind = remapped.get("kind" + key.removeprefix("serial"))
                    if (kind, value) in serials:
                        remapped[key] = serials[(kind, value)]
        return remapped

    def case(self, timings: dict | None = None) -> None:
        conn = self.conn
        ids = {old: uuid.uuid4() for old in self.new_ids}
        for statements in self.transactions:
            t = time.perf_counter()
            texts: dict[str, str] = {}  # the app's number -> this run's number
            serials: dict[tuple, int] = {}  # (kind, the app's serial) -> this run's
            with conn.transaction():
                conn.execute("select set_config('app.tenant_id', %s, true)", (self.tenant,))
                for statement, parameters, executemany, counter in statements:
                    if executemany:
                        conn.cursor().executemany(
                            statement,
                            [self._params(p, ids, texts, serials) for p in parameters],
                        )
                        continue
                    cur = conn.execute(statement, self._params(parameters, ids, texts, serials))
                    if counter is not None:
                        (serial,) = cur.fetchone()
                        kind, prefix, year, old = counter
                        texts[f"{prefix}〔{year}〕{old}号"] = f"{prefix}〔{year}〕{serial}号"
                        serials[(kind, old)] = serial
                    elif statement.lstrip().upper().startswith("UPDATE"):
                        assert cur.rowcount > 0, statement[:120]
            if timings is not None:
                timings["tx"].append(time.perf_counter() - t)

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


def _diff(before: dict, after: dict, n: int) -> dict[str, float]:
    return {t: (after[t] - before[t]) / n for t in after if after[t] != before[t]}


def profile_in_process(client, desk, path: Path_, n: int) -> str:
    """cProfile of n in-process cases: share waiting on PostgreSQL, top 15 by cumulative
    time below the WSGI wrappers, top 10 by own time."""
    from harness import profile_report

    return profile_report(
        lambda: run_case(client, desk, path),
        n,
        "cases",
        r"yimen/|weasyprint/|orm/session\.py|psycopg/cursor\.py",
    )


def measure(
    args, app, database, tenant_id, desk, path: Path_, render: RenderClock, stem: str
) -> dict:
    """N cases of `path` by the app, then the same rows by plain SQL; the figures."""
    client = app.test_client()
    run_case(client, desk, path)  # warm up this path (templates, fonts, caches)
    drain_documents()

    recorder = Recorder()
    try:
        before = _counts(database, tenant_id)
        run_case(client, desk, path)
        drain_documents()  # the worker's writes are the case's too: replayed below
        written = _diff(before, _counts(database, tenant_id), 1)
    finally:
        recorder.close()
    transactions = recorder.transactions
    _mark_counters(transactions, stem)

    timings: dict[str, list[float]] = defaultdict(list)
    sql = SqlClock()
    render.reset()
    started = time.perf_counter()
    try:
        for _ in range(args.n):
            run_case(client, desk, path, timings)
    finally:
        app_wall = time.perf_counter() - started
        sql_taken = sql.reset()
    render.reset()
    started = time.perf_counter()
    try:
        drained = drain_documents()  # after commit, off the requests' path
    finally:
        worker_wall = time.perf_counter() - started
        worker_sql = sql.reset()
        sql.close()
    pdfs, rendering, pdf_bytes = render.reset()

    plain = PlainSql(database, tenant_id, transactions)
    plain_timings: dict[str, list[float]] = defaultdict(list)
    before = _counts(database, tenant_id)
    started = time.perf_counter()
    try:
        for _ in range(args.n):
            plain.case(plain_timings)
    finally:
        plain_wall = time.perf_counter() - started
        plain.close()
    plain_written = _diff(before, _counts(database, tenant_id), args.n)
    return {
        "path": path,
        "app_wall": app_wall,
        "worker_wall": worker_wall,
        "worker_sql": worker_sql,
        "drained": drained,
        "plain_wall": plain_wall,
        "timings": timings,
        "plain_timings": plain_timings,
        "written": written,
        "plain_written": plain_written,
        "transactions": len(transactions),
        "statements": plain.statements,
        "pdfs": pdfs,
        "rendering": rendering,
        "pdf_bytes": pdf_bytes,
        "sql": sql_taken,
    }


def report(args, m: dict) -> None:
    n, path = args.n, m["path"]
    app_rate, plain_rate = n / m["app_wall"], n / m["plain_wall"]
    actions = 1 + len(path.steps)
    print(f"\npath '{path.name}': draft + {len(path.steps)} actions per case, N={n}")
    print(f"{'':<36}{'cases/s':>9}{'ms/case':>9}{'ratio':>8}")
    print(f"{'app, in-process WSGI (1 client)':<36}{app_rate:>9.2f}{1000 / app_rate:>9.0f}{'':>8}")
    print(
        f"{'plain SQL (psycopg, 1 tx each)':<36}{plain_rate:>9.1f}{1000 / plain_rate:>9.1f}"
        f"{plain_rate / app_rate:>7.0f}x"
    )
    with_worker = n / (m["app_wall"] + m["worker_wall"])
    print(
        f"ratio (plain SQL cases/s ÷ app cases/s): {plain_rate / app_rate:.0f} for the "
        f"requests; with the document worker's time added (rendering after commit): "
        f"{plain_rate / with_worker:.0f}"
    )
    ms = {a: [x * 1000 for x in v] for a, v in m["timings"].items()}
    print(f"\nms per request, app ({actions} requests per case):")
    print(f"  {'action':<22}{'count':>6}{'p50':>8}{'p95':>8}")
    for action, values in ms.items():
        print(
            f"  {action:<22}{len(values) // n:>6}{_percentile(values, 0.5):>8.1f}"
            f"{_percentile(values, 0.95):>8.1f}"
        )
    allms = [x for v in ms.values() for x in v]
    print(
        f"  {'any request':<22}{len(allms) // n:>6}{_percentile(allms, 0.5):>8.1f}"
        f"{_percentile(allms, 0.95):>8.1f}"
    )
    tx = [x * 1000 for x in m["plain_timings"]["tx"]]
    print(
        f"plain SQL per transaction ({m['transactions']} per case, {m['statements']} writes): "
        f"p50 {_percentile(tx, 0.5):.2f} ms, p95 {_percentile(tx, 0.95):.2f} ms"
    )
    per_case = m["app_wall"] / n * 1000
    sql = m["sql"]
    print(
        f"\nwhere the requests' {per_case:.0f} ms per case go: inside SQL statements "
        f"{sql['seconds'] / n * 1000:.0f} ms ({sql['seconds'] / m['app_wall']:.0%}) for "
        f"{sql['statements'] / n:g} statements in {sql['begins'] / n:g} transactions on "
        f"{sql['checkouts'] / n:g} pool checkouts; the rest, "
        f"{per_case - sql['seconds'] / n * 1000:.0f} ms, is Python (routing, auth, schemas, "
        "rules, deadlines, the event chain, filling the documents' templates); no PDF is "
        "rendered in a request"
    )
    worker_ms = m["worker_wall"] / n * 1000
    render_ms = m["rendering"] / n * 1000
    wsql = m["worker_sql"]
    print(
        f"the document worker, after commit: {worker_ms:.0f} ms per case for "
        f"{m['drained'] / n:g} documents: PDF rendering (documents.render_pdf, WeasyPrint) "
        f"{render_ms:.0f} ms for {m['pdfs'] / n:g} PDFs "
        f"({m['rendering'] / max(m['pdfs'], 1) * 1000:.0f} ms and "
        f"{m['pdf_bytes'] / max(m['pdfs'], 1) / 1024:.0f} KiB each) = "
        f"{m['rendering'] / max(m['worker_wall'], 1e-9):.0%}; inside SQL statements "
        f"{wsql['seconds'] / n * 1000:.0f} ms for {wsql['statements'] / n:g} statements; the "
        f"rest, {worker_ms - render_ms - wsql['seconds'] / n * 1000:.0f} ms, is the blob "
        "store's put (hash, fsync, link) and the chain event"
    )
    print(
        "rows written per case by the app: "
        + ", ".join(f"{t} {v:g}" for t, v in sorted(m["written"].items()))
    )
    same = {t: v for t, v in m["plain_written"].items()} == m["written"]
    print(
        "rows written per case by plain SQL: "
        + (
            "the same"
            if same
            else ", ".join(f"{t} {v:g}" for t, v in sorted(m["plain_written"].items()))
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=30, help="cases per path")
    parser.add_argument(
        "--hearing",
        action="store_true",
        help="also the path with hearing and legal review (not available: see below)",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the app path")
    args = parser.parse_args()

    from harness import postgres_support

    support = postgres_support("bench_cases")
    if support is None:
        return

    from sqlalchemy import select

    from yimen.platform.api.limits import limiter
    from yimen.platform.cases.documents import numbering
    from yimen.platform.kernel.db import db, tenant_scope
    from yimen.platform.kernel.directory import Agency, Tenant

    database = support.PostgresDatabase()
    database.create()
    server = render = None
    try:
        limiter.enabled = False
        var = Path(tempfile.mkdtemp(prefix="yimen-bench-"))
        server = support.start_live_server(database.app_url, var, "postgresql")
        app = server.app
        with db.new_session() as s:
            tenant_id = s.execute(select(Tenant.id).where(Tenant.slug == "xuanwu")).scalar_one()
        client = app.test_client()
        desk = Desk(server, app)
        officers = client.get("/api/v1/officers?page_size=100", headers=desk["officer"]).json
        by_name = {o["name"]: o["id"] for o in officers["items"]}
        desk["officers"], desk["presider"] = [by_name["张伟"], by_name["王芳"]], by_name["李强"]
        render = RenderClock()
        with tenant_scope(tenant_id), db.new_session() as s:
            stem = numbering.stem(
                s.execute(select(Agency).where(Agency.code == "zhzf")).scalar_one()
            )

        paths = [Path_("general, no hearing", _draft(desk), GENERAL)]
        if args.hearing:
            # The hearing path is a dated timeline (notice, request, a hearing at least 7
            # working days after its notice, held on its day); since every entered date
            # is checked against today, it can only be walked with the clock moved
            # between steps. Not done yet: say so instead of failing half-way.
            raise SystemExit(
                "--hearing: the hearing path needs the clock moved between its steps "
                "(entered dates are checked against today); not available yet"
            )
        print(
            f"\nCase lifecycle, draft to archive, PostgreSQL {_server_version(database)}, "
            "app role with RLS, same database"
        )
        for path in paths:
            report(args, measure(args, app, database, tenant_id, desk, path, render, stem))
        if args.profile:
            print("\ncProfile, in-process app path 'general':")
            print(profile_in_process(client, desk, paths[0], max(args.n // 3, 3)))
    finally:
        if render is not None:
            render.close()
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
