"""every district's table keyed by (tenant_id, id), and every key between two of them
carrying tenant_id, so the schema can be distributed by district (Citus: README,
"Distributing by district")

The rows stay as they are: each primary key gains tenant_id in front of id, each
foreign key between two districts' tables becomes (tenant_id, x_id) → (tenant_id, id)
under the same name, and the unique constraints that lacked tenant_id gain it (a
distributed table can enforce uniqueness only within one district). On PostgreSQL a
row whose key points into another district makes the upgrade fail rather than pass
silently; there should be none (the session and row-level security never wrote one).
SQLite checks no key while migrating: `PRAGMA foreign_key_check` would list such a row.

On SQLite each table is rebuilt by alembic's batch mode (its rows copied); no table has
an integer key that SQLite would stop numbering inside a composite key (every id is a
UUID; the counters and the chain's sequence are plain columns).

Revision ID: 20261207_0140
Revises: 20261207_0123
Create Date: 2026-12-07 17:40:00
"""

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "20261207_0140"
down_revision = "20261207_0123"
branch_labels = None
depends_on = None

# Every table with a tenant_id (all have a UUID `id`).
TENANT_TABLES = (
    "agency",
    "audit_entry",
    "case_document",
    "case_event",
    "case_evidence",
    "case_flag",
    "case_officer",
    "case_party",
    "case_pause",
    "clue",
    "clue_attachment",
    "clue_group",
    "clue_step",
    "document_counter",
    "document_signature",
    "enforcement_case",
    "hearing_threshold",
    "identity_required_action",
    "idp_authorization_code",
    "idp_client",
    "idp_credential",
    "idp_refresh_token",
    "idp_sign_in_throttle",
    "idp_signing_key",
    "matter_adoption",
    "matter_assignment",
    "officer",
    "outbox_message",
    "provisioning_task",
    "role_assignment",
    "unit",
    "workflow_override",
)

# (table, column, referred table): a key between two districts' tables.
TENANT_KEYS = (
    ("case_document", "agency_id", "agency"),
    ("case_document", "case_id", "enforcement_case"),
    ("case_event", "case_id", "enforcement_case"),
    ("case_evidence", "case_id", "enforcement_case"),
    ("case_flag", "case_id", "enforcement_case"),
    ("case_officer", "case_id", "enforcement_case"),
    ("case_officer", "officer_id", "officer"),
    ("case_party", "case_id", "enforcement_case"),
    ("case_pause", "case_id", "enforcement_case"),
    ("clue", "agency_id", "agency"),
    ("clue", "group_id", "clue_group"),
    ("clue_attachment", "clue_id", "clue"),
    ("clue_step", "agency_id", "agency"),
    ("clue_step", "clue_id", "clue"),
    ("document_counter", "agency_id", "agency"),
    ("document_signature", "document_id", "case_document"),
    ("enforcement_case", "agency_id", "agency"),
    ("enforcement_case", "clue_id", "clue"),
    ("identity_required_action", "officer_id", "officer"),
    ("idp_authorization_code", "officer_id", "officer"),
    ("idp_credential", "officer_id", "officer"),
    ("idp_refresh_token", "officer_id", "officer"),
    ("matter_assignment", "adoption_id", "matter_adoption"),
    ("matter_assignment", "agency_id", "agency"),
    ("officer", "agency_id", "agency"),
    ("officer", "unit_id", "unit"),
    ("role_assignment", "officer_id", "officer"),
    ("unit", "agency_id", "agency"),
    ("unit", "parent_id", "unit"),
    ("workflow_override", "agency_id", "agency"),
)

# (table, columns without tenant_id, old name, new name)
UNIQUES = (
    (
        "case_event",
        ["case_id", "seq"],
        "uq_case_event_case_id_seq",
        "uq_case_event_tenant_id_case_id_seq",
    ),
    (
        "case_officer",
        ["case_id", "officer_id"],
        "uq_case_officer_case_id_officer_id",
        "uq_case_officer_tenant_id_case_id_officer_id",
    ),
)

# (table, index name, columns without tenant_id, where): partial unique indexes.
PARTIAL_UNIQUES = (
    ("case_flag", "uq_case_flag_open", ["case_id", "rule"], "resolved_at IS NULL"),
    ("matter_assignment", "uq_matter_assignment_current", ["adoption_id"], "valid_to IS NULL"),
)


