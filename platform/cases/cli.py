"""`yimen gateway backfill`: the district's existing cases sent to a connector it has just
turned on, with a progress bar (the case feature adds it to the gateway's command group:
the gateway does not know the cases)."""

from __future__ import annotations

import resource

import click
from flask.cli import with_appcontext

from yimen.gateway.delivery.cli import _district, gateway_group
from yimen.platform.cases import backfill as use_case
from yimen.platform.kernel.uow import uow


@gateway_group.command("backfill", help="补发本区已有案件 / Send the district's existing cases")
@click.option("--district", "slug", required=True)
@click.option("--connector", required=True)
@click.option("--page", default=200, show_default=True, help="每批案件数 / cases a transaction")
@with_appcontext
def backfill(slug: str, connector: str, page: int) -> None:
    tenant_id = _district(slug)
    shown = 0
    with click.progressbar(length=1, label=f"补发 backfill → {connector}") as bar:

        def on_page(progress: use_case.Progress) -> None:
            nonlocal shown
            bar.length = max(progress.total, progress.done, 1)
            bar.update(progress.done - shown)
            shown = progress.done

        done = use_case.backfill(uow, tenant_id, use_case.Backfill(connector, page), on_page)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    click.echo(
        f"{done.status}: 案件 cases {done.done}/{done.total}, 事件 events {done.published}, "
        f"峰值内存 peak RSS {peak_mb:.0f} MB"
    )
