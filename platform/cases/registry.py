"""The case actions: the one registry, assembled here from the declarations beside the
handlers, and `act`, the one write path.

Each action is declared once, above its handler (`@declare`, procedure/declaring.py), in
one of the handler modules named in `MODULES`. Nothing registers itself on import: this
module reads the declarations of those modules, and every table is derived from them —
where each action is allowed (`TABLE`, `WHERE`), its name (`ACTION_NAMES`), its body
(`ACTION_SCHEMAS`), its role (`ROLE`), its handler (`HANDLERS`), its documents
(`DOCUMENTS`) — for the engine, the API and its OpenAPI description, and the console.

The write path raises the kernel's domain errors (NotFound, Conflict, Refused): the
app's one handler turns them into the same problem+json as before, and a worker or a
gateway handler can call `act` too.

To add an action: declare it and write its handler in the module its meaning belongs to
(a new handler module is added to `MODULES`). `incomplete` names what a declaration
lacks; the import fails on any, and so does a unit test.
"""

from __future__ import annotations

import datetime as dt
from types import ModuleType

import marshmallow as ma
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from yimen.platform.cases import contracts, integration
from yimen.platform.cases.documents import issuing as documents
from yimen.platform.cases.execution import actions as execution
from yimen.platform.cases.law import applied as deadlines
from yimen.platform.cases.law import entered_dates
from yimen.platform.cases.law import flags as law_flags
from yimen.platform.cases.measures import compulsory, preservation
from yimen.platform.cases.procedure import general, outcomes, parties, rules, simple
from yimen.platform.cases.procedure.declaring import ActionSpec, Handler, Role
from yimen.platform.cases.procedure.general import Ctx, reviewer_may_not_investigate
from yimen.platform.cases.record import log as events
from yimen.platform.cases.record.model import Case
from yimen.platform.cases.schemas import body_schema
from yimen.platform.cases.service import (
    _check_version,
    _commit,
    concurrent_change,
    definition_of,
    refused,
    today,
    view_of,
)
from yimen.platform.kernel import events as kernel_events
from yimen.platform.kernel.errors import Conflict, FieldProblem, NotFound, Refused
from yimen.platform.kernel.identity import Identity
from yimen.tenants.calendar.service import working_calendar

# The handler modules, in the order the console and the API list the actions.
MODULES: tuple[ModuleType, ...] = (
    general,
    outcomes,
    simple,
    compulsory,
    preservation,
    execution,
    parties,
)


def declared_in(module: ModuleType) -> list[ActionSpec]:
    """The actions a handler module declares (not those it imports), in its order."""
    return [
        value
        for value in vars(module).values()
        if isinstance(value, ActionSpec) and value.module == module.__name__
    ]


def incomplete(spec: ActionSpec) -> list[str]:
    """What a declaration lacks or gets wrong ([] when complete)."""
    found = []
    if not spec.name or spec.name != spec.name.strip().lower() or " " in spec.name:
        found.append("name")
    if not spec.label_zh.strip():
        found.append("label_zh")
    if not spec.label_en.strip():
        found.append("label_en")
    if spec.stages is None:
        found.append("stages")  # () is "any stage", said on purpose
    elif unknown := [s for s in spec.stages if s not in rules.STAGE_NAMES]:
        found.append(f"stages: no such stage {unknown}")
    if not spec.statuses:
        found.append("statuses")
    elif unknown := [s for s in spec.statuses if s not in rules.STATUS_NAMES]:
        found.append(f"statuses: no such status {unknown}")
    if spec.handler is None or not callable(spec.handler):
        found.append("handler")
    if spec.body is None:
        found.append("body")  # {} for an action that takes nothing
    elif bad := [n for n, f in spec.body.items() if not isinstance(f, ma.fields.Field)]:
        found.append(f"body: not a field {bad}")
    if spec.guard is not None and not callable(spec.guard):
        found.append("guard")
    if spec.role is not None and (len(spec.role) != 3 or not all(spec.role)):
        found.append("role")
    for kind in spec.documents:
        if kind not in documents.KINDS:
            found.append(f"documents: no such kind {kind}")
        elif not (documents.TEMPLATES / documents.KINDS[kind].template).exists():
            found.append(f"documents: no template for {kind}")
    fields = set(spec.body or {})
    if stray := sorted((set(spec.form) | set(spec.choices)) - fields):
        found.append(f"form: no such field {stray}")
    return found


