"""Database access: declarative base, tenant-scoped sessions, row-level security."""

from yimen.platform.kernel.db.base import (
    Base,
    TenantOwned,
    Timestamped,
    citus_local,
    citus_reference,
    new_id,
    tenant_fk,
    utcnow,
)
from yimen.platform.kernel.db.session import Database, db
from yimen.platform.kernel.db.tenancy import (
    TenantMismatch,
    current_tenant_id,
    tenant_scope,
    unscoped,
)

__all__ = [
    "Base",
    "Database",
    "TenantMismatch",
    "TenantOwned",
    "Timestamped",
    "citus_local",
    "citus_reference",
    "current_tenant_id",
    "db",
    "new_id",
    "tenant_fk",
    "tenant_scope",
    "unscoped",
    "utcnow",
]
