"""typed case records: the decision, its service, the payment and surcharge, and the
compulsory measures move out of enforcement_case.details (JSON) into case_decision,
case_service, case_payment and case_measure; each keyed (tenant_id, …) with a foreign key
(tenant_id, case_id) to the case and the district's row-level security policy.

The data moves too: every case's `details` is read (under its district on PostgreSQL,
where row-level security is forced on the owner as well), its records written as rows,
and the moved keys removed; the downgrade puts them back.

Revision ID: 20261207_0160
Revises: 20261207_0123
Create Date: 2026-12-07 17:23:51
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from alembic import op

from yimen.platform.kernel.db.rls import enable_tenant_rls, grant_to_app_role

revision = "20261207_0160"
down_revision = "20261207_0150"
branch_labels = None
depends_on = None

TABLES = ("case_decision", "case_service", "case_payment", "case_measure")


def upgrade() -> None:
    # The records refer to enforcement_case by its key (tenant_id, id) (20261207_0140).
    op.create_table(
        "case_decision",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("number", sa.String(length=80), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("penalty_kinds", sa.JSON(), nullable=False),
        sa.Column("fine_fen", sa.Integer(), nullable=True),
        sa.Column("confiscation_fen", sa.Integer(), nullable=True),
        sa.Column("legal_basis", sa.String(length=500), nullable=False),
        sa.Column("benchmark_tier", sa.String(length=60), nullable=False),
        sa.Column("benchmark_min_fen", sa.Integer(), nullable=True),
        sa.Column("benchmark_max_fen", sa.Integer(), nullable=True),
        sa.Column("outside_benchmark", sa.Boolean(), nullable=False),
        sa.Column("departure_reason", sa.String(length=2000), nullable=False),
        sa.Column("departure_approved_by", sa.String(length=120), nullable=False),
        sa.Column("departure_approved_on", sa.Date(), nullable=True),
        sa.Column("departure_approval_reason", sa.String(length=2000), nullable=False),
        sa.Column("departure_fine_fen", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "case_id"],
            ["enforcement_case.tenant_id", "enforcement_case.id"],
            name="fk_case_decision_case",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_case_decision_tenant_id_tenant"),
            ondelete="RESTRICT",
        ),
        # keyed (tenant_id, id) like every district table (20261207_0140); one per case
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_case_decision")),
        sa.UniqueConstraint(
            "tenant_id", "case_id", name=op.f("uq_case_decision_tenant_id_case_id")
        ),
    )
    with op.batch_alter_table("case_decision", schema=None) as batch_op:
        batch_op.create_index(
            "ix_case_decision_decided", ["tenant_id", "decided_on", "fine_fen"], unique=False
        )

    op.create_table(
        "case_measure",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.Column("basis", sa.String(length=2000), nullable=False),
        sa.Column("on_site", sa.JSON(), nullable=False),
        sa.Column("approved_by", sa.String(length=120), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("emergency", sa.Boolean(), nullable=False),
        sa.Column("executed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approval_due", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approval_refused", sa.Boolean(), nullable=False),
        sa.Column("extended_days", sa.Integer(), nullable=True),
        sa.Column("extension_reason", sa.String(length=2000), nullable=False),
        sa.Column("testing", sa.JSON(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=True),
        sa.Column("release_ground", sa.String(length=30), nullable=False),
        sa.Column("returned", sa.JSON(), nullable=True),
        sa.Column("documents", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "case_id"],
            ["enforcement_case.tenant_id", "enforcement_case.id"],
            name="fk_case_measure_case",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_case_measure_tenant_id_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_case_measure")),
    )
    with op.batch_alter_table("case_measure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_measure_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_payment",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("fine_fen", sa.Integer(), nullable=True),
        sa.Column("surcharge_fen", sa.Integer(), nullable=True),
        sa.Column("waived_fen", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "case_id"],
            ["enforcement_case.tenant_id", "enforcement_case.id"],
            name="fk_case_payment_case",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_case_payment_tenant_id_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_case_payment")),
    )
    with op.batch_alter_table("case_payment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_payment_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_service",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("document", sa.String(length=30), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("served_on", sa.Date(), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("witness", sa.String(length=500), nullable=False),
        sa.Column("untraceable", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "case_id"],
            ["enforcement_case.tenant_id", "enforcement_case.id"],
            name="fk_case_service_case",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_case_service_tenant_id_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_case_service")),
    )
    with op.batch_alter_table("case_service", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_service_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            "uq_case_service_document", ["tenant_id", "case_id", "document"], unique=True
        )
    for table in TABLES:
        enable_tenant_rls(op, table)
    grant_to_app_role(op)
    _by_district(_move_out)


def downgrade() -> None:
    _by_district(_move_back)
    with op.batch_alter_table("case_service", schema=None) as batch_op:
        batch_op.drop_index("uq_case_service_document")
        batch_op.drop_index(batch_op.f("ix_case_service_case_id"))

    op.drop_table("case_service")
    with op.batch_alter_table("case_payment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_payment_case_id"))

    op.drop_table("case_payment")
    with op.batch_alter_table("case_measure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_measure_case_id"))

    op.drop_table("case_measure")
    with op.batch_alter_table("case_decision", schema=None) as batch_op:
        batch_op.drop_index("ix_case_decision_decided")

    op.drop_table("case_decision")


# --- the data ---------------------------------------------------------------------------
# Lightweight tables: the migration reads and writes the columns as they are at this
# revision, whatever the models say later.

case_t = sa.table(
    "enforcement_case",
    sa.column("id", sa.Uuid()),
    sa.column("tenant_id", sa.Uuid()),
    sa.column("procedure", sa.String()),
    sa.column("matter_code", sa.String()),
    sa.column("decided_on", sa.Date()),
    sa.column("penalty_kinds", sa.JSON()),
    sa.column("fine_fen", sa.Integer()),
    sa.column("confiscation_fen", sa.Integer()),
    sa.column("discretion", sa.JSON()),
    sa.column("details", sa.JSON()),
)
party_t = sa.table(
    "case_party",
    sa.column("case_id", sa.Uuid()),
    sa.column("position", sa.Integer()),
    sa.column("name", sa.String()),
)
document_t = sa.table(
    "case_document",
    sa.column("case_id", sa.Uuid()),
    sa.column("kind", sa.String()),
    sa.column("number", sa.String()),
    sa.column("status", sa.String()),
    sa.column("serial", sa.Integer()),
)
event_t = sa.table(
    "case_event",
    sa.column("case_id", sa.Uuid()),
    sa.column("kind", sa.String()),
    sa.column("seq", sa.Integer()),
    sa.column("payload", sa.JSON()),
)
matter_t = sa.table(
    "enforcement_matter",
    sa.column("code", sa.String()),
    sa.column("law", sa.String()),
    sa.column("article", sa.String()),
)
decision_t = sa.table(
    "case_decision",
    *(
        sa.column(name, type_)
        for name, type_ in {
            "tenant_id": sa.Uuid(),
            "id": sa.Uuid(),
            "case_id": sa.Uuid(),
            "outcome": sa.String(),
            "number": sa.String(),
            "decided_on": sa.Date(),
            "penalty_kinds": sa.JSON(),
            "fine_fen": sa.Integer(),
            "confiscation_fen": sa.Integer(),
            "legal_basis": sa.String(),
            "benchmark_tier": sa.String(),
            "benchmark_min_fen": sa.Integer(),
            "benchmark_max_fen": sa.Integer(),
            "outside_benchmark": sa.Boolean(),
            "departure_reason": sa.String(),
            "departure_approved_by": sa.String(),
            "departure_approved_on": sa.Date(),
            "departure_approval_reason": sa.String(),
            "departure_fine_fen": sa.Integer(),
        }.items()
    ),
)
service_t = sa.table(
    "case_service",
    *(
        sa.column(name, type_)
        for name, type_ in {
            "tenant_id": sa.Uuid(),
            "id": sa.Uuid(),
            "case_id": sa.Uuid(),
            "document": sa.String(),
            "method": sa.String(),
            "served_on": sa.Date(),
            "recipient": sa.String(),
            "published_on": sa.Date(),
            "witness": sa.String(),
            "untraceable": sa.String(),
        }.items()
    ),
)
payment_t = sa.table(
    "case_payment",
    *(
        sa.column(name, type_)
        for name, type_ in {
            "tenant_id": sa.Uuid(),
            "id": sa.Uuid(),
            "case_id": sa.Uuid(),
            "paid_on": sa.Date(),
            "amount_fen": sa.Integer(),
            "fine_fen": sa.Integer(),
            "surcharge_fen": sa.Integer(),
            "waived_fen": sa.Integer(),
        }.items()
    ),
)
MEASURE_COLUMNS = {
    "tenant_id": sa.Uuid(),
    "id": sa.Uuid(),
    "case_id": sa.Uuid(),
    "position": sa.Integer(),
    "kind": sa.String(),
    "items": sa.JSON(),
    "started_on": sa.Date(),
    "ends_on": sa.Date(),
    "reason": sa.String(),
    "basis": sa.String(),
    "on_site": sa.JSON(),
    "approved_by": sa.String(),
    "approved_at": sa.DateTime(timezone=True),
    "emergency": sa.Boolean(),
    "executed_at": sa.DateTime(timezone=True),
    "approval_due": sa.DateTime(timezone=True),
    "approval_refused": sa.Boolean(),
    "extended_days": sa.Integer(),
    "extension_reason": sa.String(),
    "testing": sa.JSON(),
    "ended_on": sa.Date(),
    "outcome": sa.String(),
    "late": sa.Boolean(),
    "release_ground": sa.String(),
    "returned": sa.JSON(),
    "documents": sa.JSON(),
}
measure_t = sa.table("case_measure", *(sa.column(n, t) for n, t in MEASURE_COLUMNS.items()))


def _by_district(move) -> None:
    """Runs `move` for every district's cases; on PostgreSQL with app.tenant_id set to
    it, since the policies (FORCE ROW LEVEL SECURITY) bind the owner too."""
    conn = op.get_bind()
    postgres = conn.dialect.name == "postgresql"
    tenants = sa.table("tenant", sa.column("id", sa.Uuid()))
    for (tenant_id,) in conn.execute(sa.select(tenants.c.id)).all():
        if postgres:
            conn.execute(
                sa.text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)}
            )
        move(conn, tenant_id)
    if postgres:
        conn.execute(sa.text("SELECT set_config('app.tenant_id', '', true)"))


def _day(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value[:10]) if value else None


def _moment(conn, value: Any) -> dt.datetime | None:
    """An ISO moment as UTC (naive on SQLite, which keeps no zone: the models read it
    back as UTC)."""
    if not value:
        return None
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    moment = moment.astimezone(dt.UTC)
    return moment.replace(tzinfo=None) if conn.dialect.name == "sqlite" else moment


def _iso_moment(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat()


def _pop_empty(details: dict, key: str, had: dict) -> None:
    """Drops the container `key` when the move emptied it (it held only moved facts)."""
    if key in details and not details[key] and had.get(key):
        details.pop(key)


def _move_out(conn, tenant_id) -> None:
    cases = conn.execute(sa.select(case_t).where(case_t.c.tenant_id == tenant_id)).mappings()
    for case in list(cases):
        details = dict(case["details"] or {})
        had = {k: bool(v) for k, v in details.items() if isinstance(v, dict)}
        changed = False
        recipient = _recipient(conn, case["id"])
        # 送达: the prior notice (处罚法 第四十四条) and the decision (第六十一条)
        notice = dict(details.get("prior_notice") or {})
        if notice.get("served_on"):
            _insert_service(conn, case, "prior_notice", "", notice.pop("served_on"), recipient)
            details["prior_notice"], changed = notice, True
        service = dict(details.get("service") or {})
        if service.get("served_on"):
            published = service.pop("published_on", None)
            method, served = service.pop("method", ""), service.pop("served_on")
            _insert_service(conn, case, "decision", method, served, recipient, published)
            details["service"], changed = service, True
            _pop_empty(details, "service", had)
        # 缴纳罚款 (第六十七条; 加处罚款 第七十二条: not recorded before this revision)
        execution = dict(details.get("execution") or {})
        if execution.get("paid_on"):
            conn.execute(
                payment_t.insert().values(
                    tenant_id=case["tenant_id"],
                    id=uuid.uuid4(),
                    case_id=case["id"],
                    paid_on=_day(execution.pop("paid_on")),
                    amount_fen=execution.pop("amount_fen", 0),
                    fine_fen=case["fine_fen"],
                    surcharge_fen=None,
                    waived_fen=None,
                )
            )
            details["execution"], changed = execution, True
        # 查封、扣押 (行政强制法 第二十二条至第二十八条)
        measures = dict(details.get("compulsory_measures") or {})
        for position, measure in enumerate(measures.pop("measures", None) or []):
            _insert_measure(conn, case, position, measure)
            details["compulsory_measures"], changed = measures, True
        _pop_empty(details, "compulsory_measures", had)
        # 决定 (处罚法 第五十七条、第五十九条) and the departure approved before it
        approval = details.pop("departure_approval", None)
        outcome = dict(details.get("outcome") or {})
        number = outcome.pop("decision_number", None)
        if number is not None:
            details["outcome"] = outcome
        if case["decided_on"] is not None or approval:
            _insert_decision(conn, case, approval, outcome, number)
            changed = True
        if changed or approval or number is not None:
            conn.execute(case_t.update().where(case_t.c.id == case["id"]).values(details=details))


def _recipient(conn, case_id) -> str:
    """The party served: the case's first (the handlers record the same)."""
    query = (
        sa.select(party_t.c.name)
        .where(party_t.c.case_id == case_id)
        .order_by(party_t.c.position)
        .limit(1)
    )
    return conn.execute(query).scalar() or ""


