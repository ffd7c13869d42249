"""The province simulator's state, in one SQLite file that survives a restart: records,
their stages, the nonces seen, the fault switches and the ledger of effects (one row per
change the platform made, in order) that tests read to assert "exactly once"."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Any

from yimen.connectors.simstate import SimulatorState

SCHEMA = """
CREATE TABLE IF NOT EXISTS record (
    record_id TEXT PRIMARY KEY, source_system TEXT NOT NULL, external_ref TEXT NOT NULL,
    op TEXT NOT NULL, data_version INTEGER NOT NULL, batch_no TEXT NOT NULL,
    changed_at TEXT NOT NULL, body TEXT NOT NULL, UNIQUE (source_system, external_ref));
CREATE TABLE IF NOT EXISTS stage (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, record_id TEXT NOT NULL, stage TEXT NOT NULL,
    update_id TEXT, data_version INTEGER NOT NULL, received_at TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ledger (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, external_ref TEXT NOT NULL, effect TEXT NOT NULL,
    update_id TEXT, data_version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS nonce (
    username TEXT NOT NULL, nonce TEXT NOT NULL, created TEXT NOT NULL,
    PRIMARY KEY (username, nonce));
"""

SWITCHES: dict[str, Any] = {
    "latency": 0.0,  # seconds added before every answer
    "error_rate": 0.0,  # share of requests answered 503 without effect (0..1)
    "hang": 0.0,  # seconds to hang without effect, then drop the connection (a timeout)
    "drop_after_commit": 0,  # the next N changes are committed, then the reply is dropped
    "duplicate_replies": False,  # answer each request with the previous one's answer
    "down_until": "",  # ISO moment: 503 for everything before it
    "ignore_update_id": False,  # apply every update, even one whose update id was seen
}


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


class Store(SimulatorState):
    schema = SCHEMA
    defaults = SWITCHES

    # --- switches ---------------------------------------------------------------

    def take_drop(self) -> bool:
        """Whether this change's reply is to be dropped (counts one down)."""
        with self.lock:
            left = int(self.switches()["drop_after_commit"])
            if left > 0:
                self.set_switches({"drop_after_commit": left - 1})
            return left > 0

    # --- nonces (the WS-Security check's replay memory) ----------------------------

    def remember(self, username: str, nonce: str, created: dt.datetime) -> bool:
        with self.lock:
            horizon = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)).isoformat()
            self.db.execute("DELETE FROM nonce WHERE created < ?", (horizon,))
            try:
                self.db.execute(
                    "INSERT INTO nonce VALUES (?, ?, ?)", (username, nonce, created.isoformat())
                )
            except sqlite3.IntegrityError:
                return False
            return True

    # --- records -------------------------------------------------------------------

    def record(self, source: str, ref: str) -> sqlite3.Row | None:
        with self.lock:
            return self.db.execute(
                "SELECT * FROM record WHERE source_system = ? AND external_ref = ?", (source, ref)
            ).fetchone()

    def create(self, meta: dict[str, Any], body: dict[str, Any]) -> str:
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                # numbered by the ledger (never shrinks: a forgotten record's number stays used)
                count = self.db.execute(
                    "SELECT count(*) FROM ledger WHERE effect = 'case:insert'"
                ).fetchone()[0]
                record_id = f"ZFJD{meta['districtCode']}{count + 1:08d}"
                self.db.execute(
                    "INSERT INTO record VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        record_id,
                        meta["sourceSystem"],
                        meta["externalRef"],
                        meta["op"],
                        meta["dataVersion"],
                        meta["batchNo"],
                        now(),
                        json.dumps(body, default=str),
                    ),
                )
                self._effect(meta, "case:insert")
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            return record_id

    def applied(self, record_id: str, update_id: str) -> bool:
        with self.lock:
            return bool(
                self.db.execute(
                    "SELECT 1 FROM stage WHERE record_id = ? AND update_id = ?",
                    (record_id, update_id),
                ).fetchone()
            )

    def add_stage(self, record_id: str, meta: dict[str, Any], stage: str, body: dict) -> int:
        """Apply one stage update; the record's data version never goes back."""
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                self.db.execute(
                    "INSERT INTO stage (record_id, stage, update_id, data_version, received_at,"
                    " body) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        record_id,
                        stage,
                        meta.get("updateId"),
                        meta["dataVersion"],
                        now(),
                        json.dumps(body, default=str),
                    ),
                )
                self.db.execute(
                    "UPDATE record SET op = ?, data_version = max(data_version, ?), batch_no = ?,"
                    " changed_at = ? WHERE record_id = ?",
                    (meta["op"], meta["dataVersion"], meta["batchNo"], now(), record_id),
                )
                self._effect(meta, f"stage:{stage}")
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            return int(
                self.db.execute(
                    "SELECT data_version FROM record WHERE record_id = ?", (record_id,)
                ).fetchone()[0]
            )

    def stages(self, record_id: str) -> list[sqlite3.Row]:
        with self.lock:
            return self.db.execute(
                "SELECT * FROM stage WHERE record_id = ? ORDER BY seq", (record_id,)
            ).fetchall()

    def changed_since(self, source: str, since: str, offset: int, limit: int) -> list[sqlite3.Row]:
        with self.lock:
            return self.db.execute(
                "SELECT * FROM record WHERE source_system = ? AND changed_at >= ?"
                " ORDER BY changed_at, record_id LIMIT ? OFFSET ?",
                (source, since, limit, offset),
            ).fetchall()

    def forget(self, source: str, ref: str) -> bool:
        """Lose a record and its stages (a restore from an old backup, for reconciliation
        to find); the ledger keeps its effects."""
        with self.lock:
            record = self.record(source, ref)
            if record is None:
                return False
            self.db.execute("DELETE FROM stage WHERE record_id = ?", (record["record_id"],))
            self.db.execute("DELETE FROM record WHERE record_id = ?", (record["record_id"],))
            return True

    # --- ledger ----------------------------------------------------------------------

    def _effect(self, meta: dict[str, Any], effect: str) -> None:
        self.db.execute(
            "INSERT INTO ledger (external_ref, effect, update_id, data_version)"
            " VALUES (?, ?, ?, ?)",
            (meta["externalRef"], effect, meta.get("updateId"), meta["dataVersion"]),
        )

    def ledger(self) -> dict[str, list[dict[str, Any]]]:
        with self.lock:
            rows = self.db.execute("SELECT * FROM ledger ORDER BY seq").fetchall()
        out: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            out.setdefault(row["external_ref"], []).append(
                {
                    "seq": row["seq"],
                    "effect": row["effect"],
                    "update_id": row["update_id"],
                    "data_version": row["data_version"],
                }
            )
        return out
