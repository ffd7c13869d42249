"""The vertical sector case system's connector (REST, pulled).

Agencies that still work in their ministry's market-regulation system are not asked to
type their cases again: the platform reads them from it. Each pass reads one window of
upstream changes, [since, until) in UTC, page by page by the system's cursor:

- **Overlapping windows.** A pass starts `overlap` before the end of the last pass that
  finished, so that a case committed upstream with an `updated_at` a little in the past
  (a slow transaction, a clock a little behind) is still read. What is read twice is
  one record on our side (keyed by the upstream id, kept only when newer).
- **A nightly full pass** re-reads everything once a day, after `full_pass_hour` UTC,
  and catches whatever the windows missed (a case changed with an old timestamp).
- **Resumable.** The caller keeps the cursor after each page it stored: a 5xx or a
  timeout mid-pass ends this run, and the next one goes on from that cursor with the
  same window, so nothing is skipped and nothing is read from the start again.

5xx, 429, timeouts and resets are retryable; 401/403 (a wrong token) and 4xx are not.
An item the connector cannot read is counted (`refused`) and not returned; its upstream
id may be logged, never its party.
"""

from __future__ import annotations

import datetime as dt
import decimal
import logging
from collections.abc import Mapping
from typing import Any

import requests

from yimen.gateway.ports import (
    ConnectorError,
    PullConnector,
    PulledCase,
    PulledPage,
    PullRequest,
    PullWindow,
)

log = logging.getLogger(__name__)


class SectorConnector(PullConnector):
    name = "sector"

    def __init__(
        self,
        name: str = "sector",  # a district may pull from several such systems
        overlap: dt.timedelta = dt.timedelta(minutes=10),
        full_pass_hour: int = 18,  # 02:00 in Beijing
        page_size: int = 100,
        timeout: float = 10.0,
        http: requests.Session | None = None,
    ) -> None:
        self.name = name
        self.overlap, self.full_pass_hour = overlap, full_pass_hour
        self.page_size, self.timeout = page_size, timeout
        self.http = http or requests.Session()

    # --- which window --------------------------------------------------------------

    def plan(
        self, watermark: dt.datetime | None, last_full_pass: dt.datetime | None, now: dt.datetime
    ) -> PullWindow:
        now = now.astimezone(dt.UTC)
        if watermark is None or self._full_pass_due(last_full_pass, now):
            return PullWindow(since=None, until=now, full=True)
        return PullWindow(since=watermark.astimezone(dt.UTC) - self.overlap, until=now)

    def _full_pass_due(self, last_full_pass: dt.datetime | None, now: dt.datetime) -> bool:
        """Once a day, after the full-pass hour (UTC)."""
        today = now.replace(hour=self.full_pass_hour, minute=0, second=0, microsecond=0)
        latest_slot = today if now >= today else today - dt.timedelta(days=1)
        return last_full_pass is None or last_full_pass.astimezone(dt.UTC) < latest_slot

    # --- one page ------------------------------------------------------------------

    def fetch(self, request: PullRequest) -> PulledPage:
        window = request.window
        params: dict[str, Any] = {"until": window.until.isoformat(), "limit": self.page_size}
        if window.since is not None:
            params["updated_since"] = window.since.isoformat()
        if request.cursor:
            params["cursor"] = request.cursor
        body = self._get(request.endpoint, request.credentials, params)
        cases, refused = [], 0
        for item in body.get("items") or ():
            try:
                cases.append(_case(item))
            except (KeyError, TypeError, ValueError, decimal.InvalidOperation):
                refused += 1
                log.warning("sector case refused: unreadable item %s", _id_of(item))
        cursor = body.get("next_cursor")
        return PulledPage(tuple(cases), str(cursor) if cursor else None, refused)

    def _get(
        self, endpoint: str, credentials: Mapping[str, str], params: dict[str, Any]
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {credentials.get('token', '')}"}
        try:
            response = self.http.get(
                f"{endpoint.rstrip('/')}/cases",
                params=params,
                headers=headers,
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise ConnectorError(f"sector system unreachable ({type(exc).__name__})") from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise ConnectorError(f"sector system answered {response.status_code}")
        if response.status_code >= 400:
            raise ConnectorError(
                f"sector system refused the read ({response.status_code})", retryable=False
            )
        try:
            body = response.json()
        except ValueError as exc:
            raise ConnectorError("sector system answered without JSON") from exc
        if not isinstance(body, dict) or not isinstance(body.get("items", []), list):
            raise ConnectorError("sector system answered an unknown shape")
        return body


def _case(item: Mapping[str, Any]) -> PulledCase:
    party, matter = item.get("party") or {}, item.get("matter") or {}
    updated_at = dt.datetime.fromisoformat(item["updated_at"])
    if updated_at.tzinfo is None:
        raise ValueError("updated_at without an offset")
    fine = item.get("fine")
    decided = item.get("decision_date")
    upstream_id = str(item["id"]).strip()
    if not upstream_id or len(upstream_id) > 64:
        raise ValueError("no usable id")
    return PulledCase(
        upstream_id=upstream_id,
        updated_at=updated_at.astimezone(dt.UTC),
        agency_code=str(item.get("agency_code") or "")[:40],
        party_kind="person" if party.get("kind") == "person" else "organisation",
        party_name=str(party.get("name") or "")[:200],
        credit_code=str(party.get("credit_code") or "").strip().upper()[:18],
        matter_code=str(matter.get("code") or "")[:40],
        matter_name=str(matter.get("name") or "")[:200],
        decision_number=str(item.get("decision_number") or "")[:80],
        decision_date=dt.date.fromisoformat(decided) if decided else None,
        fine_fen=int(decimal.Decimal(str(fine)) * 100) if fine not in (None, "") else None,
        status=str(item.get("status") or "")[:30],
    )


def _id_of(item: Any) -> str:
    return str(item.get("id", "?"))[:64] if isinstance(item, Mapping) else "?"
