"""agency participation: which agencies take part in a clue or a case (lead, joint,
assisting, receiving, supervising; since, until), the one thing an agency's reach is read
from; existing clues and cases are backfilled

A clue: the agency it was first offered to, or designated to lead, is lead; one it was
transferred to is receiving (an agency that passed a clue on keeps following it); the
joint agencies the legal-affairs office designated (the JSON list of agency ids) are joint.
A case: its agency is lead; the joint agencies designated to the clue it came from are
joint.

Revision ID: 20261207_0170
Revises: 20261207_0140
Create Date: 2026-12-07 18:00:00
"""

import uuid

import sqlalchemy as sa
from alembic import op

from yimen.platform.kernel.db.rls import enable_tenant_rls, grant_to_app_role

revision = "20261207_0170"
down_revision = "20261207_0160"
branch_labels = None
depends_on = None

TABLES = (
    ("clue_participant", "clue_id", "clue"),
    ("case_participant", "case_id", "enforcement_case"),
)


def _create(table: str, record: str, parent: str) -> None:
    op.create_table(
        table,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(record, sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        # Keys between districts' tables carry tenant_id (20261207_0140, Citus-ready).
        sa.ForeignKeyConstraint(
            ["tenant_id", "agency_id"],
            ["agency.tenant_id", "agency.id"],
            name=f"fk_{table}_agency_id_agency",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", record],
            [f"{parent}.tenant_id", f"{parent}.id"],
            name=f"fk_{table}_{record}_{parent}",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f(f"fk_{table}_tenant_id_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{table}")),
    )
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{table}_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f(f"ix_{table}_{record}"), [record], unique=False)
        batch_op.create_index(batch_op.f(f"ix_{table}_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(f"ix_{table}_current", ["agency_id", record, "until"], unique=False)
    enable_tenant_rls(op, table)


def upgrade() -> None:
    for table, record, parent in TABLES:
        _create(table, record, parent)
    grant_to_app_role(op)
    _backfill()


# --- the backfill ----------------------------------------------------------------------

_tenant = sa.table("tenant", sa.column("id", sa.Uuid()))
_agency = sa.table("agency", sa.column("id", sa.Uuid()), sa.column("tenant_id", sa.Uuid()))
_clue = sa.table(
    "clue",
    sa.column("id", sa.Uuid()),
    sa.column("tenant_id", sa.Uuid()),
    sa.column("agency_id", sa.Uuid()),
    sa.column("joint_agency_ids", sa.JSON()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
_step = sa.table(
    "clue_step",
    sa.column("clue_id", sa.Uuid()),
    sa.column("tenant_id", sa.Uuid()),
    sa.column("action", sa.String()),
    sa.column("agency_id", sa.Uuid()),
    sa.column("at", sa.DateTime(timezone=True)),
)
_case = sa.table(
    "enforcement_case",
    sa.column("id", sa.Uuid()),
    sa.column("tenant_id", sa.Uuid()),
    sa.column("agency_id", sa.Uuid()),
    sa.column("details", sa.JSON()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def _participants(name: str, record: str) -> sa.TableClause:
    return sa.table(
        name,
        sa.column("id", sa.Uuid()),
        sa.column(record, sa.Uuid()),
        sa.column("agency_id", sa.Uuid()),
        sa.column("role", sa.String()),
        sa.column("since", sa.DateTime(timezone=True)),
        sa.column("until", sa.DateTime(timezone=True)),
        sa.column("tenant_id", sa.Uuid()),
    )


def _uuid(value) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None


def _backfill() -> None:
    """District by district: on PostgreSQL every table here is under row-level security,
    forced on its owner too, so each district's rows are read and written with its
    app.tenant_id set (for this transaction only)."""
    bind = op.get_bind()
    for (tenant_id,) in bind.execute(sa.select(_tenant.c.id)).all():
        if bind.dialect.name == "postgresql":
            bind.execute(
                sa.text("select set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)}
            )
        _backfill_district(bind, tenant_id)
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text("select set_config('app.tenant_id', '', true)"))


def _backfill_district(bind, tenant_id: uuid.UUID) -> None:
    agencies = set(
        bind.execute(sa.select(_agency.c.id).where(_agency.c.tenant_id == tenant_id)).scalars()
    )
    steps: dict = {}
    for clue_id, action, agency_id, at in bind.execute(
        sa.select(_step.c.clue_id, _step.c.action, _step.c.agency_id, _step.c.at)
        .where(_step.c.tenant_id == tenant_id)
        .order_by(_step.c.at)
    ):
        steps.setdefault(clue_id, []).append((action, agency_id, at))
    rows = []
    joint_of_clue: dict = {}
    for clue_id, agency_id, joint, created_at in bind.execute(
        sa.select(
            _clue.c.id, _clue.c.agency_id, _clue.c.joint_agency_ids, _clue.c.created_at
        ).where(_clue.c.tenant_id == tenant_id)
    ):
        taking_part: set = set()
        for action, step_agency, at in steps.get(clue_id, []):
            # As the use cases write it (intake/service.py: _participate): the holder
            # after each step takes part — lead when designated, otherwise receiving
            # when transferred to it and lead when offered — unless it already does.
            if step_agency not in agencies:
                continue
            if action == "designated":
                role = "lead"
                if (step_agency, role) in taking_part:
                    continue
            elif any(a == step_agency for a, _ in taking_part):
                continue
            else:
                role = "receiving" if action == "transferred" else "lead"
            taking_part.add((step_agency, role))
            rows.append((clue_id, step_agency, role, at))
        if agency_id in agencies and not any(a == agency_id for a, _ in taking_part):
            rows.append((clue_id, agency_id, "lead", created_at))
        resolved = [a for a in (_uuid(j) for j in joint or []) if a in agencies]
        joint_of_clue[clue_id] = resolved
        rows += [(clue_id, a, "joint", created_at) for a in dict.fromkeys(resolved)]
    _insert(bind, _participants("clue_participant", "clue_id"), "clue_id", tenant_id, rows)
    rows = []
    for case_id, agency_id, details, created_at in bind.execute(
        sa.select(_case.c.id, _case.c.agency_id, _case.c.details, _case.c.created_at).where(
            _case.c.tenant_id == tenant_id
        )
    ):
        rows.append((case_id, agency_id, "lead", created_at))
        designated = (details or {}).get("designated") or {}
        joint = [a for a in (_uuid(j) for j in designated.get("joint") or []) if a in agencies]
        rows += [(case_id, a, "joint", created_at) for a in dict.fromkeys(joint) if a != agency_id]
    _insert(bind, _participants("case_participant", "case_id"), "case_id", tenant_id, rows)


def _insert(bind, table: sa.TableClause, record: str, tenant_id, rows: list) -> None:
    if rows:
        bind.execute(
            table.insert(),
            [
                {
                    "id": uuid.uuid4(),
                    record: record_id,
                    "agency_id": agency_id,
                    "role": role,
                    "since": since,
                    "until": None,
                    "tenant_id": tenant_id,
                }
                for record_id, agency_id, role, since in rows
            ],
        )


def downgrade() -> None:
    for table, record, _parent in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_current")
            batch_op.drop_index(batch_op.f(f"ix_{table}_tenant_id"))
            batch_op.drop_index(batch_op.f(f"ix_{table}_{record}"))
            batch_op.drop_index(batch_op.f(f"ix_{table}_agency_id"))
        op.drop_table(table)
