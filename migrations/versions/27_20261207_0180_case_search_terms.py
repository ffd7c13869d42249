"""case search by bigram lookup: case_search_term, kept by triggers, replaces the GIN indexes

Migration 20261207_0130 gave the case search GIN indexes (the bigrams of the case's
number and facts and of a party's name, and pg_trgm's trigrams). PostgreSQL uses them for
a role that row-level security does not bind, and never for the application role: under
RLS a condition becomes an index condition only if its functions are LEAKPROOF, and @>,
LIKE, lower and the pg_trgm operators are not (only a superuser may mark a function
LEAKPROOF). So the application's search read every case of the agency (district) and
filtered it.

Here the index becomes a table: one row (tenant_id, term, case_id) for every distinct
two-character substring (bigram) of the lower-cased case number, facts and parties'
names. A search asks for the cases having every bigram of its query — `term = ANY(…)`,
texteq, which is LEAKPROOF, so the lookup is an index condition on the primary key
under RLS too — and rechecks those few candidates with LIKE (platform/cases/listing.py).
Bigrams serve the two-character query (most Chinese names) that trigrams cannot, and do
not depend on the database's LC_CTYPE (pg_trgm ignores CJK characters under C).

Statement-level triggers with transition tables keep the table — one statement for a
bulk insert as for one row: inserted cases and parties add their terms; after a case's
number or facts change, or parties are renamed or removed, the terms of the cases
concerned are written again. The GIN indexes go (they cost every write and served nothing the
application asked); yimen_bigrams and pg_trgm stay. SQLite has the table, empty: its
search is LIKE over the district's cases (the embedded default holds few).

Revision ID: 20261207_0180
Revises: 20261207_0170
Create Date: 2026-12-07 20:30:00
"""

import sqlalchemy as sa
from alembic import op

from yimen.platform.kernel.db.rls import enable_tenant_rls, grant_to_app_role

revision = "20261207_0180"
down_revision = "20261207_0170"
branch_labels = None
depends_on = None

# The terms of the cases whose (tenant_id, case_id) are in the relation `touched`.
TERMS_OF = """
    SELECT c.tenant_id, t.term, c.id
    FROM enforcement_case c
    JOIN {touched} x ON x.tenant_id = c.tenant_id AND x.case_id = c.id
    CROSS JOIN LATERAL unnest(
        yimen_bigrams(lower(coalesce(c.number, ''))) || yimen_bigrams(lower(c.facts))
    ) AS t(term)
    UNION
    SELECT p.tenant_id, t.term, p.case_id
    FROM case_party p
    JOIN {touched} x ON x.tenant_id = p.tenant_id AND x.case_id = p.case_id
    CROSS JOIN LATERAL unnest(yimen_bigrams(lower(p.name))) AS t(term)
"""

# Inserted cases and parties add their terms; a changed number, facts or name, or a
# removed party, writes the terms of the cases concerned again.
ADD_CASES = """
  INSERT INTO case_search_term (tenant_id, term, case_id)
  SELECT n.tenant_id, t.term, n.id FROM new_rows n
  CROSS JOIN LATERAL unnest(
      yimen_bigrams(lower(coalesce(n.number, ''))) || yimen_bigrams(lower(n.facts))
  ) AS t(term)
  ON CONFLICT DO NOTHING;
"""
ADD_PARTIES = """
  INSERT INTO case_search_term (tenant_id, term, case_id)
  SELECT n.tenant_id, t.term, n.case_id FROM new_rows n
  CROSS JOIN LATERAL unnest(yimen_bigrams(lower(n.name))) AS t(term)
  ON CONFLICT DO NOTHING;
"""


def _again(touched: str) -> str:
    """The terms of the touched cases ((tenant_id, case_id) rows) written again."""
    return f"""
  DELETE FROM case_search_term s USING ({touched}) x
  WHERE s.tenant_id = x.tenant_id AND s.case_id = x.case_id;
  INSERT INTO case_search_term (tenant_id, term, case_id)
  {TERMS_OF.format(touched=f"({touched})")}
  ON CONFLICT DO NOTHING;
"""


