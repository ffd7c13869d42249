"""Contract-first SOAP serving: a WSGI dispatcher driven by a vendored WSDL (zeep parses
requests and serialises answers, lxml validates bodies against the XSD) and the
WS-Security UsernameToken check. The provincial simulator uses it; our own inbound SOAP
service can too."""
