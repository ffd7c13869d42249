"""The public door: a citizen files a complaint and follows it with a receipt code."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from yimen.platform.api.limits import limiter, no_phone, phone_key
from yimen.platform.api.problems import Bilingual, Problem, field_errors
from yimen.platform.intake import attachments, service
from yimen.platform.intake.model import Source
from yimen.platform.intake.public_record import approximate_place
from yimen.platform.intake.web.views import MOBILE
from yimen.platform.kernel.db import db, tenant_scope
from yimen.platform.kernel.permissions import public
from yimen.platform.web.blobs import accepts_uploads, blob_store
from yimen.tenants.directory.service import district_or_404
from yimen.tenants.powers.model import EnforcementMatter

blp = Blueprint(
    "public_intake", __name__, description="公众投诉举报与进度查询 / Public complaints and progress"
)

ACTION_LABELS = service.PUBLIC_STEPS  # kept for the pages that import it


class ComplaintSchema(ma.Schema):
    matter_code = ma.fields.String(validate=ma.validate.Length(max=20))
    agency_id = ma.fields.UUID()
    description = ma.fields.String(required=True, validate=ma.validate.Length(min=5, max=2000))
    place = ma.fields.String(required=True, validate=ma.validate.Length(min=2, max=200))
    occurred_at = ma.fields.AwareDateTime()
    latitude = ma.fields.Float(validate=ma.validate.Range(min=-90, max=90))
    longitude = ma.fields.Float(validate=ma.validate.Range(min=-180, max=180))
    join = ma.fields.UUID(
        metadata={
            "description": "加入附近同一事项的未办结投诉 (见 nearby) / join an open complaint"
        }
    )
    anonymous = ma.fields.Boolean(load_default=False)
    name = ma.fields.String(load_default="", validate=ma.validate.Length(max=50))
    phone = ma.fields.String(validate=MOBILE)

    @ma.validates_schema
    def _phone_unless_anonymous(self, data, **_):
        if not data.get("anonymous") and not data.get("phone"):
            raise ma.ValidationError(
                Bilingual(
                    "实名投诉请填写手机号码，或选择匿名。",
                    "Give a mobile number, or file anonymously.",
                ),
                "phone",
            )


class ReceiptSchema(ma.Schema):
    receipt_code = ma.fields.String()
    status = ma.fields.String()
    agency = ma.fields.String(allow_none=True)


class ProgressQuery(ma.Schema):
    """The GET's query: the receipt code alone (an anonymous complaint). Phone digits in
    a URL end up in access logs and browser history: they are refused there."""

    code = ma.fields.String(required=True, validate=ma.validate.Length(equal=12))
    phone4 = ma.fields.String(
        validate=ma.validate.Equal(
            "",
            error=Bilingual(
                "手机尾号请以 POST 在请求体中提交，不要放在网址中。",
                "Send the phone digits in a POST body, not in the URL.",
            ),
        ),
        metadata={"description": "不接受：请用 POST / refused here: use POST"},
    )


class ProgressBody(ma.Schema):
    code = ma.fields.String(required=True, validate=ma.validate.Length(equal=12))
    phone4 = ma.fields.String(validate=ma.validate.Regexp(r"^\d{4}$"))


class ProgressStepSchema(ma.Schema):
    step = ma.fields.String()
    step_en = ma.fields.String()
    agency = ma.fields.String(allow_none=True)
    at = ma.fields.AwareDateTime()
    accept_by = ma.fields.Date(
        allow_none=True,
        metadata={
            "description": "分派或移送时给该部门的受理期限 / the acceptance deadline this step gave the agency"
        },
    )


class ProgressSchema(ma.Schema):
    receipt_code = ma.fields.String()
    status = ma.fields.String()
    status_label = ma.fields.String()
    status_label_en = ma.fields.String()
    outcome = ma.fields.String(allow_none=True)
    outcome_en = ma.fields.String(allow_none=True)
    feedback_until = ma.fields.Date(
        allow_none=True,
        metadata={"description": "可反馈“未解决”及评价的截止日 / last day for feedback"},
    )
    satisfaction = ma.fields.Integer(allow_none=True)
    promised_accept_by = ma.fields.Date(
        allow_none=True,
        metadata={"description": "投诉时承诺的受理期限 / the acceptance deadline first promised"},
    )
    steps = ma.fields.List(ma.fields.Nested(ProgressStepSchema))


class NearbyQuery(ma.Schema):
    matter_code = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=20))
    place = ma.fields.String(load_default="", validate=ma.validate.Length(max=200))
    latitude = ma.fields.Float(validate=ma.validate.Range(min=-90, max=90))
    longitude = ma.fields.Float(validate=ma.validate.Range(min=-180, max=180))


class NearbySchema(ma.Schema):
    id = ma.fields.UUID(metadata={"description": "提交时作为 join 加入 / pass as join"})
    matter = ma.fields.String()
    place = ma.fields.String()
    status = ma.fields.String()
    status_en = ma.fields.String()
    since = ma.fields.Date()


class NearbyListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(NearbySchema))


class FeedbackSchema(ma.Schema):
    code = ma.fields.String(required=True, validate=ma.validate.Length(equal=12))
    phone4 = ma.fields.String(validate=ma.validate.Regexp(r"^\d{4}$"))
    resolved = ma.fields.Boolean(required=True)
    satisfaction = ma.fields.Integer(
        validate=ma.validate.Range(
            min=1, max=5, error=Bilingual("满意度为1至5分。", "Satisfaction is 1 to 5.")
        )
    )
    comment = ma.fields.String(load_default="", validate=ma.validate.Length(max=500))


class ComplaintFormSchema(ComplaintSchema):
    """The same complaint as multipart/form-data, with its photos (documentation)."""

    photos = ma.fields.List(
        ma.fields.Raw(metadata={"type": "string", "format": "binary"}),
        metadata={
            "description": "照片或视频 (可选)：最多5个，每个不超过10 MB，JPEG、PNG、WebP、HEIC 或 MP4，"
            "按内容识别类型 / up to 5 photos or videos of 10 MB each, typed by content"
        },
    )


COMPLAINT_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": ComplaintSchema},
        "multipart/form-data": {"schema": ComplaintFormSchema},
    },
}


def complaint_input() -> tuple[dict, list[FileStorage]]:
    """The fields (JSON, or multipart form fields) and the photos of a complaint."""
    if request.mimetype == "multipart/form-data":
        return form_input()
    if not request.is_json:
        raise Problem(
            415,
            "unsupported-media-type",
            "请以 JSON 或 multipart/form-data (附照片时) 提交。",
            "Send JSON, or multipart/form-data with photos.",
        )
    body = request.get_json(silent=True)
    if body is None:
        raise Problem(
            400, "malformed-json", "请求体不是有效的 JSON。", "The request body is not valid JSON."
        )
    return body, []


def form_input() -> tuple[dict, list[FileStorage]]:
    """The non-empty form fields and the chosen files (the public page posts these too)."""
    raw = {k: v.strip() for k, v in request.form.items() if k != "csrf_token" and v.strip()}
    return raw, [f for f in request.files.getlist(attachments.FIELD) if _chosen(f)]


def _chosen(file: FileStorage) -> bool:
    """A form's empty file input sends a part without a name and without content."""
    if file.filename:
        return True
    head = file.stream.read(1)
    file.stream.seek(0)
    return bool(head)


