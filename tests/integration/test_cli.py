"""The yimen command: migrate, create a district, seed the demo."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from yimen.platform.main import main


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    monkeypatch.setenv("YIMEN_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("YIMEN_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("YIMEN_SECRET_KEY", "cli-test")
    yield tmp_path
    from yimen.platform.kernel.db import db

    db.remove()


def run(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result


def test_db_upgrade_then_tenant_create(cli_env):
    assert run("db", "upgrade").exit_code == 0
    result = run(
        "tenant", "create", "--slug", "gulou", "--name", "南京市鼓楼区", "--division-code", "320106"
    )
    assert result.exit_code == 0, result.output
    created = json.loads(result.output.strip().splitlines()[-1])
    assert created["issuer"].endswith("/oidc/gulou")
    again = run(
        "tenant", "create", "--slug", "gulou", "--name", "鼓楼", "--division-code", "320106"
    )
    assert again.exit_code != 0 and "已存在" in again.output


def test_demo_seed_writes_sign_ins_and_is_idempotent(cli_env):
    run("db", "upgrade")
    assert run("demo", "seed").exit_code == 0
    first = json.loads((cli_env / "demo.json").read_text())
    assert run("demo", "seed").exit_code == 0
    second = json.loads((cli_env / "demo.json").read_text())
    assert first == second
    district = first["districts"][0]
    assert set(district["client"]) == {"issuer", "client_id", "client_secret"}
    kinds = {o["agency"] for o in district["officers"]}
    assert len(kinds) >= 5


def test_worker_refuses_the_in_memory_broker_with_an_explanation(cli_env):
    run("db", "upgrade")
    result = CliRunner().invoke(main, ["worker"])
    assert result.exit_code != 0 and "yimen run" in result.output


def test_reference_data_seeds_are_idempotent(cli_env):
    run("db", "upgrade")
    for group, word in (
        ("calendar", "23 new years"),
        ("powers", "90 new matters"),
        ("workflow", "4 new procedures"),
    ):
        first = run(group, "seed")
        assert first.exit_code == 0 and word in first.output, first.output
        assert " 0 new" in run(group, "seed").output


def test_seeding_the_demo_again_changes_nothing_on_either_database(app, live_server, tmp_path):
    """`yimen demo seed` on a database that has the demo already (the live server seeded
    it): on PostgreSQL the reader client's look-up ran outside the district and row-level
    security refused the second write."""
    from yimen.platform.demo import seed_demo
    from yimen.platform.kernel.db import db

    with db.new_session() as s:
        again = seed_demo(s, live_server.url, tmp_path / "demo.json")
    assert [d["slug"] for d in again["districts"]] == ["xuanwu", "qinhuai"]
    assert again["districts"][0]["client"] == live_server.demo["districts"][0]["client"]


def test_an_upper_level_systems_client_is_made_with_its_secret_shown_once(cli_env):
    run("db", "upgrade")
    run(
        "tenant", "create", "--slug", "gulou", "--name", "南京市鼓楼区", "--division-code", "320106"
    )
    made = run("idp", "add-gateway-client", "gulou", "sheng-zfjd", "--name", "省执法监督平台")
    assert made.exit_code == 0, made.output
    client = json.loads(made.output.strip().splitlines()[-1])
    assert client["scope"] == ["gateway:upper_level"] and len(client["client_secret"]) >= 32
    assert client["soap"].endswith("/soap/v1/gulou/clues?wsdl")
    again = run("idp", "add-gateway-client", "gulou", "sheng-zfjd", "--name", "省执法监督平台")
    assert again.exit_code != 0 and "已存在" in again.output