def _insert_service(conn, case, document, method, served, recipient, published=None) -> None:
    conn.execute(
        service_t.insert().values(
            tenant_id=case["tenant_id"],
            id=uuid.uuid4(),
            case_id=case["id"],
            document=document,
            method=method,
            served_on=_day(served),
            recipient=recipient,
            published_on=_day(published),
            witness="",
            untraceable="",
        )
    )


def _insert_measure(conn, case, position: int, m: dict) -> None:
    conn.execute(
        measure_t.insert().values(
            tenant_id=case["tenant_id"],
            id=uuid.UUID(m["id"]),
            case_id=case["id"],
            position=position,
            kind=m["kind"],
            items=list(m.get("items") or []),
            started_on=_day(m["started_on"]),
            ends_on=_day(m.get("ends_on") or m["started_on"]),
            reason=m.get("reason", ""),
            basis=m.get("basis", ""),
            on_site=m.get("on_site") or {},
            approved_by=m.get("approved_by", ""),
            approved_at=_moment(conn, m.get("approved_at")),
            emergency=bool(m.get("emergency")),
            executed_at=_moment(conn, m.get("executed_at")),
            approval_due=_moment(conn, m.get("approval_due")),
            approval_refused=m.get("approval") == "refused",
            extended_days=m.get("extended_days"),
            extension_reason=m.get("extension_reason", ""),
            testing=m.get("testing") or [],
            ended_on=_day(m.get("ended_on")),
            outcome=m.get("outcome", ""),
            late=m.get("late"),
            release_ground=m.get("ground", ""),
            returned=m.get("returned"),
            documents=m.get("documents"),
        )
    )


