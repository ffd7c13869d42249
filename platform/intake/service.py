"""Use cases of the one door: submit a complaint, route a clue, and tell the complainant.

Each use case takes a typed command and the caller's `Identity` (None for a citizen on
the public channels), opens its own unit of work (kernel/uow.py) and says no with the
kernel's domain errors: it runs the same from a view, a worker or an inbound gateway
handler, and inside a larger unit of work it joins it. What it reads and writes goes
through an `IntakeStore` (store.py), so unit tests drive it with fakes.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from yimen.platform.cases.record.model import Case
from yimen.platform.intake import attachments as clue_attachments
from yimen.platform.intake import duplicates, integration, rules
from yimen.platform.intake.model import Clue, ClueGroup, ClueStep, Source
from yimen.platform.intake.store import (
    IntakeStore,
    SqlIntakeStore,
    accept_due,
    agency_name,
    find_for_complainant,
    setting,
)
from yimen.platform.kernel import clock
from yimen.platform.kernel import uow as kernel_uow
from yimen.platform.kernel.db import utcnow
from yimen.platform.kernel.db.agency_scope import all_agencies
from yimen.platform.kernel.directory import Agency, AgencyKind
from yimen.platform.kernel.errors import (
    Conflict,
    FieldProblem,
    Invalid,
    NotFound,
    Refused,
)
from yimen.platform.kernel.identity import Identity
from yimen.platform.kernel.uow import Transaction, UnitOfWork
from yimen.tenants.directory import district_settings

__all__ = [
    "accept_due",
    "agency_name",
    "find_for_complainant",
    "setting",
]  # read by the views and tests from here

SHANGHAI = clock.SHANGHAI
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# District settings (tenant.settings) this package reads; their types, defaults and
# limits are in the registry, tenants/directory/district_settings.py.
SETTINGS = {
    key: district_settings.REGISTRY[key].default
    for key in ("clue_accept_working_days", "clue_feedback_days", "clue_duplicate_window_days")
}
DEFAULT_ACCEPT_DAYS = SETTINGS["clue_accept_working_days"]
OPEN = (rules.Status.OFFERED.value, rules.Status.ACCEPTED.value, rules.Status.ARBITRATION.value)
# Agencies a clue may be offered, transferred or designated to: those that enforce. A
# complainant's or an officer's choice of the procuratorate, the police or the
# legal-affairs office would leave the clue where nobody may accept it.
HANDLING_KINDS = (
    AgencyKind.ENFORCEMENT,
    AgencyKind.COMPREHENSIVE_BUREAU,
    AgencyKind.BUSINESS_REGULATOR,
    AgencyKind.TOWNSHIP,
)
# Roles that register clues of any source; a caller registering with none of them (a
# police officer) registers the clues it found, as the police (source `police`).
REGISTERS_ANY_SOURCE = frozenset({"officer", "hotline_operator"})


def receipt_code() -> str:
    return "YM" + "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(10))


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else ""


def _step(
    clue: Clue, action: str, agency_id, reason: str, actor: str, due: dt.date | None = None
) -> None:
    clue.steps.append(
        ClueStep(action=action, agency_id=agency_id, reason=reason, actor=actor, due=due)
    )


# --- commands ---------------------------------------------------------------------

# Who files on each channel when no officer does (the clue's first step names them).
CHANNEL_ACTORS = {Source.PUBLIC_WEB.value: "public", Source.OPEN311.value: "open311"}


@dataclass(frozen=True)
class SubmitComplaint:
    """One complaint, whichever way it came in: the JSON API and the public form
    (`public_web`), Open311 (`open311`), an officer's register (`patrol`, the hotlines
    `hotline` (12319) and `hotline_12345` with the call's id or the work order's number
    as `source_ref` and the call's time as `received_at`, `police` by a police officer)
    and the inbound systems (`upper_level`, `police`, `hotline_12345`, with their
    `source_ref`). The same rules hold for all (`submit_complaint`)."""

    channel: str
    description: str
    place: str
    matter_code: str | None = None
    agency_id: uuid.UUID | None = None
    occurred_at: dt.datetime | None = None
    latitude: float | None = None
    longitude: float | None = None
    anonymous: bool = False
    name: str = ""
    phone: str = ""
    join: uuid.UUID | None = None  # an open complaint about the same thing, to join
    # the outside system's id (the sender's, the call's, the work order's): with the
    # channel, the clue's natural key — a replay or a second entry makes no second clue
    source_ref: str | None = None
    received_at: dt.datetime | None = None  # when the hotline took the call
    district: uuid.UUID | None = None  # the district of a citizen's channel (no caller)
    attachments: Sequence[clue_attachments.Upload] = ()


@dataclass(frozen=True)
class Submitted:
    clue: Clue
    created: bool  # False: a replay of an inbound clue already made
    agency: str | None  # the name the text message gave (None: the legal-affairs office)


@dataclass(frozen=True)
class RouteClue:
    """accept / transfer / submit / close / file_case by the agency holding the clue."""

    clue_id: uuid.UUID
    action: str
    to_agency_id: uuid.UUID | None = None  # transfer
    reason: str = ""  # transfer, submit
    outcome: str | None = None  # close
    note: str = ""  # close


@dataclass(frozen=True)
class MergeClue:
    clue_id: uuid.UUID
    into_clue_id: uuid.UUID


@dataclass(frozen=True)
class DesignateHandler:
    clue_id: uuid.UUID
    handler_agency_id: uuid.UUID
    joint_agency_ids: Sequence[uuid.UUID] = ()
    reason: str = ""


@dataclass(frozen=True)
class GiveFeedback:
    """The complainant's answer after closure, found by receipt code and phone digits."""

    district: uuid.UUID
    code: str
    phone4: str | None
    resolved: bool
    satisfaction: int | None = None
    comment: str = ""


