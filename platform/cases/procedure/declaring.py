"""How a case action is declared: once, beside its handler.

`@declare(...)` above a handler turns it into an `ActionSpec` — the action's name, its
Chinese and English labels, the stages and statuses where the law allows it, the role it
needs beyond `cases.handle`, its body (the API's fields), the documents it issues, and
the console's hints for its form. Nothing is registered on import: `cases.registry` (the
one registry) collects the specs of the handler modules it names, and every table the
engine, the API, the OpenAPI description and the console read — where an action is
allowed, its name, its body schema, its role, its form, its documents — is derived from
them there. `cases.registry.incomplete` names what a declaration lacks; a unit test fails
on any.

Data only (no framework, no database), so the pure rules and the tests read it freely.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

# A role beyond cases.handle: (role, why in Chinese, why in English).
Role = tuple[str, str, str]
HEAD: Role = ("agency_head", "须由行政机关负责人批准。", "Needs the agency head's approval.")
REVIEWER: Role = ("legal_reviewer", "须由法制审核人员办理。", "Needs a legal reviewer.")

# A handler takes the action's context (procedure.general.Ctx) and returns the event's
# payload and the documents to issue, as (kind, context) pairs.
Result = tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]
Handler = Callable[[Any], Result]


@dataclass(frozen=True)
class ActionSpec:
    name: str
    label_zh: str
    label_en: str
    # The stages where it is allowed (empty: any stage) and the case statuses.
    stages: tuple[str, ...] | None
    statuses: tuple[str, ...]
    handler: Handler | None
    # The body's fields (marshmallow fields by name; `version` and `client_id` are added
    # to every body). {} for an action that takes nothing.
    body: Mapping[str, Any] | None
    role: Role | None = None
    # The kinds of document (documents.issuing.KINDS) the handler may issue.
    documents: tuple[str, ...] = ()
    # The console form: a label per field where the shared one (console_forms.LABELS)
    # does not fit, and the named choice set (console_forms.CHOICES) of a field.
    form: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    choices: Mapping[str, str] = field(default_factory=dict)
    # Still allowed while the case is suspended (中止调查): resuming, and keeping the
    # record complete.
    while_suspended: bool = False
    # A further condition of the law on the case (rules.CaseView → rules.Refusal or
    # None), checked wherever the stages are: the write path and what is offered.
    guard: Callable[[Any], Any] | None = None
    module: str = ""

    def __call__(self, ctx: Any) -> Result:
        assert self.handler is not None
        return self.handler(ctx)

    @property
    def doc(self) -> str:
        return ((self.handler.__doc__ if self.handler else None) or "").strip()


def declare(
    name: str,
    label_zh: str,
    label_en: str,
    *,
    stages: tuple[str, ...],
    statuses: tuple[str, ...],
    body: Mapping[str, Any],
    role: Role | None = None,
    documents: tuple[str, ...] = (),
    form: Mapping[str, tuple[str, str]] | None = None,
    choices: Mapping[str, str] | None = None,
    while_suspended: bool = False,
    guard: Callable[[Any], Any] | None = None,
) -> Callable[[Handler], ActionSpec]:
    """Declare the action its handler carries out; the handler's name is bound to the
    declaration (still callable with the context)."""

    def spec(handler: Handler) -> ActionSpec:
        return ActionSpec(
            name=name,
            label_zh=label_zh,
            label_en=label_en,
            stages=tuple(stages),
            statuses=tuple(statuses),
            handler=handler,
            body=dict(body),
            role=role,
            documents=tuple(documents),
            form=dict(form or {}),
            choices=dict(choices or {}),
            while_suspended=while_suspended,
            guard=guard,
            module=handler.__module__,
        )

    return spec
