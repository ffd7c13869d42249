"""Gateway API for the district administrator: the connectors the region offers and the
district's subscriptions (credentials write-only), deliveries by status, dead letters
with their error (personal data masked), re-drive and skip, each connector's health.
Thin over the use cases (service.py) and read models (queries.py)."""

from __future__ import annotations

import uuid

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from yimen.gateway.contracts import EVENT_TYPES
from yimen.gateway.delivery import queries, service
from yimen.gateway.delivery.model import DEAD, STATUSES, GatewayBackfill, GatewayReconciliation
from yimen.platform.api.paging import PageArgs, page_of, paginate
from yimen.platform.auth.guard import current_identity
from yimen.platform.kernel.db import db
from yimen.platform.kernel.db.tenancy import current_tenant_id
from yimen.platform.kernel.permissions import requires
from yimen.platform.kernel.uow import uow

blp = Blueprint("gateway", __name__, description="数据对接网关 / Integration gateway")


class LabelSchema(ma.Schema):
    zh = ma.fields.String()
    en = ma.fields.String()


class SubscriptionSchema(ma.Schema):
    connector = ma.fields.String()
    kind = ma.fields.String()
    label = ma.fields.Nested(LabelSchema)
    offered_event_types = ma.fields.List(ma.fields.String())
    default_endpoint = ma.fields.String()
    enabled = ma.fields.Boolean()
    event_types = ma.fields.List(ma.fields.String())
    agency_codes = ma.fields.List(ma.fields.String())
    endpoint = ma.fields.String()
    has_credentials = ma.fields.Boolean(metadata={"description": "凭据只写不读"})
    settings = ma.fields.Dict()
    updated_by = ma.fields.String()
    updated_at = ma.fields.AwareDateTime(allow_none=True)


class SubscriptionListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(SubscriptionSchema))


class SubscriptionInSchema(ma.Schema):
    enabled = ma.fields.Boolean(required=True)
    event_types = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(sorted(EVENT_TYPES))),
        load_default=list,
        validate=ma.validate.Length(max=len(EVENT_TYPES)),
        metadata={"description": "不填：该系统可接收的全部事件"},
    )
    agency_codes = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(min=1, max=40)),
        load_default=list,
        validate=ma.validate.Length(max=200),
        metadata={"description": "不填：全部部门"},
    )
    endpoint = ma.fields.String(load_default="", validate=ma.validate.Length(max=300))
    credentials = ma.fields.Dict(
        keys=ma.fields.String(validate=ma.validate.Length(min=1, max=60)),
        values=ma.fields.String(validate=ma.validate.Length(max=4000)),
        load_only=True,
        load_default=None,
        allow_none=True,
        metadata={"description": "只写：保存时加密，任何接口都不返回；不填则保留原凭据"},
    )
    settings = ma.fields.Dict(keys=ma.fields.String(), load_default=dict)


class DeliverySchema(ma.Schema):
    id = ma.fields.UUID()
    connector = ma.fields.String()
    topic = ma.fields.String()
    aggregate_key = ma.fields.String()
    sequence = ma.fields.Integer()
    status = ma.fields.String()
    attempts = ma.fields.Integer()
    next_attempt_at = ma.fields.AwareDateTime()
    last_error = ma.fields.String()
    upstream_ref = ma.fields.String()
    decided_by = ma.fields.String()
    created_at = ma.fields.AwareDateTime()
    sent_at = ma.fields.AwareDateTime(allow_none=True)


class DeadLetterSchema(DeliverySchema):
    payload = ma.fields.Dict(metadata={"description": "个人信息已脱敏"})


class DeliveriesQuery(PageArgs):
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    connector = ma.fields.String(validate=ma.validate.Length(max=40))
    aggregate_key = ma.fields.String(validate=ma.validate.Length(max=80))


class RedriveSchema(ma.Schema):
    ids = ma.fields.List(ma.fields.UUID(), load_default=list, validate=ma.validate.Length(max=500))
    every_dead = ma.fields.Boolean(load_default=False)
    connector = ma.fields.String(load_default="", validate=ma.validate.Length(max=40))


class RedrivenSchema(ma.Schema):
    redriven = ma.fields.Integer()


class SkipSchema(ma.Schema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=2, max=200))


class HealthSchema(ma.Schema):
    connector = ma.fields.String()
    breaker = ma.fields.String(metadata={"description": "closed | open | half-open"})
    consecutive_failures = ma.fields.Integer()
    pending = ma.fields.Integer()
    held = ma.fields.Integer()
    dead = ma.fields.Integer()
    oldest_unsent_seconds = ma.fields.Float(allow_none=True)
    failure_rate = ma.fields.Float(
        allow_none=True, metadata={"description": "近24小时失败的比例 / dead ÷ (sent + dead)"}
    )
    sent = ma.fields.Integer(metadata={"description": "已送达总数 / sent, ever"})


class HealthListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(HealthSchema))


@blp.route("/gateway/subscriptions")
class Subscriptions(MethodView):
    @requires("gateway.read")
    @blp.response(200, SubscriptionListSchema)
    def get(self):
        """可对接的系统与本区的订阅 / The region's connectors and this district's subscriptions"""
        return {"items": queries.subscriptions(db.session)}


