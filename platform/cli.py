"""The `yimen` command: a Flask CLI group with the platform's commands."""

from __future__ import annotations

import json
import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from yimen.platform.kernel.db import db


def settings():
    return current_app.extensions["yimen.settings"]


def district_defaults():
    """What the features give a new district (collected by create_app)."""
    return current_app.extensions["yimen.district_defaults"]


@click.group("db", help="数据库 / Database")
def db_group() -> None:
    pass


@db_group.command("upgrade", help="迁移到最新版本 / Migrate to the latest revision")
@click.option("--revision", default="heads")
@with_appcontext
def db_upgrade(revision: str) -> None:
    from yimen.platform.migrate import upgrade

    warning = upgrade(settings().migrate_database_url, revision)
    click.echo(f"数据库已迁移 / database migrated to {revision}")
    if warning:
        click.echo(f"警告 / warning: {warning}", err=True)


@click.group("tenant", help="区(租户) / Districts")
def tenant_group() -> None:
    pass


@tenant_group.command("create", help="创建区 / Create a district")
@click.option("--slug", required=True)
@click.option("--name", required=True)
@click.option("--division-code", required=True, help="GB/T 2260 六位行政区划代码")
@with_appcontext
def tenant_create(slug: str, name: str, division_code: str) -> None:
    from yimen.tenants.directory.onboarding import TenantExists, create_tenant

    with db.new_session() as s:
        try:
            tenant = create_tenant(
                s, slug, name, division_code, settings().public_url, defaults=district_defaults()
            )
        except TenantExists:
            raise click.ClickException(f"区 {slug} 已存在 / district {slug} exists") from None
    click.echo(
        json.dumps({"id": str(tenant.id), "slug": slug, "issuer": settings().builtin_issuer(slug)})
    )


@click.group("demo", help="演示数据 / Demo data")
def demo_group() -> None:
    pass


@demo_group.command("seed", help="创建演示区域 (可重复执行) / Seed the demo region (idempotent)")
@with_appcontext
def demo_seed() -> None:
    from yimen.platform.demo import seed_demo

    out = settings().var_dir / "demo.json"
    with db.new_session() as s:
        province = current_app.extensions.get("yimen.province_simulator")
        demo = seed_demo(s, settings().public_url, out, district_defaults(), province)
    click.echo(f"演示数据已就绪 / demo ready: {len(demo['districts'])} districts → {out}")


def _seed_group(name: str, help_text: str, seed_help: str, seeder: str, done: str) -> click.Group:
    """A `<name> seed` command that loads reference data idempotently; `seeder` is the
    dotted path of a function (session) -> number (or list) of new rows."""

    @click.group(name, help=help_text)
    def group() -> None:
        pass

    @group.command("seed", help=seed_help)
    @with_appcontext
    def seed() -> None:
        from importlib import import_module

        module, _, function = seeder.rpartition(".")
        with db.new_session() as s:
            added = getattr(import_module(module), function)(s)
        click.echo(done.format(n=len(added) if isinstance(added, list) else added))

    return group


calendar_group = _seed_group(
    "calendar",
    "工作日历 / Working-day calendar",
    "载入 chinesecalendar 已有年份 (可重复执行) / Load the packaged years",
    "yimen.tenants.calendar.service.seed",
    "日历已载入 / calendar loaded: {n} new years",
)
powers_group = _seed_group(
    "powers",
    "执法事项目录 / Enforcement matters",
    "载入起步目录 (可重复执行) / Load the starter catalog",
    "yimen.tenants.powers.service.seed_catalog",
    "执法事项目录已载入 / catalog loaded: {n} new matters",
)
workflow_group = _seed_group(
    "workflow",
    "流程配置 / Workflow configuration",
    "载入法定流程第1版 (可重复执行) / Load the statutory library v1",
    "yimen.tenants.workflow.service.seed_library",
    "流程库已载入 / workflow library loaded: {n} new procedures",
)


@click.group("idp", help="内置身份认证 / Built-in identity provider")
def idp_group() -> None:
    pass


