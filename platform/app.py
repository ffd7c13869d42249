"""The application factory: wires the parts in an explicit order."""

from __future__ import annotations

import hmac
import io
import secrets
from functools import wraps
from pathlib import Path

from flask import Flask, g, request

from yimen.platform.api.problems import (
    Problem,
    from_http_exception,
    problem_of,
    problem_response,
)
from yimen.platform.api.smorest import Api, api_config
from yimen.platform.features import (
    actors_and_periods,
    district_defaults,
    event_handlers,
    features,
    inbound_handlers,
    sms_templates,
)
from yimen.platform.kernel import sealing
from yimen.platform.kernel.config import Settings, load_settings
from yimen.platform.kernel.db import db
from yimen.platform.kernel.db.agency_scope import bind_agency_scope
from yimen.platform.kernel.db.tenancy import bind_tenant
from yimen.platform.kernel.errors import DomainError
from yimen.platform.kernel.feature import Feature


def _secret_key(settings: Settings) -> str:
    """YIMEN_SECRET_KEY, or for the embedded default a key kept in var/."""
    if settings.secret_key:
        return settings.secret_key
    path = settings.var_dir / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _api_blueprints(every: tuple[Feature, ...]):
    """Every API blueprint: the shells' own and each feature's, in one tuple."""
    from yimen.platform.audit.views import blp as audit_blp
    from yimen.platform.auth.views import blp as me_blp
    from yimen.platform.workbench.views import blp as workbench_blp

    return (me_blp, workbench_blp, *(blp for f in every for blp in f.api_blueprints), audit_blp)


def _workbench():
    """The console's home page shows the workbench without importing the features."""
    from yimen.platform.workbench.views import board

    return board


def _web_blueprints(every: tuple[Feature, ...]):
    from yimen.platform.observability.health import bp as health_bp
    from yimen.platform.web.console import bp as console_bp
    from yimen.platform.web.docs import bp as docs_bp
    from yimen.platform.web.public import bp as public_bp

    features_bps = tuple(bp for f in every for bp in f.web_blueprints)
    return (health_bp, docs_bp, public_bp, console_bp, *features_bps)


def create_app(settings: Settings | None = None, **overrides) -> Flask:
    settings = settings or load_settings(**overrides)
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    web = Path(__file__).parent / "web"
    app = Flask(__name__, static_folder=str(web / "static"), template_folder=str(web / "templates"))
    app.config.update(
        SECRET_KEY=_secret_key(settings),
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="yimen_session",
        JSON_AS_ASCII=False,
        **api_config(),
    )
    app.json.ensure_ascii = False
    app.extensions["yimen.settings"] = settings
    sealing.configure([app.config["SECRET_KEY"]])

    from yimen.platform.kernel import logs
    from yimen.platform.observability import metrics

    logs.init_app(app, settings)
    db.init(settings.database_url)
    _init_audit()
    _init_identity(app, settings)
    handle = _init_broker(app, settings)  # before any actor module is imported
    every = features()
    app.extensions["yimen.features"] = every
    app.extensions["yimen.district_defaults"] = district_defaults(every)
    app.extensions["yimen.inbound_handlers"] = inbound_handlers(every)
    _install_event_handlers(every)
    app.extensions["yimen.workbench"] = _workbench()
    actors, periods = actors_and_periods(every)
    handle.declare(actors, periods)
    _init_identity_provisioning(app, settings)
    _install_session_hooks(every)
    _init_connectors(app, settings, every)
    _init_i18n(app)
    _init_blobs(app, settings)

    api = Api(app)
    from yimen.platform.api.limits import limiter

    app.config.setdefault("RATELIMIT_STORAGE_URI", settings.ratelimit_storage)
    limiter.init_app(app)
    csrf = _init_csrf(app, every)
    for blp in _api_blueprints(every):
        api.register_blueprint(blp, url_prefix="/api/v1")
        csrf.exempt(blp)  # bearer tokens, never cookies: no cross-site forgery to guard
    for bp in _web_blueprints(every):
        app.register_blueprint(bp)
    _mark_framework_endpoints_public(app)
    metrics.init_app(app)
    _init_request_cycle(app)

    from yimen.platform.cli import register_cli

    register_cli(app)
    for f in every:
        for command in f.cli_commands:
            app.cli.add_command(command)
    return app


