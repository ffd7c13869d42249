"""A SOAP 1.1 document/literal service driven by its WSDL (contract first).

The WSDL is the one the other side has: zeep loads it, finds the operation from the
body's element, `input.deserialize` reads the request and `output.serialize` writes the
answer, so nothing here builds a body by hand. Before a handler runs, the request body is
validated against the WSDL's own XSD with lxml (a bad request is a `INVALID` fault with
the schema's message) and the WS-Security UsernameToken is checked (an `AUTH` fault).
Faults are SOAP 1.1 faults whose detail is the WSDL's fault element, rendered by zeep.

`SoapService.respond(request)` returns a werkzeug `Response`, so a host (a simulator
with fault switches, or a Flask view) can wrap it; the service itself is a WSGI app.
"""

from __future__ import annotations

import dataclasses
import logging
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from lxml import etree
from lxml.builder import ElementMaker
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request, Response
from zeep import Client
from zeep.helpers import serialize_object

from yimen.gateway.soap.wsse import MemoryNonces, NonceStore, SecurityError, check_username_token

log = logging.getLogger(__name__)
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
XML = "text/xml; charset=utf-8"


class SoapFault(Exception):
    """A fault to answer with: `code` goes into the WSDL's fault detail; `client` says
    whether the sender is at fault (soap:Client) or the service (soap:Server)."""

    def __init__(self, code: str, message: str, *, client: bool = True, **detail: Any) -> None:
        super().__init__(message)
        self.code, self.message, self.client, self.detail = code, message, client, detail


@dataclasses.dataclass(frozen=True)
class Call:
    """What a handler is given besides the request's data."""

    operation: str
    username: str
    envelope: bytes  # the raw request, for an audit trail


Handler = Callable[[dict[str, Any], Call], Mapping[str, Any]]


@dataclasses.dataclass
class Exchange:
    """One request as the service saw it, for a host that keeps an audit trail: the raw
    envelope, who sent it once authenticated, the operation and the outcome (`OK` or the
    fault's code). The envelope may hold personal data: never log it."""

    envelope: bytes = b""
    username: str | None = None
    operation: str = ""
    outcome: str = ""


