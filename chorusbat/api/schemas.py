"""Pydantic schemas of the API (django-ninja): the situation file's JSON (``situation-rules.md`` §4) in and out.

Decimals are JSON strings, as in the file; their values are checked by the same forms as the screens, which give
the French messages. Party objects (buyer, moe) accept extra keys, as the file does.
"""

from __future__ import annotations

from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field, StrictBool

from chorusbat.api.models import WebhookEventType

Text = str
Decimal = str


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


# --- problems (RFC 9457) ---------------------------------------------------------------------------------------


class ProblemError(Schema):
    pointer: str = Field(description="JSON pointer of the field in the request body (or the query parameter)")
    detail: str
    rule: str | None = Field(None, description="The validation rule that failed (uploaded Factur-X)")


class Problem(Schema):
    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[ProblemError] = []


# --- markets ---------------------------------------------------------------------------------------------------


class BuyerIn(Schema):
    model_config = ConfigDict(extra="allow")
    name: Text = Field(max_length=200)
    siret: Text = Field(max_length=40, description="14 digits")
    service_code: Text | None = Field(None, max_length=100)


class MoeIn(Schema):
    model_config = ConfigDict(extra="allow")
    name: Text = Field(max_length=200)
    siret: Text | None = Field(None, max_length=40)


class LineIn(Strict):
    ref: Text = Field(max_length=30)
    label: Text = Field(max_length=300)
    kind: Literal["forfait", "unitaire"]
    unit: Text = Field(max_length=20)
    unit_price: Decimal = Field(max_length=40, examples=["62.50"])
    quantity: Decimal = Field(max_length=40, examples=["600"])
    vat_rate: Decimal = Field(max_length=10, examples=["20"])


class RevisionIn(Strict):
    fixed: Decimal = Field(max_length=40)
    variable: Decimal = Field(max_length=40)
    base_index: Decimal = Field(max_length=40)


class AdvanceIn(Strict):
    rate: Decimal = Field(max_length=40)
    start: Decimal | None = Field(None, max_length=40)
    end: Decimal | None = Field(None, max_length=40)


class MarketTermsIn(Strict):
    number: Text = Field(max_length=50)
    engagement: Text | None = Field(None, max_length=50)
    title: Text = Field(max_length=200)
    framework: Text = Field(max_length=4, examples=["A1"])
    start_date: Text = Field(max_length=10, examples=["2026-05-01"])
    duration_months: int = Field(ge=1, le=600)
    lines: list[LineIn] = Field(max_length=2000)
    revision: RevisionIn | None = None
    advance: AdvanceIn | None = None
    retention_rate: Decimal | None = Field(None, max_length=40)


class MarketIn(Strict):
    buyer: BuyerIn
    market: MarketTermsIn
    moe: MoeIn | None = None


class BuyerOut(Schema):
    name: str
    siret: str
    service_code: str | None


class MoeOut(Schema):
    name: str
    siret: str | None


class LineOut(Schema):
    ref: str
    label: str
    kind: str
    unit: str
    unit_price: str
    quantity: str
    vat_rate: str


class RevisionOut(Schema):
    fixed: str
    variable: str
    base_index: str


class AdvanceOut(Schema):
    rate: str
    start: str
    end: str


class MarketTermsOut(Schema):
    number: str
    engagement: str | None
    title: str
    framework: str
    start_date: str
    duration_months: int
    lines: list[LineOut]
    revision: RevisionOut | None
    advance: AdvanceOut | None
    retention_rate: str


class MarketOut(Schema):
    id: int
    buyer: BuyerOut
    moe: MoeOut | None
    market: MarketTermsOut
    contract_ht: str
    contract_ttc: str
    buyer_checked: bool
    links: dict[str, str]


class MarketList(Schema):
    items: list[MarketOut]
    count: int


# --- situations ------------------------------------------------------------------------------------------------


class PenaltyIn(Strict):
    label: Text = Field(max_length=200)
    amount: Decimal = Field(max_length=40)


class SituationIn(Strict):
    number: Text | None = Field(None, max_length=40, description="Optional: chorusbat numbers it when absent")
    period: Text = Field(max_length=10, examples=["2026-09"])
    date: Text = Field(max_length=10, examples=["2026-09-30"])
    index: Decimal | None = Field(None, max_length=40)
    progress: dict[str, Decimal] = Field(max_length=2000)
    beyond_contract: list[Text] | None = Field(
        None, max_length=2000, description="Line references whose cumulative quantity may exceed the contract "
        "quantity (extra work or amendment); any other line beyond its contract quantity is refused")
    penalties: list[PenaltyIn] | None = Field(None, max_length=3)
    advance_paid: Decimal | None = Field(None, max_length=40)
    final: StrictBool = Field(False, description="true: the market's projet de décompte final, its last situation "
                              "(the advance is recovered in full; no situation can follow it)")


class Amounts(Schema):
    cumulative_ht: str | None
    a: str | None
    d: str | None
    b: str | None
    ttc: str | None
    c: str | None
    e: str | None
    f: str | None
    g: str | None
    net: str | None


class StatusChangeOut(Schema):
    status: str
    at: str | None
    comment: str | None


class EventOut(Schema):
    id: int
    at: str
    kind: str
    message: str
    transmission_id: int
    situation_id: int | None
    data: dict


class TransmissionOut(Schema):
    transmission_id: int
    invoice_id: int | None
    company_id: int
    situation_id: int | None
    situation_number: str | None
    market_id: int | None
    state: str
    chorus_invoice_id: int | None
    flux_number: str | None
    chorus_status: str | None
    chorus_status_label: str | None
    reason: str | None
    chorus_comment: str | None
    deposited_at: str | None
    history: list[StatusChangeOut]
    events: list[EventOut]


class SituationOut(Schema):
    id: int
    market_id: int
    number: str
    period: str
    date: str
    status: str
    final: bool = Field(description="The market's projet de décompte final")
    coefficient: str | None
    amounts: Amounts
    errors: list[str]
    transmission: TransmissionOut | None
    links: dict[str, str]


class EventPage(Schema):
    events: list[EventOut]
    next_cursor: str | None
    has_more: bool


# --- webhooks --------------------------------------------------------------------------------------------------

EventName = Literal[tuple(value for value, _label in WebhookEventType.choices)]  # type: ignore[valid-type]


class WebhookIn(Strict):
    url: Text = Field(max_length=500, examples=["https://erp.example.fr/chorusbat/webhooks"])
    events: list[EventName] = Field(min_length=1, max_length=10)


class WebhookOut(Schema):
    id: int
    url: str
    events: list[str]
    created_at: str
    secret: str | None = Field(None, description="The signing secret (whsec_…), given once, at creation")


class WebhookList(Schema):
    items: list[WebhookOut]


# --- invoices brought by the ERP ---------------------------------------------------------------------------------


class InvoiceFileIn(Strict):
    file_base64: str = Field(description="The Factur-X PDF, base64-encoded")
    file_name: str | None = Field(None, max_length=255)


class InvoiceOut(Schema):
    id: int
    number: str
    issue_date: str
    buyer: BuyerOut
    contract_reference: str | None
    order_reference: str | None
    total_ht: str | None
    total_ttc: str | None
    amount_due: str | None
    sha256: str
    situation_id: int
    transmission: TransmissionOut | None
    links: dict[str, str]
