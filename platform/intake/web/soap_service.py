"""The district's inbound SOAP service for upper-level systems that speak only SOAP.

    /soap/v1/<district>/clues        POST a SOAP 1.1 envelope; GET ?wsdl for the contract

Contract first (`../wsdl/clues.wsdl`, served as it is): `yimen.gateway.soap` reads each
request and writes each answer from the WSDL, validates the body against the XSD (a bad
body is an `INVALID` fault with the schema's message, before anything is written) and
checks the WS-Security UsernameToken digest: the Username is a machine client of this
district, the password its secret, and the client needs the gateway_client role and the
`gateway:upper_level` scope (`AUTH` fault otherwise; another district's client is not
known here). A nonce seen before is refused, by whichever process sees it again (the
district's nonces are kept in the database for as long as a token can be fresh).

SubmitAssignedClue goes through the gateway's inbox (`inbox.take`): kept once by the
sender's id, made a clue by the one door's handler in the same unit of work, and a
replay is answered with the first answer. The raw envelope of every authenticated call
is kept for audit (`gateway_envelope`), never logged.
"""

from __future__ import annotations

import functools
import uuid
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from flask import Blueprint, request
from lxml import etree
from sqlalchemy import select

from yimen.gateway import contracts
from yimen.gateway.inbox import service as inbox
from yimen.gateway.inbox.model import InboundEnvelope
from yimen.gateway.ports import Received
from yimen.gateway.soap.server import Call, Exchange, SoapFault, SoapService
from yimen.platform.cases.record.model import Case
from yimen.platform.idp.model import OAuthClient
from yimen.platform.intake import rules, service
from yimen.platform.intake.model import Clue, Source
from yimen.platform.kernel import sealing
from yimen.platform.kernel.directory import Agency
from yimen.platform.kernel.errors import Conflict, DomainError, NotFound
from yimen.platform.kernel.permissions import public
from yimen.platform.kernel.uow import uow
from yimen.tenants.directory.service import district_or_404

WSDL = Path(__file__).parent.parent / "wsdl" / "clues.wsdl"
NS = "urn:cn:gov:yimen:inbound:clues:1"
CONNECTOR = contracts.UPPER_LEVEL

bp = Blueprint("inbound_soap", __name__, url_prefix="/soap/v1")

_district: ContextVar[uuid.UUID] = ContextVar("yimen_soap_district")
_natural_key: ContextVar[str] = ContextVar("yimen_soap_natural_key", default="")


def _password_of(client_id: str) -> str | None:
    """The secret of an enabled machine client of this district with the gateway_client
    role and the connector's scope (sealed at rest), else None: refused alike."""
    with uow.for_tenant(_district.get()) as tx:
        client = tx.session.execute(
            select(OAuthClient).where(OAuthClient.client_id == client_id)
        ).scalar_one_or_none()
        tx.commit()
    if (
        client is None
        or not client.enabled
        or "gateway_client" not in client.service_roles
        or contracts.connector_scope(CONNECTOR) not in client.scope.split()
        or not client.client_secret_sealed
    ):
        return None
    return sealing.unseal(client.client_secret_sealed)


def _fault(exc: DomainError) -> SoapFault:
    code = (
        "NOT_FOUND"
        if isinstance(exc, NotFound)
        else "CONFLICT"
        if isinstance(exc, Conflict)
        else "INVALID"
    )
    problem = exc.fields[0] if exc.fields else None
    message = f"{exc.zh} / {exc.en}"
    if problem is not None:
        message = f"{problem.field}: {problem.zh} / {problem.en}"
        return SoapFault(code, message, field=problem.field)
    return SoapFault(code, message)


def submit_assigned_clue(body: dict[str, Any], call: Call) -> dict[str, Any]:
    reporter = body.get("reporter") or {}
    deadline = body.get("deadline")
    payload = {
        "external_ref": body["externalRef"],
        "matter_code": body.get("matterCode"),
        "content": body["content"],
        "place": body["place"],
        "reporter": {"name": reporter.get("name") or "", "phone": reporter.get("phone") or ""},
        "deadline": deadline.isoformat() if deadline is not None else None,
    }
    _natural_key.set(body["externalRef"])
    record = Received(body["externalRef"], contracts.UPPER_LEVEL_CLUE, payload)
    try:
        taken = inbox.take(_district.get(), CONNECTOR, record)
    except DomainError as exc:
        raise _fault(exc) from None
    return {
        "receiptCode": taken.result,
        "externalRef": taken.natural_key,
        "receivedAt": taken.received_at,
    }


