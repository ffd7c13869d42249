"""Database access: declarative base, tenant-scoped sessions, row-level security."""

from yimen.platform.kernel.db.base import Base, TenantOwned, Timestamped, new_id, utcnow
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
    "current_tenant_id",
    "db",
    "new_id",
    "tenant_scope",
    "unscoped",
    "utcnow",
]