# --- the rules every channel shares ------------------------------------------------


def complainant_of(cmd: SubmitComplaint) -> tuple[bool, str, str]:
    """(anonymous, name, phone) as kept. One rule for every channel: a complaint is
    anonymous when the complainant asked for it or left no phone number to answer on,
    and an anonymous complaint keeps neither name nor phone — it is never texted, and
    its receipt code alone shows its progress."""
    anonymous = cmd.anonymous or not cmd.phone
    return (True, "", "") if anonymous else (False, cmd.name, cmd.phone)


def _entry_problems(cmd: SubmitComplaint, caller: Identity | None) -> list[FieldProblem]:
    """What is wrong with what a person entered, before anything is read: times of things
    that happened set in the future, a 12345 call without its work order, a police officer
    registering under another source."""
    problems = []
    now = utcnow()
    for name, zh, en in (
        ("received_at", "来电时间", "The call's time"),
        ("occurred_at", "发生时间", "The time it happened"),
    ):
        value = getattr(cmd, name)
        if value is not None and rules.in_future(value, now):
            shown, today = (
                f"{value.astimezone(SHANGHAI):%Y-%m-%d %H:%M}",
                f"{now.astimezone(SHANGHAI):%Y-%m-%d %H:%M}",
            )
            problems.append(
                FieldProblem(
                    name,
                    f"{zh}({shown})是已经发生的事，不能晚于现在({today})。",
                    f"{en} ({shown}) is past: it cannot be after now ({today}).",
                )
            )
    if cmd.channel == rules.HOTLINE_12345 and not cmd.source_ref:
        problems.append(
            FieldProblem(
                "source_ref",
                "12345热线来电请填写工单号：同一工单再经平台推送时不会重复登记。",
                "Give the 12345 work-order number: the same order pushed later is not entered twice.",
            )
        )
    if caller is not None and police_registers(caller) and cmd.channel != "police":
        problems.append(
            FieldProblem(
                "source",
                "公安民警登记的线索来源为“公安移送”(police)。",
                "A police officer registers clues with the source police.",
            )
        )
    return problems


def police_registers(caller: Identity) -> bool:
    """The caller registers clues as the police: it holds the police role and no role that
    registers clues of every source (least privilege: it registers and reads back its
    own clues, and routes none)."""
    return "police" in caller.roles and not (caller.roles & REGISTERS_ANY_SOURCE)


def _unknown_agency(field_name: str) -> Invalid:
    zh, en = "本区没有该部门。", "No such agency in this district."
    return Invalid("unknown-agency", zh, en, fields=[FieldProblem(field_name, zh, en)])


def _not_handling(field_name: str) -> Invalid:
    zh = "该部门不受理投诉举报：请选择执法部门，或选“不确定”按问题类别分派。"
    en = "That agency does not take complaints: choose an enforcement agency, or not sure."
    return Invalid("not-handling-agency", zh, en, fields=[FieldProblem(field_name, zh, en)])


def _refused(exc: rules.RoutingError) -> Refused:
    return Refused(exc.code, exc.zh, exc.en)


def _clue_not_found() -> NotFound:
    return NotFound("not-found", "线索不存在。", "Clue not found.")


NO_MATCH = (
    "未找到该回执码，或手机尾号不符。",
    "No such receipt code, or the phone digits do not match.",
)


def no_match() -> NotFound:
    """The same answer for an unknown receipt code and wrong phone digits: no probing."""
    return NotFound("not-found", *NO_MATCH, fields=[FieldProblem("code", NO_MATCH[0], "No match.")])


def _step_words(clue: Clue) -> str:
    last = clue.steps[-1].action if clue.steps else ""
    words = {
        "accepted": "已受理",
        "transferred": "已移送其他部门办理",
        "submitted": "已提交区司法局(法制办)协调",
        "designated": "已指定承办部门",
        "case_drafted": "已转为案件，正在审查是否立案",
        "case_filed": "已立案查处",
        "case_declined": "经审查不予立案",
        "case_decided": "已作出处理决定",
        "case_closed": "案件已办结",
        "not_filed": "经核查不予立案",
        "closed": "已办结",
        "reopened": "已重新办理",
    }
    text = words.get(last, "有新的办理记录")
    if clue.outcome and last in ("closed", "not_filed"):
        text += "：" + rules.OUTCOMES[clue.outcome][0]
    return text


def get_clue(session: Session, clue_id: uuid.UUID) -> Clue:
    clue = session.execute(select(Clue).where(Clue.id == clue_id)).scalar_one_or_none()
    if clue is None:
        raise _clue_not_found()
    return clue


def readable_clue(session: Session, clue_id: uuid.UUID) -> Clue:
    """A clue by its id for a viewer: the session reaches only the clues the viewer's
    agency takes part in (kernel/db/agency_scope.py), so a clue out of reach answers
    exactly as a missing one, 404, and an id never confirms that another agency's clue
    exists."""
    return get_clue(session, clue_id)