@idp_group.command("rotate-keys", help="轮换签名密钥 / Rotate a district's signing key")
@click.argument("slug")
@with_appcontext
def idp_rotate(slug: str) -> None:
    from sqlalchemy import select

    from yimen.platform.idp.keys import rotate
    from yimen.platform.kernel.db import tenant_scope
    from yimen.platform.kernel.directory import Tenant

    with db.new_session() as s:
        tenant = s.execute(select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()
        if tenant is None:
            raise click.ClickException(f"没有区 {slug} / no district {slug}")
    with tenant_scope(tenant.id), db.new_session() as s:
        key = rotate(s)
        s.commit()
    click.echo(f"new signing key {key.kid}")


@idp_group.command(
    "add-gateway-client",
    help="为上级系统创建机器客户端 (密钥只显示一次) / "
    "Create an upper-level system's machine client (the secret is shown once)",
)
@click.argument("slug")
@click.argument("client_id")
@click.option("--name", required=True, help="对方系统名称 / the system's name")
@click.option(
    "--connector",
    "connectors",
    multiple=True,
    default=("upper_level",),
    show_default=True,
    help="可发送的接入通道 (范围 gateway:<名称>) / inbound connector it may send on",
)
@with_appcontext
def idp_add_gateway_client(slug: str, client_id: str, name: str, connectors: tuple) -> None:
    from sqlalchemy import select

    from yimen.platform.idp.admin import create_machine_client
    from yimen.platform.idp.model import OAuthClient
    from yimen.platform.kernel.db import tenant_scope
    from yimen.platform.kernel.directory import Tenant

    with db.new_session() as s:
        tenant = s.execute(select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()
        if tenant is None:
            raise click.ClickException(f"没有区 {slug} / no district {slug}")
    with tenant_scope(tenant.id), db.new_session() as s:
        taken = select(OAuthClient.id).where(OAuthClient.client_id == client_id)
        if s.execute(taken).first() is not None:
            raise click.ClickException(f"客户端 {client_id} 已存在 / client {client_id} exists")
        _, secret = create_machine_client(
            s, client_id, name, ["gateway_client"], connectors=list(connectors)
        )
        s.commit()
    click.echo(
        json.dumps(
            {
                "client_id": client_id,
                "client_secret": secret,
                "scope": [f"gateway:{c}" for c in connectors],
                "soap": f"{settings().public_url}/soap/v1/{slug}/clues?wsdl",
            }
        )
    )


@click.group("audit", help="审计与防篡改校验 / Audit and tamper checks")
def audit_group() -> None:
    pass


@audit_group.command(
    "verify",
    help="校验案件全过程记录链，报告每案首个断点；有断点时退出码为 1 / "
    "Verify the case record chains; exit code 1 when a link is broken",
)
@click.option("--district", "slug", help="只校验该区 / only this district (slug)")
@click.option("--case", "case_id", type=click.UUID, help="只校验该案件 / only this case")
@with_appcontext
def audit_verify(slug: str | None, case_id) -> None:
    from sqlalchemy import select

    from yimen.platform.cases.record.log import verify
    from yimen.platform.cases.record.model import Case
    from yimen.platform.kernel.db import tenant_scope
    from yimen.platform.kernel.directory import Tenant

    with db.new_session() as s:
        query = select(Tenant.id, Tenant.slug).order_by(Tenant.slug)
        districts = s.execute(query.where(Tenant.slug == slug) if slug else query).all()
    if slug and not districts:
        raise click.ClickException(f"没有区 {slug} / no district {slug}")
    broken, found = 0, False
    for tenant_id, tenant_slug in districts:
        with tenant_scope(tenant_id), db.new_session() as s:
            report = verify(s, case_id)
            numbers = dict(
                s.execute(
                    select(Case.id, Case.number).where(
                        Case.id.in_([b.case_id for b in report.breaks])
                    )
                ).all()
            )
        if case_id and not report.cases:
            continue
        found = True
        state = "完整 / intact" if report.ok else f"{len(report.breaks)} 案断链 / broken"
        click.echo(
            f"{tenant_slug}: {report.cases} 件案件 / cases, "
            f"{report.events} 条记录 / events — {state}"
        )
        for b in report.breaks:
            number = f"{numbers[b.case_id]} " if numbers.get(b.case_id) else ""
            click.echo(
                f"  案件 {number}case {b.case_id} 第 {b.seq} 条 / seq {b.seq} (event {b.event_id}): "
                f"{b.message} / {b.message_en}"
            )
        broken += len(report.breaks)
    if case_id and not found:
        click.echo(f"案件 {case_id} 没有记录 / case {case_id} has no events", err=True)
        sys.exit(2)
    if broken:
        click.echo(f"发现 {broken} 处断链 / {broken} broken chain(s)", err=True)
        sys.exit(1)


@click.group("documents", help="案件文书 / Case documents")
def documents_group() -> None:
    pass


@documents_group.command(
    "move-to-blobs",
    help="把旧文书的 PDF 从数据库移入文件存储 (可重复执行) / "
    "Move the PDFs of documents issued before the blob store into it (idempotent)",
)
@click.option(
    "--batch", default=100, show_default=True, help="每个事务的文书数 / rows per transaction"
)
@with_appcontext
def documents_move_to_blobs(batch: int) -> None:
    from yimen.platform.cases.documents import rendering

    moved = rendering.move_to_blobs(batch)
    click.echo(f"已移入文件存储 {moved} 份文书 / {moved} document PDF(s) moved to the blob store")


@click.command("worker", help="运行后台任务 / Run background workers")
@click.option("--threads", default=4, show_default=True)
@click.option(
    "--scheduler/--no-scheduler",
    default=True,
    show_default=True,
    help="同时发送定时任务 (外发补发、逾期督办) / also send the periodic jobs",
)
@with_appcontext
def worker(threads: int, scheduler: bool) -> None:
    from yimen.gateway.worker.runner import InProcessWorker

    handle = current_app.extensions["yimen.broker"]
    if handle.kind == "stub":
        raise click.ClickException(
            "YIMEN_BROKER_URL 为 stub:// 时任务在 `yimen run` 进程内执行 / "
            "with stub:// the worker runs inside `yimen run`"
        )
    runner = InProcessWorker(handle, threads=threads, scheduler=scheduler)
    runner.start()
    click.echo(f"worker {runner.name} consuming from {handle.kind}")
    try:
        import threading

        threading.Event().wait()
    except KeyboardInterrupt:
        runner.stop()


@click.command("run", help="启动平台 / Serve the platform (web, identity provider, worker)")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
@click.option("--threads", default=8, show_default=True)
@with_appcontext
def run(host: str, port: int, threads: int) -> None:
    from waitress import serve

    from yimen.gateway.worker.runner import InProcessWorker

    app = current_app._get_current_object()
    handle = app.extensions["yimen.broker"]
    runner = None
    if handle.kind == "stub":
        runner = InProcessWorker(handle, scheduler=True)
        runner.start()
    _print_banner(app)
    try:
        settings = app.extensions["yimen.settings"]
        # waitress refuses bodies past 1 GB by default; evidence may be up to
        # YIMEN_EVIDENCE_MAX_BYTES (it spools large bodies to a temporary file, not memory).
        largest = max(settings.max_body_bytes, settings.evidence_max_bytes) + 1024 * 1024
        serve(
            app,
            host=host,
            port=port,
            threads=threads,
            ident="yimen",
            max_request_body_size=largest,
        )
    finally:
        if runner:
            runner.stop()


def _print_banner(app: Flask) -> None:
    s = app.extensions["yimen.settings"]
    demo_file = s.var_dir / "demo.json"
    lines = [
        "一门 Yimen 已启动 / is up",
        f"  公众网站 public site   {s.public_url}/",
        f"  执法工作台 console     {s.public_url}/console/",
        f"  接口文档 API docs      {s.public_url}/api/docs",
        f"  就绪检查 readiness     {s.public_url}/readyz",
    ]
    if demo_file.exists():
        demo = json.loads(demo_file.read_text())
        for d in demo["districts"]:
            first = d["officers"][0]
            lines.append(f"  {d['name']}: 签发方 issuer {d['client']['issuer']}")
            lines.append(f"    执法人员 officer {first['username']} / {first['password']}")
            lines.append(
                f"    客户端 client {d['client']['client_id']} / {d['client']['client_secret']}"
            )
        lines.append(f"  全部演示账号 all demo sign-ins: {demo_file}")
    click.echo("\n".join(lines), file=sys.stderr)


def register_cli(app: Flask) -> None:
    for command in (
        db_group,
        tenant_group,
        demo_group,
        calendar_group,
        powers_group,
        workflow_group,
        idp_group,
        audit_group,
        documents_group,
        worker,
        run,
    ):
        app.cli.add_command(command)
