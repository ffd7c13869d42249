"""Directory API: agencies, units, officers and roles of the caller's district."""

from __future__ import annotations

import uuid

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from yimen.platform.api.paging import PageArgs, page_of, paginate
from yimen.platform.api.problems import Problem
from yimen.platform.auth.guard import current_identity
from yimen.platform.kernel.db import db
from yimen.platform.kernel.db.tenancy import current_tenant_id
from yimen.platform.kernel.directory import Agency, OfficerStatus
from yimen.platform.kernel.permissions import agency_bound, requires
from yimen.platform.kernel.uow import uow
from yimen.tenants.directory import service
from yimen.tenants.directory.contracts import (
    ChangeRoles,
    CreateAgency,
    CreateOfficer,
    CreateUnit,
    IssueInitialPassword,
    SetOfficerStatus,
    UnlockSignIn,
    UpdateAgency,
    UpdateOfficer,
    UpdateUnit,
)
from yimen.tenants.directory.rules import Granter
from yimen.tenants.directory.schemas import (
    AgencyCreateSchema,
    AgencyQuerySchema,
    AgencySchema,
    AgencyUpdateSchema,
    OfficerCreateSchema,
    OfficerQuerySchema,
    OfficerSchema,
    OfficerUpdateSchema,
    RolesSchema,
    StaffingSchema,
    UnitQuerySchema,
    UnitSchema,
    UnitUpdateSchema,
)

blp = Blueprint(
    "directory", __name__, description="执法部门、单位与人员 / Agencies, units and officers"
)


def own_agency_id():
    """For a caller bound to an agency (officer, head, agency admin …), that agency's
    id: lists are narrowed to it whatever the query asks. None for district-wide roles."""
    identity = current_identity()
    if not agency_bound(identity.roles):
        return None
    agency = db.session.execute(select(Agency.id).where(Agency.code == identity.agency)).scalar()
    if agency is None:
        raise Problem(
            403, "no-agency", "该账号未关联执法部门。", "This account belongs to no agency."
        )
    return agency


NOWHERE = uuid.UUID(int=0)  # the agency of an agency-bound account that names none


def reach_agency_id() -> uuid.UUID | None:
    """own_agency_id for reading a record by its id: an agency-bound account that belongs
    to no agency reaches no agency's records (404 for every id, never a 403 that would
    tell an existing id from a missing one)."""
    try:
        return own_agency_id()
    except Problem:
        return NOWHERE


def granter() -> Granter:
    """The caller as one who sets roles (tenants/directory/rules.py: grantable_roles)."""
    identity = current_identity()
    return Granter(identity.roles, identity.agency)


def within_reach(agency: Agency) -> Agency:
    """A district administrator reaches every agency; an agency administrator only theirs."""
    identity = current_identity()
    if "district_admin" in identity.roles or identity.agency == agency.code:
        return agency
    raise Problem(
        403,
        "outside-agency",
        "只能管理本部门的单位和人员。",
        "You may only administer your own agency's units and officers.",
    )


def visible(record, what_zh: str, what_en: str):
    """A unit or officer read by its id: an agency-bound caller (officer, head, agency
    administrator …) sees only its own agency's, and another agency's answers exactly as
    a missing one, 404 — the lists are narrowed the same way (own_agency_id)."""
    own = reach_agency_id()
    if own is not None and record.agency_id != own:
        raise Problem(404, "not-found", f"{what_zh}不存在。", f"{what_en} not found.")
    return record


def _unit(unit_id: uuid.UUID):
    return visible(service.get_unit(db.session, unit_id), "单位", "Unit")


def _officer(officer_id: uuid.UUID):
    return visible(service.get_officer(db.session, officer_id), "执法人员", "Officer")


@blp.route("/agencies")
class Agencies(MethodView):
    @requires("directory.read")
    @blp.arguments(AgencyQuerySchema, location="query")
    @blp.response(200, page_of(AgencySchema))
    def get(self, args):
        """本区执法部门列表 / List the district's agencies"""
        query = service.agency_query(args.get("q"), args.get("kind"))
        return paginate(db.session, query, args["page"], args["page_size"])

    @requires("directory.agency.create")
    @blp.arguments(AgencyCreateSchema)
    @blp.response(201, AgencySchema)
    def post(self, data):
        """新增执法部门 / Add an agency"""
        return uow.run(current_tenant_id(), service.create_agency, CreateAgency(**data))


@blp.route("/agencies/<uuid:agency_id>")
class AgencyItem(MethodView):
    @requires("directory.read")
    @blp.response(200, AgencySchema)
    def get(self, agency_id: uuid.UUID):
        """执法部门详情 / One agency"""
        return service.get_agency(db.session, agency_id)

    @requires("directory.agency.update")
    @blp.arguments(AgencyUpdateSchema)
    @blp.response(200, AgencySchema)
    def patch(self, changes: dict, agency_id: uuid.UUID):
        """修改执法部门 / Update an agency"""
        return uow.run(
            current_tenant_id(), service.update_agency, UpdateAgency(agency_id, **changes)
        )


@blp.route("/staffing")
class Staffing(MethodView):
    @requires("directory.read")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(StaffingSchema))
    def get(self, args):
        """编制与在岗人数 / Staffing quota against officers, per agency"""
        return paginate(
            db.session, service.staffing_query(), args["page"], args["page_size"], rows=True
        )


@blp.route("/units")
class Units(MethodView):
    @requires("directory.read")
    @blp.arguments(UnitQuerySchema, location="query")
    @blp.response(200, page_of(UnitSchema))
    def get(self, args):
        """单位列表 / List units"""
        return paginate(
            db.session,
            service.unit_query(own_agency_id() or args.get("agency_id")),
            args["page"],
            args["page_size"],
        )

    @requires("directory.unit.write")
    @blp.arguments(UnitSchema)
    @blp.response(201, UnitSchema)
    def post(self, data):
        """新增单位 (分局、中队、科室) / Add a unit"""
        within_reach(service.get_agency(db.session, data["agency_id"]))
        return uow.run(current_tenant_id(), service.create_unit, CreateUnit(**data))


