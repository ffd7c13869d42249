"""What every simulator keeps in its SQLite file beside its own records: the fault
switches, so that a switch set by a test or an operator survives a restart of the
simulator. A simulator's store subclasses `SimulatorState` with its tables (`schema`)
and its switches with their defaults (`defaults`)."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any, ClassVar

_SWITCH_TABLE = "CREATE TABLE IF NOT EXISTS switch (name TEXT PRIMARY KEY, value TEXT NOT NULL);"


class SimulatorState:
    schema: ClassVar[str] = ""
    defaults: ClassVar[dict[str, Any]] = {}

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.lock = threading.RLock()
        self.db.executescript(self.schema + _SWITCH_TABLE)

    def close(self) -> None:
        self.db.close()

    def switches(self) -> dict[str, Any]:
        with self.lock:
            rows = self.db.execute("SELECT name, value FROM switch").fetchall()
        return {**self.defaults, **{r["name"]: json.loads(r["value"]) for r in rows}}

    def set_switches(self, values: dict[str, Any]) -> dict[str, Any]:
        """Set some switches (a name the simulator does not have is a KeyError)."""
        unknown = set(values) - set(self.defaults)
        if unknown:
            raise KeyError(", ".join(sorted(unknown)))
        with self.lock:
            for name, value in values.items():
                self.db.execute(
                    "INSERT OR REPLACE INTO switch VALUES (?, ?)", (name, json.dumps(value))
                )
        return self.switches()
