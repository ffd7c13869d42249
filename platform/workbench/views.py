"""`GET /api/v1/workbench`: the signed-in person's to-do list as the console's home page
shows it (queries.py), for other clients (the mobile app, a portal)."""

from __future__ import annotations

import marshmallow as ma
from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from yimen.platform.auth.guard import current_identity
from yimen.platform.kernel.db import db
from yimen.platform.kernel.permissions import requires
from yimen.platform.workbench import queries as todo

blp = Blueprint("workbench", __name__, description="执法工作台待办 / The workbench's to-do list")

DETAIL_PAGES = {
    "clue": ("console_clues.detail", "clue_id"),
    "case": ("console_cases.detail", "case_id"),
}


# A to-do whose action has a page of its own.
ACTION_PAGES = {"complete_draft": ("console_drafts.draft", "case_id")}


def href(item: todo.Item) -> str:
    """The console page of the item's record, at the action (or the action's own page)."""
    endpoint, key = ACTION_PAGES.get(item.kind) or DETAIL_PAGES[item.record]
    return f"{url_for(endpoint, **{key: item.record_id})}#{item.anchor}"


class ItemOut(ma.Schema):
    kind = ma.fields.String(
        metadata={
            "description": "accept_clue | designate_clue | complete_draft | approval | review | step | period | supervision"
        }
    )
    kind_label = ma.fields.Function(lambda i: i.kind_label[0], metadata={"description": "待办类别"})
    kind_label_en = ma.fields.Function(lambda i: i.kind_label[1])
    record = ma.fields.String(metadata={"description": "clue | case"})
    record_id = ma.fields.UUID()
    title = ma.fields.String(metadata={"description": "线索受理编号或案号 (草稿为空)"})
    subject = ma.fields.String(metadata={"description": "当事人，或线索的地点"})
    action = ma.fields.String(
        allow_none=True, metadata={"description": "案件操作 (cases/<id>/actions/<action>)"}
    )
    label = ma.fields.String(attribute="label_zh", metadata={"description": "要做什么"})
    label_en = ma.fields.String()
    deadline = ma.fields.Date(allow_none=True)
    deadline_label = ma.fields.String(attribute="deadline_zh")
    deadline_label_en = ma.fields.String(attribute="deadline_en")
    state = ma.fields.String(
        metadata={"description": "overdue | due_soon | unknown (日历未载入) | later | none"}
    )
    state_label = ma.fields.Function(lambda i: i.state_label[0])
    state_label_en = ma.fields.Function(lambda i: i.state_label[1])
    href = ma.fields.Function(href, metadata={"description": "控制台中该操作的位置"})


class WorkbenchOut(ma.Schema):
    today = ma.fields.Date()
    due_soon_working_days = ma.fields.Integer(attribute="due_soon_days")
    truncated = ma.fields.Boolean()
    items = ma.fields.List(ma.fields.Nested(ItemOut))


@blp.route("/workbench")
class WorkbenchView(MethodView):
    @requires("self.read")
    @blp.response(200, WorkbenchOut)
    def get(self):
        """我的待办 / My to-do list

        已逾期的在前，其余按最近期限排列；每项带控制台中该操作的链接。Overdue first, then by
        the nearest deadline; each item links to the action in the console.
        """
        return todo.workbench(db.session, current_identity(), todo.today())


def board(session, identity) -> dict:
    """The list as the API answers it, for the console's home page (the same words and
    links whichever client shows it)."""
    return WorkbenchOut().dump(todo.workbench(session, identity, todo.today()))