def load_complaint(raw) -> dict:
    try:
        return ComplaintSchema().load(raw)
    except ma.ValidationError as err:
        raise Problem(
            422,
            "validation-failed",
            "请求参数校验未通过，请按字段修正。",
            "Some fields are invalid; see errors.",
            errors=field_errors(err.messages),
        ) from err


def complaint_command(data: dict, district, uploads=()) -> service.SubmitComplaint:
    """A citizen's complaint (ComplaintSchema: the JSON API and the public form)."""
    return service.SubmitComplaint(
        channel=Source.PUBLIC_WEB.value,
        description=data["description"],
        place=data["place"],
        matter_code=data.get("matter_code"),
        agency_id=data.get("agency_id"),
        occurred_at=data.get("occurred_at"),
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
        anonymous=data.get("anonymous", False),
        name=data.get("name", ""),
        phone=data.get("phone", ""),
        join=data.get("join"),
        district=district,
        attachments=tuple(uploads),
    )


def file_complaint(tenant_id, data: dict, files: list[FileStorage], slug: str = "") -> dict:
    """Store the photos, then submit the complaint with them in one commit; when the clue
    is not written, the blobs this request created are removed (all or none). Given a
    `slug` instead of `tenant_id`, the district is looked up in the request's session,
    whose transaction the use case's unit of work then carries on as that district."""
    store = blob_store()
    uploads = attachments.store_files(store, [(f.filename, f.stream) for f in files])
    try:
        # Held while submitting: the district's settings come from this row.
        district = district_or_404(slug, db.session) if slug else None
        tenant_id = district.id if district else tenant_id
        submitted = service.intake.submit_complaint(
            complaint_command(data, tenant_id, uploads), None
        )
    except BaseException:
        attachments.discard(store, uploads)
        raise
    clue = submitted.clue
    return {"receipt_code": clue.receipt_code, "status": clue.status, "agency": submitted.agency}


