"""Open311 GeoReport v2, so that existing civic-reporting clients can file and follow.

    GET  /open311/v2/<district>/services.{xml,json}
    GET  /open311/v2/<district>/services/<service_code>.{xml,json}   (a definition)
    POST /open311/v2/<district>/requests.{xml,json}      (form-encoded, as the spec says)
    GET  /open311/v2/<district>/requests.{xml,json}?service_request_id=… | service_code=
         …&status=open,closed&start_date=…&end_date=…
    GET  /open311/v2/<district>/requests/<id>.{xml,json}

Services are the matters on the district's power list; a request is a complaint with
its receipt code as `service_request_id`. Every resource answers in XML and JSON, errors
too, in GeoReport's own format (georeport.py) because that is what its clients parse;
descriptions are Chinese then English. The district is in the path, so
`jurisdiction_id` is not needed and is ignored, and so is `api_key`: filing is as open
as the public site (and as rate-limited). What anyone may read of a request is
public_record's: no personal data, never the complaint's words.
"""

from __future__ import annotations

import marshmallow as ma
from flask import Blueprint, current_app, request
from sqlalchemy import select
from werkzeug.exceptions import TooManyRequests

from yimen.platform.api.limits import limiter
from yimen.platform.api.problems import Problem, field_errors, problem_of, problem_response
from yimen.platform.intake import public_queries, service
from yimen.platform.intake.model import Source
from yimen.platform.intake.web import georeport
from yimen.platform.intake.web.georeport import FORMATS
from yimen.platform.intake.web.views import MOBILE
from yimen.platform.kernel.db import db, tenant_scope
from yimen.platform.kernel.errors import DomainError, FieldProblem, Invalid
from yimen.platform.kernel.permissions import public
from yimen.tenants.directory.service import district_or_404
from yimen.tenants.powers.matters import adopted_matters
from yimen.tenants.powers.model import EnforcementMatter, MatterAdoption

bp = Blueprint("open311", __name__, url_prefix="/open311/v2/<slug>")

# What a request may carry beyond GeoReport's own fields: what the one door keeps of
# every complaint whatever its matter (service.SubmitComplaint) — when it happened, and
# whether the complainant files anonymously. Every matter on a district's list takes
# these two, so every service says `metadata: true`; a code off the list has no
# definition (GeoReport's 404). Sent as `attribute[<code>]`.
ATTRIBUTES: tuple[dict, ...] = (
    {
        "variable": True,
        "code": "occurred_at",
        "datatype": "datetime",
        "required": False,
        "datatype_description": "带时区的日期时间，如 2026-08-01T20:30:00+08:00 / "
        "a W3C datetime with its zone",
        "order": 1,
        "description": "违法行为发生时间 / When it happened",
    },
    {
        "variable": True,
        "code": "anonymous",
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": "匿名投诉不保留姓名和电话，也不会收到短信；不留电话即为匿名 / "
        "an anonymous complaint keeps neither name nor phone and gets no text message; "
        "one without a phone number is anonymous",
        "order": 2,
        "description": "匿名投诉 / File anonymously",
        "values": [{"key": "true", "name": "是 / Yes"}, {"key": "false", "name": "否 / No"}],
    },
)


