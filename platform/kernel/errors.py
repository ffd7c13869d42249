"""Domain errors: what a use case says when it will not do what it was asked.

Use cases, rules and services raise these, never HTTP errors: the same use case runs from
a view, a worker or an inbound gateway handler. One handler per shell turns them into
what its caller understands — problem+json for the API and the pages
(`yimen.platform.api.problems.problem_of`), a SOAP fault or a dead letter for the
gateway. Every message is in Chinese first and English beside it; a rule of law names
its article.

Which error to raise:
  Invalid     the input is wrong, field by field (422)
  NotFound    no such record, or none the caller may see (404: never say which)
  Forbidden   the caller's role or agency may not do this (403)
  Conflict    the record changed or exists already; retry after reading again (409)
  Refused     a rule says not now / not this way, naming the rule and article (409)
  Unavailable something the use case needs is down (503); retry later
  TooLarge    an upload is past the size the use case takes (413); nothing was kept
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FieldProblem:
    """What is wrong with one field, in both languages."""

    field: str
    zh: str
    en: str


@dataclass
class DomainError(Exception):
    """Base of the domain errors. `code` is the stable slug callers branch on."""

    code: str
    zh: str = ""
    en: str = ""
    fields: list[FieldProblem] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:  # for logs and tracebacks: never personal data, only codes
        return f"{type(self).__name__} {self.code}: {self.en or self.zh}"


@dataclass
class Invalid(DomainError):
    """The input is wrong; `fields` says where."""


@dataclass
class NotFound(DomainError):
    """No such record, or none the caller may see."""


@dataclass
class Forbidden(DomainError):
    """The caller's role or agency may not do this."""


@dataclass
class Conflict(DomainError):
    """The record changed under the caller or exists already."""


@dataclass
class Unavailable(DomainError):
    """A store or an upstream system the use case needs is not answering."""


@dataclass
class TooLarge(DomainError):
    """An upload (a file, a body) is larger than the use case takes; nothing was kept."""


@dataclass
class Refused(DomainError):
    """A rule of law (or of the district) says no: the rule's code and its article."""

    article: str = ""
    # Refused because of what was entered (a date, an amount) rather than because of
    # the record's state: the shells answer 422 instead of 409.
    on_input: bool = False

    @property
    def rule(self) -> str:
        return self.code


class Bilingual(str):
    """A message that carries its own English beside its Chinese: a schema's validator
    raises marshmallow's ValidationError with it, and the shells show both languages."""

    en: str

    def __new__(cls, zh: str, en: str) -> Bilingual:
        obj = super().__new__(cls, zh)
        obj.en = en
        return obj


def invalid(field_name: str, zh: str, en: str, code: str = "validation-failed") -> Invalid:
    """One bad field: the commonest refusal of input."""
    return Invalid(
        code,
        "请求参数校验未通过，请按字段修正。",
        "Some fields are invalid; see errors.",
        fields=[FieldProblem(field_name, zh, en)],
    )


def not_found(zh: str, en: str, code: str = "not-found") -> NotFound:
    return NotFound(code, zh, en)
