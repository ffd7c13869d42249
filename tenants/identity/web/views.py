"""Provisioning jobs of the district: their state, and re-driving a failed one."""

from __future__ import annotations

import uuid

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from yimen.platform.api.paging import PageArgs, page_of, paginate
from yimen.platform.api.problems import Problem
from yimen.platform.kernel.db import db
from yimen.platform.kernel.permissions import requires
from yimen.tenants.identity import tasks
from yimen.tenants.identity.model import DONE, STATUSES, ProvisioningTask

blp = Blueprint("provisioning", __name__, description="身份开通任务 / Identity provisioning jobs")


class TaskSchema(ma.Schema):
    id = ma.fields.UUID()
    entity = ma.fields.String()
    entity_id = ma.fields.UUID()
    operation = ma.fields.String()
    status = ma.fields.String()
    attempts = ma.fields.Integer()
    last_error = ma.fields.String()
    created_at = ma.fields.AwareDateTime()
    updated_at = ma.fields.AwareDateTime()


class TaskQuery(PageArgs):
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    entity = ma.fields.String(validate=ma.validate.OneOf(sorted(tasks.OPERATIONS)))
    entity_id = ma.fields.UUID()


@blp.route("/provisioning")
class Tasks(MethodView):
    @requires("provisioning.read")
    @blp.arguments(TaskQuery, location="query")
    @blp.response(200, page_of(TaskSchema))
    def get(self, args):
        """身份开通任务 (最新在前) / Provisioning jobs, newest first

        Status: pending (waiting or between retries), running, done, failed (retries
        used up; re-drive it). last_error names the failed step, never a person.
        """
        query = select(ProvisioningTask).order_by(ProvisioningTask.created_at.desc())
        if args.get("status"):
            query = query.where(ProvisioningTask.status == args["status"])
        if args.get("entity"):
            query = query.where(ProvisioningTask.entity == args["entity"])
        if args.get("entity_id"):
            query = query.where(ProvisioningTask.entity_id == args["entity_id"])
        return paginate(db.session, query, args["page"], args["page_size"])


@blp.route("/provisioning/<uuid:task_id>/retry")
class Retry(MethodView):
    @requires("provisioning.retry")
    @blp.response(200, TaskSchema)
    def post(self, task_id: uuid.UUID):
        """重新执行任务 / Re-drive a job that is not done"""
        task = db.session.execute(
            select(ProvisioningTask).where(ProvisioningTask.id == task_id)
        ).scalar_one_or_none()
        if task is None:
            raise Problem(404, "not-found", "任务不存在。", "No such job.")
        if task.status == DONE:
            raise Problem(409, "already-done", "该任务已完成。", "The job is already done.")
        return tasks.redrive(db.session, task)