def state_of(clue: Clue) -> rules.Clue:
    return rules.Clue(
        rules.Status(clue.status),
        str(clue.agency_id) if clue.agency_id else None,
        clue.transfers,
        tuple(clue.joint_agency_ids),
        clue.designated,
        str(clue.group_id) if clue.group_id else None,
        clue.outcome,
        clue.reopened,
    )


# --- the use cases --------------------------------------------------------------------

StoreFactory = Callable[[Transaction], IntakeStore]


def _sql_store(tx: Transaction) -> IntakeStore:
    return SqlIntakeStore(tx.session)


class Intake:
    """The intake use cases over a unit of work and a store (fakes in unit tests)."""

    def __init__(self, uow: UnitOfWork | Any = None, store: StoreFactory = _sql_store) -> None:
        self.uow = uow if uow is not None else kernel_uow.uow
        self.store = store

    # -- submit ------------------------------------------------------------------------

    def submit_complaint(self, cmd: SubmitComplaint, caller: Identity | None) -> Submitted:
        """A complaint enters the one door, on any channel, as a clue: offered to the
        agency chosen, or to the holder of its matter on the power list; with neither,
        it waits for the legal-affairs office. A matter named must be on the district's
        power list. A complainant who chose to join an open complaint about the same
        thing is merged into its group at once. Files already in the blob store are
        attached in the same commit. A clue with an outside system's id is keyed by it
        (rules.natural_ref): an inbound replay, or a 12345 work order typed by an
        operator and pushed by the 12345 platform (in either order), returns the clue
        already made."""
        if problems := _entry_problems(cmd, caller):
            raise Invalid(
                "validation-failed",
                "请求参数校验未通过，请按字段修正。",
                "Some fields are invalid; see errors.",
                fields=problems,
            )
        cmd = replace(cmd, source_ref=rules.natural_ref(cmd.channel, cmd.source_ref))
        tenant_id = caller.tenant_id if caller is not None else cmd.district
        actor = (
            caller.username if caller is not None else CHANNEL_ACTORS.get(cmd.channel, cmd.channel)
        )
        try:
            with self.uow.for_tenant(tenant_id) as tx:
                store = self.store(tx)
                if cmd.source_ref is not None:
                    existing = store.clue_from(cmd.channel, cmd.source_ref)
                    if existing is not None:
                        tx.commit()  # nothing written; the clue stays loaded for the caller
                        return Submitted(existing, False, None)
                clue = self._submit(store, cmd, actor)
                tx.commit()
                agency = store.agency_name(clue.agency_id) if clue.agency_id else None
                return Submitted(clue, True, agency)
        except IntegrityError:
            # The same inbound clue sent twice at once: the other request made it. Only
            # an outermost unit can look again (a joined one is spoilt for its caller).
            if cmd.source_ref is None or kernel_uow.current() is not None:
                raise
            with self.uow.for_tenant(tenant_id) as tx:
                existing = self.store(tx).clue_from(cmd.channel, cmd.source_ref)
                if existing is None:
                    raise
                tx.commit()
                return Submitted(existing, False, None)

    def _submit(self, store: IntakeStore, cmd: SubmitComplaint, actor: str) -> Clue:
        # A matter not on the district's power list is not a reason to lose a complaint
        # (one door: every complaint gets in): it is kept as given, and with no agency
        # holding it the clue goes to arbitration by the legal-affairs office. Open311's
        # services.json is its own contract: its shell answers an unknown service_code.
        anonymous, name, phone = complainant_of(cmd)
        fields = {
            "source": cmd.channel,
            "matter_code": cmd.matter_code,
            "description": cmd.description,
            "place": cmd.place,
            "occurred_at": cmd.occurred_at,
            "latitude": cmd.latitude,
            "longitude": cmd.longitude,
            "source_ref": cmd.source_ref,
            "received_at": cmd.received_at,
            "anonymous": anonymous,
            "complainant_name": name,
            "complainant_phone": phone,
        }
        if cmd.join is not None:
            return self._join(store, cmd, fields, actor)
        agency = None
        if cmd.agency_id is not None:
            agency = store.agency(cmd.agency_id)
            if agency is None:
                raise _unknown_agency("agency_id")
            if agency.kind not in HANDLING_KINDS:
                raise _not_handling("agency_id")
        if agency is None and cmd.matter_code:
            agency = store.holder_of(cmd.matter_code)
        clue = Clue(id=uuid.uuid4(), receipt_code=receipt_code(), **fields)
        if agency is not None:
            store.know_agency(agency)
            clue.status, clue.agency_id = rules.Status.OFFERED.value, agency.id
            clue.accept_due = store.accept_due(store.setting("clue_accept_working_days"))
            _step(clue, "offered", agency.id, "", actor, due=clue.accept_due)
        else:
            clue.status = rules.Status.ARBITRATION.value
            _step(clue, "submitted", None, "无明确承办部门，提交法制办指定", actor)
        store.add(clue)
        store.participate(clue, "offered")
        store.attach(clue.id, cmd.attachments)
        store.publish_event(integration.received(clue, _agency_code(store, clue)))
        self._notify(store, clue, "SMS_CLUE_RECEIVED")
        return clue

    def _join(self, store: IntakeStore, cmd: SubmitComplaint, fields: dict, actor: str) -> Clue:
        assert cmd.join is not None
        target = store.clue(cmd.join)
        if target is None or target.status not in OPEN:
            raise Invalid(
                "cannot-join",
                "所选投诉已办结或不存在，请直接提交新的投诉。",
                "That complaint is closed or unknown; file a new one instead.",
                fields=[
                    FieldProblem("join", "所选投诉已办结或不存在。", "Closed or unknown complaint.")
                ],
            )
        fields["matter_code"] = fields["matter_code"] or target.matter_code
        clue = Clue(
            id=uuid.uuid4(),
            receipt_code=receipt_code(),
            status=rules.Status.MERGED.value,
            outcome="merged",
            agency_id=target.agency_id,
            **fields,
        )
        group = self._group_of(store, target, actor)
        clue.group_id = group.id
        _step(clue, "joined", target.agency_id, "", actor)
        store.add(clue)
        store.participate(clue, "joined")
        store.attach(clue.id, cmd.attachments)
        self._notify(store, clue, "SMS_CLUE_MERGED")
        return clue

    # -- route, merge, designate ---------------------------------------------------------

    def route(self, cmd: RouteClue, caller: Identity) -> Clue:
        """accept / transfer / submit / close / file_case by the holding agency."""
        with self.uow.for_tenant(caller.tenant_id) as tx:
            store = self.store(tx)
            clue = self._clue(store, cmd.clue_id)
            mine = store.agency_id_of(caller.agency)
            me = str(mine) if mine else ""
            reason = cmd.reason
            try:
                if cmd.action == "accept":
                    state, template = rules.accept(state_of(clue), me), "SMS_CLUE_ACCEPTED"
                elif cmd.action == "transfer":
                    target = store.agency(cmd.to_agency_id) if cmd.to_agency_id else None
                    if target is None:
                        raise _unknown_agency("to_agency_id")
                    state = rules.transfer(state_of(clue), me, str(target.id), reason)
                    template = "SMS_CLUE_TRANSFERRED"
                elif cmd.action == "submit":
                    state = rules.submit_to_arbitration(state_of(clue), me, reason)
                    template = "SMS_CLUE_ARBITRATION"
                elif cmd.action == "file_case":
                    # no text yet: "已立案" only when the head approves the filing
                    state, template = rules.file_case(state_of(clue), me), None
                else:
                    outcome = cmd.outcome or ""
                    state = rules.close(state_of(clue), me, outcome, cmd.note)
                    reason = cmd.note
                    template = (
                        "SMS_CLUE_NOT_FILED"
                        if outcome in rules.NOT_FILED_OUTCOMES
                        else "SMS_CLUE_CLOSED"
                    )
            except rules.RoutingError as exc:
                raise _refused(exc) from exc
            if cmd.action == "transfer":
                clue.accept_due = store.accept_due(store.setting("clue_accept_working_days"))
                clue.escalated_at = None  # a new holder, a new period
            if cmd.action == "file_case":
                store.draft_case(clue, caller.username)
            action = state.history[-1].action
            self._apply(store, clue, state, action, reason, caller.username, template)
            if cmd.action == "transfer":
                clue.steps[-1].due = clue.accept_due  # the receiving agency's own period
            self._commit(tx)
            return clue

    def merge(self, cmd: MergeClue, caller: Identity) -> Clue:
        """An officer confirms that this clue is about the same thing as an open one: it
        joins that clue's group (made now if needed) and leaves every queue."""
        with self.uow.for_tenant(caller.tenant_id) as tx:
            store = self.store(tx)
            clue = self._clue(store, cmd.clue_id)
            mine = store.agency_id_of(caller.agency)
            if clue.status == rules.Status.ARBITRATION.value or clue.agency_id != mine:
                raise Refused(
                    "not-holder",
                    "只有当前承办部门可以合并此线索。",
                    "Only the agency holding the clue may merge it.",
                )
            # Only into an open clue the same agency holds: merging into another agency's
            # clue would hand the complaint over without a transfer and its reason. An
            # unknown id and another agency's clue get the same answer (neither is
            # confirmed to exist).
            lead = store.clue(cmd.into_clue_id)
            if (
                lead is None
                or lead.id == clue.id
                or lead.status not in OPEN
                or lead.agency_id != mine
            ):
                zh = "只能并入本部门承办的另一条未办结线索。"
                raise Invalid(
                    "cannot-merge",
                    zh,
                    "A clue can only be merged into another open clue its agency holds.",
                    fields=[
                        FieldProblem("into_clue_id", zh, "Not another open clue of your agency.")
                    ],
                )
            group = self._group_of(store, lead, caller.username)
            try:
                state = rules.merge(state_of(clue), str(group.id))
            except rules.RoutingError as exc:
                raise _refused(exc) from exc
            if clue.group_id is not None and clue.group_id != group.id:
                # Complainants who had joined this clue follow it into the larger group.
                for member in store.members(clue):
                    member.group_id = group.id
            clue.group_id = group.id
            self._apply(
                store, clue, state, "merged", lead.receipt_code, caller.username, "SMS_CLUE_MERGED"
            )
            self._commit(tx)
            return clue

    def designate(self, cmd: DesignateHandler, caller: Identity) -> Clue:
        """The legal-affairs office designates the handler (and joint agencies) of a clue
        no agency would take."""
        with self.uow.for_tenant(caller.tenant_id) as tx:
            store = self.store(tx)
            clue = self._clue(store, cmd.clue_id)
            handler = store.agency(cmd.handler_agency_id)
            if handler is None:
                raise _unknown_agency("handler_agency_id")
            joint = []
            for agency_id in cmd.joint_agency_ids:
                agency = store.agency(agency_id)
                if agency is None:
                    raise _unknown_agency("joint_agency_ids")
                joint.append(str(agency.id))
            try:
                state = rules.designate(state_of(clue), str(handler.id), tuple(joint), cmd.reason)
            except rules.RoutingError as exc:
                raise _refused(exc) from exc
            self._apply(
                store,
                clue,
                state,
                "designated",
                cmd.reason,
                caller.username,
                "SMS_CLUE_DESIGNATED",
            )
            self._commit(tx)
            return clue

    # -- the complainant's feedback, the hourly escalation ----------------------------------

    def give_feedback(self, cmd: GiveFeedback) -> Clue:
        """The complainant's answer after closure: a rating, and "not resolved" within
        the district's period reopens the clue with the same owner."""
        with self.uow.for_tenant(cmd.district) as tx:
            store = self.store(tx)
            clue = store.clue_for_complainant(cmd.code, cmd.phone4)
            if clue is None:
                raise no_match()
            target = store.clue(store.lead_of(clue)) if clue.group_id else clue
            assert target is not None
            if (
                target.status != rules.Status.CLOSED.value
                or target.closed_at is None
                or target.outcome in rules.CASE_UNDER_WAY
            ):
                raise Conflict(
                    "not-closed",
                    "投诉尚未办结，办结后才能评价。",
                    "The complaint is not closed yet; feedback comes after closure.",
                )
            days = store.setting("clue_feedback_days")
            closed = target.closed_at
            closed = closed if closed.tzinfo else closed.replace(tzinfo=dt.UTC)
            if utcnow() - closed > dt.timedelta(days=days):
                raise Conflict(
                    "feedback-period-over",
                    f"办结已超过{days}日，不能再反馈；如有新问题请重新投诉。",
                    f"More than {days} days have passed since closure; file a new complaint instead.",
                )
            if cmd.satisfaction is not None:
                clue.satisfaction = cmd.satisfaction
                _step(clue, "rated", None, str(cmd.satisfaction), "public")
            if not cmd.resolved:
                try:
                    state = rules.reopen(
                        state_of(target), cmd.comment.strip() or "投诉人反馈问题未解决"
                    )
                except rules.RoutingError as exc:
                    raise _refused(exc) from exc
                reason = state.history[-1].reason
                self._apply(store, target, state, "reopened", reason, "public", "SMS_CLUE_REOPENED")
            self._commit(tx)
            return clue

    def escalate_overdue(self, tenant_id: uuid.UUID, today: dt.date | None = None) -> list[Clue]:
        """Offered clues not accepted by their deadline are escalated once: marked,
        recorded in their history, shown first in the inbox and to the legal-affairs
        office."""
        today = today or clock.today()
        with self.uow.for_tenant(tenant_id) as tx:
            store = self.store(tx)
            overdue = store.overdue(today)
            for clue in overdue:
                clue.escalated_at = utcnow()
                reason = f"受理期限{clue.accept_due:%Y-%m-%d}已过"
                _step(clue, "escalated", clue.agency_id, reason, "system")
            tx.commit()
            return overdue

    # -- shared steps ---------------------------------------------------------------------

    @staticmethod
    def _clue(store: IntakeStore, clue_id: uuid.UUID) -> Clue:
        clue = store.clue(clue_id)
        if clue is None:
            raise _clue_not_found()
        return clue

    @staticmethod
    def _commit(tx: Transaction) -> None:
        try:
            tx.commit()
        except StaleDataError as exc:
            raise Conflict(
                "concurrent-change",
                "线索刚被他人处理，请刷新后重试。",
                "Someone else just acted on this clue; reload and retry.",
            ) from exc

    def _apply(
        self,
        store: IntakeStore,
        clue: Clue,
        state: rules.Clue,
        action: str,
        reason: str,
        actor: str,
        template: str | None,
    ) -> None:
        clue.status, clue.transfers, clue.designated = (
            state.status.value,
            state.transfers,
            state.designated,
        )
        clue.agency_id = uuid.UUID(state.agency) if state.agency else None
        clue.joint_agency_ids = list(state.joint)
        clue.outcome, clue.reopened = state.outcome, state.reopened
        clue.closed_at = utcnow() if state.status == rules.Status.CLOSED else None
        _step(clue, action, clue.agency_id, reason, actor)
        store.participate(clue, action)
        _publish_answer(store, clue, action, reason)
        if template:
            self._notify(store, clue, template)

    @staticmethod
    def _group_of(store: IntakeStore, lead: Clue, actor: str) -> ClueGroup:
        if lead.group_id is not None:
            group = store.group(lead.group_id)
            assert group is not None
            return group
        group = ClueGroup(
            id=uuid.uuid4(), lead_clue_id=lead.id, matter_code=lead.matter_code, confirmed_by=actor
        )
        store.add(group)
        lead.group_id = group.id
        return group

    def _notify(self, store: IntakeStore, clue: Clue, template: str) -> None:
        """Text the complainant through the outbox (never inline); anonymous: nothing.
        When the clue leads a group, every complainant who joined it is told the group
        moved."""
        outcome = rules.OUTCOMES.get(clue.outcome or "", ("", ""))[0]
        params = {
            "code": clue.receipt_code,
            "agency": store.agency_name(clue.agency_id) if clue.agency_id else "区司法局(法制办)",
            "outcome": outcome,
            "days": str(store.setting("clue_feedback_days")),
        }
        _send(store, clue, template, params, f"clue:{clue.id}:{len(clue.steps)}:{template}")
        if clue.group_id is None or template == "SMS_CLUE_MERGED":
            return
        for member in store.members(clue):
            _send(
                store,
                member,
                "SMS_GROUP_MOVED",
                {"code": member.receipt_code, "step": _step_words(clue)},
                f"clue:{member.id}:group:{clue.id}:{len(clue.steps)}",
            )


