"""Migration files are named in chain order: `NN_<revision>_<slug>.py`, NN its place in
the chain, so that `ls migrations/versions` reads as the database's history. The revision
id inside a file never changes (databases already upgraded know it by that id); a new
migration takes the next NN and names its predecessor in down_revision."""

from __future__ import annotations

import ast
import re
from pathlib import Path

VERSIONS = Path(__file__).resolve().parents[2] / "migrations" / "versions"
NAME = re.compile(r"^(\d{2,})_([0-9A-Za-z_]+)\.py$")


def _revisions(path: Path) -> tuple[str, tuple[str, ...]]:
    values: dict[str, object] = {}
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                    values[target.id] = ast.literal_eval(node.value)
    down = values.get("down_revision")
    downs = () if down is None else (down,) if isinstance(down, str) else tuple(down)
    return str(values["revision"]), downs


def test_migration_files_are_numbered_in_the_order_of_the_chain():
    files = sorted(p for p in VERSIONS.glob("*.py") if p.name != "__init__.py")
    assert files, "no migrations found"
    seen: set[str] = set()
    for position, path in enumerate(files, start=1):
        match = NAME.match(path.name)
        assert match, f"{path.name}: name it NN_<revision>_<slug>.py"
        assert int(match.group(1)) == position, (
            f"{path.name}: is number {position} in the chain; numbers run 01, 02, … without gaps"
        )
        revision, downs = _revisions(path)
        assert match.group(2).startswith(revision), f"{path.name}: the name carries its revision id"
        missing = [d for d in downs if d not in seen]
        assert not missing, f"{path.name} comes before its predecessor(s) {missing}: renumber it"
        assert position == 1 or downs, f"{path.name}: only the first migration has no predecessor"
        seen.add(revision)


def test_the_chain_has_one_head():
    downs: set[str] = set()
    revisions: list[str] = []
    for path in VERSIONS.glob("[0-9]*.py"):
        revision, parents = _revisions(path)
        revisions.append(revision)
        downs.update(parents)
    heads = [r for r in revisions if r not in downs]
    assert len(heads) == 1, f"more than one head: {sorted(heads)} (add a merge migration)"