def _insert_decision(conn, case, approval: dict | None, outcome: dict, number) -> None:
    kind = None
    if case["decided_on"] is not None:
        kind = outcome.get("kind") if outcome.get("kind") in NO_PENALTY else "penalty"
    assessment = case["discretion"] or {}
    if kind == "penalty" and number is None:
        number = _decision_number(conn, case)
    approval = approval or {}
    conn.execute(
        decision_t.insert().values(
            tenant_id=case["tenant_id"],
            id=uuid.uuid4(),
            case_id=case["id"],
            outcome=kind,
            number=number,
            decided_on=case["decided_on"],
            penalty_kinds=list(case["penalty_kinds"] or []),
            fine_fen=case["fine_fen"],
            confiscation_fen=case["confiscation_fen"],
            legal_basis=_legal_basis(conn, case, kind, assessment),
            benchmark_tier=assessment.get("tier_name") or "",
            benchmark_min_fen=assessment.get("fine_min_fen"),
            benchmark_max_fen=assessment.get("fine_max_fen"),
            outside_benchmark=bool(assessment.get("outside_range")),
            departure_reason=assessment.get("justification") or "",
            departure_approved_by=approval.get("by", ""),
            departure_approved_on=_day(approval.get("on")),
            departure_approval_reason=approval.get("reason", ""),
            departure_fine_fen=approval.get("fine_fen"),
        )
    )