@blp.route("/public/<slug>/complaints")
class Complaints(MethodView):
    @public
    @accepts_uploads(attachments.max_body)
    @limiter.limit(lambda: current_app.config.get("YIMEN_PUBLIC_RATE_LIMIT", "20 per hour"))
    @limiter.limit("5 per hour", key_func=phone_key, exempt_when=no_phone)
    @blp.doc(requestBody=COMPLAINT_BODY)
    @blp.response(201, ReceiptSchema)
    @blp.alt_response(422, description="字段或照片未通过校验，未提交 / invalid field or photo")
    def post(self, slug: str):
        """提交投诉举报 (可附照片，获得回执码) / File a complaint, with photos, and get a receipt code
        ---
        JSON, or multipart/form-data with the same fields and the files in `photos`. A bad
        file (type sniffed from the content, size, count) refuses the whole complaint."""
        try:
            raw, files = complaint_input()
            data = load_complaint(raw)
        except Problem:
            district_or_404(slug)  # an unknown district is a 404 whatever the body
            raise
        return file_complaint(None, data, files, slug=slug)  # district read in its transaction


@blp.route("/public/<slug>/progress")
class Progress(MethodView):
    @public
    @limiter.limit("60 per hour")
    @blp.arguments(ProgressQuery, location="query")
    @blp.response(200, ProgressSchema)
    def get(self, args, slug: str):
        """查询匿名投诉的办理进度 (仅回执码) / Progress of an anonymous complaint by receipt code"""
        return _progress(slug, args["code"], None)

    @public
    @limiter.limit("60 per hour")
    @blp.arguments(ProgressBody)
    @blp.response(200, ProgressSchema)
    def post(self, data, slug: str):
        """查询办理进度 (回执码 + 手机尾号后四位，在请求体中) / Progress by receipt code and the phone's last four digits, in the body"""
        return _progress(slug, data["code"], data.get("phone4"))


def _progress(slug: str, code: str, phone4: str | None) -> dict:
    tenant = district_or_404(slug)
    with tenant_scope(tenant.id), db.new_session() as s:
        clue = service.find_for_complainant(s, code, phone4)
        # The same answer for an unknown code and a wrong phone: no probing.
        if clue is None:
            raise service.no_match()
        return service.progress(s, clue)


@blp.route("/public/<slug>/nearby")
class Nearby(MethodView):
    @public
    @limiter.limit("120 per hour")
    @blp.arguments(NearbyQuery, location="query")
    @blp.response(200, NearbyListSchema)
    def get(self, args, slug: str):
        """附近同一事项的未办结投诉 (仅事项、地点、状态) / Open complaints of the same matter nearby"""
        tenant = district_or_404(slug)
        with tenant_scope(tenant.id), db.new_session() as s:
            matter = s.execute(
                select(EnforcementMatter.name).where(EnforcementMatter.code == args["matter_code"])
            ).scalar()
            rows = service.nearby_open(
                s, args["matter_code"], args["place"], args.get("latitude"), args.get("longitude")
            )
            return {
                "items": [
                    {
                        "id": c.id,
                        "matter": matter or c.matter_code,
                        "place": approximate_place(c.place),
                        "status": service.PUBLIC_STATUS[c.status][0],
                        "status_en": service.PUBLIC_STATUS[c.status][1],
                        "since": c.created_at.astimezone(service.SHANGHAI).date()
                        if c.created_at.tzinfo
                        else c.created_at.date(),
                    }
                    for c in rows
                ]
            }


@blp.route("/public/<slug>/feedback")
class Feedback(MethodView):
    @public
    @limiter.limit("30 per hour")
    @blp.arguments(FeedbackSchema)
    @blp.response(200, ProgressSchema)
    def post(self, data, slug: str):
        """办结后反馈：是否解决 (未解决则重新办理) 及满意度 / After closure: resolved or not, and a rating"""
        tenant = district_or_404(slug)
        clue = service.intake.give_feedback(feedback_command(tenant.id, data))
        with tenant_scope(tenant.id):
            return service.progress(db.session, clue)


def feedback_command(district, data: dict) -> service.GiveFeedback:
    return service.GiveFeedback(
        district,
        data["code"],
        data.get("phone4"),
        data["resolved"],
        data.get("satisfaction"),
        data["comment"],
    )
