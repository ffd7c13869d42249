"""Publishing library versions and overrides, and resolving what a case runs under."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yimen.platform.kernel.db.tenancy import current_tenant_id
from yimen.platform.kernel.directory import Agency
from yimen.platform.kernel.errors import FieldProblem, Invalid, NotFound
from yimen.tenants.workflow.contracts import PublishLibrary, PublishOverride
from yimen.tenants.workflow.model import WorkflowDefinition, WorkflowOverride
from yimen.tenants.workflow.rules import check_against_statute, fingerprint, resolve
from yimen.tenants.workflow.statutory import KINDS, LIBRARY_V1


def _refuse(violations) -> Invalid:
    first = violations[0]
    return Invalid(
        "statutory-step",
        first.zh,
        first.en,
        fields=[FieldProblem("definition", v.zh, v.en) for v in violations],
        extra={"rules": [v.rule for v in violations]},
    )


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise NotFound("not-found", f"没有程序「{kind}」。", f"No procedure '{kind}'.")
    return kind


def seed_library(session: Session) -> int:
    present = set(
        session.execute(
            select(WorkflowDefinition.kind).where(WorkflowDefinition.version == 1)
        ).scalars()
    )
    new = [
        WorkflowDefinition(
            kind=d["kind"],
            version=1,
            definition=d,
            note="法定最低要求 / statutory floor",
            published_by="system",
        )
        for d in LIBRARY_V1
        if d["kind"] not in present
    ]
    session.add_all(new)
    session.commit()
    return len(new)


def library_version(session: Session, kind: str, version: int | None = None) -> WorkflowDefinition:
    query = select(WorkflowDefinition).where(WorkflowDefinition.kind == _kind(kind))
    query = (
        query.where(WorkflowDefinition.version == version)
        if version
        else query.order_by(WorkflowDefinition.version.desc())
    )
    found = session.execute(query.limit(1)).scalar_one_or_none()
    if found is None:
        raise NotFound("not-found", f"程序「{kind}」没有该版本。", f"No such version of '{kind}'.")
    return found


def publish_library(session: Session, command: PublishLibrary, actor: str) -> WorkflowDefinition:
    """A new library version; it must keep the statutory floor."""
    kind, note = command.kind, command.note
    definition = {**command.definition, "kind": _kind(kind)}
    violations = check_against_statute(definition)
    if violations:
        raise _refuse(violations)
    latest = library_version(session, kind).version
    entry = WorkflowDefinition(
        kind=kind, version=latest + 1, definition=definition, note=note, published_by=actor
    )
    session.add(entry)
    session.flush()
    return entry


def latest_override(
    session: Session, kind: str, agency_id: uuid.UUID | None
) -> WorkflowOverride | None:
    query = select(WorkflowOverride).where(WorkflowOverride.kind == kind)
    query = query.where(
        WorkflowOverride.agency_id == agency_id
        if agency_id
        else WorkflowOverride.agency_id.is_(None)
    )
    return (
        session.execute(query.order_by(WorkflowOverride.version.desc()).limit(1)).scalars().first()
    )


def publish_override(session: Session, command: PublishOverride, actor: str) -> WorkflowOverride:
    """A district (agency_id None) or agency delta; refused, with nothing written, if the
    resolved definition would remove or weaken a statutory step."""
    kind, agency_id, note = command.kind, command.agency_id, command.note
    delta = dict(command.delta)
    _kind(kind)
    if (
        agency_id
        and session.execute(select(Agency.id).where(Agency.id == agency_id)).scalar() is None
    ):
        raise Invalid(
            "unknown-agency",
            "本区没有该部门。",
            "No such agency in this district.",
            fields=[
                FieldProblem("agency_id", "本区没有该部门。", "No such agency in this district.")
            ],
        )
    library = library_version(session, kind).definition
    district = None if agency_id is None else latest_override(session, kind, None)
    resolved = (
        resolve(library, delta, None)
        if agency_id is None
        else resolve(library, district and district.delta, delta)
    )
    violations = check_against_statute(resolved)
    if violations:
        raise _refuse(violations)
    version = (
        session.execute(
            select(func.max(WorkflowOverride.version)).where(
                WorkflowOverride.kind == kind,
                WorkflowOverride.agency_id == agency_id
                if agency_id
                else WorkflowOverride.agency_id.is_(None),
            )
        ).scalar()
        or 0
    ) + 1
    entry = WorkflowOverride(
        kind=kind, agency_id=agency_id, version=version, delta=delta, note=note, published_by=actor
    )
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class Effective:
    """What a case of `kind` at an agency runs under; `key` pins it for the case's life."""

    kind: str
    key: str
    library_version: int
    district_version: int | None
    agency_version: int | None
    definition: dict
    fingerprint: str


def _effective(session, kind, agency_id, lib: WorkflowDefinition, district, agency) -> Effective:
    definition = resolve(lib.definition, district and district.delta, agency and agency.delta)
    key = f"{kind}:L{lib.version}:D{district.version if district else 0}:A{agency.version if agency else 0}:{agency_id or '-'}"
    return Effective(
        kind,
        key,
        lib.version,
        district and district.version,
        agency and agency.version,
        definition,
        fingerprint(definition),
    )


def effective_for(session: Session, agency_id: uuid.UUID, kind: str) -> Effective:
    """The newest library version, district override and agency override, resolved."""
    lib = library_version(session, kind)
    return _effective(
        session,
        kind,
        agency_id,
        lib,
        latest_override(session, kind, None),
        latest_override(session, kind, agency_id),
    )


_pinned: dict[tuple[str, uuid.UUID | None, str], Effective] = {}
_pinned_lock = threading.Lock()


def load_pinned(session: Session, key: str) -> Effective:
    """The exact definition a case was pinned to, whatever was published since. A pin
    names published versions, which never change, so what it resolves to is kept for the
    process (per database and district; a request asked for it twice, each time reading
    three rows and copying the definition twice). Callers read it and never change it."""
    cache_key = (str(session.get_bind().url), current_tenant_id(), key)
    with _pinned_lock:
        found = _pinned.get(cache_key)
    if found is not None:
        return found
    found = _load_pinned(session, key)
    with _pinned_lock:
        if len(_pinned) >= 512:
            _pinned.clear()
        _pinned[cache_key] = found
    return found


def _load_pinned(session: Session, key: str) -> Effective:
    try:
        kind, lib_v, district_v, agency_v, agency = key.split(":")
        versions = int(lib_v[1:]), int(district_v[1:]), int(agency_v[1:])
    except ValueError as exc:
        raise Invalid("bad-pin", "流程版本标识无效。", "Invalid workflow pin.") from exc
    agency_id = None if agency == "-" else uuid.UUID(agency)

    def override(owner, version):
        if version == 0:
            return None
        query = select(WorkflowOverride).where(
            WorkflowOverride.kind == kind, WorkflowOverride.version == version
        )
        query = query.where(
            WorkflowOverride.agency_id == owner if owner else WorkflowOverride.agency_id.is_(None)
        )
        found = session.execute(query).scalar_one_or_none()
        if found is None:
            raise NotFound(
                "not-found",
                "固定的流程版本不存在。",
                "The pinned workflow version does not exist.",
            )
        return found

    lib = library_version(session, kind, versions[0])
    return _effective(
        session, kind, agency_id, lib, override(None, versions[1]), override(agency_id, versions[2])
    )
