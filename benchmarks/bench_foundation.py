"""Benchmark (run on demand: `make bench`): token validation and tenant-scoped reads.

Prints requests per second for GET /api/v1/agencies with a client-credentials token
(validation, tenant binding, RLS-style filtering, paging) on the embedded SQLite
database, and the bare token-validation rate, so a regression shows up as a number.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from yimen.platform.app import create_app
from yimen.platform.demo import seed_demo
from yimen.platform.kernel.db import db
from yimen.platform.migrate import upgrade


def main() -> None:
    var = Path(tempfile.mkdtemp(prefix="yimen-bench-"))
    url = f"sqlite:///{var / 'bench.db'}"
    upgrade(url)
    app = create_app(var_dir=var, database_url=url, secret_key="bench", log_level="WARNING")
    with db.new_session() as s:
        public_url = app.extensions["yimen.settings"].public_url
        defaults = app.extensions["yimen.district_defaults"]
        demo = seed_demo(s, public_url, var / "demo.json", defaults)
    client = app.test_client()
    creds = demo["districts"][0]["client"]
    token = client.post(
        "/oidc/xuanwu/token",
        data={"grant_type": "client_credentials"},
        auth=(creds["client_id"], creds["client_secret"]),
    ).json["access_token"]
    headers = {"Authorization": f"Bearer {token}"}

    validator = app.extensions["yimen.token_validator"]
    n, started = 300, time.perf_counter()
    for _ in range(n):
        validator.validate(token)
    validation = n / (time.perf_counter() - started)

    n, started = 300, time.perf_counter()
    for _ in range(n):
        assert client.get("/api/v1/agencies", headers=headers).status_code == 200
    reads = n / (time.perf_counter() - started)
    print(
        f"token validation: {validation:,.0f}/s; GET /api/v1/agencies (SQLite, in-process): {reads:,.0f} req/s"
    )


if __name__ == "__main__":
    main()
