"""The sector simulator's state, in one SQLite file that survives a restart: the cases
(each with the moment it last changed upstream), the fault switches and the ledger of
reads (one row per list request, with its window, cursor and answer) that tests read to
see where a pass resumed."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from yimen.connectors.simstate import SimulatorState

SCHEMA = """
CREATE TABLE IF NOT EXISTS sector_case (
    id TEXT PRIMARY KEY, updated_at TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ix_sector_case_updated ON sector_case (updated_at, id);
CREATE TABLE IF NOT EXISTS ledger (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, updated_since TEXT,
    until TEXT, cursor TEXT, status INTEGER NOT NULL, items INTEGER NOT NULL);
"""

SWITCHES: dict[str, Any] = {
    "latency": 0.0,  # seconds added before every answer
    "error_rate": 0.0,  # share of list requests answered 503 (0..1)
    "fail_after_pages": -1,  # after this many more pages are served, answer 503 …
    "fail_count": 1,  # … this many times (then serve again)
    "down_until": "",  # ISO moment: 503 for everything before it
    "duplicate_across_pages": False,  # each next page starts with the previous page's last item
    "repeat_page": 0,  # the next N cursor requests get the previous page again, verbatim
}

CASE_FIELDS = (
    "agency_code",
    "party",
    "matter",
    "decision_number",
    "decision_date",
    "fine",
    "status",
)


def now() -> str:
    return stamp(dt.datetime.now(dt.UTC))


def stamp(moment: dt.datetime) -> str:
    """The one text form of a moment (UTC, microseconds), so that text order is time order."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


class Store(SimulatorState):
    schema = SCHEMA
    defaults = SWITCHES

    # --- switches ---------------------------------------------------------------

    def take_failure(self) -> bool:
        """Whether this page request fails (the fail_after_pages switch counts down)."""
        with self.lock:
            switches = self.switches()
            left, count = int(switches["fail_after_pages"]), int(switches["fail_count"])
            if left > 0:
                self.set_switches({"fail_after_pages": left - 1})
                return False
            if left == 0 and count > 0:
                self.set_switches({"fail_count": count - 1})
                if count == 1:
                    self.set_switches({"fail_after_pages": -1})
                return True
            return False

    def take_repeat(self) -> bool:
        with self.lock:
            left = int(self.switches()["repeat_page"])
            if left > 0:
                self.set_switches({"repeat_page": left - 1})
            return left > 0

    # --- cases -------------------------------------------------------------------

    def put(self, case: dict[str, Any]) -> dict[str, Any]:
        """Add a case or change one (the fields given); it changes `updated_at` to now
        unless the request names a moment."""
        with self.lock:
            row = self.db.execute("SELECT body FROM sector_case WHERE id = ?", (case["id"],))
            found = row.fetchone()
            body = {**(json.loads(found["body"]) if found else {}), **case}
            moment = case.get("updated_at") or now()
            body["updated_at"] = stamp(dt.datetime.fromisoformat(moment))
            self.db.execute(
                "INSERT OR REPLACE INTO sector_case VALUES (?, ?, ?)",
                (body["id"], body["updated_at"], json.dumps(body, ensure_ascii=False)),
            )
            return body

    def page(
        self, since: str, until: str, after: tuple[str, str] | None, size: int, inclusive: bool
    ) -> list[dict[str, Any]]:
        """Cases changed in [since, until), in (updated_at, id) order, after the key
        `after` (or from it, when `inclusive`)."""
        sql = "SELECT body FROM sector_case WHERE updated_at >= ? AND updated_at < ?"
        args: list[Any] = [since, until]
        if after is not None:
            sql += f" AND (updated_at, id) {'>=' if inclusive else '>'} (?, ?)"
            args += list(after)
        sql += " ORDER BY updated_at, id LIMIT ?"
        with self.lock:
            rows = self.db.execute(sql, (*args, size)).fetchall()
        return [json.loads(r["body"]) for r in rows]

    # --- ledger ----------------------------------------------------------------------

    def read(self, since: str, until: str, cursor: str, status: int, items: int) -> None:
        with self.lock:
            self.db.execute(
                "INSERT INTO ledger (at, updated_since, until, cursor, status, items)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (now(), since, until, cursor, status, items),
            )

    def ledger(self) -> list[dict[str, Any]]:
        with self.lock:
            rows = self.db.execute("SELECT * FROM ledger ORDER BY seq").fetchall()
        return [dict(r) for r in rows]