def _agency_code(store: IntakeStore, clue: Clue) -> str:
    agency = store.agency(clue.agency_id) if clue.agency_id else None
    return agency.code if agency is not None else ""


def _publish_answer(store: IntakeStore, clue: Clue, step: str, reason: str) -> None:
    event = integration.answered(clue, step, _agency_code(store, clue), reason)
    if event is not None:
        store.publish_event(event)


def _send(store: IntakeStore, clue: Clue, template: str, params: dict, key: str) -> None:
    if clue.complainant_phone and not clue.anonymous:
        payload = {"to": clue.complainant_phone, "template": template, "params": params}
        store.publish_sms(template, payload, key)


intake = Intake()
"""The use cases as the application runs them (the kernel's unit of work, SQL store)."""


def case_of(session: Session, clue_id: uuid.UUID) -> Case | None:
    return session.execute(select(Case).where(Case.clue_id == clue_id)).scalar_one_or_none()


def duplicate_candidates(
    session: Session, clue: Clue, held_by: uuid.UUID | None = None
) -> list[tuple[Clue, duplicates.Match]]:
    """Open clues that look like the same thing as this one (proposals for an officer),
    among those the viewer reaches (agency_scope: an agency's officer is never shown
    another agency's), and held by `held_by` when given (the ones the holder may merge
    into)."""
    window = setting(session, "clue_duplicate_window_days")
    since = clue.created_at - dt.timedelta(days=window)
    query = select(Clue).where(
        Clue.id != clue.id,
        Clue.matter_code == clue.matter_code,
        Clue.status.in_(OPEN),
        Clue.created_at >= since,
    )
    if held_by is not None:
        query = query.where(Clue.agency_id == held_by)
    others = session.execute(query).scalars().all()
    by_id = {str(o.id): o for o in others}
    found = duplicates.proposals(_complaint(clue), [_complaint(o) for o in others], window)
    return [(by_id[m.id], m) for m in found]


