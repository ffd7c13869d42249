"""One distribution, one import root, and the standard library's platform untouched."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAPPED = {"platform", "tenants", "gateway", "connectors", "migrations"}


def _config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_platform_folder_has_no_init_so_the_stdlib_module_is_not_shadowed():
    assert not (ROOT / "platform" / "__init__.py").exists()
    result = subprocess.run(
        [sys.executable, "-c", "import platform; print(platform.system())"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "Linux"


def test_every_package_folder_is_listed_in_pyproject():
    listed = set(_config()["packages"])
    on_disk = set()
    for folder in MAPPED:
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT)
            on_disk.add("yimen." + ".".join(rel.parts))
    assert on_disk - listed == set(), "add these to [tool.setuptools] packages"


def test_package_dir_maps_each_root_folder_into_yimen():
    assert {f"yimen.{name}": name for name in MAPPED} == _config()["package-dir"]


def test_a_regular_install_carries_templates_and_migrations(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(tmp_path / "site"),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    site = tmp_path / "site" / "yimen"
    assert (site / "platform" / "web" / "templates" / "base.html").exists()
    assert any((site / "migrations" / "versions").glob("*_foundation.py"))
    assert (site / "migrations" / "env.py").exists()
    wsdl = site / "connectors" / "province" / "wsdl"  # the vendored contract, never fetched
    assert (wsdl / "supervision.wsdl").exists() and (wsdl / "supervision.xsd").exists()
    assert not (site / "platform" / "__init__.py").exists()
    assert (site / "platform" / "py.typed").exists() and (site / "tenants" / "py.typed").exists()


def test_the_installed_package_is_marked_typed_so_mypy_checks_the_rule_modules():
    """`make lint` runs mypy on the rule modules as an installed package (PEP 561): it
    refuses a package without a py.typed marker."""
    import yimen.platform.cases.procedure.rules
    import yimen.tenants.workflow.rules

    for module in (yimen.platform.cases.procedure.rules, yimen.tenants.workflow.rules):
        depth = len(module.__name__.split(".")) - 3
        root = Path(module.__file__).parents[depth]  # yimen/platform, yimen/tenants as installed
        assert (root / "py.typed").exists(), root
