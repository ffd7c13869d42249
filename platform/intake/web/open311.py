"""Open311 GeoReport v2, so that existing civic-reporting clients can file and follow.

    GET  /open311/v2/<district>/services.json
    POST /open311/v2/<district>/requests.json      (form-encoded, as the spec says)
    GET  /open311/v2/<district>/requests.json?service_request_id=…
    GET  /open311/v2/<district>/requests/<id>.json

Services are the matters on the district's power list; a request is a clue with its
receipt code as `service_request_id`. Errors use GeoReport's own format
([{"code": …, "description": …}]) because that is what its clients parse; descriptions
are Chinese then English. No personal data is ever returned.
"""

from __future__ import annotations

import marshmallow as ma
from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import select

from yimen.platform.api.limits import limiter
from yimen.platform.api.problems import Problem, field_errors
from yimen.platform.intake import rules, service
from yimen.platform.intake.model import Clue, Source
from yimen.platform.intake.public_record import approximate_coordinate, approximate_place
from yimen.platform.intake.web.views import MOBILE
from yimen.platform.kernel.db import db, tenant_scope
from yimen.platform.kernel.directory import Agency
from yimen.platform.kernel.permissions import public
from yimen.tenants.directory.service import district_or_404
from yimen.tenants.powers.model import EnforcementMatter, MatterAdoption

bp = Blueprint("open311", __name__, url_prefix="/open311/v2/<slug>")
MAX_IDS = 10  # ids read per call; with the read limit, receipt codes cannot be swept


class RequestForm(ma.Schema):
    class Meta:
        unknown = (
            ma.EXCLUDE
        )  # GeoReport clients send optional fields we do not use (email, device_id …)

    service_code = ma.fields.String(required=True, validate=ma.validate.Length(max=20))
    description = ma.fields.String(required=True, validate=ma.validate.Length(min=5, max=2000))
    address_string = ma.fields.String(validate=ma.validate.Length(min=2, max=200))
    lat = ma.fields.Float(validate=ma.validate.Range(min=-90, max=90))
    long = ma.fields.Float(validate=ma.validate.Range(min=-180, max=180))
    first_name = ma.fields.String(load_default="", validate=ma.validate.Length(max=25))
    last_name = ma.fields.String(load_default="", validate=ma.validate.Length(max=25))
    phone = ma.fields.String(validate=MOBILE)


def _error(status: int, zh: str, en: str):
    response = jsonify([{"code": status, "description": f"{zh} / {en}"}])
    response.status_code = status
    return response


@bp.errorhandler(Problem)
def _problem(problem: Problem):
    if problem.errors:
        first = problem.errors[0]
        return _error(
            problem.status, f"{first.field}: {first.message}", f"{first.field}: {first.message_en}"
        )
    return _error(problem.status, problem.detail, problem.detail_en)


@bp.get("/services.json")
@public
def services(slug: str):
    tenant = district_or_404(slug)
    with tenant_scope(tenant.id), db.new_session() as s:
        matters = (
            s.execute(
                select(EnforcementMatter)
                .join(MatterAdoption, MatterAdoption.matter_id == EnforcementMatter.id)
                .order_by(EnforcementMatter.code)
            )
            .scalars()
            .all()
        )
    return jsonify(
        [
            {
                "service_code": m.code,
                "service_name": m.name,
                "description": f"{m.law}{m.article}",
                "metadata": False,
                "type": "realtime",
                "keywords": m.domain,
                "group": m.domain,
            }
            for m in matters
        ]
    )


