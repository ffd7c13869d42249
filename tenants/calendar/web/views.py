"""Calendar API: the loaded years, their days, imports with review, and deadlines."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import extract, select

from yimen.platform.api.paging import PageArgs, page_of, paginate
from yimen.platform.api.problems import Problem
from yimen.platform.auth.guard import current_identity
from yimen.platform.kernel.db import db
from yimen.platform.kernel.db.tenancy import current_tenant_id
from yimen.platform.kernel.permissions import requires
from yimen.platform.kernel.uow import uow
from yimen.tenants.calendar import service
from yimen.tenants.calendar.contracts import ApproveYear, ImportYear, ListedDay
from yimen.tenants.calendar.model import CalendarDay, CalendarYear
from yimen.tenants.calendar.rules import CalendarNotLoaded, DayKind, Unit

blp = Blueprint("calendar", __name__, description="工作日历 / Working-day calendar")


class YearSchema(ma.Schema):
    year = ma.fields.Integer()
    notice = ma.fields.String()
    source = ma.fields.String()
    status = ma.fields.String()
    loaded_by = ma.fields.String()
    loaded_at = ma.fields.AwareDateTime()
    approved_by = ma.fields.String(allow_none=True)
    approved_at = ma.fields.AwareDateTime(allow_none=True)


class DaySchema(ma.Schema):
    date = ma.fields.Date(attribute="day")
    kind = ma.fields.Enum(DayKind, by_value=True)
    is_working_day = ma.fields.Boolean()
    name = ma.fields.String()


class DayInSchema(ma.Schema):
    date = ma.fields.Date(required=True)
    kind = ma.fields.Enum(DayKind, by_value=True, required=True)
    name = ma.fields.String(load_default="", validate=ma.validate.Length(max=60))


class ImportSchema(ma.Schema):
    year = ma.fields.Integer(required=True, validate=ma.validate.Range(min=2004, max=2100))
    notice = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=8, max=300),
        metadata={"description": "国务院办公厅通知的标题与文号"},
    )
    days = ma.fields.List(
        ma.fields.Nested(DayInSchema),
        required=True,
        validate=ma.validate.Length(max=400),
        metadata={"description": "节假日与调休上班日；未列出的日期按周一至周五上班、周末休息补全"},
    )


class DaysQuery(PageArgs):
    month = ma.fields.Integer(validate=ma.validate.Range(min=1, max=12))
    page_size = ma.fields.Integer(load_default=31, validate=ma.validate.Range(min=1, max=100))


class DeadlineQuery(ma.Schema):
    start = ma.fields.Date(required=True)
    count = ma.fields.Integer(required=True, validate=ma.validate.Range(min=0, max=3650))
    unit = ma.fields.Enum(Unit, by_value=True, required=True)
    roll_forward = ma.fields.Boolean(load_default=True)


class DeadlineSchema(ma.Schema):
    start = ma.fields.Date()
    count = ma.fields.Integer()
    unit = ma.fields.String()
    due = ma.fields.Date()
    basis = ma.fields.String()


BASIS = {
    Unit.WORKING_DAY: "《行政处罚法》第八十五条；《行政强制法》第六十九条 (工作日，不含法定节假日)",
    Unit.CALENDAR_DAY: "《民事诉讼法》第八十五条 (期间最后一日为法定休假日的，以其后第一日为届满日)",
    Unit.MONTH: "《民法典》第二百零二条、第二百零三条",
}


@blp.route("/calendar/years")
class Years(MethodView):
    @requires("calendar.read")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(YearSchema))
    def get(self, args):
        """已载入的年度日历 / The loaded years"""
        return paginate(
            db.session,
            select(CalendarYear).order_by(CalendarYear.year.desc()),
            args["page"],
            args["page_size"],
        )

    @requires("calendar.import")
    @blp.arguments(ImportSchema)
    @blp.response(201, YearSchema)
    def post(self, data):
        """导入新一年的节假日安排 (待另一位运营人员审核) / Propose a year; another operator approves it"""
        command = ImportYear(
            data["year"], data["notice"], [ListedDay(**day) for day in data["days"]]
        )
        return uow.run(
            current_tenant_id(), service.import_year, command, current_identity().username
        )


@blp.route("/calendar/years/<int(min=1900, max=2200):year>/approve")
class Approve(MethodView):
    @requires("calendar.approve")
    @blp.response(200, YearSchema)
    def post(self, year: int):
        """审核通过 (不能审核自己导入的) / Approve a proposed year (not one's own import)"""
        command = ApproveYear(year)
        return uow.run(
            current_tenant_id(), service.approve_year, command, current_identity().username
        )


@blp.route("/calendar/years/<int(min=1900, max=2200):year>/days")
class Days(MethodView):
    @requires("calendar.read")
    @blp.arguments(DaysQuery, location="query")
    @blp.response(200, page_of(DaySchema))
    def get(self, args, year: int):
        """某年 (某月) 的每一天 / The days of a year or month"""
        query = select(CalendarDay).where(CalendarDay.year == year).order_by(CalendarDay.day)
        if args.get("month"):
            query = query.where(extract("month", CalendarDay.day) == args["month"])
        return paginate(db.session, query, args["page"], args["page_size"])


@blp.route("/calendar/deadline")
class Deadline(MethodView):
    @requires("calendar.read")
    @blp.arguments(DeadlineQuery, location="query")
    @blp.response(200, DeadlineSchema)
    def get(self, args):
        """计算期限届满日 / Compute a due date"""
        calendar = service.working_calendar(db.session)
        try:
            due = calendar.add(args["start"], args["count"], args["unit"], args["roll_forward"])
        except CalendarNotLoaded as exc:
            raise Problem(
                409, "calendar-not-loaded", exc.zh, exc.en, extra={"year": exc.year}
            ) from exc
        return {**args, "unit": args["unit"].value, "due": due, "basis": BASIS[args["unit"]]}
