"""The full-process record of a case over the API: its events, the verification of its
hash chain, and the district-wide verification (处罚法 第四十七条; 国办发〔2018〕118号 (九))."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from yimen.platform.api.paging import PageArgs, page_list, page_of, paginate
from yimen.platform.api.problems import Problem
from yimen.platform.cases.record import log as events
from yimen.platform.cases.record.log import CaseEvent
from yimen.platform.cases.record.model import Case
from yimen.platform.kernel.db import db
from yimen.platform.kernel.logs import mask_pii
from yimen.platform.kernel.permissions import requires

blp = Blueprint(
    "case_record", __name__, description="案件全过程记录与防篡改校验 / Case record and its chain"
)

# SHA-256 values and UUIDs are shown whole (a run of digits inside one is no phone).
_IDENTIFIER = re.compile(
    r"^(?:[0-9a-f]{64}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$", re.I
)


def masked(value):
    """The payload as shown: ID and mobile numbers masked (the stored record, which the
    chain covers, keeps them)."""
    if isinstance(value, dict):
        return {key: masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [masked(item) for item in value]
    if isinstance(value, str) and not _IDENTIFIER.match(value):
        return mask_pii(value)
    return value


class EventSchema(ma.Schema):
    id = ma.fields.UUID()
    seq = ma.fields.Integer()
    kind = ma.fields.String()
    stage = ma.fields.String()
    actor = ma.fields.String()
    at = ma.fields.AwareDateTime()
    payload = ma.fields.Function(lambda e: masked(e.payload), metadata={"description": "已脱敏"})
    client_id = ma.fields.String(allow_none=True)
    prev_hash = ma.fields.String()
    hash = ma.fields.String()


class BreakSchema(ma.Schema):
    case_id = ma.fields.UUID()
    seq = ma.fields.Integer(metadata={"description": "被改动的记录序号，或缺失的第一个序号"})
    event_id = ma.fields.UUID(metadata={"description": "发现断链的记录"})
    fault = ma.fields.String(
        metadata={"description": "hash_mismatch | prev_hash_mismatch | seq_gap"}
    )
    expected = ma.fields.String()
    found = ma.fields.String()
    message = ma.fields.String()
    message_en = ma.fields.String()


class ChainSchema(ma.Schema):
    case_id = ma.fields.UUID()
    ok = ma.fields.Boolean()
    state = ma.fields.String(metadata={"description": "ok | broken"})
    state_label = ma.fields.String()
    events = ma.fields.Integer(metadata={"description": "校验的记录条数 / events checked"})
    head_hash = ma.fields.String(allow_none=True)
    first_break = ma.fields.Nested(BreakSchema, allow_none=True)
    verified_at = ma.fields.AwareDateTime()


class DistrictChainSchema(ma.Schema):
    ok = ma.fields.Boolean()
    cases = ma.fields.Integer()
    events = ma.fields.Integer()
    breaks = ma.fields.Nested(page_of(BreakSchema))
    verified_at = ma.fields.AwareDateTime()


def _reachable_case(case_id: uuid.UUID) -> Case:
    """A case of the caller's district that its agency reaches (agency_scope)."""
    case = db.session.execute(select(Case).where(Case.id == case_id)).scalar_one_or_none()
    if case is None:
        raise Problem(404, "not-found", "案件不存在。", "Case not found.")
    return case


def chain_state(case_id: uuid.UUID, report: events.Report) -> dict:
    first = report.breaks[0] if report.breaks else None
    return {
        "case_id": case_id,
        "ok": report.ok,
        "state": "ok" if report.ok else "broken",
        "state_label": "记录完整，未被篡改" if report.ok else "记录链断开：有记录被改动或删除",
        "events": report.events,
        "head_hash": report.heads.get(case_id),
        "first_break": first,
        "verified_at": dt.datetime.now(dt.UTC),
    }


@blp.route("/cases/<uuid:case_id>/chain")
class CaseChain(MethodView):
    @requires("cases.read")
    @blp.response(200, ChainSchema)
    def get(self, case_id: uuid.UUID):
        """校验案件全过程记录链 (首个断点) / Verify the case's record chain (first break)"""
        case = _reachable_case(case_id)
        return chain_state(case.id, events.verify(db.session, case.id))


@blp.route("/cases/<uuid:case_id>/events")
class CaseEvents(MethodView):
    @requires("cases.read")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(EventSchema))
    def get(self, args, case_id: uuid.UUID):
        """案件全过程记录 (按序号，最新在后) / The case's events, oldest first"""
        case = _reachable_case(case_id)
        query = select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)
        return paginate(db.session, query, args["page"], args["page_size"])


@blp.route("/audit/case-chains")
class DistrictChains(MethodView):
    @requires("audit.verify")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, DistrictChainSchema)
    def get(self, args):
        """校验全区案件记录链 (每案首个断点) / Verify every case chain of the district"""
        report = events.verify(db.session)
        return {
            "ok": report.ok,
            "cases": report.cases,
            "events": report.events,
            "breaks": page_list(report.breaks, args["page"], args["page_size"]),
            "verified_at": dt.datetime.now(dt.UTC),
        }
