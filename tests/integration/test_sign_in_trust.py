"""Trust in the built-in sign-in: bad requests are clear 400s, the initial password is
one-time, guessing is throttled, and a machine client is told by its token's client."""

from __future__ import annotations

import datetime as dt
import re
import statistics
import time
import uuid

import pytest
import requests

from tests.conftest import bearer
from tests.integration.oidc_flow import (
    CONSOLE,
    authorize,
    code_from,
    exchange,
    pkce,
    sign_in,
)
from yimen.platform.demo import credit_code

DISTRICT: dict = {}  # the module's own district: its officers sign in, guess and get locked


@pytest.fixture(autouse=True)
def district(own_district, monkeypatch) -> dict:
    monkeypatch.setitem(DISTRICT, "slug", own_district["slug"])
    monkeypatch.setitem(DISTRICT, "tenant_id", own_district["tenant_id"])
    return own_district


def _authorize_params(live_server, **changes) -> dict:
    _, challenge = pkce()
    params = {
        "response_type": "code",
        "client_id": CONSOLE,
        "redirect_uri": f"{live_server.url}/console/callback",
        "scope": "openid",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return params | changes


@pytest.mark.parametrize(
    "changes",
    [
        {"redirect_uri": 'http://127.0.0.1/console/callback"'},
        {"redirect_uri": '"'},
        {"redirect_uri": "http://127.0.0.1/console/callback\\"},
        {"response_type": 'code"'},
    ],
)
def test_a_quote_in_the_sign_in_request_is_a_clear_400_never_a_500(live_server, changes):
    r = requests.get(
        f"{live_server.url}/oidc/{DISTRICT['slug']}/authorize",
        params=_authorize_params(live_server, **changes),
        allow_redirects=False,
        timeout=10,
    )
    assert r.status_code == 400 and "Location" not in r.headers
    assert "登录请求无效" in r.text and "Invalid sign-in request" in r.text


# --- machine clients are told by the token's client, not by a user name --------------


def _tenant_id(slug: str):
    from sqlalchemy import select

    from yimen.platform.kernel.db import db
    from yimen.platform.kernel.directory import Tenant

    with db.new_session() as s:
        return s.execute(select(Tenant.id).where(Tenant.slug == slug)).scalar_one()


def _legacy_officer(slug: str, username: str, password: str) -> str:
    """An officer whose user name starts with service-account- (created before the prefix
    was reserved, or imported from elsewhere): written straight into the directory."""
    from sqlalchemy import select

    from yimen.platform.idp.admin import set_password
    from yimen.platform.kernel.db import db, tenant_scope
    from yimen.platform.kernel.directory import Agency, RoleAssignment
    from yimen.tenants.directory.service import new_officer

    with tenant_scope(_tenant_id(slug)), db.new_session() as s:
        agency = s.execute(select(Agency).where(Agency.code == "zhzf")).scalar_one()
        officer = new_officer({"agency_id": agency.id, "username": username, "name": "旧账号"})
        officer.role_assignments = [RoleAssignment(role="officer")]
        s.add(officer)
        s.flush()
        set_password(s, officer, password)
        s.commit()
        return str(officer.id)


def test_an_officer_named_like_a_service_account_stops_working_when_deactivated(
    live_server, app, machine_token
):
    username = f"service-account-{uuid.uuid4().hex[:8]}"
    officer_id = _legacy_officer(DISTRICT["slug"], username, "Yimen@2026")
    tokens = sign_in(live_server.url, DISTRICT["slug"], username)
    api = f"{live_server.url}/api/v1/agencies"
    assert requests.get(api, headers=bearer(tokens["access_token"]), timeout=10).status_code == 200
    admin = bearer(machine_token(DISTRICT["slug"], ["district_admin"]))
    r = requests.post(
        f"{live_server.url}/api/v1/officers/{officer_id}/deactivate", headers=admin, timeout=10
    )
    assert r.status_code == 200
    refused = requests.get(api, headers=bearer(tokens["access_token"]), timeout=10)
    assert refused.status_code == 401 and refused.json()["code"] == "account-inactive"


def test_a_token_calling_itself_a_service_account_is_not_a_machine_clients_own(live_server, app):
    from joserfc import jwt
    from joserfc.jwk import RSAKey

    from yimen.platform.idp.keys import active_key
    from yimen.platform.kernel.db import db, tenant_scope

    with tenant_scope(DISTRICT["tenant_id"]), db.new_session() as s:
        key = active_key(s)
        kid, private = key.kid, RSAKey.import_key(key.private_jwk)
        s.commit()
    now = int(time.time())
    claims = {
        "iss": f"{live_server.url}/oidc/{DISTRICT['slug']}",
        "aud": ["yimen-api"],
        "azp": "yimen-console",
        "sub": str(uuid.uuid4()),  # no officer, and not the console's service account
        "iat": now,
        "exp": now + 300,
        "preferred_username": "service-account-yimen-console",
        "resource_access": {"yimen-api": {"roles": ["district_admin"]}},
    }
    token = jwt.encode({"alg": "RS256", "kid": kid}, claims, private)
    r = requests.get(f"{live_server.url}/api/v1/agencies", headers=bearer(token), timeout=10)
    assert r.status_code == 401 and r.json()["code"] == "account-inactive"


def test_a_user_name_with_the_service_account_prefix_is_refused_for_an_officer(
    client, new_district, machine_token
):
    import io

    from tests import factories

    tenant = new_district("保留前缀测试区")
    admin = bearer(machine_token(tenant.slug, ["district_admin"]))
    agency = client.post(
        "/api/v1/agencies",
        json={
            "code": "zhzf",
            "name": "保留前缀测试区综合行政执法局",
            "credit_code": credit_code(tenant.division_code, 21),
            "kind": "comprehensive_bureau",
            "domains": ["urban_management"],
            "doc_prefix": "测综执罚",
        },
        headers=admin,
    )
    assert agency.status_code == 201, agency.json
    r = client.post(
        "/api/v1/officers",
        json={"agency_id": agency.json["id"], "username": "service-account-x1", "name": "钱七"},
        headers=admin,
    )
    assert r.status_code == 422 and r.content_type == "application/problem+json"
    (error,) = [e for e in r.json["errors"] if e["field"] == "username"]
    assert "保留给机器客户端" in error["message"] and "reserved" in error["message_en"]

    rows = factories.officer_rows(2, tenant.slug, agencies=1)
    rows[1][0] = "service-account-x2"
    imported = client.post(
        "/api/v1/imports/officers",
        data={"file": (io.BytesIO(factories.xlsx(factories.OFFICER_COLUMNS, rows)), "o.xlsx")},
        headers=admin,
        content_type="multipart/form-data",
    )
    assert imported.status_code == 422
    assert [(e["row"], e["field"]) for e in imported.json["rows"]] == [(3, "username")]
    assert "reserved" in imported.json["rows"][0]["message_en"]
    assert client.get("/api/v1/officers", headers=admin).json["total"] == 0


# --- the initial password is one-time -------------------------------------------------


def _new_officer_with_initial_password(live_server, admin: dict, username: str) -> tuple:
    agencies = requests.get(
        f"{live_server.url}/api/v1/agencies", params={"q": "综合"}, headers=admin, timeout=10
    ).json()["items"]
    created = requests.post(
        f"{live_server.url}/api/v1/officers",
        json={"agency_id": agencies[0]["id"], "username": username, "name": "邓新"},
        headers=admin,
        timeout=10,
    )
    assert created.status_code == 201, created.text
    officer_id = created.json()["id"]
    issued = requests.post(
        f"{live_server.url}/api/v1/officers/{officer_id}/initial-password",
        headers=admin,
        timeout=10,
    )
    assert issued.status_code == 201
    return officer_id, issued.json()["password"]


def _csrf(text: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', text).group(1)


def test_the_initial_password_asks_for_a_new_one_and_then_no_longer_works(
    live_server, app, machine_token
):
    admin = bearer(machine_token(DISTRICT["slug"], ["district_admin"]))
    username = f"{DISTRICT['slug']}.chushi{uuid.uuid4().hex[:6]}"
    _, initial = _new_officer_with_initial_password(live_server, admin, username)
    verifier, challenge = pkce()
    http = requests.Session()

    asked = authorize(live_server.url, DISTRICT["slug"], username, initial, challenge, http=http)
    assert asked.status_code == 200 and "Location" not in asked.headers  # no code yet
    assert "设置新密码" in asked.text and 'name="new_password_again"' in asked.text
    params = _authorize_params(live_server, code_challenge=challenge, state="s-1")
    params["scope"] = "openid profile offline_access"

    def choose(new: str, again: str | None = None, **query) -> requests.Response:
        return http.post(
            f"{live_server.url}/oidc/{DISTRICT['slug']}/authorize",
            params=params | query,
            data={
                "new_password": new,
                "new_password_again": new if again is None else again,
                "csrf_token": _csrf(asked.text),
            },
            allow_redirects=False,
            timeout=10,
        )

    weak = choose("short1", lang="en")
    assert weak.status_code == 422 and "At least 10 characters" in weak.text
    assert "Location" not in weak.headers
    differs = choose("Own-pass-2026", "Own-pass-2027", lang="zh")  # Chinese first again
    assert differs.status_code == 422 and "两次输入的新密码不一致" in differs.text
    same = choose(initial)  # "Ym-" and 16 random characters: strong enough, but seen
    assert same.status_code == 422 and "不能与初始密码相同" in same.text
    with_name = choose(f"A1-{username}")
    assert with_name.status_code == 422 and "不能包含用户名" in with_name.text
    no_csrf = http.post(
        f"{live_server.url}/oidc/{DISTRICT['slug']}/authorize",
        params=params,
        data={"new_password": "Own-pass-2026", "new_password_again": "Own-pass-2026"},
        allow_redirects=False,
        timeout=10,
    )
    assert no_csrf.status_code == 400 and "Location" not in no_csrf.headers

    done = choose("Own-pass-2026")
    assert done.status_code == 302
    tokens = exchange(live_server.url, DISTRICT["slug"], code_from(done), verifier).json()
    assert tokens["access_token"]

    again = authorize(live_server.url, DISTRICT["slug"], username, initial, pkce()[1])
    assert again.status_code == 401 and "Location" not in again.headers  # one-time
    assert sign_in(live_server.url, DISTRICT["slug"], username, "Own-pass-2026")["access_token"]


def test_a_new_password_cannot_be_set_without_the_initial_one(live_server, app):
    """The second step needs the first one's session: a bare post is sent back to sign in."""
    http = requests.Session()
    params = _authorize_params(live_server)
    form = http.get(
        f"{live_server.url}/oidc/{DISTRICT['slug']}/authorize", params=params, timeout=10
    )
    r = http.post(
        f"{live_server.url}/oidc/{DISTRICT['slug']}/authorize",
        params=params,
        data={
            "new_password": "Own-pass-2026",
            "new_password_again": "Own-pass-2026",
            "csrf_token": _csrf(form.text),
        },
        allow_redirects=False,
        timeout=10,
    )
    assert r.status_code == 400 and "设置新密码的时限已过" in r.text


# --- throttling of password guessing ---------------------------------------------------


@pytest.fixture
def clean_throttle(app):
    """Every test here signs in from 127.0.0.1 like the rest of the suite: start and
    leave the district's counters empty."""
    from sqlalchemy import delete

    from yimen.platform.idp.model import SignInThrottle
    from yimen.platform.kernel.db import db, tenant_scope

    def clear():
        with tenant_scope(DISTRICT["tenant_id"]), db.new_session() as s:
            s.execute(delete(SignInThrottle))
            s.commit()

    clear()
    yield
    clear()


def _try(live_server, username: str, password: str) -> requests.Response:
    return authorize(live_server.url, DISTRICT["slug"], username, password, pkce()[1])


def test_wrong_passwords_wait_longer_and_longer_then_lock_and_unknown_names_alike(
    live_server, app, clean_throttle, time_machine, machine_token
):
    """60 wrong passwords in 10 s and then the right one no longer signs in: after three
    failures each further one doubles the wait, the tenth locks the name until the
    district administrator unlocks it; a name nobody has is answered exactly alike."""
    known = f"{DISTRICT['slug']}.suoding{uuid.uuid4().hex[:6]}"
    officer_id = _legacy_officer(DISTRICT["slug"], known, "Yimen@2026")
    unknown = f"{DISTRICT['slug']}.nobody{uuid.uuid4().hex[:6]}"

    def later(seconds: float) -> None:
        """The clock of the process (the live server's included) moved on and stopped:
        each round of failures and refusals below happens at one instant, so the two
        names' waits are counted from the same moment and must be equal to the second
        however slowly the machine answers."""
        time_machine.move_to(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds), tick=False)

    def both(password_of_known: str) -> list[requests.Response]:
        return [_try(live_server, known, password_of_known), _try(live_server, unknown, "x")]

    later(0)
    for _ in range(3):  # free failures
        assert [r.status_code for r in both("wrong")] == [401, 401]
    waits = []
    for failure in range(4, 10):
        assert [r.status_code for r in both("wrong")] == [401, 401]
        refused = both("Yimen@2026")  # at once, even with the right password
        assert [r.status_code for r in refused] == [429, 429]
        assert "Location" not in refused[0].headers
        retry = [int(r.headers["Retry-After"]) for r in refused]
        assert retry[0] == retry[1] and f"请 {retry[0]} 秒后再试" in refused[0].text
        waits.append(retry[0])
        later(2 ** (failure - 3) + 1)
    assert waits == [2, 4, 8, 16, 32, 64]  # counted from the failure, at the same instant
    assert [r.status_code for r in both("wrong")] == [401, 401]  # the tenth: locked
    later(3600)
    locked = both("Yimen@2026")
    assert [r.status_code for r in locked] == [423, 423]
    assert "账号已锁定" in locked[0].text and "Location" not in locked[0].headers

    admin = bearer(machine_token(DISTRICT["slug"], ["district_admin"]))
    agency_admin = bearer(machine_token(DISTRICT["slug"], ["agency_admin"]))
    url = f"{live_server.url}/api/v1/officers/{officer_id}/unlock"
    assert requests.post(url, headers=agency_admin, timeout=10).status_code == 403
    r = requests.post(url, headers=admin, timeout=10)
    assert r.status_code == 200 and r.json()["was_locked"] is True
    assert r.json()["failures"] == 10
    assert _try(live_server, known, "Yimen@2026").status_code == 302
    assert _try(live_server, unknown, "x").status_code == 423  # nobody unlocked that one
    audit = requests.get(
        f"{live_server.url}/api/v1/audit",
        params={"entity": "officer", "entity_id": officer_id},
        headers=admin,
        timeout=10,
    ).json()["items"]
    assert audit[0]["action"] == "unlock" and audit[0]["before"]["sign_in_failures"] == 10


def test_a_successful_sign_in_clears_the_count(live_server, app, clean_throttle):
    username = f"{DISTRICT['slug']}.qingling{uuid.uuid4().hex[:6]}"
    _legacy_officer(DISTRICT["slug"], username, "Yimen@2026")
    for _ in range(3):
        assert _try(live_server, username, "wrong").status_code == 401
    assert _try(live_server, username, "Yimen@2026").status_code == 302
    for _ in range(3):
        assert _try(live_server, username, "wrong").status_code == 401
    assert _try(live_server, username, "Yimen@2026").status_code == 302


def test_many_names_tried_from_one_address_make_that_address_wait(live_server, app, clean_throttle):
    for n in range(21):  # 20 free failures, each for another name
        assert _try(live_server, f"{DISTRICT['slug']}.guess{n:02d}", "x").status_code == 401
    refused = _try(live_server, f"{DISTRICT['slug']}.zhangwei", "Yimen@2026")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1


def test_the_console_shows_a_locked_officer_and_the_district_administrator_unlocks_it(
    live_server, app, client, clean_throttle, machine_token
):
    username = f"{DISTRICT['slug']}.kongzhi{uuid.uuid4().hex[:6]}"
    officer_id = _legacy_officer(DISTRICT["slug"], username, "Yimen@2026")
    from yimen.platform.idp import throttle
    from yimen.platform.kernel.db import db, tenant_scope

    with tenant_scope(DISTRICT["tenant_id"]), db.new_session() as s:
        for _ in range(10):
            throttle.record_failure(s, username, "192.0.2.7")
    admin = bearer(machine_token(DISTRICT["slug"], ["district_admin"]))
    page = client.get(f"/console/admin/officers?q={username}", headers=admin)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "已锁定" in html
    assert f"/console/admin/officers/{officer_id}/unlock" in html
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    r = client.post(
        f"/console/admin/officers/{officer_id}/unlock",
        data={"csrf_token": csrf},
        headers={**admin, "Accept": "text/html"},
    )
    assert r.status_code == 302
    after = client.get(r.headers["Location"], headers=admin).get_data(as_text=True)
    assert f"已解锁：{username}" in after
    assert _try(live_server, username, "Yimen@2026").status_code == 302


# --- unknown user names cost the same work ----------------------------------------------


def test_an_unknown_user_name_is_checked_against_a_hash_like_a_known_one(
    live_server, app, clean_throttle, monkeypatch
):
    from yimen.platform.idp import admin

    checked = []
    real = admin.check_password_hash

    def spy(stored: str, password: str) -> bool:
        checked.append(stored.split("$")[0])  # the method and its cost, e.g. scrypt:32768:8:1
        return real(stored, password)

    monkeypatch.setattr(admin, "check_password_hash", spy)
    assert _try(live_server, f"{DISTRICT['slug']}.zhangwei", "wrong").status_code == 401
    assert (
        _try(live_server, f"{DISTRICT['slug']}.nobody{uuid.uuid4().hex[:6]}", "wrong").status_code
        == 401
    )
    assert len(checked) == 2 and checked[0] == checked[1]


def test_an_unknown_user_name_takes_about_as_long_as_a_known_one(app):
    from sqlalchemy import select

    from yimen.platform.idp import admin
    from yimen.platform.kernel.db import db, tenant_scope
    from yimen.platform.kernel.directory import Officer

    with tenant_scope(DISTRICT["tenant_id"]), db.new_session() as s:
        officer = s.execute(
            select(Officer).where(Officer.username == f"{DISTRICT['slug']}.zhangwei")
        ).scalar_one()
        admin.check_password(s, None, "warm-up")
        known, unknown = [], []
        for _ in range(7):  # interleaved, medians: the machine's load hits both alike
            for who, times in ((officer, known), (None, unknown)):
                started = time.perf_counter()
                assert admin.check_password(s, who, "wrong") is False
                times.append(time.perf_counter() - started)
    ratio = statistics.median(unknown) / statistics.median(known)
    assert 0.33 < ratio < 3, (known, unknown)  # was 14 ms against 145 ms


def test_another_process_refuses_a_deactivated_officers_token_within_a_second(
    live_server, app, machine_token
):
    """Token checks are cached per process (platform/auth/cache.py); another process —
    here a second validator with its own cache, which only auth_epoch reaches — must
    refuse the token of an officer deactivated here within a second."""
    from yimen.platform.auth import cache
    from yimen.platform.auth.tokens import InvalidToken, TokenValidator
    from yimen.platform.kernel.db import db

    mine = app.extensions["yimen.token_validator"]
    other = TokenValidator(mine.templates, mine.audience, mine.builtin_keys)
    cache._IN_THIS_PROCESS.discard(other.cache)  # not cleared by this process's commits

    def refused(token: str) -> str | None:
        with app.test_request_context("/"):
            try:
                other.validate(token)
                return None
            except InvalidToken as exc:
                return exc.code
            finally:
                db.remove()

    username = f"officer-{uuid.uuid4().hex[:8]}"
    officer_id = _legacy_officer(DISTRICT["slug"], username, "Yimen@2026")
    token = sign_in(live_server.url, DISTRICT["slug"], username)["access_token"]
    assert refused(token) is None  # and now kept in the other process's cache
    admin = bearer(machine_token(DISTRICT["slug"], ["district_admin"]))
    r = requests.post(
        f"{live_server.url}/api/v1/officers/{officer_id}/deactivate", headers=admin, timeout=10
    )
    assert r.status_code == 200
    deactivated = time.monotonic()
    while (why := refused(token)) is None and time.monotonic() - deactivated < 1.0:
        time.sleep(0.05)
    assert why == "account-inactive" and time.monotonic() - deactivated < 1.0


def test_another_process_refuses_a_suspended_districts_tokens_within_a_second(
    live_server, app, new_district, machine_token
):
    from yimen.platform.auth import cache
    from yimen.platform.auth.tokens import InvalidToken, TokenValidator
    from yimen.platform.kernel.db import db
    from yimen.platform.kernel.directory import TenantStatus
    from yimen.tenants.directory.onboarding import set_tenant_status

    district = new_district("暂停测试区")
    mine = app.extensions["yimen.token_validator"]
    other = TokenValidator(mine.templates, mine.audience, mine.builtin_keys)
    cache._IN_THIS_PROCESS.discard(other.cache)
    token = machine_token(district.slug, ["district_admin"])

    def refused() -> str | None:
        with app.test_request_context("/"):
            try:
                other.validate(token)
                return None
            except InvalidToken as exc:
                return exc.code
            finally:
                db.remove()

    assert refused() is None
    with db.new_session() as s:
        set_tenant_status(s, district.id, TenantStatus.SUSPENDED, "测试")
    suspended = time.monotonic()
    while (why := refused()) is None and time.monotonic() - suspended < 1.0:
        time.sleep(0.05)
    assert why == "tenant-suspended" and time.monotonic() - suspended < 1.0
