"""The one permission table: every endpoint declares an action; roles map to actions.

Role names follow DESIGN.md. An endpoint either declares `@requires(action)` or is
marked `@public`; tests/unit/test_permissions_declared.py walks the URL map and fails
for any endpoint that does neither.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

ROLES: dict[str, tuple[str, str]] = {
    "platform_operator": ("平台运营方", "Platform operator"),
    "district_admin": ("区级管理员", "District administrator"),
    "agency_admin": ("部门管理员", "Agency administrator"),
    "officer": ("执法人员", "Enforcement officer"),
    "agency_head": ("部门负责人", "Agency head"),
    "legal_reviewer": ("法制审核人员", "Legal reviewer"),
    "hotline_operator": ("热线坐席", "Hotline operator"),
    "legal_affairs": ("法制办(司法局)", "Legal-affairs office"),
    "procuratorate": ("检察院", "Procuratorate"),
    "discipline": ("监察", "Discipline inspection"),
    "police": ("公安", "Police"),
    "gateway_client": ("网关客户端", "Gateway client"),
}

_DISTRICT_READERS = frozenset(
    {
        "district_admin",
        "agency_admin",
        "officer",
        "agency_head",
        "legal_reviewer",
        "hotline_operator",
        "legal_affairs",
        "procuratorate",
        "discipline",
        "police",
        "gateway_client",
    }
)

PERMISSIONS: dict[str, frozenset[str]] = {
    # Directory of the caller's own district.
    "directory.read": _DISTRICT_READERS,
    "directory.agency.update": frozenset({"district_admin"}),
    "directory.agency.create": frozenset({"district_admin"}),
    "directory.unit.write": frozenset({"district_admin", "agency_admin"}),
    "directory.officer.write": frozenset({"district_admin", "agency_admin"}),
    "directory.roles.write": frozenset({"district_admin", "agency_admin"}),
    # Lifting a sign-in lockout after too many wrong passwords (the built-in provider).
    "directory.officer.unlock": frozenset({"district_admin"}),
    "directory.import": frozenset({"district_admin"}),
    # The district's own settings (Tenant.settings): deadlines, policies, document bodies.
    "district.settings.read": frozenset({"district_admin"}),
    "district.settings.write": frozenset({"district_admin"}),
    "audit.read": frozenset({"district_admin", "platform_operator", "discipline"}),
    # The integration gateway: the district's subscriptions to the region's connectors
    # (credentials write-only), its deliveries and dead letters.
    "gateway.read": frozenset({"district_admin"}),
    "gateway.configure": frozenset({"district_admin"}),
    "gateway.redrive": frozenset({"district_admin"}),
    "gateway.region.read": frozenset({"platform_operator"}),  # every district's health
    # Oneself.
    "self.read": _DISTRICT_READERS | {"platform_operator"},
    # The one door: clues.
    "clues.read": frozenset(
        {
            "officer",
            "agency_head",
            "hotline_operator",
            "legal_affairs",
            "district_admin",
            "discipline",
            "procuratorate",
            "police",  # the clues it registered (ENTERERS) and those given to its agency
        }
    ),
    # A police officer registers a clue it found (source police; intake/service.py).
    "clues.register": frozenset({"officer", "hotline_operator", "police"}),
    "clues.route": frozenset({"officer", "agency_head"}),
    "clues.arbitrate": frozenset({"legal_affairs"}),
    "clues.supervise": frozenset({"legal_affairs", "district_admin", "discipline"}),
    "clues.inbound": frozenset({"gateway_client", "police"}),
    # The raw requests upper-level systems sent (personal data as sent), for audit.
    "gateway.envelopes.read": frozenset({"district_admin"}),
    # Cases (the case engine).
    "cases.read": frozenset(
        {
            "officer",
            "agency_head",
            "legal_reviewer",
            "legal_affairs",
            "district_admin",
            "discipline",
            "procuratorate",
        }
    ),
    "cases.handle": frozenset({"officer", "agency_head", "legal_reviewer"}),
    "cases.approve": frozenset({"agency_head"}),
    "cases.review": frozenset({"legal_reviewer"}),
    "cases.thresholds.write": frozenset({"district_admin"}),  # 较大数额 (听证)
    "cases.supervise": frozenset(
        {"legal_affairs", "district_admin", "discipline", "procuratorate", "agency_head"}
    ),
    # Cases pulled from a vertical sector system (cases/external): the district's
    # supervisory readers read all, an agency's staff its own agency's; its officers and
    # head confirm or reject a proposed match; the administrator sets whether they also
    # go on to disclosure and credit.
    "external_cases.read": frozenset(
        {
            "officer",
            "agency_head",
            "legal_reviewer",
            "agency_admin",
            "legal_affairs",
            "district_admin",
            "discipline",
            "procuratorate",
        }
    ),
    "external_cases.match": frozenset({"officer", "agency_head"}),
    "external_cases.settings": frozenset({"district_admin"}),
    "audit.verify": frozenset(
        {"district_admin", "legal_affairs", "discipline", "platform_operator"}
    ),
    # The power list.
    "powers.catalog.read": _DISTRICT_READERS | {"platform_operator"},
    "powers.catalog.write": frozenset({"platform_operator"}),
    "powers.adopt": frozenset({"district_admin"}),
    "powers.assign": frozenset({"district_admin"}),
    "powers.read": _DISTRICT_READERS,
    # Workflow configuration.
    "workflow.read": _DISTRICT_READERS | {"platform_operator"},
    "workflow.library.write": frozenset({"platform_operator"}),
    "workflow.override.write": frozenset({"district_admin", "agency_admin"}),
    # Identity provisioning jobs.
    "provisioning.read": frozenset({"district_admin"}),
    "provisioning.retry": frozenset({"district_admin"}),
    # The working-day calendar (region-wide reference data).
    "calendar.read": _DISTRICT_READERS | {"platform_operator"},
    "calendar.import": frozenset({"platform_operator"}),
    "calendar.approve": frozenset({"platform_operator"}),
    # Simulators of outside systems mounted by the embedded default (their messages
    # and fault switches): the operator's alone.
    "simulators.use": frozenset({"platform_operator"}),
    # Region-wide.
    "platform.tenants.read": frozenset({"platform_operator"}),
    "platform.tenants.write": frozenset({"platform_operator"}),
}

F = TypeVar("F", bound=Callable)

# endpoint function → action; filled by the decorators at import time.
DECLARED: dict[Callable, str | None] = {}


def requires(action: str) -> Callable[[F], F]:
    if action not in PERMISSIONS:
        raise KeyError(f"unknown action {action!r}: add it to PERMISSIONS")

    def mark(fn: F) -> F:
        fn.yimen_permission = action  # type: ignore[attr-defined]
        DECLARED[fn] = action
        return fn

    return mark


def public(fn: F) -> F:
    """Open to anyone, signed in or not (public site, discovery, health)."""
    fn.yimen_permission = None  # type: ignore[attr-defined]
    DECLARED[fn] = None
    return fn


def allowed(roles: frozenset[str] | set[str], action: str) -> bool:
    return bool(PERMISSIONS[action] & set(roles))


# Roles whose reach is the whole district; every other role of a district sees the data
# of its own agency only (DESIGN.md: officers, heads, agency admins and agency-level
# reviewers work inside their agency).
DISTRICT_WIDE_ROLES = frozenset(
    {
        "district_admin",
        "legal_affairs",
        "procuratorate",
        "discipline",
        "police",
        "hotline_operator",
        "gateway_client",
    }
)


def agency_bound(roles: frozenset[str] | set[str]) -> bool:
    return not (set(roles) & DISTRICT_WIDE_ROLES)


# Who reaches which clues, cases, documents, evidence and case events (the agency scope,
# kernel/db/agency_scope.py: scope_for; DESIGN.md, the roles table). The permission table
# above says whether a role may read or act at all; the scope says on which records.
#
# The district's supervisory roles read every clue and case of the district, and only
# read: an action that acts on a record (ACTS_ON_RECORDS) reaches no more than the
# caller's own agency takes part in, whatever else the caller may read.
SUPERVISORY_READERS = frozenset({"legal_affairs", "procuratorate", "discipline"})
# The district administrator's scope is the district (the roles table), so it reads
# every record its permissions let it read (clues.read, cases.read, the supervision
# figures), and acts on none of them (it holds no handling permission).
DISTRICT_RECORD_READERS = SUPERVISORY_READERS | {"district_admin"}
# Staff of an agency reach what their agency takes part in now (lead, joint, assisting,
# receiving, supervising); the police, what it was given (DESIGN.md: "read clues and
# cases it is granted").
AGENCY_PARTICIPANTS = frozenset(
    {"officer", "agency_head", "legal_reviewer", "agency_admin", "police"}
)
# A hotline operator reads back the calls it entered (its reach is not its agency's); a
# police officer, the clues it registered.
ENTERERS = frozenset({"hotline_operator", "police"})
ACTS_ON_RECORDS = frozenset(
    {
        "clues.register",
        "clues.route",
        "cases.handle",
        "cases.approve",
        "cases.review",
        "external_cases.match",
    }
)
