"""The dependency direction of STYLE.md holds (import-linter contracts in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_are_kept():
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(linter)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-2000:]


# The case engine's read models page with the API's paging (issue 12, item 2 keeps it).
READ_MODELS = {
    "yimen.platform.cases.listing": {"yimen.platform.api.paging"},
    "yimen.platform.cases.schemas": {"yimen.platform.api.paging"},
}


def test_the_case_engine_below_its_views_never_imports_the_api_package():
    """Its use cases and rules raise the kernel's domain errors, never the API's Problem:
    a module of platform/cases outside its `web` shell that imports yimen.platform.api
    (at the top or inside a function) is named here, new modules included."""
    graph = grimp.build_graph("yimen", cache_dir=None)
    found = {}
    for module in graph.find_descendants("yimen.platform.cases"):
        if module.startswith("yimen.platform.cases.web"):
            continue
        api = {
            imported
            for imported in graph.find_modules_directly_imported_by(module)
            if imported == "yimen.platform.api" or imported.startswith("yimen.platform.api.")
        }
        if api - READ_MODELS.get(module, set()):
            found[module] = sorted(api)
    assert found == {}
