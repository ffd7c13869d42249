"""A filed case's party corrected before the decision: a recorded correction with its
reason, the old and new values in the case's hash-chained record.

From filing until the decision the officers may find that a party was entered wrongly
or incompletely — a name misspelt, an ID number mistyped, an address missing that the
decision must state (处罚法 第五十九条第一款第（一）项). Each correction is its own event,
with what it was, what it is and why. Once the decision is made it names the party:
the record is no longer corrected here (第五十九条).
"""

from __future__ import annotations

import copy
import uuid

import marshmallow as ma

from yimen.platform.cases import schemas, service
from yimen.platform.cases.procedure import rules
from yimen.platform.cases.procedure.declaring import declare
from yimen.platform.cases.record.model import CaseParty, CaseStatus, PartyKind
from yimen.platform.kernel.errors import FieldProblem, Invalid

PZ = rules.PZ
# What a correction may change, each with its Chinese and English name (the record).
FIELDS: dict[str, tuple[str, str]] = {
    "kind": ("当事人类型", "Kind"),
    "name": ("姓名或名称", "Name"),
    "id_number": ("身份证号码", "ID number"),
    "credit_code": ("统一社会信用代码", "Credit code"),
    "legal_representative": ("法定代表人", "Legal representative"),
    "address": ("地址", "Address"),
    "phone": ("联系电话", "Phone"),
}


def before_decision(case: rules.CaseView) -> rules.Refusal | None:
    """The party is corrected until the decision; the decision then states it (处罚法
    第五十九条), and a case closed without one has nothing left to correct."""
    if case.dates.get("decided"):
        return rules.Refusal(
            "party-fixed-by-decision",
            "处罚决定已经作出，决定书载明的当事人不能再更正。",
            "The decision has been made and states the party; it can no longer be corrected.",
            f"{PZ}第五十九条",
        )
    if case.status != CaseStatus.OPEN.value:
        return rules.Refusal(
            "case-not-open",
            f"案件{rules.STATUS_NAMES.get(case.status, case.status)}，不能更正当事人。",
            f"The case is {case.status}: its party can no longer be corrected.",
            f"{PZ}第五十九条",
        )
    return None


def _party_field(name: str) -> ma.fields.Field:
    return copy.deepcopy(schemas.PartyIn._declared_fields[name])


@declare(
    "correct_party",
    "更正当事人信息",
    "Correct the party",
    stages=(),  # any stage from filing until the decision: the guard says until when
    statuses=(CaseStatus.OPEN.value, CaseStatus.CLOSED.value, CaseStatus.ARCHIVED.value),
    body={
        "party_id": ma.fields.UUID(required=True),
        "kind": ma.fields.String(validate=ma.validate.OneOf([k.value for k in PartyKind])),
        "name": ma.fields.String(validate=ma.validate.Length(min=1, max=200)),
        **{
            name: _party_field(name)
            for name in (
                "id_number",
                "credit_code",
                "credit_code_confirmed",
                "legal_representative",
                "address",
                "phone",
            )
        },
        "reason": schemas.text(500),
    },
    form={
        "party_id": ("更正的当事人", "The party corrected"),
        "kind": ("当事人类型", "Kind of party"),
        "name": ("姓名或名称", "Name"),
        "id_number": ("身份证号码", "Resident ID number"),
        "credit_code": ("统一社会信用代码", "Unified social credit code"),
        "credit_code_confirmed": ("信用代码校验位已核对", "Credit code's check digit confirmed"),
        "legal_representative": ("法定代表人", "Legal representative"),
        "address": ("地址", "Address"),
        "phone": ("联系电话", "Phone"),
        "reason": ("更正理由", "Reason for the correction"),
    },
    choices={"kind": "party_kind"},
    while_suspended=True,  # keeping the record right does not wait for the investigation
    guard=before_decision,
)
def _correct_party(ctx):
    """Correct one party of a filed case before the decision, with the reason: the old
    and new values go into the record (处罚法 第四十七条、第五十九条)."""
    party = _the_party(ctx.case.parties, ctx.data["party_id"])
    current = {name: getattr(party, name) or "" for name in FIELDS}
    current["credit_code_confirmed"] = party.credit_code_confirmed
    wanted = {**current, **{k: v for k, v in ctx.data.items() if k in current}}
    corrected = _checked(wanted, party.position)
    changes = [
        {"field": name, "label": FIELDS[name][0], "old": current[name], "new": corrected[name]}
        for name in FIELDS
        if corrected[name] != current[name]
    ]
    if not changes:
        raise Invalid(
            "nothing-corrected",
            "填写的内容与现有当事人信息相同，没有需要更正的内容。",
            "Nothing differs from the party as recorded.",
        )
    for name, value in corrected.items():
        setattr(party, name, value)
    payload = {
        "party_id": str(party.id),
        "position": party.position,
        "changes": changes,
        "reason": ctx.data["reason"],
    }
    return payload, []


def _the_party(parties: list[CaseParty], party_id) -> CaseParty:
    found = next((p for p in parties if str(p.id) == str(uuid.UUID(str(party_id)))), None)
    if found is None:
        raise Invalid(
            "unknown-party",
            "本案没有这个当事人。",
            "No such party in this case.",
            fields=[FieldProblem("party_id", "本案没有这个当事人。", "No such party.")],
        )
    return found


def _checked(wanted: dict, position: int) -> dict:
    """The party as corrected, checked as a new one is (ID number GB 11643, credit code
    GB 32100); a field error names the field as the correction's body does."""
    try:
        party = service._party(wanted, position)
    except Invalid as exc:
        exc.fields = [FieldProblem(f.field.rsplit(".", 1)[-1], f.zh, f.en) for f in exc.fields]
        raise
    values = {name: getattr(party, name) or "" for name in FIELDS}
    values["credit_code_confirmed"] = bool(party.credit_code_confirmed)
    return values