def query_clue_status(body: dict[str, Any], call: Call) -> dict[str, Any]:
    """A clue an upper-level system sent (by its id or our receipt code); others are not
    found, so a receipt code of a citizen's complaint tells it nothing."""
    query = select(Clue).where(Clue.source == Source.UPPER_LEVEL.value)
    if body.get("externalRef"):
        _natural_key.set(body["externalRef"])
        ref = rules.natural_ref(Source.UPPER_LEVEL.value, body["externalRef"])
        query = query.where(Clue.source_ref == ref)
    else:
        query = query.where(Clue.receipt_code == body["receiptCode"])
    with uow.for_tenant(_district.get()) as tx:
        clue = tx.session.execute(query).scalar_one_or_none()
        if clue is None:
            raise SoapFault("NOT_FOUND", "没有该线索 / no such clue")
        agency = tx.session.get(Agency, clue.agency_id) if clue.agency_id else None
        case = service.case_of(tx.session, clue.id)
        answer = {
            "receiptCode": clue.receipt_code,
            "externalRef": clue.source_ref,
            "status": clue.status,
            "agency": agency.name if agency is not None else None,
            "acceptDue": clue.accept_due,
            "outcome": rules.OUTCOMES[clue.outcome][0] if clue.outcome else None,
            "closedAt": clue.closed_at,
            "caseNumber": case.number if case is not None else None,
        }
        tx.commit()
    return answer


def query_case_status(body: Any, call: Call) -> dict[str, Any]:
    # zeep hands a body of one element over as that element's value
    number = body["caseNumber"] if isinstance(body, dict) else body
    with uow.for_tenant(_district.get()) as tx:
        case = tx.session.execute(select(Case).where(Case.number == number)).scalar_one_or_none()
        if case is None:
            raise SoapFault("NOT_FOUND", "没有该案号的案件 / no case with this number")
        agency = tx.session.get(Agency, case.agency_id)
        answer = {
            "caseNumber": case.number,
            "stage": case.stage,
            "status": case.status,
            "agency": agency.name if agency is not None else "",
            "filedOn": case.filed_on,
            "decidedOn": case.decided_on,
            "closedOn": case.closed_on,
        }
        tx.commit()
    return answer


def _named_key(envelope: bytes) -> str:
    """The sender's id a request names, also when it was refused before it was read
    (a schema violation): what an auditor looks it up by."""
    try:
        root = etree.fromstring(envelope, soap_service().parser)
    except etree.XMLSyntaxError:
        return ""
    return (root.findtext(f".//{{{NS}}}externalRef") or "").strip()


def _keep(exchange: Exchange) -> None:
    inbox.keep_envelope(
        _district.get(),
        InboundEnvelope(
            connector=CONNECTOR,
            operation=exchange.operation or "?",
            client_id=(exchange.username or "")[:64],
            natural_key=(_natural_key.get() or _named_key(exchange.envelope))[:120],
            outcome=exchange.outcome[:20],
            envelope=exchange.envelope,
        ),
    )


@functools.cache
def soap_service() -> SoapService:
    """One service for every district (the WSDL is read once); the district is the
    request's, bound for the call."""
    return SoapService(
        WSDL,
        {
            "SubmitAssignedClue": submit_assigned_clue,
            "QueryClueStatus": query_clue_status,
            "QueryCaseStatus": query_case_status,
        },
        password_of=_password_of,
        nonces=inbox.DistrictNonces(_district.get),
        fault_element=f"{{{NS}}}InboundFault",
        on_exchange=_keep,
    )


@bp.route("/<district>/clues", methods=["GET", "POST"])
@bp.route("/<district>/clues.xsd", methods=["GET"])
@public  # WS-Security UsernameToken, checked by the service against the district's clients
def clues(district: str):
    """上级系统线索接收服务 (SOAP) / The inbound SOAP clue service"""
    tenant = district_or_404(district)
    district_token = _district.set(tenant.id)
    key_token = _natural_key.set("")
    try:
        return soap_service().respond(request._get_current_object())
    finally:
        _natural_key.reset(key_token)
        _district.reset(district_token)
