"""`yimen gateway …`: the platform operator's connectors, re-drive and skip, key rotation."""

from __future__ import annotations

import datetime as dt
import uuid

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from yimen.gateway.delivery import engine, reconcile, service
from yimen.platform.kernel.db import db
from yimen.platform.kernel.errors import DomainError
from yimen.platform.kernel.uow import uow


class _Group(click.Group):
    """A domain error (bad input, no such record) is a one-line message, not a traceback."""

    def invoke(self, ctx: click.Context):  # type: ignore[no-untyped-def]
        try:
            return super().invoke(ctx)
        except DomainError as exc:
            fields = "; ".join(f"{f.field}: {f.zh} / {f.en}" for f in exc.fields)
            raise click.ClickException(f"{exc.zh} / {exc.en} {fields}".strip()) from exc


@click.group("gateway", cls=_Group, help="数据对接网关 / Integration gateway")
def gateway_group() -> None:
    pass


def _district(slug: str) -> uuid.UUID:
    from yimen.platform.kernel.directory import Tenant

    with db.new_session() as s:
        tenant_id = s.execute(select(Tenant.id).where(Tenant.slug == slug)).scalar_one_or_none()
    if tenant_id is None:
        raise click.ClickException(f"没有区 {slug} / no district {slug}")
    return tenant_id


@gateway_group.command("define-connector", help="定义本区域可用的对接系统 / Offer a connector")
@click.argument("name")
@click.option("--kind", type=click.Choice(service.KINDS), required=True)
@click.option("--label-zh", required=True)
@click.option("--label-en", required=True)
@click.option("--event-type", "event_types", multiple=True, required=True)
@click.option("--endpoint", default="")
@click.option("--rate", default="", help='e.g. "20/second"')
@with_appcontext
def define_connector(name, kind, label_zh, label_en, event_types, endpoint, rate) -> None:
    command = service.DefineConnector(
        name, kind, label_zh, label_en, tuple(event_types), endpoint, rate
    )
    service.define_connector(uow, command)
    click.echo(f"connector {name} defined")


@gateway_group.command("redrive", help="重新投递失败的记录 / Re-drive dead letters")
@click.argument("slug")
@click.option("--id", "ids", multiple=True, type=click.UUID, help="一条记录 (可重复)")
@click.option("--all", "every_dead", is_flag=True, help="全部失败记录")
@click.option("--connector", default="")
@click.option("--by", default="cli")
@with_appcontext
def redrive(slug: str, ids, every_dead: bool, connector: str, by: str) -> None:
    command = service.Redrive(by=by, ids=tuple(ids), every_dead=every_dead, connector=connector)
    count = service.redrive(uow, _district(slug), command)
    click.echo(f"{count} 条重新投递 / {count} re-driven")


@gateway_group.command("skip", help="不再投递某条记录 / Skip a record")
@click.argument("slug")
@click.argument("delivery_id", type=click.UUID)
@click.option("--reason", required=True)
@click.option("--by", default="cli")
@with_appcontext
def skip(slug: str, delivery_id: uuid.UUID, reason: str, by: str) -> None:
    service.skip(uow, _district(slug), service.Skip(delivery_id, by, reason))
    click.echo(f"{delivery_id} skipped")


@gateway_group.command("deliver", help="立即投递一批 / Deliver one batch now")
@click.option("--limit", default=200)
@with_appcontext
def deliver(limit: int) -> None:
    result = engine.run_batch(limit=limit)
    click.echo(" ".join(f"{k}={v}" for k, v in sorted(result.outcomes.items())) or "nothing due")


@gateway_group.command(
    "rotate-keys", help="用第一个密钥重新加密全部凭据 / Re-encrypt credentials with the first key"
)
@click.option("--district", "slugs", multiple=True, help="只处理这些区 (默认全部)")
@with_appcontext
def rotate_keys(slugs: tuple[str, ...]) -> None:
    from yimen.platform.kernel.directory import Tenant

    with db.new_session() as s:
        tenant_ids = list(s.execute(select(Tenant.id)).scalars())
    if slugs:
        tenant_ids = [_district(slug) for slug in slugs]
    count = service.rotate_keys(uow, tenant_ids)
    click.echo(f"{count} 份凭据已重新加密 / {count} credentials re-encrypted")


@gateway_group.command("reconcile", help="核对某日已发送与对方平台所存 / Reconcile a day")
@click.option("--district", "slug", required=True)
@click.option("--connector", required=True)
@click.option("--day", type=click.DateTime(["%Y-%m-%d"]), default=None, help="默认昨天 (UTC)")
@with_appcontext
def reconcile_day(slug: str, connector: str, day: dt.datetime | None) -> None:
    when = day.date() if day else dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    report = reconcile.reconcile(uow, _district(slug), reconcile.Reconcile(connector, when))
    if report.error:
        raise click.ClickException(
            f"无法询问对方平台 / the upstream could not be asked: {report.error}"
        )
    click.echo(
        f"{connector} {when}: 已发送 sent {report.sent_count} ({report.sent_hash[:12]}), "
        f"对方 upstream {report.upstream_count} ({report.upstream_hash[:12]}); "
        f"缺失 missing {len(report.missing)} (重发 re-sent {report.resent}), "
        f"多出 extra {len(report.extra)}, 不一致 differing {len(report.differing)}"
    )
    for key in report.extra:
        click.echo(f"  extra: {key}")