class RequestForm(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE  # clients send fields we do not use (email, media_url …)

    service_code = ma.fields.String(required=True, validate=ma.validate.Length(max=20))
    description = ma.fields.String(required=True, validate=ma.validate.Length(min=5, max=2000))
    address_string = ma.fields.String(validate=ma.validate.Length(min=2, max=200))
    lat = ma.fields.Float(validate=ma.validate.Range(min=-90, max=90))
    long = ma.fields.Float(validate=ma.validate.Range(min=-180, max=180))
    first_name = ma.fields.String(load_default="", validate=ma.validate.Length(max=25))
    last_name = ma.fields.String(load_default="", validate=ma.validate.Length(max=25))
    phone = ma.fields.String(validate=MOBILE)


def _fmt() -> str:
    return (request.view_args or {}).get("fmt", "json")


def _error(status: int, zh: str, en: str):
    return georeport.errors(_fmt(), status, [(zh, en)])


def _fields(status: int, problems: list[FieldProblem]):
    return georeport.errors(
        _fmt(), status, [(f"{p.field}: {p.zh}", f"{p.field}: {p.en}") for p in problems]
    )


@bp.errorhandler(Problem)
def _problem(problem: Problem):
    if problem.errors:
        return _fields(
            problem.status, [FieldProblem(e.field, e.message, e.message_en) for e in problem.errors]
        )
    return _error(problem.status, problem.detail, problem.detail_en)


@bp.errorhandler(DomainError)
def _refused(error: DomainError):
    if not error.zh:  # an unknown district: answered as any unknown address
        return problem_response(problem_of(error))
    return _problem(problem_of(error))


@bp.errorhandler(TooManyRequests)
def _too_many(_exceeded: TooManyRequests):
    response = _error(429, "请求过于频繁，请稍后再试。", "Too many requests; try again later.")
    response.headers["Retry-After"] = "60"
    return response


def _matters(s) -> list[EnforcementMatter]:
    return list(
        s.execute(
            select(EnforcementMatter)
            .join(MatterAdoption, MatterAdoption.matter_id == EnforcementMatter.id)
            .order_by(EnforcementMatter.code)
        ).scalars()
    )


@bp.get(f"/services.<{FORMATS}:fmt>")
@public
def services(slug: str, fmt: str):
    tenant = district_or_404(slug)
    with tenant_scope(tenant.id), db.new_session() as s:
        matters = _matters(s)
    return georeport.respond(
        fmt,
        "services",
        [
            {
                "service_code": m.code,
                "service_name": m.name,
                "description": f"{m.law}{m.article}",
                "metadata": bool(ATTRIBUTES),
                "type": "realtime",
                "keywords": m.domain,
                "group": m.domain,
            }
            for m in matters
        ],
    )


@bp.get(f"/services/<service_code>.<{FORMATS}:fmt>")
@public
def service_definition(slug: str, service_code: str, fmt: str):
    tenant = district_or_404(slug)
    with tenant_scope(tenant.id), db.new_session() as s:
        offered = dict(adopted_matters(s))
    if service_code not in offered or not ATTRIBUTES:
        return _error(404, "本区没有该服务 (执法事项)。", "Unknown service_code in this district.")
    return georeport.respond(
        fmt, "service_definition", {"service_code": service_code, "attributes": ATTRIBUTES}
    )


def _attributes(form) -> tuple[dict, list[FieldProblem]]:
    """`attribute[occurred_at]` and `attribute[anonymous]`; others are ignored."""
    values: dict = {}
    problems: list[FieldProblem] = []
    if occurred := form.get("attribute[occurred_at]", "").strip():
        moment = georeport.parse_w3c("attribute[occurred_at]", occurred)
        if isinstance(moment, FieldProblem):
            problems.append(moment)
        else:
            values["occurred_at"] = moment
    anonymous = form.get("attribute[anonymous]", "").strip().lower()
    if anonymous in ("true", "false"):
        values["anonymous"] = anonymous == "true"
    elif anonymous:
        problems.append(
            FieldProblem("attribute[anonymous]", "只能是 true 或 false。", "is true or false.")
        )
    return values, problems


@bp.post(f"/requests.<{FORMATS}:fmt>")
@public
@limiter.limit(lambda: current_app.config.get("YIMEN_PUBLIC_RATE_LIMIT", "20 per hour"))
def create_request(slug: str, fmt: str):
    tenant = district_or_404(slug)
    try:
        form = RequestForm().load(request.form.to_dict())
    except ma.ValidationError as err:
        problems = [
            FieldProblem(e.field, e.message, e.message_en) for e in field_errors(err.messages)
        ]
        return _fields(400, problems)
    attributes, problems = _attributes(request.form)
    if problems:
        return _fields(400, problems)
    place = form.get("address_string") or (
        f"{form['lat']:.6f},{form['long']:.6f}" if "lat" in form and "long" in form else ""
    )
    if not place:
        return _error(400, "须提供地址或经纬度。", "address_string or lat/long is required.")
    # A request without a phone number is anonymous, by the rule every channel shares
    # (service.complainant_of); `attribute[anonymous]` asks for it with one.
    with tenant_scope(tenant.id), db.new_session() as s:
        offered = dict(adopted_matters(s))
    if form["service_code"] not in offered:  # not in services.xml: GeoReport's 404
        return _error(404, "本区没有该服务 (执法事项)。", "Unknown service_code in this district.")
    command = service.SubmitComplaint(
        channel=Source.OPEN311.value,
        description=form["description"],
        place=place,
        matter_code=form["service_code"],
        latitude=form.get("lat"),
        longitude=form.get("long"),
        occurred_at=attributes.get("occurred_at"),
        anonymous=attributes.get("anonymous", False),
        name=f"{form['last_name']}{form['first_name']}".strip(),
        phone=form.get("phone", ""),
        district=tenant.id,
    )
    clue = service.intake.submit_complaint(command, None).clue
    receipt = {
        "service_request_id": clue.receipt_code,
        "service_notice": "已收到，请凭编号查询进度。/ Received; follow it with this id.",
        "account_id": None,
    }
    return georeport.respond(fmt, "service_requests", [receipt], 201)


def _read_limit() -> str:
    return current_app.config.get("YIMEN_PUBLIC_READ_RATE_LIMIT", "60 per hour")


def _query() -> public_queries.RequestQuery | list[FieldProblem]:
    args = request.args
    problems: list[FieldProblem] = []
    dates = {}
    for name in ("start_date", "end_date"):
        if text := args.get(name, "").strip():
            moment = georeport.parse_w3c(name, text)
            if isinstance(moment, FieldProblem):
                problems.append(moment)
            else:
                dates[name] = moment
    if problems:
        return problems

    def listed(name: str) -> tuple[str, ...]:
        return tuple(v.strip() for v in args.get(name, "").split(",") if v.strip())

    return public_queries.RequestQuery(
        service_codes=listed("service_code"),
        statuses=tuple(s.lower() for s in listed("status")),
        start=dates.get("start_date"),
        end=dates.get("end_date"),
    )


@bp.get(f"/requests.<{FORMATS}:fmt>")
@public
@limiter.limit(_read_limit)
def list_requests(slug: str, fmt: str):
    """By `service_request_id` (it overrides every other filter, as the spec says), or
    by matter, status and date filed (public_queries)."""
    tenant = district_or_404(slug)
    ids = request.args.get("service_request_id", "").split(",")
    query = None if any(i.strip() for i in ids) else _query()
    if isinstance(query, list):
        return _fields(400, query)
    with tenant_scope(tenant.id), db.new_session() as s:
        try:
            found = (
                public_queries.public_requests(s, query)
                if query is not None
                else public_queries.public_requests_by_code(s, ids)
            )
        except Invalid as refused:
            return _fields(400, refused.fields)
    return georeport.respond(fmt, "service_requests", [georeport.request_fields(r) for r in found])


@bp.get(f"/requests/<request_id>.<{FORMATS}:fmt>")
@public
@limiter.limit(_read_limit)
def get_request(slug: str, request_id: str, fmt: str):
    tenant = district_or_404(slug)
    with tenant_scope(tenant.id), db.new_session() as s:
        found = public_queries.public_requests_by_code(s, [request_id])
    if not found:
        return _error(404, "没有该请求。", "No such service request.")
    return georeport.respond(fmt, "service_requests", [georeport.request_fields(found[0])])