NO_PENALTY = ("no_penalty", "not_established")
DECISION_KINDS = ("行政处罚决定书", "当场处罚决定书")


def _decision_number(conn, case) -> str | None:
    query = (
        sa.select(document_t.c.number)
        .where(
            document_t.c.case_id == case["id"],
            document_t.c.kind.in_(DECISION_KINDS),
            document_t.c.status != "void",
        )
        .order_by(document_t.c.serial.desc())
        .limit(1)
    )
    return conn.execute(query).scalar()


def _legal_basis(conn, case, kind, assessment: dict) -> str:
    """The basis the decision stated: a decision not to penalise, as its event recorded
    it; a penalty, the benchmark's penalty provision or the matter's article."""
    if kind in NO_PENALTY:
        query = (
            sa.select(event_t.c.payload)
            .where(event_t.c.case_id == case["id"], event_t.c.kind == "decide_no_penalty")
            .order_by(event_t.c.seq.desc())
            .limit(1)
        )
        payload = conn.execute(query).scalar() or {}
        return payload.get("basis", "")
    if assessment.get("penalty_basis"):
        return assessment["penalty_basis"]
    matter = conn.execute(
        sa.select(matter_t.c.law, matter_t.c.article).where(matter_t.c.code == case["matter_code"])
    ).first()
    return f"{matter.law}{matter.article}" if matter else ""


