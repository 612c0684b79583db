"""Test helpers: a tiny Factur-X invoice, and an API client that checks every exchange against the Swagger.

``ApiClient`` is what a client following the reference does (token, ``cpro-account``, JSON). Each request body
sent to a Factures/Structures operation and each 200 response is validated against the official definitions,
with ``additionalProperties: false`` added so a misspelt field name fails the test.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from string import Template

import facturx
import httpx
import jsonschema
from pypdf import PdfWriter

from chorus_sandbox import contract

FIXTURES = Path(__file__).with_name("fixtures")
SUPPLIER_SIRET = "73282932000074"
NANTES_SIRET = "21440109300015"
REZE_SIRET = "21440107700018"


def cii_xml(numero: str = "F-2026-0001", buyer_siret: str = NANTES_SIRET, service_code: str | None = "DIR_BATIMENTS",
            ej: str | None = None, seller_siret: str = SUPPLIER_SIRET, amount: str = "1000.00",
            tax: str | None = None, payment_means: bool = True, type_code: str = "380",
            issue_date: dt.date | None = None) -> bytes:
    """The EN 16931 fixture with its placeholders filled; totals are consistent unless ``tax`` says otherwise."""
    base = Decimal(amount)
    tax_amount = Decimal(tax) if tax is not None else (base * Decimal("0.2")).quantize(Decimal("0.01"))
    template = Template((FIXTURES / "invoice-en16931.xml").read_text(encoding="utf-8"))
    return template.substitute(
        numero=numero,
        type_code=type_code,
        issue_date=(issue_date or dt.date.today()).strftime("%Y%m%d"),
        seller_siret=seller_siret,
        buyer_siret=buyer_siret,
        buyer_reference=f"<ram:BuyerReference>{service_code}</ram:BuyerReference>" if service_code else "",
        buyer_order=(f"<ram:BuyerOrderReferencedDocument><ram:IssuerAssignedID>{ej}</ram:IssuerAssignedID>"
                     "</ram:BuyerOrderReferencedDocument>") if ej else "",
        payment_means=("<ram:SpecifiedTradeSettlementPaymentMeans><ram:TypeCode>30</ram:TypeCode>"
                       "<ram:PayeePartyCreditorFinancialAccount><ram:IBANID>FR7630006000011234567890189</ram:IBANID>"
                       "</ram:PayeePartyCreditorFinancialAccount></ram:SpecifiedTradeSettlementPaymentMeans>")
        if payment_means else "",
        line_total=f"{base:.2f}",
        tax=f"{tax_amount:.2f}",
        grand_total=f"{base + tax_amount:.2f}",
    ).encode("utf-8")


def plain_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def facturx_pdf(xml: bytes | None = None, **kwargs) -> bytes:
    """A Factur-X PDF embedding ``xml`` (or ``cii_xml(**kwargs)``)."""
    return facturx.generate_from_binary(plain_pdf(), xml or cii_xml(**kwargs), check_xsd=False)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def account_header(login: str, password: str) -> str:
    return b64(f"{login}:{password}".encode())


# --- contract validation -------------------------------------------------------------------------------------

def _strict(schema: dict) -> dict:
    """Copy of a Swagger ``definitions`` map where no object accepts undeclared properties."""
    strict = copy.deepcopy(schema)
    for definition in strict.values():
        if "properties" in definition:
            definition["additionalProperties"] = False
    return strict


_STRICT_DEFINITIONS = {family: _strict(contract.swagger(family)["definitions"]) for family in contract.SWAGGER_FILES}


def assert_conforms(family: str, definition: str, payload: object) -> None:
    schema = {"$ref": f"#/definitions/{definition}", "definitions": _STRICT_DEFINITIONS[family]}
    jsonschema.Draft4Validator(schema).validate(payload)


def validate_exchange(path: str, request_body: dict | None, response: httpx.Response) -> None:
    parts = path.strip("/").split("/", 1)
    family, operation = parts[0], parts[1].removeprefix("v1/") if len(parts) > 1 else ""
    request_def, response_def = contract.operation_definitions(family, operation)
    if request_def and request_body is not None:
        assert_conforms(family, request_def, request_body)
    if response_def and response.status_code == 200:
        assert_conforms(family, response_def, response.json())
    elif response.status_code in (200, 400) and response.content:
        body = response.json()
        if "codeRetour" in body:
            assert isinstance(body["codeRetour"], int) and isinstance(body["libelle"], str)


# --- API client ----------------------------------------------------------------------------------------------

class ApiClient:
    """A reference-following client bound to one technical account of the sandbox seed."""

    def __init__(self, sandbox, account: int = 0, client_id: str | None = None, client_secret: str | None = None,
                 validate: bool = True):
        creds = sandbox.credentials
        self.base_url = sandbox.base_url
        self.token_url = sandbox.token_url
        self.login = creds["technical_accounts"][account]["login"]
        self.password = creds["technical_accounts"][account]["password"]
        self.client_id = client_id or creds["piste"]["client_id"]
        self.client_secret = client_secret or creds["piste"]["client_secret"]
        self.validate = validate
        self.http = httpx.Client(timeout=30.0, verify=False)
        self._token: str | None = None

    def token(self) -> str:
        if self._token is None:
            response = self.http.post(self.token_url, data={
                "grant_type": "client_credentials", "client_id": self.client_id,
                "client_secret": self.client_secret, "scope": "openid"})
            assert response.status_code == 200, response.text
            self._token = response.json()["access_token"]
        return self._token

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token()}", "cpro-account": account_header(self.login, self.password),
                "Content-Type": "application/json;charset=utf-8", "Accept": "application/json"}

    def post(self, path: str, body: dict | None = None, **kwargs) -> httpx.Response:
        """POST ``/cpro/<path>`` (e.g. ``factures/v1/soumettre``)."""
        body = {} if body is None else body
        response = self.http.post(f"{self.base_url}/cpro/{path}", json=body, headers=self.headers(), **kwargs)
        if self.validate:
            validate_exchange(path, body, response)
        return response

    def ok(self, path: str, body: dict | None = None) -> dict:
        response = self.post(path, body)
        assert response.status_code == 200, response.text
        payload = response.json()
        assert payload["codeRetour"] == 0, payload
        return payload

    def close(self) -> None:
        self.http.close()
