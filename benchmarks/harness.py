"""What every benchmark shares (not a benchmark itself: `make bench` runs
benchmarks/bench_*.py only): the PostgreSQL it needs, quiet logs, and the profile
report of where the time of n in-process requests went."""

from __future__ import annotations

import cProfile
import io
import logging
import os
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path

NOISE = ("List reduced", "Ordered by")


def postgres_support(name: str):
    """The tests' support module (throw-away databases, the live server) with the
    repository on the path and logs quiet; None, having said why, when no PostgreSQL
    with a superuser DSN can be reached."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ.setdefault("YIMEN_LOG_LEVEL", "WARNING")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    from tests import support

    reason = support.pg_unavailable_reason()
    if reason:
        print(f"{name}: skipped, {reason} (set YIMEN_TEST_PG_ADMIN_DSN)")
        return None
    return support


def profile_report(
    run_once: Callable[[], object], n: int, what: str, paths: str, own: int = 10
) -> str:
    """cProfile `run_once` n times: the share spent waiting on PostgreSQL (psycopg's
    Connection.wait), the top 15 by cumulative time among `paths` (a regex of files below
    the WSGI wrappers) and the top `own` by own time."""
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(n):
        run_once()
    profiler.disable()
    total = time.perf_counter() - started
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    waits = [
        (v[1], v[3])  # ncalls, cumulative
        for (file, _, name), v in stats.stats.items()
        if name == "wait" and file.endswith("psycopg/connection.py")
    ]
    calls, waited = (sum(c for c, _ in waits), sum(t for _, t in waits)) if waits else (0, 0.0)
    out.write(
        f"{n} {what} in {total:.2f} s under the profiler ({total / n * 1000:.1f} ms each); "
        f"in psycopg's Connection.wait (sending to and waiting on PostgreSQL) "
        f"{waited / n * 1000:.1f} ms in {calls / n:g} calls each ({waited / total:.0%});"
        " the rest is Python\n"
    )
    out.write("\ntop 15 by cumulative time below the WSGI wrappers:\n")
    stats.sort_stats("cumulative").print_stats(paths, 15)
    out.write(f"top {own} by own time:\n")
    stats.sort_stats("tottime").print_stats(own)
    return "\n".join(
        line.replace(str(Path(sys.prefix).parent), "").replace(
            "/build/__editable__.yimen-0.1.0-py3-none-any", ""
        )
        for line in out.getvalue().splitlines()
        if line.strip() and not line.lstrip().startswith(NOISE) and "function calls" not in line
    )