@blp.route("/units/<uuid:unit_id>")
class UnitItem(MethodView):
    @requires("directory.read")
    @blp.response(200, UnitSchema)
    def get(self, unit_id: uuid.UUID):
        """单位详情 / One unit"""
        return _unit(unit_id)

    @requires("directory.unit.write")
    @blp.arguments(UnitUpdateSchema)
    @blp.response(200, UnitSchema)
    def patch(self, changes: dict, unit_id: uuid.UUID):
        """修改单位 / Update a unit"""
        within_reach(service.get_agency(db.session, _unit(unit_id).agency_id))
        return uow.run(current_tenant_id(), service.update_unit, UpdateUnit(unit_id, **changes))


@blp.route("/officers")
class Officers(MethodView):
    @requires("directory.read")
    @blp.arguments(OfficerQuerySchema, location="query")
    @blp.response(200, page_of(OfficerSchema))
    def get(self, args):
        """执法人员列表 / List officers"""
        agency_id = own_agency_id() or args.get("agency_id")
        query = service.officer_query(args.get("q"), agency_id, args.get("status"))
        return paginate(db.session, query, args["page"], args["page_size"])

    @requires("directory.officer.write")
    @blp.arguments(OfficerCreateSchema)
    @blp.response(201, OfficerSchema)
    def post(self, data):
        """新增执法人员 / Add an officer"""
        within_reach(service.get_agency(db.session, data["agency_id"]))
        return uow.run(
            current_tenant_id(), service.create_officer, CreateOfficer(**data), granter()
        )


def _reachable_officer(officer_id: uuid.UUID):
    officer = _officer(officer_id)
    within_reach(service.get_agency(db.session, officer.agency_id))
    return officer


@blp.route("/officers/<uuid:officer_id>")
class OfficerItem(MethodView):
    @requires("directory.read")
    @blp.response(200, OfficerSchema)
    def get(self, officer_id: uuid.UUID):
        """执法人员详情 / One officer"""
        return _officer(officer_id)

    @requires("directory.officer.write")
    @blp.arguments(OfficerUpdateSchema)
    @blp.response(200, OfficerSchema)
    def patch(self, changes: dict, officer_id: uuid.UUID):
        """修改执法人员 (单位、执法证) / Update an officer"""
        _reachable_officer(officer_id)
        return uow.run(
            current_tenant_id(), service.update_officer, UpdateOfficer(officer_id, **changes)
        )


@blp.route("/officers/<uuid:officer_id>/roles")
class OfficerRoles(MethodView):
    @requires("directory.roles.write")
    @blp.arguments(RolesSchema)
    @blp.response(200, OfficerSchema)
    def put(self, data: dict, officer_id: uuid.UUID):
        """设置人员角色 / Replace an officer's roles"""
        _reachable_officer(officer_id)
        command = ChangeRoles(officer_id, data["roles"])
        return uow.run(current_tenant_id(), service.set_roles, command, granter())


@blp.route("/officers/<uuid:officer_id>/deactivate")
class OfficerDeactivate(MethodView):
    @requires("directory.officer.write")
    @blp.response(200, OfficerSchema)
    def post(self, officer_id: uuid.UUID):
        """停用执法人员 (令牌立即失效) / Deactivate an officer; their tokens stop working at once"""
        _reachable_officer(officer_id)
        command = SetOfficerStatus(officer_id, OfficerStatus.INACTIVE)
        return uow.run(current_tenant_id(), service.set_status, command)


@blp.route("/officers/<uuid:officer_id>/activate")
class OfficerActivate(MethodView):
    @requires("directory.officer.write")
    @blp.response(200, OfficerSchema)
    def post(self, officer_id: uuid.UUID):
        """启用执法人员 / Reactivate an officer"""
        _reachable_officer(officer_id)
        command = SetOfficerStatus(officer_id, OfficerStatus.ACTIVE)
        return uow.run(current_tenant_id(), service.set_status, command)


class UnlockSchema(ma.Schema):
    id = ma.fields.UUID()
    username = ma.fields.String()
    was_locked = ma.fields.Boolean(metadata={"description": "是否曾被锁定 / whether it was locked"})
    failures = ma.fields.Integer(metadata={"description": "解锁前的连续失败次数 / failures lifted"})


@blp.route("/officers/<uuid:officer_id>/unlock")
class OfficerUnlock(MethodView):
    @requires("directory.officer.unlock")
    @blp.response(200, UnlockSchema)
    def post(self, officer_id: uuid.UUID):
        """解除登录锁定 (密码错误次数过多) / Lift the sign-in lockout after too many wrong passwords"""
        _reachable_officer(officer_id)
        return uow.run(current_tenant_id(), service.unlock_sign_in, UnlockSignIn(officer_id))


class InitialPasswordSchema(ma.Schema):
    username = ma.fields.String()
    password = ma.fields.String(metadata={"description": "只显示这一次 / shown this once"})


@blp.route("/officers/<uuid:officer_id>/initial-password")
class OfficerInitialPassword(MethodView):
    @requires("directory.officer.write")
    @blp.response(201, InitialPasswordSchema)
    def post(self, officer_id: uuid.UUID):
        """签发一次性初始密码 (内置身份认证) / Issue a one-time initial password (built-in provider)"""
        _reachable_officer(officer_id)
        command = IssueInitialPassword(officer_id)
        return uow.run(current_tenant_id(), service.issue_initial_password, command)