class SoapService:
    def __init__(
        self,
        wsdl: Path,
        handlers: Mapping[str, Handler],
        *,
        password_of: Callable[[str], str | None],
        nonces: NonceStore | None = None,
        fault_element: str,
        max_body: int = 4 * 1024 * 1024,
        on_exchange: Callable[[Exchange], None] | None = None,
    ) -> None:
        self.wsdl_path = Path(wsdl)
        self.client = Client(str(self.wsdl_path))
        self.binding = next(iter(self.client.wsdl.bindings.values()))
        self.operations = {
            op.input.body.qname.text: op
            for op in self.binding._operations.values()
            if op.input.body
        }
        missing = {op.name for op in self.operations.values()} - set(handlers)
        if missing:
            raise ValueError(f"no handler for {sorted(missing)}")
        self.handlers = handlers
        self.password_of = password_of
        self.nonces = nonces or MemoryNonces()
        self.fault_element = self.client.get_element(fault_element)
        self.schema = _schema_of(self.wsdl_path)
        self.max_body = max_body
        self.on_exchange = on_exchange  # told of every authenticated request, answered
        self.parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)

    def __call__(self, environ: dict, start_response: Callable) -> Any:
        return self.respond(Request(environ))(environ, start_response)

    def respond(self, request: Request) -> Response:
        if request.method == "GET":
            return self.document(request)
        if request.method != "POST":
            return Response("POST a SOAP envelope", status=405, headers={"Allow": "GET, POST"})
        request.max_content_length = self.max_body
        exchange = Exchange()
        response = self.answer(request, exchange)
        if self.on_exchange is not None and exchange.username is not None:
            try:
                self.on_exchange(exchange)
            except Exception as exc:  # not kept for audit: not answered as done
                _log_failure("soap exchange not recorded", exc)
                exchange.outcome = "INTERNAL"
                return self.fault(SoapFault("INTERNAL", "内部错误 / internal error", client=False))
        return response

    def answer(self, request: Request, exchange: Exchange) -> Response:
        try:
            response = self.dispatch(request.get_data(cache=False), exchange)
            exchange.outcome = "OK"
            return response
        except RequestEntityTooLarge:
            fault = SoapFault("INVALID", "请求过大 / request too large")
        except SoapFault as raised:
            fault = raised
        except Exception as exc:  # a handler's bug: a Server fault, never a stack trace
            _log_failure("soap handler failed", exc)
            fault = SoapFault("INTERNAL", "内部错误 / internal error", client=False)
        exchange.outcome = fault.code
        return self.fault(fault)

    def document(self, request: Request) -> Response:
        """`?wsdl` is the vendored WSDL as it is; the XSD it imports by its file name."""
        if "wsdl" in request.args:
            return Response(self.wsdl_path.read_bytes(), content_type=XML)
        name = request.path.rsplit("/", 1)[-1]
        schema = self.wsdl_path.parent / name
        if name.endswith(".xsd") and schema.is_file():
            return Response(schema.read_bytes(), content_type=XML)
        return Response("not found", status=404)

    def dispatch(self, raw: bytes, exchange: Exchange | None = None) -> Response:
        exchange = exchange if exchange is not None else Exchange()
        exchange.envelope = raw
        try:
            envelope = etree.fromstring(raw, self.parser)
        except etree.XMLSyntaxError as exc:
            raise SoapFault("INVALID", f"not XML: {exc}") from exc
        body = envelope.find(f"{{{SOAP11}}}Body")
        payload = next(iter(body.iterchildren(etree.Element)), None) if body is not None else None
        if envelope.tag != f"{{{SOAP11}}}Envelope" or payload is None:
            raise SoapFault("INVALID", "not a SOAP 1.1 envelope with a body")
        try:
            username = check_username_token(envelope, self.password_of, self.nonces)
        except SecurityError as exc:
            raise SoapFault("AUTH", f"认证失败 / authentication failed: {exc}") from exc
        exchange.username = username
        operation = self.operations.get(etree.QName(payload).text)
        if operation is None:
            raise SoapFault("INVALID", f"no operation takes {etree.QName(payload).text}")
        exchange.operation = operation.name
        self.validate(payload)
        request = serialize_object(operation.input.deserialize(envelope), dict)
        call = Call(operation=operation.name, username=username, envelope=raw)
        answer = self.handlers[operation.name](request, call)
        serialized = operation.output.serialize(**answer)
        return Response(
            etree.tostring(serialized.content, xml_declaration=True, encoding="utf-8"),
            content_type=XML,
        )

    def validate(self, payload: etree._Element) -> None:
        document = etree.ElementTree(_detached(payload))
        if not self.schema.validate(document):
            error = self.schema.error_log.last_error
            raise SoapFault("INVALID", f"数据不符合接口规范 / schema violation: {error.message}")

    def fault(self, fault: SoapFault) -> Response:
        """A SOAP 1.1 fault: code and string in the envelope, the WSDL's element as detail."""
        soap = ElementMaker(namespace=SOAP11, nsmap={"soap-env": SOAP11})
        plain = ElementMaker()
        detail = plain.detail()
        value = self.fault_element(code=fault.code, message=fault.message, **fault.detail)
        self.fault_element.render(detail, value)
        faultcode = "soap-env:Client" if fault.client else "soap-env:Server"
        envelope = soap.Envelope(
            soap.Body(
                soap.Fault(plain.faultcode(faultcode), plain.faultstring(fault.message), detail)
            )
        )
        body = etree.tostring(envelope, xml_declaration=True, encoding="utf-8")
        return Response(body, status=500, content_type=XML)


def _log_failure(what: str, exc: Exception) -> None:
    """Where it failed, without the message (it may quote a record's personal data)."""
    where = "".join(traceback.format_tb(exc.__traceback__))
    log.error("%s (%s)\n%s", what, type(exc).__name__, where)


def _schema_of(wsdl: Path) -> etree.XMLSchema:
    """The XSDs the WSDL imports, as one lxml schema (file names resolved beside it)."""
    tree = etree.parse(str(wsdl))
    imports = tree.findall(".//{http://www.w3.org/2001/XMLSchema}import")
    wrapper = etree.Element("{http://www.w3.org/2001/XMLSchema}schema")
    for node in imports:
        etree.SubElement(
            wrapper,
            "{http://www.w3.org/2001/XMLSchema}import",
            namespace=node.get("namespace"),
            schemaLocation=str((wsdl.parent / node.get("schemaLocation")).resolve().as_uri()),
        )
    return etree.XMLSchema(wrapper)


def _detached(element: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(element))
