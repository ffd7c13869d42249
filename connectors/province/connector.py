"""The provincial enforcement supervision platform's connector (SOAP, zeep).

Each case event becomes one operation of the vendored WSDL: `case.filed` submits the case
(SubmitCase), the later events add a stage (UpdateStage: a stage reached, the decision
with its penalty, its revocation, the closure). Every record carries our id of the case
as its external reference, the case's version as data version and the event id as
update id, so that the platform can recognise a resend — and where it does not:

- a DUPLICATE fault for our reference means the case is there: delivered, with their id;
- a timeout or a dropped connection after the request went out is `AmbiguousDelivery`,
  and `find` asks QueryByReference whether the case (or this update id among its stages)
  is there before the gateway sends again;
- a reply naming another reference than ours (a confused connection) is ambiguous too.

Timeouts and 5xx are retryable; INVALID (the platform's schema refused it), AUTH and
CONFLICT are not. Requests are signed with a WS-Security UsernameToken (PasswordDigest,
a fresh nonce each time). The WSDL is the vendored file, never fetched at run time.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import requests
import zeep
import zeep.exceptions
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

from yimen.gateway.ports import (
    AmbiguousDelivery,
    Connector,
    ConnectorError,
    Held,
    Outbound,
    SinceQuery,
)

WSDL = Path(__file__).parent / "wsdl" / "supervision.wsdl"
NS = "urn:cn:gov:province:zfjd:supervision:1"
BINDING = f"{{{NS}}}SupervisionBinding"
# libxml2 quotes the offending value: "The value '…' has a length of …", "Element 'x': '…'
# is not a valid value of …"; element names are quoted the same way, and kept
QUOTED_VALUE = re.compile(r"(?<=[Vv]alue )'[^']*'|(?<=': )'[^']*'(?= is not)")
# the event types and the version of each that this connector reads
READS = {
    "case.filed": 1,
    "case.stage_changed": 1,
    "case.penalty_decided": 1,
    "case.decision_revoked": 1,
    "case.closed": 1,
}
PAGE_SIZE = 200  # QuerySince's page
NOT_RETRYABLE = {"INVALID", "AUTH", "CONFLICT"}
# the case engine's stage names that the platform has an element for; others are progress
STAGE_ELEMENTS = {
    "filing": "filing",
    "filed": "filing",
    "service": "service",
    "served": "service",
    "execution": "execution",
    "executed": "execution",
}


class ProvinceConnector(Connector):
    name = "province"

    def __init__(
        self, source_system: str = "yimen", timeout: float = 10.0, wsdl: Path = WSDL
    ) -> None:
        self.source_system, self.timeout, self.wsdl = source_system, timeout, wsdl
        self._services: dict[tuple[str, str, str], Any] = {}
        self._lock = threading.Lock()

    # --- the port ----------------------------------------------------------------

    def deliver(self, message: Outbound) -> str:
        payload = message.payload
        if READS.get(payload.get("type", "")) != payload.get("version"):
            raise ConnectorError(
                f"the platform takes no {payload.get('type')} v{payload.get('version')} events",
                retryable=False,
            )
        service = self._service(message)
        meta = self._meta(message)
        if payload["type"] == "case.filed":
            call = lambda: service.SubmitCase(meta=meta, case=_case(payload))  # noqa: E731
        else:
            stage = _stage(payload)
            call = lambda: service.UpdateStage(meta=meta, stage=stage)  # noqa: E731
        try:
            reply = self._call(call)
        except _Duplicate as duplicate:
            return duplicate.record_id
        if reply["externalRef"] != meta["externalRef"]:
            raise AmbiguousDelivery("the platform answered for another record")
        return str(reply["recordId"])

    def find(self, message: Outbound) -> str | None:
        """Their record id if the case (for an update: this update id) is there."""
        service = self._service(message)
        try:
            record = self._call(
                lambda: service.QueryByReference(
                    sourceSystem=self.source_system, externalRef=_reference(message)
                )
            )
        except AmbiguousDelivery as exc:  # a query changes nothing: just try again later
            raise ConnectorError(str(exc)) from exc
        if record is None:
            return None
        if message.payload["type"] == "case.filed":
            return str(record["recordId"])
        applied = {stage["updateId"] for stage in record["stage"]}
        return str(record["recordId"]) if str(message.payload["event_id"]) in applied else None

    def held_key(self, payload: Mapping[str, object]) -> str:
        """A filing is the record (our case id); a later event, the update id on it."""
        if payload.get("type") == "case.filed":
            return str(payload["aggregate_id"])
        return str(payload["event_id"])

    def since(self, query: SinceQuery) -> Iterator[Held]:
        """QuerySince, page by page: each record of the district (its batch number starts
        with the district's code) and each of its stages, keyed as we sent them."""
        message = Outbound(
            "province", "", {}, "", endpoint=query.endpoint, credentials=query.credentials
        )
        service = self._service(message)
        token = None
        prefix = f"{query.district_code}-"
        while True:
            page = self._call(
                lambda token=token: service.QuerySince(
                    sourceSystem=self.source_system,
                    since=query.since,
                    pageSize=PAGE_SIZE,
                    pageToken=token,
                )
            )
            for record in page["record"] or ():
                if not str(record["batchNo"]).startswith(prefix):
                    continue
                yield Held(str(record["externalRef"]), None, None)
                for stage in record["stage"] or ():
                    if stage["updateId"]:
                        yield Held(
                            str(stage["updateId"]), int(stage["dataVersion"]), stage["receivedAt"]
                        )
            token = page["nextPageToken"]
            if not token:
                return

    # --- SOAP ------------------------------------------------------------------------

    def _service(self, message: Outbound) -> Any:
        username = message.credentials.get("username", "")
        password = message.credentials.get("password", "")
        key = (message.endpoint, username, password)
        with self._lock:
            if key not in self._services:
                transport = Transport(timeout=self.timeout, operation_timeout=self.timeout)
                client = zeep.Client(
                    str(self.wsdl),
                    transport=transport,
                    wsse=UsernameToken(username, password, use_digest=True),
                )
                self._services[key] = client.create_service(BINDING, message.endpoint)
            return self._services[key]

    def _call(self, call: Any) -> Any:
        try:
            return call()
        except zeep.exceptions.Fault as fault:
            raise _from_fault(fault) from fault
        except zeep.exceptions.TransportError as exc:
            status = exc.status_code or 0
            raise ConnectorError(
                f"the platform answered HTTP {status}", retryable=status >= 500 or status == 429
            ) from exc
        except zeep.exceptions.XMLParseError as exc:
            raise AmbiguousDelivery("the answer does not fit the operation") from exc
        except zeep.exceptions.ValidationError as exc:
            raise ConnectorError(f"not a valid record: {exc}", retryable=False) from exc
        except requests.ConnectTimeout as exc:
            raise ConnectorError("the platform did not accept a connection") from exc
        except requests.Timeout as exc:
            raise AmbiguousDelivery("no answer from the platform in time") from exc
        except requests.ConnectionError as exc:
            if _not_sent(exc):
                raise ConnectorError("the platform is unreachable") from exc
            raise AmbiguousDelivery("the connection broke after the request was sent") from exc

    def _meta(self, message: Outbound) -> dict[str, Any]:
        payload = message.payload
        occurred = dt.datetime.fromisoformat(payload["occurred_at"])
        return {
            "op": "insert" if payload["type"] == "case.filed" else "update",
            "dataVersion": payload["sequence"],
            "batchNo": f"{payload['district_code']}-{occurred:%Y%m%d}",
            "sourceSystem": self.source_system,
            "externalRef": _reference(message),
            "updateId": str(payload["event_id"]),
            "districtCode": payload["district_code"],
            "agencyCode": payload["agency_code"],
        }


class _Duplicate(Exception):
    def __init__(self, record_id: str) -> None:
        self.record_id = record_id


def _from_fault(fault: zeep.exceptions.Fault) -> Exception:
    code, record_id = _fault_detail(fault)
    if code == "DUPLICATE" and record_id:
        return _Duplicate(record_id)
    message = f"the platform refused the record ({code or fault.code}): {_unquoted(fault.message)}"
    return ConnectorError(message, retryable=code not in NOT_RETRYABLE)


def _fault_detail(fault: zeep.exceptions.Fault) -> tuple[str, str]:
    detail = fault.detail
    node = detail.find(f"{{{NS}}}SupervisionFault") if detail is not None else None
    if node is None:
        return "", ""
    return node.findtext(f"{{{NS}}}code", ""), node.findtext(f"{{{NS}}}recordId", "")


def _unquoted(text: str) -> str:
    """The schema's message without the values it quotes (an ID number would be one):
    the message ends up in a dead letter's error, shown in the console."""
    return QUOTED_VALUE.sub("'…'", text or "")


def _not_sent(exc: requests.ConnectionError) -> bool:
    """A refused or timed-out connect: the request never left, so resending is safe."""
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return isinstance(reason, NewConnectionError | ConnectTimeoutError)


def _reference(message: Outbound) -> str:
    """The platform keeps one record per case: our id of the case (`Outbound.reference`)
    is its external reference; the event's id travels as the update id."""
    return message.reference or str(message.payload.get("aggregate_id", ""))


def _case(payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "powerCode": payload["matter_code"],
        "caseNumber": payload["case_number"],
        "caseName": payload["title"],
        "source": payload["source"],
        "procedure": payload["procedure"],
        "filedOn": payload["filed_on"],
        "officerCertNo": list(payload["officers_certificates"]),
        "major": payload["major"],
        "criminal": payload["criminal"],
        "party": [
            {
                "kind": p["kind"],
                "name": p["name"],
                "idType": p["id_type"],
                "idNumber": p["id_number"],
                "address": p["address"] or None,
            }
            for p in payload["parties"]
        ],
    }


def _stage(payload: dict[str, Any]) -> dict[str, Any]:
    kind = payload["type"]
    if kind == "case.penalty_decided":
        return {
            "decision": {
                "documentNumber": payload["document_number"],
                "decidedOn": payload["decided_on"],
                "kind": list(payload["kinds"]),
                "fineFen": payload["fine_fen"],
                "confiscationFen": payload["confiscation_fen"],
                # none when no discretion benchmark applied (a warning, a fixed amount)
                "benchmarkCode": payload["benchmark_code"] or None,
                "benchmarkVersion": payload["benchmark_version"] or None,
                "publishBy": payload["publish_by"],
            }
        }
    if kind == "case.decision_revoked":
        return {
            "revocation": {
                "documentNumber": payload["document_number"],
                "revokedOn": payload["revoked_on"],
                "ground": payload["ground"],
            }
        }
    if kind == "case.closed":
        return {"closure": {"closedOn": payload["closed_on"], "outcome": payload["outcome"]}}
    if kind == "case.stage_changed":
        element = STAGE_ELEMENTS.get(payload["stage"], "progress")
        return {
            element: {
                "stageCode": payload["stage"],
                "on": payload["on"],
                "legalReviewDate": payload["legal_review_on"],
                "collectiveDiscussionDate": payload["collective_discussion_on"],
            }
        }
    raise AssertionError(kind)  # deliver checked READS