@blp.route("/gateway/subscriptions/<string(maxlength=40):connector>")
class Subscription(MethodView):
    @requires("gateway.configure")
    @blp.arguments(SubscriptionInSchema)
    @blp.response(200, SubscriptionSchema)
    def put(self, data, connector: str):
        """开启或关闭对接，填写地址与凭据 / Turn a connector on or off, with its credentials"""
        command = service.ConfigureSubscription(
            connector=connector,
            enabled=data["enabled"],
            by=current_identity().username,
            event_types=tuple(data["event_types"]),
            agency_codes=tuple(data["agency_codes"]),
            endpoint=data["endpoint"],
            credentials=data["credentials"],
            settings=data["settings"],
        )
        service.configure_subscription(uow, current_tenant_id(), command)
        return next(s for s in queries.subscriptions(db.session) if s["connector"] == connector)


@blp.route("/gateway/deliveries")
class Deliveries(MethodView):
    @requires("gateway.read")
    @blp.arguments(DeliveriesQuery, location="query")
    @blp.response(200, page_of(DeliverySchema))
    def get(self, args):
        """投递记录 (按状态) / Deliveries, by status"""
        query = queries.deliveries(
            args.get("status", ""), args.get("connector", ""), args.get("aggregate_key", "")
        )
        page = paginate(db.session, query, args["page"], args["page_size"])
        page["items"] = [queries.shown(row) for row in page["items"]]
        return page


@blp.route("/gateway/dead-letters")
class DeadLetters(MethodView):
    @requires("gateway.read")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(DeadLetterSchema))
    def get(self, args):
        """投递失败的记录：错误与内容 (个人信息已脱敏) / Dead letters with error and payload"""
        query = queries.deliveries(DEAD)
        page = paginate(db.session, query, args["page"], args["page_size"])
        page["items"] = [queries.shown(row, with_payload=True) for row in page["items"]]
        return page


@blp.route("/gateway/deliveries/redrive")
class Redrive(MethodView):
    @requires("gateway.redrive")
    @blp.arguments(RedriveSchema)
    @blp.response(200, RedrivenSchema)
    def post(self, data):
        """重新投递失败的记录 (指定的，或全部) / Re-drive dead letters (named, or all)"""
        command = service.Redrive(
            by=current_identity().username,
            ids=tuple(data["ids"]),
            every_dead=data["every_dead"],
            connector=data["connector"],
        )
        return {"redriven": service.redrive(uow, current_tenant_id(), command)}


@blp.route("/gateway/deliveries/<uuid:delivery_id>/skip")
class Skip(MethodView):
    @requires("gateway.redrive")
    @blp.arguments(SkipSchema)
    @blp.response(200, DeliverySchema)
    def post(self, data, delivery_id: uuid.UUID):
        """不再投递 (须说明理由)，其后被阻塞的记录继续 / Skip a record; those it held go on"""
        command = service.Skip(delivery_id, current_identity().username, data["reason"])
        return queries.shown(service.skip(uow, current_tenant_id(), command))


@blp.route("/gateway/health")
class Health(MethodView):
    @requires("gateway.read")
    @blp.response(200, HealthListSchema)
    def get(self):
        """各对接系统的状态：熔断、积压、最早未送达 / Each connector's breaker and queue"""
        return {"items": queries.health(db.session)}


class ReconciliationQuery(PageArgs):
    connector = ma.fields.String(validate=ma.validate.Length(max=40))
    day = ma.fields.Date()


class DifferingSchema(ma.Schema):
    key = ma.fields.String()
    sent = ma.fields.Integer()
    upstream = ma.fields.Integer()


class ReconciliationSchema(ma.Schema):
    connector = ma.fields.String()
    day = ma.fields.Date()
    sent_count = ma.fields.Integer()
    upstream_count = ma.fields.Integer()
    sent_hash = ma.fields.String()
    upstream_hash = ma.fields.String()
    missing = ma.fields.List(ma.fields.String(), metadata={"description": "对方缺少 (已重发)"})
    extra = ma.fields.List(ma.fields.String(), metadata={"description": "对方多出 (仅报告)"})
    differing = ma.fields.List(ma.fields.Nested(DifferingSchema))
    resent = ma.fields.Integer()
    error = ma.fields.String()
    checked_at = ma.fields.AwareDateTime()


class BackfillSchema(ma.Schema):
    connector = ma.fields.String()
    status = ma.fields.String(metadata={"description": "running | done"})
    total = ma.fields.Integer()
    done = ma.fields.Integer()
    published = ma.fields.Integer()
    started_at = ma.fields.AwareDateTime()
    updated_at = ma.fields.AwareDateTime()


class BackfillListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(BackfillSchema))


@blp.route("/gateway/reconciliation")
class Reconciliations(MethodView):
    @requires("gateway.read")
    @blp.arguments(ReconciliationQuery, location="query")
    @blp.response(200, page_of(ReconciliationSchema))
    def get(self, args):
        """对账结果：每个对接系统每日已发送与对方所存之差 / Drift reports, newest day first"""
        query = select(GatewayReconciliation).order_by(
            GatewayReconciliation.day.desc(), GatewayReconciliation.connector
        )
        if args.get("connector"):
            query = query.where(GatewayReconciliation.connector == args["connector"])
        if args.get("day"):
            query = query.where(GatewayReconciliation.day == args["day"])
        return paginate(db.session, query, args["page"], args["page_size"])


@blp.route("/gateway/backfills")
class Backfills(MethodView):
    @requires("gateway.read")
    @blp.response(200, BackfillListSchema)
    def get(self):
        """历史案件补发进度 / Progress of each connector's backfill"""
        rows = db.session.execute(select(GatewayBackfill).order_by(GatewayBackfill.connector))
        return {"items": list(rows.scalars())}
