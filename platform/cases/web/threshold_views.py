"""The district administrator's hearing-threshold page (较大数额, 处罚法 第六十三条): the
district's figures, whether they are confirmed as its own, the amount the engine applies
until then, and a form that confirms them citing the provincial or ministerial rule that
sets them (its name and number). It goes through the API's use case (law/thresholds.py),
so a mistake reads the same as in a problem+json answer, field by field, and nothing is
written."""

from __future__ import annotations

import decimal

from flask import Blueprint, redirect, render_template, request, url_for

from yimen.platform.api.problems import problem_of
from yimen.platform.auth.guard import current_identity
from yimen.platform.cases.law import thresholds as law_service
from yimen.platform.kernel.db import db
from yimen.platform.kernel.errors import DomainError, FieldProblem, Invalid
from yimen.platform.kernel.permissions import requires

bp = Blueprint("console_thresholds", __name__, url_prefix="/console/admin")
LABELS = {
    ("person", "fine"): ("个人 · 罚款", "Person · fine"),
    ("person", "confiscation"): ("个人 · 没收违法所得、非法财物", "Person · confiscation"),
    ("organisation", "fine"): ("单位 · 罚款", "Organisation · fine"),
    ("organisation", "confiscation"): (
        "单位 · 没收违法所得、非法财物",
        "Organisation · confiscation",
    ),
}


@bp.get("/hearing-thresholds")
@requires("cases.thresholds.write")
def hearing_thresholds(errors=None, values=None, status=200):
    """The district's 较大数额: confirmed or not, in force, and the form to confirm."""
    rows = law_service.described(db.session)
    return render_template(
        "admin/hearing_thresholds.html",
        rows=rows,
        labels=LABELS,
        confirmed=bool(rows) and all(r["confirmed"] for r in rows),
        lowest=law_service.KNOWN_STANDARDS,
        errors=errors or {},
        values=values,
        saved=request.args.get("saved") == "1",
    ), status


@bp.post("/hearing-thresholds")
@requires("cases.thresholds.write")
def confirm_hearing_thresholds():
    form = request.form
    cited = {
        "source": form.get("source", "").strip(),
        "source_number": form.get("source_number", "").strip(),
    }
    try:
        items = [
            {"party_kind": p, "kind": k, "amount_fen": _fen(form.get(f"{p}_{k}", ""), f"{p}_{k}")}
            for p, k in law_service.KEYS
        ]
        law_service.replace_thresholds(db.session, items, current_identity().username, cited)
    except DomainError as exc:
        db.session.rollback()
        problem = problem_of(exc)
        errors = {_field(e.field): (e.message, e.message_en) for e in problem.errors}
        return hearing_thresholds(errors=errors, values=form, status=422)
    return redirect(url_for("console_thresholds.hearing_thresholds", saved=1))


def _fen(value: str, field: str) -> int:
    """Yuan as typed (two decimals at most) → fen."""
    try:
        amount = decimal.Decimal(value.replace(",", "").strip())
    except decimal.InvalidOperation:
        amount = decimal.Decimal(-1)
    if amount <= 0 or amount != amount.quantize(decimal.Decimal("0.01")):
        raise Invalid(
            "invalid-thresholds",
            "较大数额标准有误，未作任何修改。",
            "The thresholds are invalid; nothing was changed.",
            fields=[
                FieldProblem(
                    field, "请填写大于零的金额 (元)。", "Enter an amount in yuan above zero."
                )
            ],
        )
    return int(amount * 100)


def _field(name: str) -> str:
    """`items.<n>.source` → the form's one `source` box (the form cites one rule)."""
    if name.startswith("items.") and name.count(".") == 2:
        return name.rsplit(".", 1)[1]
    return name