def _complaint(clue: Clue) -> duplicates.Complaint:
    return duplicates.Complaint(
        str(clue.id),
        clue.matter_code,
        clue.place,
        clue.description,
        clue.created_at,
        clue.latitude,
        clue.longitude,
    )


def nearby_open(
    session: Session,
    matter_code: str,
    place: str,
    latitude: float | None = None,
    longitude: float | None = None,
    limit: int = 5,
) -> list[Clue]:
    """What a citizen is shown before filing: open complaints of the same matter near
    the same place (the caller shows matter, place and status only)."""
    probe = duplicates.Complaint("", matter_code, place, "", utcnow(), latitude, longitude)
    since = utcnow() - dt.timedelta(days=setting(session, "clue_duplicate_window_days") * 4)
    rows = (
        session.execute(
            select(Clue)
            .where(
                Clue.matter_code == matter_code,
                Clue.status.in_(OPEN),
                Clue.created_at >= since,
            )
            .order_by(Clue.created_at.desc())
            .limit(200)
        )
        .scalars()
        .all()
    )
    return [c for c in rows if duplicates.is_near(probe, _complaint(c))][:limit]


def _lead_id(session: Session, clue: Clue) -> uuid.UUID:
    return session.execute(
        select(ClueGroup.lead_clue_id).where(ClueGroup.id == clue.group_id)
    ).scalar_one()