def _fk_name(table: str, column: str, target: str) -> str:
    return f"fk_{table}_{column}_{target}"


def _where(clause: str) -> dict:
    return {"postgresql_where": sa.text(clause), "sqlite_where": sa.text(clause)}


def _keys_by_table() -> dict[str, list[tuple[str, str]]]:
    keys = defaultdict(list)
    for table, column, target in TENANT_KEYS:
        keys[table].append((column, target))
    return keys


def _rekey(to_tenant: bool) -> None:
    """Both directions: with tenant_id (upgrade) or without it (downgrade)."""
    keys = _keys_by_table()
    uniques = defaultdict(list)
    for table, columns, old, new in UNIQUES:
        uniques[table].append((columns, old, new) if to_tenant else (columns, new, old))
    partials = defaultdict(list)
    for table, name, columns, where in PARTIAL_UNIQUES:
        partials[table].append((name, columns, where))

    def pk(table: str) -> list[str]:
        return ["tenant_id", "id"] if to_tenant else ["id"]

    def fk_columns(column: str) -> tuple[list[str], list[str]]:
        if to_tenant:
            return ["tenant_id", column], ["tenant_id", "id"]
        return [column], ["id"]

    def unique_columns(columns: list[str]) -> list[str]:
        return ["tenant_id", *columns] if to_tenant else columns

    if op.get_bind().dialect.name == "sqlite":
        # SQLite alters a key only by rebuilding the table (the migration runs without
        # foreign key enforcement, so the order of the rebuilds does not matter).
        for table in TENANT_TABLES:
            with op.batch_alter_table(table, recreate="always") as batch:
                for column, target in keys[table]:
                    batch.drop_constraint(_fk_name(table, column, target), type_="foreignkey")
                for _columns, old, _new in uniques[table]:
                    batch.drop_constraint(old, type_="unique")
                for name, _columns, where in partials[table]:
                    batch.drop_index(name, **_where(where))
                batch.drop_constraint(f"pk_{table}", type_="primary")
                batch.create_primary_key(f"pk_{table}", pk(table))
                for column, target in keys[table]:
                    local, remote = fk_columns(column)
                    batch.create_foreign_key(_fk_name(table, column, target), target, local, remote)
                for columns, _old, new in uniques[table]:
                    batch.create_unique_constraint(new, unique_columns(columns))
                for name, columns, where in partials[table]:
                    batch.create_index(name, unique_columns(columns), unique=True, **_where(where))
        return

    # PostgreSQL: a key can go only once nothing refers to it, so first every key
    # between the tables goes, then the primary keys are rebuilt, then the keys return.
    # Forced row-level security binds the owner running this too: with no district set,
    # the check of existing rows by ADD FOREIGN KEY would see none and pass whatever is
    # there. It is lifted for this transaction and forced again at the end.
    for table in TENANT_TABLES:
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    for table, column, target in TENANT_KEYS:
        op.drop_constraint(_fk_name(table, column, target), table, type_="foreignkey")
    for table, entries in uniques.items():
        for _columns, old, _new in entries:
            op.drop_constraint(old, table, type_="unique")
    for table, entries in partials.items():
        for name, _columns, _where_clause in entries:
            op.drop_index(name, table_name=table)
    for table in TENANT_TABLES:
        op.drop_constraint(f"pk_{table}", table, type_="primary")
        op.create_primary_key(f"pk_{table}", table, pk(table))
    for table, column, target in TENANT_KEYS:
        local, remote = fk_columns(column)
        op.create_foreign_key(_fk_name(table, column, target), table, target, local, remote)
    for table, entries in uniques.items():
        for columns, _old, new in entries:
            op.create_unique_constraint(new, table, unique_columns(columns))
    for table, entries in partials.items():
        for name, columns, where in entries:
            op.create_index(name, table, unique_columns(columns), unique=True, **_where(where))
    for table in TENANT_TABLES:
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")


def upgrade() -> None:
    _rekey(to_tenant=True)


def downgrade() -> None:
    _rekey(to_tenant=False)
