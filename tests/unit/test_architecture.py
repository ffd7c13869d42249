"""No import cycle between the platform's components, counting imports inside functions.

A component is a package under one of the four roots (`yimen.platform.cases`,
`yimen.tenants.directory`, `yimen.gateway.outbox`, …) or a module at that level
(`yimen.platform.app`); a feature's `web` subpackage (its views and pages, a shell) and
its `feature` module (its plug, read by the composition root) are components of their
own. import-linter's acyclic_siblings contract checks inside each root; this test checks
across them, where the roots themselves are mixed (the kernel and the root both live in
platform/). The layers and independence contracts are in pyproject.toml (`make lint`).
"""

from __future__ import annotations

import functools
from collections import defaultdict

import grimp

ROOTS = ("platform", "tenants", "gateway", "connectors")
OWN_COMPONENTS = ("web", "feature")


def component(module: str) -> str:
    parts = module.split(".")
    if len(parts) > 2 and parts[1] in ROOTS:
        depth = 4 if len(parts) > 3 and parts[3] in OWN_COMPONENTS else 3
        return ".".join(parts[:depth])
    return ".".join(parts[:2])


@functools.cache
def component_graph() -> tuple[dict[str, set[str]], dict[tuple[str, str], list[str]]]:
    graph = grimp.build_graph("yimen", cache_dir=None)  # imports inside functions included
    edges: dict[str, set[str]] = defaultdict(set)
    why: dict[tuple[str, str], list[str]] = defaultdict(list)
    for importer in graph.modules:
        for imported in graph.find_modules_directly_imported_by(importer):
            a, b = component(importer), component(imported)
            if a != b:
                edges[a].add(b)
                why[a, b].append(f"{importer} -> {imported}")
    return edges, why


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """A cycle as [a, b, …, a], or None (depth-first search, colours)."""
    white, grey, black = 0, 1, 2
    colour: dict[str, int] = defaultdict(int)
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        colour[node] = grey
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if colour[nxt] == grey:
                return path[path.index(nxt) :] + [nxt]
            if colour[nxt] == white and (found := visit(nxt)):
                return found
        path.pop()
        colour[node] = black
        return None

    for start in sorted(edges):
        if colour[start] == white and (found := visit(start)):
            return found
    return None


def test_the_component_graph_has_no_cycle():
    edges, why = component_graph()
    cycle = find_cycle(edges)
    if cycle:
        steps = "\n".join(
            f"  {a} -> {b}: " + "; ".join(sorted(why[a, b])[:4])
            for a, b in zip(cycle, cycle[1:], strict=False)
        )
        raise AssertionError(f"import cycle: {' -> '.join(cycle)}\n{steps}")


def test_the_cycle_finder_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}}) is None
    assert component("yimen.platform.intake.web.views") == "yimen.platform.intake.web"
    assert component("yimen.platform.kernel.db.session") == "yimen.platform.kernel"
    assert component("yimen.platform.app") == "yimen.platform.app"
    assert component("yimen.migrations.versions.x") == "yimen.migrations"


def test_the_gateway_imports_no_feature_and_features_hand_the_root_one_object():
    """The gateway gets its actors and periodic jobs from the composition root, which
    collects them from each feature's `Feature`, in one list."""
    from yimen.platform.features import actors_and_periods, features
    from yimen.platform.kernel.feature import Feature

    edges, _ = component_graph()
    for gateway in ("yimen.gateway.outbox", "yimen.gateway.worker", "yimen.gateway.ports"):
        below = edges.get(gateway, set())
        assert below <= {
            "yimen.platform.kernel",
            "yimen.gateway.worker",
            "yimen.gateway.outbox",
        } | {"yimen.gateway.ports"}, below
    every = features()
    assert all(isinstance(f, Feature) for f in every)
    assert len({f.name for f in every}) == len(every)
    actors, periods = actors_and_periods(every)
    names = [a.actor_name for a in actors]
    assert len(names) == len(set(names)) and set(periods) <= set(names)