def _collect() -> dict[str, ActionSpec]:
    specs: dict[str, ActionSpec] = {}
    for module in MODULES:
        for spec in declared_in(module):
            if spec.name in specs:
                raise RuntimeError(f"case action {spec.name} declared twice")
            if lacks := incomplete(spec):
                raise RuntimeError(f"case action {spec.name} is incomplete: {lacks}")
            specs[spec.name] = spec
    return specs


SPECS: dict[str, ActionSpec] = _collect()

# --- derived views (the old tables' names, read by the engine, the API, the console) --
TABLE: dict[str, rules.Where] = {
    name: rules.Where(spec.stages or (), spec.statuses, spec.label_zh, spec.while_suspended)
    for name, spec in SPECS.items()
}
WHERE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    name: (where.stages, where.statuses) for name, where in TABLE.items()
}
ACTION_NAMES: dict[str, str] = {name: spec.label_zh for name, spec in SPECS.items()}
ACTION_SCHEMAS: dict[str, type[ma.Schema]] = {
    name: body_schema(name, dict(spec.body or {})) for name, spec in SPECS.items()
}
HANDLERS: dict[str, Handler] = {name: spec for name, spec in SPECS.items()}
# Actions that need a role beyond cases.handle.
ROLE: dict[str, Role] = {name: spec.role for name, spec in SPECS.items() if spec.role}
DOCUMENTS: dict[str, tuple[str, ...]] = {name: spec.documents for name, spec in SPECS.items()}


def check_where(name: str, case: rules.CaseView) -> None:
    """rules.check_where for a declared action, then its declaration's guard."""
    rules.check_where(name, case, TABLE[name])
    if (refusal := guarded(name, case)) is not None:
        raise refusal


def allowed_actions(definition: rules.Definition, case: rules.CaseView) -> list[str]:
    """rules.allowed_actions over the declared actions, less those their guard refuses."""
    found = rules.allowed_actions(definition, case, TABLE)
    return [name for name in found if guarded(name, case) is None]


def guarded(name: str, case: rules.CaseView) -> rules.Refusal | None:
    guard = SPECS[name].guard
    return guard(case) if guard is not None else None


# What a guard holding a document's action back waits for: the action that supplies it.
WAITS_FOR = {
    "penalty-not-proposed": "propose_penalty",  # 处罚法 第四十四条
    "payment-period-running": "record_payment",  # 处罚法 第六十七条第三款
}


def issuing_step(kind: str, case: rules.CaseView, allowed: list[str]) -> str | None:
    """Of the `allowed` actions, the one that issues document `kind` now (a 笔录 is made
    by 制作笔录), or what the issuing action's guard waits for; None if neither is
    allowed. The console's next step and the workbench both ask this."""
    issuing = [a for a in allowed if kind in DOCUMENTS.get(a, ())]
    if issuing:
        return issuing[0]
    if kind.endswith("笔录") and "add_record" in allowed:
        return "add_record"
    for name, kinds in DOCUMENTS.items():
        waits = kind in kinds and guarded(name, case)
        if waits and WAITS_FOR.get(waits.rule) in allowed:
            return WAITS_FOR[waits.rule]
    return None


# --- the one write path -----------------------------------------------------------------


