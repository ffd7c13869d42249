"""Every endpoint declares who may call it; the roles of DESIGN.md all exist."""

from __future__ import annotations

import pytest

from yimen.platform.app import create_app
from yimen.platform.kernel.permissions import PERMISSIONS, ROLES


@pytest.fixture(scope="module")
def bare_app(tmp_path_factory):
    var = tmp_path_factory.mktemp("var")
    return create_app(var_dir=var, database_url=f"sqlite:///{var / 'x.db'}", secret_key="k")


def test_every_endpoint_and_method_declares_a_permission(bare_app):
    from yimen.platform.auth.guard import permission_of

    undeclared = []
    with bare_app.test_request_context():
        for rule in bare_app.url_map.iter_rules():
            for method in sorted(rule.methods - {"OPTIONS"}):
                declared, _ = permission_of(rule.endpoint, method)
                if not declared:
                    undeclared.append(f"{method} {rule.rule} ({rule.endpoint})")
    assert undeclared == []


def test_an_undeclared_endpoint_is_refused_at_run_time(bare_app):
    bare_app.add_url_rule("/api/v1/forgotten", "forgotten", lambda: "secret")
    r = bare_app.test_client().get("/api/v1/forgotten")
    assert r.status_code == 403
    assert r.json["code"] == "undeclared-permission"


def test_the_roles_of_the_design_exist_with_chinese_and_english_names():
    expected = {
        "platform_operator",
        "district_admin",
        "agency_admin",
        "officer",
        "agency_head",
        "legal_reviewer",
        "hotline_operator",
        "legal_affairs",
        "procuratorate",
        "discipline",
        "police",
        "gateway_client",
    }
    assert set(ROLES) == expected
    assert all(zh and en for zh, en in ROLES.values())


def test_the_permission_table_only_names_known_roles():
    assert set().union(*PERMISSIONS.values()) <= set(ROLES)


def test_every_list_in_the_openapi_document_is_paged_with_totals(bare_app):
    spec = bare_app.test_client().get("/api/openapi.json").json
    schemas = spec["components"]["schemas"]
    unpaged = []
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            content = op.get("responses", {}).get("200", {}).get("content", {})
            schema = content.get("application/json", {}).get("schema", {})
            if schema.get("type") == "array":
                unpaged.append(f"{method.upper()} {path}")
            ref = schema.get("$ref", "").rsplit("/", 1)[-1]
            if ref.endswith("Page"):
                assert {"items", "total", "page", "page_size"} <= set(schemas[ref]["properties"])
    assert unpaged == []
    assert any(name.endswith("Page") for name in schemas)