def agency_figures(session: Session) -> list[dict]:
    """What supervision counts per agency: received, accepted, escalated for lateness,
    reopened because the complainant was not satisfied, and the average rating."""
    step_counts = dict(
        session.execute(
            select(ClueStep.agency_id, func.count())
            .where(ClueStep.action.in_(("offered", "transferred", "designated")))
            .group_by(ClueStep.agency_id)
        ).all()
    )
    rows = session.execute(
        select(
            ClueStep.agency_id,
            ClueStep.action,
            func.count(),
        )
        .where(ClueStep.action.in_(("accepted", "escalated", "reopened")))
        .group_by(ClueStep.agency_id, ClueStep.action)
    ).all()
    counts: dict = {}
    for agency_id, action, n in rows:
        counts.setdefault(agency_id, {})[action] = n
    ratings = dict(
        session.execute(
            select(Clue.agency_id, func.avg(Clue.satisfaction))
            .where(Clue.satisfaction.is_not(None))
            .group_by(Clue.agency_id)
        ).all()
    )
    agencies = session.execute(select(Agency.id, Agency.code, Agency.name).order_by(Agency.code))
    return [
        {
            "agency_id": agency_id,
            "agency_code": code,
            "agency": name,
            "received": step_counts.get(agency_id, 0),
            "accepted": counts.get(agency_id, {}).get("accepted", 0),
            "escalated": counts.get(agency_id, {}).get("escalated", 0),
            "reopened": counts.get(agency_id, {}).get("reopened", 0),
            "satisfaction": round(float(ratings[agency_id]), 2) if agency_id in ratings else None,
        }
        for agency_id, code, name in agencies
    ]


