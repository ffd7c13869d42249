"""Imports every model module so that the metadata is complete (alembic, tests)."""

from yimen.gateway.delivery import model as _gateway_delivery  # noqa: F401
from yimen.gateway.inbox import model as _inbox  # noqa: F401
from yimen.gateway.outbox import model as _outbox  # noqa: F401
from yimen.gateway.worker import model as _worker  # noqa: F401
from yimen.platform.auth import cache as _auth_cache  # noqa: F401
from yimen.platform.cases.documents import model as _case_documents  # noqa: F401
from yimen.platform.cases.evidence import files as _case_evidence  # noqa: F401
from yimen.platform.cases.external import model as _external_cases  # noqa: F401
from yimen.platform.cases.law import model as _case_law  # noqa: F401
from yimen.platform.cases.record import log as _case_events  # noqa: F401
from yimen.platform.cases.record import model as _cases  # noqa: F401
from yimen.platform.idp import model as _idp  # noqa: F401
from yimen.platform.intake import attachments as _intake_attachments  # noqa: F401
from yimen.platform.intake import model as _intake  # noqa: F401
from yimen.platform.kernel import directory as _directory  # noqa: F401
from yimen.platform.kernel.audit import model as _audit  # noqa: F401
from yimen.platform.kernel.db import Base
from yimen.tenants.calendar import model as _calendar  # noqa: F401
from yimen.tenants.identity import model as _identity  # noqa: F401
from yimen.tenants.powers import model as _powers  # noqa: F401
from yimen.tenants.workflow import model as _workflow  # noqa: F401

metadata = Base.metadata