def act(
    session: Session,
    case: Case,
    name: str,
    data: dict,
    identity: Identity,
    version: int | None = None,
) -> Case:
    if name not in HANDLERS:
        raise NotFound("unknown-action", "没有这个办案操作。", f"No action named {name}.")
    client_id = data.pop("client_id", None)
    if client_id and (done := events.find_by_client_id(session, client_id)) is not None:
        if done.case_id == case.id and done.kind == name:
            return case  # a record synced again from the mobile app: already in the chain
        raise Conflict(
            "client-id-reused",
            "该离线记录编号已用于其他操作。",
            "This offline record id was already used for another action.",
        )
    _check_version(case, version)
    try:
        return _act(session, case, name, data, identity, client_id)
    except StaleDataError as exc:
        session.rollback()
        raise concurrent_change() from exc


def _act(session, case, name, data, identity, client_id) -> Case:
    deadlines.fill_dates(session, case)  # a period whose year has been loaded since
    view = view_of(session, case, documents.issued_kinds(session, case.id))
    definition = definition_of(session, case)
    stage = case.stage
    try:
        rules.check_where(name, view, TABLE[name])
        if name in ROLE and ROLE[name][0] not in identity.roles:
            raise rules.role_refusal(name, ROLE[name])
        _check_entered_dates(session, case, name, data)  # what was entered is wrong: 422
        if (refusal := guarded(name, view)) is not None:  # then "not yet" (409)
            raise refusal
        reviewer_may_not_investigate(session, case, name, identity)
        ctx = Ctx(session, case, data, identity, view, definition)
        payload, to_issue = HANDLERS[name](ctx)
    except rules.Refusal as exc:
        session.rollback()
        raise refused(exc) from exc
    for kind, context in to_issue:
        document = documents.issue(session, case, kind, context, identity.username)
        payload.setdefault("documents", []).append(documents.entry(document))
        if kind == general.DECISION_DOCUMENT and case.decision is not None:
            case.decision.number = document.number  # 第五十九条: the decision's 文号
    if ctx.measure is not None and "documents" in payload:
        ctx.measure.documents = list(payload["documents"])  # what was issued on the measure
    flag_modified(case, "details")
    events.append(session, case, name, stage, identity.username, payload, client_id)
    deadlines.refresh(session, case)
    law_flags.sweep(session, case)
    _announce(session, case, name, payload, stage)
    return _commit(session, case)


def _announce(session: Session, case: Case, name: str, payload: dict, stage_before: str) -> None:
    """Tell the features that follow cases (the one door: the complainant) that this case
    was filed, declined, decided or closed — in this transaction (contracts.py); and the
    systems outside, through the gateway (integration.py)."""
    integration.publish_for(session, case, name, stage_before, payload)
    topic = contracts.ANNOUNCED_BY.get(name)
    if topic is None:
        return
    event: dict = {
        "case_id": str(case.id),
        "clue_id": str(case.clue_id) if case.clue_id else None,
        "agency_id": str(case.agency_id),
        "on": today().isoformat(),
    }
    if topic == contracts.CASE_NOT_FILED:
        event["ground"] = payload.get("ground", "other")
    elif topic == contracts.CASE_DECIDED:
        # decide and decide_on_spot penalise; the others carry the head's chosen outcome
        outcome = (case.details or {}).get("outcome") or {}
        penalised = name in ("decide", "decide_on_spot")
        event["outcome"] = "penalty" if penalised else outcome.get("kind", "penalty")
    kernel_events.announce(session, topic, event)


def _check_entered_dates(session: Session, case: Case, name: str, data: dict) -> None:
    """The dates the body enters, against the record and today (law/entered_dates.py),
    before the handler runs: a refusal is a 422 naming the field, the bound, the article."""
    found = entered_dates.check(
        name,
        data,
        entered_dates.record_of(case, data),
        dt.datetime.now(dt.UTC),
        lambda: working_calendar(session),
    )
    if found is None:
        return
    article = f" ({found.article})" if found.article else ""
    raise Refused(
        found.code,
        found.zh,
        found.en,
        article=found.article,
        on_input=True,
        fields=[FieldProblem(found.field, found.zh + article, found.en + article)],
        extra={"bound": found.bound},
    )