def _move_back(conn, tenant_id) -> None:
    """The downgrade: the rows back into `details`, where the code before kept them."""
    rows = {
        name: conn.execute(sa.select(table).where(table.c.tenant_id == tenant_id)).mappings().all()
        for name, table in (
            ("decision", decision_t),
            ("service", service_t),
            ("payment", payment_t),
            ("measure", measure_t),
        )
    }
    touched: dict[Any, dict] = {}

    def details_of(case_id) -> dict:
        if case_id not in touched:
            query = sa.select(case_t.c.details).where(case_t.c.id == case_id)
            touched[case_id] = dict(conn.execute(query).scalar() or {})
        return touched[case_id]

    for s in rows["service"]:
        details = details_of(s["case_id"])
        if s["document"] == "prior_notice":
            details.setdefault("prior_notice", {})["served_on"] = s["served_on"].isoformat()
        else:
            facts = details.setdefault("service", {})
            if s["published_on"] is not None:
                facts["published_on"] = s["published_on"].isoformat()
            facts.update(method=s["method"], served_on=s["served_on"].isoformat())
    for p in rows["payment"]:
        details_of(p["case_id"]).setdefault("execution", {}).update(
            paid_on=p["paid_on"].isoformat(), amount_fen=p["amount_fen"]
        )
    for m in sorted(rows["measure"], key=lambda m: m["position"]):
        details = details_of(m["case_id"])
        details.setdefault("compulsory_measures", {}).setdefault("measures", []).append(
            _measure_dict(m)
        )
    for d in rows["decision"]:
        details = details_of(d["case_id"])
        if d["departure_approved_on"] is not None:
            details["departure_approval"] = {
                "by": d["departure_approved_by"],
                "on": d["departure_approved_on"].isoformat(),
                "reason": d["departure_approval_reason"],
                "fine_fen": d["departure_fine_fen"],
            }
        if d["outcome"] in NO_PENALTY and d["number"]:
            details.setdefault("outcome", {})["decision_number"] = d["number"]
    for case_id, details in touched.items():
        conn.execute(case_t.update().where(case_t.c.id == case_id).values(details=details))


def _measure_dict(m) -> dict:
    found: dict[str, Any] = {
        "id": str(m["id"]),
        "kind": m["kind"],
        "items": list(m["items"] or []),
        "started_on": m["started_on"].isoformat(),
        "reason": m["reason"],
        "basis": m["basis"],
        "on_site": m["on_site"] or {},
        "ends_on": m["ends_on"].isoformat(),
    }
    if m["emergency"]:
        found.update(
            emergency=True,
            executed_at=_iso_moment(m["executed_at"]),
            approval_due=_iso_moment(m["approval_due"]),
        )
    if m["approved_by"]:
        found["approved_by"] = m["approved_by"]
    if m["approved_at"] is not None:
        found["approved_at"] = _iso_moment(m["approved_at"])
    if m["extended_days"] is not None:
        found.update(extended_days=m["extended_days"], extension_reason=m["extension_reason"])
    if m["testing"]:
        found["testing"] = m["testing"]
    if m["ended_on"] is not None:
        found.update(ended_on=m["ended_on"].isoformat(), outcome=m["outcome"])
    if m["approval_refused"]:
        found["approval"] = "refused"
    if m["late"] is not None:
        found["late"] = m["late"]
    if m["release_ground"]:
        found["ground"] = m["release_ground"]
    if m["returned"] is not None:
        found["returned"] = m["returned"]
    if m["documents"] is not None:
        found["documents"] = m["documents"]
    return found
