"""The `yimen` command's entry point: creates the application (whose factory adds the
commands of yimen.platform.cli) and runs the command line. The outermost module of the
composition root: nothing imports it."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from yimen.platform.app import create_app


def _create_app():
    return create_app()


@click.group(
    cls=FlaskGroup, create_app=_create_app, add_default_commands=False, add_version_option=False
)
def main() -> None:
    """一门 Yimen — 综合行政执法平台命令行 / platform command line"""
