"""the case list's indexes (my agency / my district, nearest deadline first), indexed
Chinese search of cases and parties, and the counter that drops cached token checks

- `auth_epoch`: one row, bumped by the writes that change what token validation keeps
  in each process (platform/auth/cache.py). Shared by all districts (no tenant_id).
- `ix_case_list_agency` (tenant_id, agency_id, deadline key, created_at DESC, id) and
  `ix_case_list_district` (tenant_id, deadline key, created_at DESC, id): the list's
  order, the deadline key being coalesce(next_deadline, '9999-12-31') (no deadline last),
  so that a page — and a keyset page after any row — is read from the index in order
  and stops at its size. tenant_id leads (a district's rows together; Citus-ready).
- PostgreSQL only, text search (platform/cases/listing.py):
  * `yimen_bigrams(text)`: the distinct two-character substrings of a text, and GIN
    indexes on the bigrams of lower(number || facts) of a case and lower(name) of a
    party. Most Chinese names are two characters, which pg_trgm cannot index (a LIKE
    pattern shorter than three characters yields no trigram, so its index reads
    everything); every bigram of the query contained in the row's is a necessary
    condition of `LIKE '%q%'`, which is still applied to the rows the index finds.
  * pg_trgm (CREATE EXTENSION IF NOT EXISTS; trusted, so the database owner may) and
    GIN trigram indexes on the same expressions, for queries of three characters and
    more. pg_trgm makes trigrams of CJK characters only where the database's LC_CTYPE
    classifies them as letters (C.UTF-8, zh_CN.UTF-8, en_US.UTF-8 …); under LC_CTYPE=C
    it ignores them and these indexes find nothing for Chinese (the bigram indexes do
    not depend on the locale). Where the extension cannot be created, the migration
    says why and goes on without the trigram indexes. Under row-level security
    (the application role) PostgreSQL does not use these GIN indexes: @>, LIKE and
    lower are not LEAKPROOF (benchmarks/bench_case_list.py).

Revision ID: 20261207_0130
Revises: 20261207_0123
Create Date: 2026-12-07 17:30:00
"""

import logging

import sqlalchemy as sa
from alembic import op

from yimen.platform.kernel.db.rls import grant_to_app_role

revision = "20261207_0130"
down_revision = "20261207_0140"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

DEADLINE_KEY = "coalesce(next_deadline, '9999-12-31')"
CASE_TEXT = "lower(coalesce(number, '') || ' ' || facts)"
PARTY_TEXT = "lower(name)"
BIGRAMS = """
CREATE OR REPLACE FUNCTION yimen_bigrams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT substr(t, i, 2)), '{}'::text[])
  FROM generate_series(1, char_length(t) - 1) AS i
$$
"""


def upgrade() -> None:
    op.create_table(
        "auth_epoch",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_epoch")),
    )
    op.execute("INSERT INTO auth_epoch (id, version) VALUES (1, 0)")
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute("SET LOCAL maintenance_work_mem = '256MB'")
    op.create_index(
        "ix_case_list_agency",
        "enforcement_case",
        ["tenant_id", "agency_id", sa.text(DEADLINE_KEY), sa.text("created_at DESC"), "id"],
    )
    op.create_index(
        "ix_case_list_district",
        "enforcement_case",
        ["tenant_id", sa.text(DEADLINE_KEY), sa.text("created_at DESC"), "id"],
    )
    if postgresql:
        op.execute(BIGRAMS)
        op.execute(
            f"CREATE INDEX ix_case_search_bigrams ON enforcement_case"
            f" USING gin (yimen_bigrams({CASE_TEXT}))"
        )
        op.execute(
            f"CREATE INDEX ix_case_party_search_bigrams ON case_party"
            f" USING gin (yimen_bigrams({PARTY_TEXT}))"
        )
        if _trigrams():
            op.execute(
                f"CREATE INDEX ix_case_search_trgm ON enforcement_case"
                f" USING gin (({CASE_TEXT}) gin_trgm_ops)"
            )
            op.execute(
                f"CREATE INDEX ix_case_party_search_trgm ON case_party"
                f" USING gin (({PARTY_TEXT}) gin_trgm_ops)"
            )
    grant_to_app_role(op)


def _trigrams() -> bool:
    """CREATE EXTENSION pg_trgm in a savepoint; False, with the reason said, if it fails."""
    bind = op.get_bind()
    available = bind.execute(
        sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
    ).scalar()
    if not available:
        _without("pg_trgm is not available on this server (package postgresql-contrib)")
        return False
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as exc:
        _without(str(exc.orig).splitlines()[0] if exc.orig else type(exc).__name__)
        return False
    ctype = bind.execute(
        sa.text("SELECT datctype FROM pg_database WHERE datname = current_database()")
    ).scalar()
    if ctype in ("C", "POSIX"):
        log.warning(
            "pg_trgm installed, but LC_CTYPE is %s: its indexes ignore Chinese characters "
            "(searches still use the bigram indexes)",
            ctype,
        )
    return True


def _without(reason: str) -> None:
    message = f"no trigram indexes for case search: {reason}; the bigram indexes serve it"
    log.warning(message)
    print(f"20261207_0130: {message}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in (
            "ix_case_party_search_trgm",
            "ix_case_search_trgm",
            "ix_case_party_search_bigrams",
            "ix_case_search_bigrams",
        ):
            op.execute(f"DROP INDEX IF EXISTS {name}")
        op.execute("DROP FUNCTION IF EXISTS yimen_bigrams(text)")
    op.drop_index("ix_case_list_district", table_name="enforcement_case")
    op.drop_index("ix_case_list_agency", table_name="enforcement_case")
    op.drop_table("auth_epoch")