def _request_json(s, clue: Clue, names: dict) -> dict:
    notes = {
        "offered": "已分派",
        "accepted": "已受理",
        "arbitration": "法制办协调中",
        "closed": "已办结",
        "merged": "已合并",
    }.get(clue.status, "")
    if clue.status == "closed" and clue.outcome:
        notes = f"{notes}：{rules.OUTCOMES[clue.outcome][0]}"
    return {
        "service_request_id": clue.receipt_code,
        "status": "closed" if clue.status in ("closed", "merged") else "open",
        "status_notes": notes,
        "service_code": clue.matter_code,
        "agency_responsible": names.get(clue.agency_id),
        "requested_datetime": clue.created_at.isoformat(),
        "updated_datetime": (clue.steps[-1].at if clue.steps else clue.created_at).isoformat(),
        # What the public may see of anyone's request: never the complainant's words or
        # exact address (public_record).
        "address": approximate_place(clue.place),
        "lat": approximate_coordinate(clue.latitude),
        "long": approximate_coordinate(clue.longitude),
    }


@bp.post("/requests.json")
@public
@limiter.limit(lambda: current_app.config.get("YIMEN_PUBLIC_RATE_LIMIT", "20 per hour"))
def create_request(slug: str):
    tenant = district_or_404(slug)
    try:
        form = RequestForm().load(request.form.to_dict())
    except ma.ValidationError as err:
        first = field_errors(err.messages)[0]
        return _error(400, f"{first.field}: {first.message}", f"{first.field}: {first.message_en}")
    place = form.get("address_string") or (
        f"{form['lat']:.6f},{form['long']:.6f}" if "lat" in form and "long" in form else ""
    )
    if not place:
        return _error(400, "须提供地址或经纬度。", "address_string or lat/long is required.")
    name = f"{form['last_name']}{form['first_name']}".strip()
    fields = {
        "matter_code": form["service_code"],
        "description": form["description"],
        "place": place,
        "anonymous": not form.get("phone"),
        "complainant_name": name if form.get("phone") else "",
        "complainant_phone": form.get("phone", ""),
        "latitude": form.get("lat"),
        "longitude": form.get("long"),
    }
    with tenant_scope(tenant.id), db.new_session() as s:
        if (
            s.execute(
                select(EnforcementMatter.id)
                .join(MatterAdoption, MatterAdoption.matter_id == EnforcementMatter.id)
                .where(EnforcementMatter.code == form["service_code"])
            ).first()
            is None
        ):
            return _error(
                404, "本区没有该服务 (执法事项)。", "Unknown service_code in this district."
            )
        clue = service.register(s, fields, Source.OPEN311.value, "open311")
        return jsonify(
            [
                {
                    "service_request_id": clue.receipt_code,
                    "service_notice": "已收到，请凭编号查询进度。/ Received; follow it with this id.",
                    "account_id": None,
                }
            ]
        ), 201


def _read_limit() -> str:
    return current_app.config.get("YIMEN_PUBLIC_READ_RATE_LIMIT", "60 per hour")


@bp.get("/requests.json")
@public
@limiter.limit(_read_limit)
def list_requests(slug: str):
    tenant = district_or_404(slug)
    ids = [i for i in request.args.get("service_request_id", "").split(",") if i][:MAX_IDS]
    if not ids:
        return _error(400, "请提供 service_request_id。", "service_request_id is required.")
    with tenant_scope(tenant.id), db.new_session() as s:
        clues = (
            s.execute(select(Clue).where(Clue.receipt_code.in_([i.upper() for i in ids])))
            .scalars()
            .all()
        )
        names = dict(s.execute(select(Agency.id, Agency.name)).all())
        return jsonify([_request_json(s, c, names) for c in clues])


@bp.get("/requests/<request_id>.json")
@public
@limiter.limit(_read_limit)
def get_request(slug: str, request_id: str):
    tenant = district_or_404(slug)
    with tenant_scope(tenant.id), db.new_session() as s:
        clue = s.execute(
            select(Clue).where(Clue.receipt_code == request_id.upper())
        ).scalar_one_or_none()
        if clue is None:
            return _error(404, "没有该请求。", "No such service request.")
        names = dict(s.execute(select(Agency.id, Agency.name)).all())
        return jsonify([_request_json(s, clue, names)])
