"""The provincial enforcement supervision platform (省行政执法监督平台): its vendored SOAP
contract (`wsdl/`), the zeep connector and a contract-first simulator."""