def queue_query(status: str | None = None) -> Select:
    """The clues of an agency's inbox and handling queue — those the viewer reaches
    (agency_scope: what its agency takes part in, the district's for district-wide
    readers, what a hotline operator entered) — overdue first."""
    query = select(Clue).order_by(
        Clue.escalated_at.is_(None), Clue.accept_due.is_(None), Clue.accept_due, Clue.created_at
    )
    if status:
        query = query.where(Clue.status == status)
    return query


# What the complainant reads for each step (never an officer's name or another citizen's data).
PUBLIC_STEPS: dict[str, tuple[str, str]] = {
    "offered": ("已分派至承办部门", "Sent to the handling agency"),
    "accepted": ("已受理", "Accepted"),
    "transferred": ("已移送其他部门", "Transferred to another agency"),
    "submitted": ("已提交法制办协调", "Submitted to the legal-affairs office"),
    "designated": ("法制办已指定承办部门", "Handling agency designated"),
    "escalated": ("超过受理期限，已督办", "Overdue for acceptance; escalated"),
    "case_drafted": (
        "已转为案件，正在审查是否立案",
        "Turned into a case; filing under review",
    ),
    "case_filed": ("已立案查处", "A case was filed"),
    "case_declined": ("经审查不予立案", "Examined and not filed as a case"),
    "case_decided": ("已作出处理决定", "A decision was made"),
    "case_closed": ("案件已办结", "The case is closed"),
    "not_filed": ("经核查不予立案", "Not filed after checking"),
    "closed": ("已办结", "Closed"),
    "merged": ("已与同一事项的投诉合并办理", "Merged with complaints about the same thing"),
    "joined": ("已加入同一事项的投诉一并办理", "Joined a complaint about the same thing"),
    "reopened": ("投诉人反馈未解决，已重新办理", "Reopened: the complainant said not resolved"),
}
PUBLIC_STATUS: dict[str, tuple[str, str]] = {
    "offered": ("待受理", "Waiting for acceptance"),
    "accepted": ("办理中", "Being handled"),
    "arbitration": ("法制办协调中", "With the legal-affairs office"),
    "closed": ("已办结", "Closed"),
    "merged": ("合并办理中", "Handled with the same complaints"),
    # a clue turned into a case, while the case is under way (rules.CASE_UNDER_WAY)
    "case_review": ("立案审查中", "Filing under review"),
    "case_filed": ("案件办理中", "A case is being handled"),
}


def progress(session: Session, clue: Clue) -> dict:
    """The complainant's view: each step with its time and agency; a complaint handled
    with its group also shows the lead clue's steps since it joined."""
    names = dict(session.execute(select(Agency.id, Agency.name)).all())
    steps = [st for st in clue.steps if st.action in PUBLIC_STEPS]
    shown = clue
    if clue.group_id is not None and clue.status == rules.Status.MERGED.value:
        lead = session.get(Clue, _lead_id(session, clue))
        if lead is not None and lead.id != clue.id:
            since = steps[-1].at if steps else clue.created_at
            steps += [
                st
                for st in lead.steps
                if st.action in PUBLIC_STEPS and st.action != "merged" and st.at >= since
            ]
            shown = lead
    feedback_until = None
    under_way = shown.outcome in rules.CASE_UNDER_WAY
    if shown.status == rules.Status.CLOSED.value and shown.closed_at is not None and not under_way:
        if shown.outcome in rules.REOPENABLE or clue.satisfaction is None:
            feedback_until = (
                shown.closed_at.astimezone(SHANGHAI)
                if shown.closed_at.tzinfo
                else shown.closed_at.replace(tzinfo=dt.UTC).astimezone(SHANGHAI)
            ).date() + dt.timedelta(days=setting(session, "clue_feedback_days"))
    outcome = rules.OUTCOMES.get(shown.outcome or "") if shown.outcome != "merged" else None
    status = shown.status if shown is not clue else clue.status
    if under_way and status == rules.Status.CLOSED.value:
        status, outcome = shown.outcome or "", None
    dues = [st.due for st in sorted(clue.steps, key=lambda st: st.at) if st.due is not None]
    return {
        "receipt_code": clue.receipt_code,
        "status": status,
        "status_label": PUBLIC_STATUS[status][0],
        "status_label_en": PUBLIC_STATUS[status][1],
        "outcome": outcome[0] if outcome else None,
        "outcome_en": outcome[1] if outcome else None,
        "feedback_until": feedback_until,
        "reopenable": shown.outcome in rules.REOPENABLE,
        "satisfaction": clue.satisfaction,
        # the acceptance deadline first promised, whoever holds the complaint now
        "promised_accept_by": dues[0] if dues else None,
        "steps": [
            {
                "step": _public_step(st)[0],
                "step_en": _public_step(st)[1],
                "agency": names.get(st.agency_id),
                "at": st.at,
                "accept_by": st.due,
            }
            for st in sorted(steps, key=lambda st: st.at)
        ],
    }


