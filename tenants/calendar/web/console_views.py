"""Console review screen for the platform operator: proposed years and their holidays."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from sqlalchemy import select

from yimen.platform.auth.guard import current_identity
from yimen.platform.kernel.db import db
from yimen.platform.kernel.db.tenancy import current_tenant_id
from yimen.platform.kernel.permissions import requires
from yimen.platform.kernel.uow import uow
from yimen.tenants.calendar import service
from yimen.tenants.calendar.contracts import ApproveYear
from yimen.tenants.calendar.model import CalendarDay, CalendarYear
from yimen.tenants.calendar.rules import DayKind

bp = Blueprint("console_calendar", __name__, url_prefix="/console/calendar")


@bp.get("/")
@requires("calendar.read")
def years():
    rows = (
        db.session.execute(select(CalendarYear).order_by(CalendarYear.year.desc())).scalars().all()
    )
    proposed = [y for y in rows if y.status == "proposed"]
    special = {}
    for year in proposed:
        special[year.year] = (
            db.session.execute(
                select(CalendarDay)
                .where(
                    CalendarDay.year == year.year,
                    CalendarDay.kind.in_([DayKind.HOLIDAY, DayKind.ADJUSTED_WORKDAY]),
                )
                .order_by(CalendarDay.day)
            )
            .scalars()
            .all()
        )
    return render_template("calendar/review.html", years=rows, proposed=proposed, special=special)


@bp.post("/<int(min=1900, max=2200):year>/approve")
@requires("calendar.approve")
def approve(year: int):
    # Its own unit of work: a refusal rolls it back and is shown as the error page.
    command = ApproveYear(year)
    uow.run(current_tenant_id(), service.approve_year, command, current_identity().username)
    return redirect(url_for("console_calendar.years"))