# (name, event, table, transition tables, what the trigger does)
TRIGGERS = (
    (
        "yimen_case_search_case_insert",
        "INSERT",
        "enforcement_case",
        "NEW TABLE AS new_rows",
        ADD_CASES,
    ),
    (
        "yimen_case_search_case_update",
        "UPDATE",
        "enforcement_case",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        _again(
            "SELECT n.tenant_id, n.id AS case_id FROM new_rows n"
            " JOIN old_rows o ON o.tenant_id = n.tenant_id AND o.id = n.id"
            " WHERE n.number IS DISTINCT FROM o.number OR n.facts IS DISTINCT FROM o.facts"
        ),
    ),
    (
        "yimen_case_search_party_insert",
        "INSERT",
        "case_party",
        "NEW TABLE AS new_rows",
        ADD_PARTIES,
    ),
    (
        "yimen_case_search_party_update",
        "UPDATE",
        "case_party",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        _again(
            "SELECT n.tenant_id, n.case_id FROM new_rows n"
            " JOIN old_rows o ON o.tenant_id = n.tenant_id AND o.id = n.id"
            " WHERE n.name IS DISTINCT FROM o.name OR n.case_id IS DISTINCT FROM o.case_id"
            " UNION SELECT o.tenant_id, o.case_id FROM new_rows n"
            " JOIN old_rows o ON o.tenant_id = n.tenant_id AND o.id = n.id"
            " WHERE n.case_id IS DISTINCT FROM o.case_id"
        ),
    ),
    (
        "yimen_case_search_party_delete",
        "DELETE",
        "case_party",
        "OLD TABLE AS old_rows",
        _again("SELECT DISTINCT tenant_id, case_id FROM old_rows"),
    ),
)


def _function(name: str, body: str) -> str:
    """The trigger's function (ON CONFLICT: a term the case has already, or that a
    concurrent writer of the same case has just written)."""
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
{body}
  RETURN NULL;
END
$$
"""


GIN_INDEXES = (
    "ix_case_party_search_trgm",
    "ix_case_search_trgm",
    "ix_case_party_search_bigrams",
    "ix_case_search_bigrams",
)


def upgrade() -> None:
    op.create_table(
        "case_search_term",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("term", sa.String(length=8), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "case_id"],
            ["enforcement_case.tenant_id", "enforcement_case.id"],
            name="fk_case_search_term_case_id_enforcement_case",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_case_search_term_tenant_id_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "term", "case_id", name=op.f("pk_case_search_term")),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    enable_tenant_rls(op, "case_search_term")
    grant_to_app_role(op)
    for name in GIN_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    for name, event, table, referencing, body in TRIGGERS:
        op.execute(_function(name, body))
        op.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing}"
            f" FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        )
    _backfill()


def _backfill() -> None:
    """The terms of every existing case, district by district (the policies bind the
    owner too: FORCE ROW LEVEL SECURITY)."""
    conn = op.get_bind()
    conn.execute(sa.text("SET LOCAL maintenance_work_mem = '256MB'"))
    for (tenant_id,) in conn.execute(sa.text("SELECT id FROM tenant")).all():
        conn.execute(sa.text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)})
        conn.execute(
            sa.text(
                "INSERT INTO case_search_term (tenant_id, term, case_id) "
                + TERMS_OF.format(touched="(SELECT tenant_id, id AS case_id FROM enforcement_case)")
            )
        )
    conn.execute(sa.text("SELECT set_config('app.tenant_id', '', true)"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, _, table, _, _ in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
        op.execute(
            "CREATE INDEX ix_case_search_bigrams ON enforcement_case"
            " USING gin (yimen_bigrams(lower((coalesce(number, '') || ' ') || facts)))"
        )
        op.execute(
            "CREATE INDEX ix_case_party_search_bigrams ON case_party"
            " USING gin (yimen_bigrams(lower(name)))"
        )
        trgm = (
            op.get_bind()
            .execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'"))
            .scalar()
        )
        if trgm:
            op.execute(
                "CREATE INDEX ix_case_search_trgm ON enforcement_case"
                " USING gin ((lower((coalesce(number, '') || ' ') || facts)) gin_trgm_ops)"
            )
            op.execute(
                "CREATE INDEX ix_case_party_search_trgm ON case_party"
                " USING gin ((lower(name)) gin_trgm_ops)"
            )
    op.drop_table("case_search_term")