def _init_csrf(app: Flask, every: tuple[Feature, ...]):
    """Forms of the console and the sign-in page carry a CSRF token (Flask-WTF);
    machine endpoints authenticate by bearer token or client secret and are exempt."""
    from flask_wtf.csrf import CSRFProtect

    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # tied to the session instead
    csrf = CSRFProtect(app)
    for f in every:
        for view_or_blueprint in f.csrf_exempt:  # machines without sessions
            csrf.exempt(view_or_blueprint)
    for name in ("sms_simulator", "province_simulator"):
        simulator = app.blueprints.get(name)
        if simulator is not None:
            csrf.exempt(simulator)  # a stand-in for an outside system, called by machines
    return csrf


def _mark_framework_endpoints_public(app: Flask) -> None:
    """The OpenAPI document and static files are public; flask registers them itself."""
    from yimen.platform.kernel.permissions import public, requires

    def open_to_all(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            return view(*args, **kwargs)

        return public(wrapper)

    for endpoint, view in list(app.view_functions.items()):
        if endpoint in ("static", "sms_simulator.send") or endpoint.startswith("api-docs."):
            app.view_functions[endpoint] = open_to_all(view)  # the key guards sending
        elif endpoint.startswith("sms_simulator."):
            app.view_functions[endpoint] = requires("simulators.use")(open_to_all(view))


def _init_audit() -> None:
    from sqlalchemy import event

    from yimen.platform.kernel.audit import recorder
    from yimen.platform.kernel.db.session import TenantSession

    if not event.contains(TenantSession, "after_flush", recorder._record):
        recorder.install(TenantSession)


def _init_identity(app: Flask, settings: Settings) -> None:
    from yimen.platform.auth import cache
    from yimen.platform.auth.tokens import IssuerTemplates, TokenValidator
    from yimen.platform.idp.keys import published_key_set
    from yimen.platform.idp.model import RevokedToken, SigningKey
    from yimen.platform.idp.provider import build_server
    from yimen.platform.idp.revocation import RevocationEndpoint, revoked_access
    from yimen.platform.kernel.db.session import TenantSession

    # the writes that change what token validation caches bump auth_epoch
    cache.install(TenantSession, signing_keys=(SigningKey, RevokedToken))
    server = build_server(app)
    server.register_endpoint(RevocationEndpoint)  # RFC 7009, built on the provider's tokens
    app.extensions["yimen.authorization_server"] = server
    app.extensions["yimen.token_validator"] = TokenValidator(
        IssuerTemplates(settings.trusted_issuers, f"{settings.public_url}/oidc/"),
        settings.audience,
        published_key_set,
        builtin_revoked=revoked_access,
    )


def _init_identity_provisioning(app: Flask, settings: Settings) -> None:
    """The composition root picks the provisioning adapter."""
    from yimen.tenants.identity import tasks
    from yimen.tenants.identity.builtin import BuiltinProvisioner

    if settings.identity_provider == "keycloak":
        from yimen.tenants.identity.keycloak import KeycloakProvisioner

        provisioner = KeycloakProvisioner(
            settings.keycloak_url,
            settings.keycloak_client_id,
            settings.keycloak_client_secret,
            settings.public_url,
        )
    else:
        provisioner = BuiltinProvisioner(settings.public_url)
    tasks.configure(provisioner)
    app.extensions["yimen.provisioner"] = provisioner


def _install_event_handlers(every: tuple[Feature, ...]) -> None:
    """Domain events one feature announces reach the features that handle them (the
    complainant is told when the case made from their clue is filed, decided, closed)."""
    from yimen.platform.kernel import events

    events.install(event_handlers(every))


def _install_session_hooks(every: tuple[Feature, ...]) -> None:
    """What features do after a commit (send provisioning jobs) is hooked on the session."""
    from yimen.platform.kernel.db.session import TenantSession

    for f in every:
        for install in f.session_hooks:
            install(TenantSession)


def _init_connectors(app: Flask, settings: Settings, every: tuple[Feature, ...]) -> None:
    """The composition root picks each outside system's adapter. Without a configured
    SMS gateway, the embedded default mounts the SMS simulator at /_sim/sms."""
    from yimen.connectors.sms.connector import HttpSmsConnector
    from yimen.gateway.outbox import service as outbox
    from yimen.platform.kernel.db.session import TenantSession

    sms_url = settings.sms_url
    if not sms_url:
        from yimen.connectors.sms.simulator import blueprint

        # The mounted simulator takes messages only with a key every process of this
        # deployment derives from the secret key (the worker delivers to the web
        # process); reading and control answer only the platform operator.
        sms_key = hmac.new(app.config["SECRET_KEY"].encode(), b"sms-simulator", "sha256")
        sms_api_key = sms_key.hexdigest()
        simulator = blueprint(sms_templates(every), api_key=sms_api_key)
        app.register_blueprint(simulator, url_prefix="/_sim/sms")
        app.extensions["yimen.sms_simulator"] = simulator.state
        sms_url = f"{settings.public_url}/_sim/sms"
    else:
        sms_api_key = settings.sms_api_key
    outbox.register(HttpSmsConnector(sms_url, sms_api_key))
    outbox.install(TenantSession)
    _init_gateway(settings)
    if settings.province_simulator:
        _mount_province_simulator(app, settings)
    _init_hotline(app, settings)
    _init_sector(settings)


def _init_gateway(settings: Settings) -> None:
    """The delivery engine's keys (YIMEN_GATEWAY_KEYS, else a development key in var/)
    and its per-connector breakers and rate limits (their storage is the API's); the
    connectors a district may subscribe to (their endpoint and credentials are the
    subscription's)."""
    from yimen.connectors.province.connector import ProvinceConnector
    from yimen.gateway.delivery import engine, guards, secrets

    secrets.configure(
        settings.var_dir,
        {
            "YIMEN_GATEWAY_KEYS": settings.gateway_keys,
            "YIMEN_GATEWAY_KEYS_FILE": settings.gateway_keys_file,
        },
    )
    guards.configure(storage=settings.ratelimit_storage)
    engine.register(ProvinceConnector())


PROVINCE_SIM_USER = "yimen"


def _mount_province_simulator(app: Flask, settings: Settings) -> None:
    """The embedded default mounts the provincial supervision platform's simulator at
    /_sim/province (its state in var/province-sim.db), as it does the SMS simulator, so
    that a decided demo case shows up in its ledger (`yimen demo seed` subscribes the
    demo districts to it). Its SOAP endpoint is open like the real one (the WS-Security
    password, derived from the secret key, guards it); its fault switches and ledger
    answer only the platform operator."""
    from flask import Blueprint, Response
    from flask import request as current_request

    from yimen.connectors.province.simulator import PATH, Simulator
    from yimen.platform.kernel.permissions import public, requires

    key = hmac.new(app.config["SECRET_KEY"].encode(), b"province-simulator", "sha256")
    password = key.hexdigest()[:32]
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    simulator = Simulator(settings.var_dir / "province-sim.db", {PROVINCE_SIM_USER: password})
    bp = Blueprint("province_simulator", __name__)

    def forwarded(path: str) -> Response:
        body = current_request.get_data()  # read once here: the simulator reads its copy
        environ = dict(current_request.environ)
        environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
        environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + "/_sim/province"
        environ["PATH_INFO"] = path
        return Response.from_app(simulator, environ)

    @bp.route(PATH, methods=["GET", "POST"])
    @public  # the WS-Security password guards it, as on the real platform
    def soap() -> Response:
        return forwarded(PATH)

    @bp.route("/_admin/<any(switches, ledger):what>", methods=["GET", "POST"])
    @requires("simulators.use")
    def admin(what: str) -> Response:
        return forwarded(f"/_admin/{what}")

    app.register_blueprint(bp, url_prefix="/_sim/province")
    app.extensions["yimen.province_simulator"] = {
        "simulator": simulator,
        "endpoint": f"{settings.public_url}/_sim/province{PATH}",
        "credentials": {"username": PROVINCE_SIM_USER, "password": password},
    }


def _init_hotline(app: Flask, settings: Settings) -> None:
    """The inbox hands each record to the feature that handles its topic; with a 12345
    hotline configured, its work orders are pulled (every minute) and our answers on
    them delivered to it (through the delivery engine, for a district subscribed to it)."""
    from yimen.gateway.delivery import engine
    from yimen.gateway.inbox import service as inbox
    from yimen.gateway.outbox import service as outbox

    inbox.install_handlers(app.extensions["yimen.inbound_handlers"])
    if not settings.hotline_12345_url:
        return
    from yimen.connectors.hotline12345.connector import (
        HotlineClient,
        HotlineConnector,
        HotlineOrders,
    )

    client = HotlineClient(settings.hotline_12345_url, settings.hotline_12345_api_key)
    inbox.register_source(HotlineOrders(client))
    outbox.register(HotlineConnector(client))
    engine.register(HotlineConnector(client))


def _init_sector(settings: Settings) -> None:
    """With a vertical sector case system configured, the worker pulls its cases."""
    if settings.sector_url:
        from yimen.connectors.sector.connector import SectorConnector
        from yimen.gateway import pulls

        pulls.register(
            pulls.PullTarget(
                SectorConnector(), settings.sector_url, {"token": settings.sector_token}
            )
        )


def blob_store_for(settings: Settings):
    """The composition root picks the blob store: an S3-compatible bucket when
    YIMEN_BLOB_URL is s3://bucket/prefix, else the filesystem under YIMEN_BLOB_DIR."""
    if settings.blob_url:
        from yimen.platform.kernel.blobs.s3 import S3BlobStore

        return S3BlobStore.from_url(
            settings.blob_url,
            settings.s3_endpoint_url,
            settings.s3_region,
            settings.s3_access_key_id,
            settings.s3_secret_access_key,
        )
    from yimen.platform.kernel.blobs import FilesystemBlobStore

    return FilesystemBlobStore(settings.blob_dir)


def _init_blobs(app: Flask, settings: Settings) -> None:
    from yimen.platform.cases.documents import rendering
    from yimen.platform.kernel.db.session import TenantSession
    from yimen.platform.web import blobs as blobs_web

    store = blob_store_for(settings)
    blobs_web.init_app(app, store)
    rendering.configure(store)  # the worker renders documents into the same store
    rendering.install(TenantSession)  # issued documents are sent once their action commits


def _init_broker(app: Flask, settings: Settings):
    from yimen.gateway.worker.broker import configure_broker

    handle = app.extensions["yimen.broker"] = configure_broker(settings.broker_url)
    return handle


def _init_i18n(app: Flask) -> None:
    from yimen.platform.web.i18n import init_app

    init_app(app)


def _init_request_cycle(app: Flask) -> None:
    from werkzeug.exceptions import HTTPException

    from yimen.platform.api.text_guard import refuse_control_characters
    from yimen.platform.auth.guard import NotSignedIn, guard_request
    from yimen.platform.kernel import uow
    from yimen.platform.kernel.audit.recorder import set_actor

    # One session per request: the guard, the view and its use case's unit of work share
    # the request's session (kernel/uow.py).
    app.before_request(uow.begin_request)
    app.before_request(refuse_control_characters)
    app.before_request(guard_request)

    @app.after_request
    def _harden_pages(response):
        """Every page a person sees — public site, console, the sign-in and password
        pages — carries the content security policy, no framing and nosniff."""
        if response.mimetype == "text/html":
            from yimen.platform.web.pages import harden

            harden(response)
        return response

    @app.teardown_request
    def _end_request(_exc) -> None:
        uow.end_request()
        db.remove()
        bind_tenant(None)
        bind_agency_scope(None)
        set_actor(None)

    @app.errorhandler(Problem)
    def _problem(problem: Problem):
        if _wants_html():
            from yimen.platform.web.pages import problem_page

            return problem_page(problem)
        return problem_response(problem)

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        return _problem(problem_of(error))

    @app.errorhandler(NotSignedIn)
    def _not_signed_in(_exc):
        from yimen.platform.web.console import redirect_to_login

        return redirect_to_login()

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if _wants_html():
            from yimen.platform.web.pages import error_page

            return error_page(error)
        return problem_response(from_http_exception(error))

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        app.logger.exception("unhandled error", extra={"request_id": g.get("request_id")})
        if _wants_html():
            from werkzeug.exceptions import InternalServerError

            from yimen.platform.web.pages import error_page

            return error_page(InternalServerError())
        return problem_response(
            Problem(
                500,
                "internal-error",
                "服务器内部错误，请稍后重试并提供请求编号。",
                "Internal error; retry later and quote the request id.",
            )
        )


def _wants_html() -> bool:
    path = request.path
    if path.startswith(("/api/", "/oidc/", "/healthz", "/readyz", "/metrics")):
        return False
    return request.accept_mimetypes.accept_html
