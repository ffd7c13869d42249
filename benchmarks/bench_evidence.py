"""Benchmark (run on demand: `make bench`): one 2 GB evidence upload over real HTTP.

Creates a throw-away PostgreSQL database (dropped at the end), migrated and seeded as
`make run` does, and serves the app as the application role with row-level security
(tests/support.py's PostgresDatabase and start_live_server, as bench_intake.py does) —
on the threaded werkzeug server, or with --server waitress on the server `yimen run`
uses (which spools a large body to a temporary file before the app reads it). A case is
opened and filed through the API; then one evidence file of --size-mb (default 2048)
generated on the fly is POSTed to /api/v1/cases/<id>/evidence as a chunked body from a
generator, so the file exists only in the blob store.

Prints the throughput (MB/s, wall time from the first byte sent to the response) and the
memory of this process — client and server share it: the resident size before, the
highest resident size sampled every 50 ms during the upload, and the lifetime peak
(ru_maxrss) before and after — and checks that the stored SHA-256 is the sender's.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import shutil
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

MB = 1024 * 1024
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Sampler(threading.Thread):
    """The highest resident size seen while the upload runs."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.highest, self.running = rss_mb(), True

    def run(self) -> None:
        while self.running:
            self.highest = max(self.highest, rss_mb())
            time.sleep(0.05)

    def stop(self) -> float:
        self.running = False
        self.join()
        return self.highest


def filed_case(server) -> tuple[str, dict]:
    """A case of 综合执法局 filed by its head, and the officer's headers."""
    import requests

    from tests.integration.conftest import _agency_client
    from tests.integration.test_case_lifecycle import OIL_FUMES, PARTY, _valid_credit_code

    officer = _agency_client(server, server.app, "zhzf", ["officer"])
    head = _agency_client(server, server.app, "zhzf", ["agency_head", "officer"])
    http = requests.Session()
    officers = http.get(f"{server.url}/api/v1/officers?page_size=100", headers=officer).json()
    ids = {o["name"]: o["id"] for o in officers["items"]}
    draft = http.post(
        f"{server.url}/api/v1/cases",
        json={
            "matter_code": OIL_FUMES,
            "facts": "当事人未安装油烟净化设施直排油烟。",
            "place": "玄武区珠江路88号",
            "violation_started_on": "2026-10-01",
            "parties": [{**PARTY, "credit_code": _valid_credit_code()}],
            "officer_ids": [ids["张伟"], ids["王芳"]],
        },
        headers=officer,
    )
    assert draft.status_code == 201, draft.text
    case_id = draft.json()["id"]
    filing = http.post(
        f"{server.url}/api/v1/cases/{case_id}/actions/approve_filing", json={}, headers=head
    )
    assert filing.status_code == 200, filing.text
    return case_id, officer


def upload(url: str, case_id: str, officer: dict, size: int) -> tuple[dict, str, float]:
    import requests

    digest, block = hashlib.sha256(), os.urandom(MB)

    def video():
        sent = 0
        while sent < size:
            chunk = block[: size - sent]
            if sent == 0:
                chunk = MP4_HEAD + chunk[len(MP4_HEAD) :]
            digest.update(chunk)
            sent += len(chunk)
            yield chunk

    started = time.perf_counter()
    r = requests.post(
        f"{url}/api/v1/cases/{case_id}/evidence",
        data=video(),
        headers={
            **officer,
            "Content-Type": "video/mp4",
            "X-Evidence-Kind": "audio_visual",
            "X-Evidence-Title": quote("执法记录仪全程录像"),
        },
        timeout=3600,
    )
    wall = time.perf_counter() - started
    assert r.status_code == 201, r.text[:300]
    return r.json(), digest.hexdigest(), wall


class Waitress:
    """The app on waitress (as `yimen run` serves it) in a thread of this process."""

    def __init__(self, app, size: int) -> None:
        from waitress.server import create_server

        from tests.support import free_port

        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.server = create_server(
            app, host="127.0.0.1", port=port, threads=4, max_request_body_size=size + MB
        )
        threading.Thread(target=self.server.run, daemon=True).start()

    def stop(self) -> None:
        self.server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=2048, help="size of the evidence file")
    parser.add_argument("--server", choices=("werkzeug", "waitress"), default="werkzeug")
    args = parser.parse_args()

    from harness import postgres_support

    support = postgres_support("bench_evidence")
    if support is None:
        return

    size = args.size_mb * MB
    database = support.PostgresDatabase()
    database.create()
    var = Path(tempfile.mkdtemp(prefix="yimen-bench-evidence-"))
    server = waitress = None
    try:
        server = support.start_live_server(database.app_url, var, "postgresql")
        case_id, officer = filed_case(server)
        url = server.url
        if args.server == "waitress":
            waitress = Waitress(server.app, size)
            url = waitress.url
        rss_before, peak_before = rss_mb(), peak_mb()
        sampler = Sampler()
        sampler.start()
        evidence, sent_sha, wall = upload(url, case_id, officer, size)
        highest = sampler.stop()
        assert evidence["sha256"] == sent_sha and evidence["size"] == size
        from yimen.platform.kernel.blobs import key_for

        store = server.app.extensions["yimen.blobs"]
        with store.open(key_for(evidence["sha256"])) as f:
            on_disk = hashlib.sha256()
            while chunk := f.read(MB):
                on_disk.update(chunk)
        assert on_disk.hexdigest() == sent_sha
        print(
            f"evidence upload, {args.size_mb} MB over HTTP ({args.server}, chunked, PostgreSQL)\n"
            f"  {size / MB / wall:,.0f} MB/s ({wall:.1f} s), client and server in one process\n"
            f"  resident memory: {rss_before:,.0f} MB before, at most {highest:,.0f} MB during "
            f"(+{highest - rss_before:,.0f} MB); lifetime peak {peak_before:,.0f} → "
            f"{peak_mb():,.0f} MB\n"
            f"  SHA-256 recorded = sent = re-read from the store: {sent_sha}"
        )
    finally:
        if waitress:
            waitress.stop()
        if server:
            server.stop()
        shutil.rmtree(var, ignore_errors=True)
        from yimen.platform.kernel.db import db

        db.remove()
        if db.engine is not None:
            db.engine.dispose()
        database.drop()


if __name__ == "__main__":
    main()