def _public_step(st: ClueStep) -> tuple[str, str]:
    """A step in the complainant's words; what the case came to is said in plain words
    (case_words), never as the reason an officer wrote."""
    zh, en = PUBLIC_STEPS[st.action]
    if st.action in CASE_STEP_WORDS and st.reason in CASE_WORDS_EN:
        return f"{zh}：{st.reason}", f"{en}: {CASE_WORDS_EN[st.reason]}"
    return zh, en


# --- what became of the case made from a clue (the case engine's events) ---------------

# Why the head declined to file, and what was decided, as the complainant reads them:
# plain words for the grounds of cases.contracts.NOT_FILING_GROUNDS and the outcomes of
# 处罚法 第五十七条第一款 (cases.contracts.DECISION_KINDS). No name, no article number.
NOT_FILED_WORDS: dict[str, tuple[str, str]] = {
    "no_violation": ("没有发现违法行为", "no violation was found"),
    "minor_corrected": (
        "违法行为轻微并已及时改正，没有造成危害后果",
        "the violation was minor, corrected at once and did no harm",
    ),
    "first_minor_corrected": (
        "属初次违法，危害后果轻微并已及时改正",
        "a first offence with slight harm, corrected at once",
    ),
    "no_fault": ("有证据证明没有主观过错", "there is proof of no fault"),
    "not_our_jurisdiction": ("不属于本部门管辖", "it is not this agency's matter"),
    "time_barred": ("已超过法律规定的追究期限", "the time the law allows to act has passed"),
    "other": ("依法不符合立案条件", "the conditions the law sets for a case are not met"),
}
DECIDED_WORDS: dict[str, tuple[str, str]] = {
    "penalty": ("依法给予行政处罚", "a penalty was imposed"),
    "no_penalty": (
        "违法行为轻微并已改正，依法不予处罚，已对当事人进行教育",
        "minor and corrected: no penalty, the party was educated",
    ),
    "not_established": ("经调查违法事实不能成立，不予处罚", "the violation was not established"),
    "transfer": ("涉嫌犯罪，已移送司法机关处理", "a suspected crime, sent to the judicial organs"),
}
CASE_STEP_WORDS = ("case_declined", "case_decided")
CASE_WORDS_EN = {zh: en for zh, en in (*NOT_FILED_WORDS.values(), *DECIDED_WORDS.values())}
# topic → (the clue's step, its text message, the clue's outcome after it or None to keep)
CASE_EVENTS: dict[str, tuple[str, str, str | None]] = {
    "case.filed": ("case_filed", "SMS_CLUE_CASE_FILED", "case_filed"),
    "case.not_filed": ("case_declined", "SMS_CLUE_CASE_NOT_FILED", "case_declined"),
    "case.decided": ("case_decided", "SMS_CLUE_CASE_DECIDED", None),
    "case.closed": ("case_closed", "SMS_CLUE_CASE_CLOSED", "case_closed"),
}


def follow_case(session: Session, event: Mapping[str, Any], *, topic: str) -> Clue | None:
    """The case made from a clue was filed, declined, decided or closed (the case engine
    announced it, kernel/events.py): a step on the clue's progress and one text message
    to its complainant (and to those who joined it), in the case's transaction. The
    message is keyed by the case and the step: told once, however often it is retried."""
    if topic not in CASE_EVENTS or not event.get("clue_id"):
        return None
    store = SqlIntakeStore(session)
    with all_agencies():  # the engine's act, not the viewer's read: the clue it came from
        clue = store.clue(uuid.UUID(str(event["clue_id"])))
    if clue is None:
        return None
    action, template, outcome = CASE_EVENTS[topic]
    words = ("", "")
    if topic == "case.not_filed":
        words = NOT_FILED_WORDS.get(str(event.get("ground")), NOT_FILED_WORDS["other"])
    elif topic == "case.decided":
        words = DECIDED_WORDS.get(str(event.get("outcome")), DECIDED_WORDS["penalty"])
    if outcome is not None:
        clue.outcome = outcome
    if outcome in ("case_declined", "case_closed"):
        clue.closed_at = utcnow()  # the complainant's feedback period runs from here
    _step(clue, action, clue.agency_id, words[0], "system")
    with all_agencies():
        _publish_answer(store, clue, action, words[0])
    params = {
        "code": clue.receipt_code,
        "agency": store.agency_name(clue.agency_id) if clue.agency_id else "区司法局(法制办)",
        "outcome": words[0],
        "days": str(store.setting("clue_feedback_days")),
    }
    _send(store, clue, template, params, f"clue:{clue.id}:case:{event['case_id']}:{action}")
    if clue.group_id is not None:
        for member in store.members(clue):
            _send(
                store,
                member,
                "SMS_GROUP_MOVED",
                {"code": member.receipt_code, "step": _step_words(clue)},
                f"clue:{member.id}:group:{clue.id}:case:{event['case_id']}:{action}",
            )
    session.flush()
    return clue
