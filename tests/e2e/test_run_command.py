"""The README's run command brings the platform up on a fresh var directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.support import free_port

YIMEN = str(Path(sys.executable).with_name("yimen"))


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    var = tmp_path_factory.mktemp("run-var")
    port = free_port()
    env = {**os.environ, "YIMEN_VAR_DIR": str(var), "YIMEN_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    for key in ("YIMEN_DATABASE_URL", "YIMEN_BROKER_URL", "YIMEN_SECRET_KEY"):
        env.pop(key, None)
    started = time.monotonic()
    subprocess.run([YIMEN, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([YIMEN, "demo", "seed"], env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [YIMEN, "run", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        while time.monotonic() - started < 60:
            try:
                if requests.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        cold_start = time.monotonic() - started
        print(f"\ncold start (db upgrade + demo seed + serve to /readyz 200): {cold_start:.1f} s")
        yield url, json.loads((var / "demo.json").read_text()), server
    finally:
        server.terminate()
        server.wait(10)


def test_readyz_is_200_and_the_in_process_worker_beats(running):
    url, _, _ = running
    deadline = time.monotonic() + 15
    while True:
        body = requests.get(f"{url}/readyz", timeout=5).json()
        if body["checks"]["workers"]["workers"] or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert body["status"] == "ready"
    assert body["checks"]["workers"]["workers"][0]["seconds_since_beat"] < 60


def test_a_client_credentials_token_reads_the_district_and_a_tampered_one_is_refused(running):
    url, demo, _ = running
    client = demo["districts"][0]["client"]
    token = requests.post(
        f"{client['issuer']}/token",
        data={"grant_type": "client_credentials"},
        auth=(client["client_id"], client["client_secret"]),
        timeout=10,
    ).json()["access_token"]
    ok = requests.get(
        f"{url}/api/v1/agencies", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert ok.status_code == 200 and ok.json()["total"] >= 5
    header, payload, signature = token.split(".")
    tampered = ".".join(
        (header, payload, signature[:-4] + ("AAAA" if signature[-4:] != "AAAA" else "BBBB"))
    )
    refused = requests.get(
        f"{url}/api/v1/agencies", headers={"Authorization": f"Bearer {tampered}"}, timeout=10
    )
    assert refused.status_code == 401
    assert refused.headers["Content-Type"] == "application/problem+json"


def test_the_provincial_simulator_is_mounted_for_the_demo(running):
    url, demo, _ = running
    wsdl = requests.get(f"{url}/_sim/province/ws/supervision?wsdl", timeout=5)
    assert wsdl.status_code == 200 and "SupervisionBinding" in wsdl.text
    assert demo["province_simulator"]["ledger"] == f"{url}/_sim/province/_admin/ledger"
    # the ledger and the fault switches answer only the platform operator
    assert requests.get(demo["province_simulator"]["ledger"], timeout=5).status_code in (401, 403)


def test_the_banner_prints_the_urls_and_demo_sign_ins(running):
    _, demo, server = running
    server.terminate()
    _, err = server.communicate(timeout=10)
    assert "/console/" in err and demo["districts"][0]["officers"][0]["username"] in err
