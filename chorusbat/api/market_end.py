"""The end of a market over the API: ``GET /markets/{id}/closing`` (the timeline included) and ``PUT`` of each step
— réception, décompte général, answer (with the heads of claim), DGD, retention release — through the same forms
and service as the « Fin du marché » screen (``docs/end-of-contract.md``). Dates are ``YYYY-MM-DD`` strings,
amounts decimal strings, as in the situation file."""

from __future__ import annotations

from typing import Literal

from django.http import Http404
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from chorusbat.api.problems import ApiProblem
from chorusbat.api.services import InputError
from chorusbat.contracts import closing
from chorusbat.contracts.forms import CLOSING_FORMS, claim_head_forms
from chorusbat.contracts.models import (
    MAX_CLAIM_HEADS,
    MAX_CLAIM_JUSTIFICATION_LENGTH,
    MAX_CLAIM_LABEL_LENGTH,
    MAX_RESERVES_LENGTH,
)
from chorusbat.markets.models import Market

router = Router(tags=["closing"])


class _Strict(Schema):
    model_config = ConfigDict(extra="forbid")


DateText = Field(max_length=40, description="YYYY-MM-DD")
AmountText = Field(max_length=40, description="Decimal as a string, for example \"12500.00\"")


class ReceptionIn(_Strict):
    date: str = DateText
    guarantee_months: int = Field(12, description="Guarantee period in months (0 to 60; 12 by default)")


class GeneralStatementIn(_Strict):
    notified_on: str = DateText
    amount_ttc: str = AmountText
    amount_ht: str | None = Field(None, max_length=40)
    reserves: str = Field("", max_length=MAX_RESERVES_LENGTH, description="The buyer's reserves")


class ClaimHeadIn(_Strict):
    label: str = Field(max_length=MAX_CLAIM_LABEL_LENGTH)
    amount: str = AmountText
    justification: str = Field(max_length=MAX_CLAIM_JUSTIFICATION_LENGTH)


class AnswerIn(_Strict):
    answer: Literal["accepted", "reserves"]
    date: str = DateText
    grounds: str = Field("", max_length=MAX_CLAIM_JUSTIFICATION_LENGTH)
    claims: list[ClaimHeadIn] = Field([], max_length=MAX_CLAIM_HEADS)


class DateIn(_Strict):
    date: str = DateText


class DeadlineOut(Schema):
    key: str
    due: str | None
    state: Literal["waiting", "open", "overdue", "done"]
    done_on: str | None
    days_left: int | None


class ClosingOut(Schema):
    market_id: int
    reception_date: str | None
    guarantee_months: int
    guarantee_end: str | None
    final_statement: dict | None
    general_statement: dict | None
    answer: dict | None
    dgd_on: str | None
    retention: dict
    settled: bool
    tacit_procedure_open: bool
    deemed_accepted: bool
    timeline: list[DeadlineOut]
    links: dict[str, str]


def _day(value) -> str | None:
    return value.isoformat() if value is not None else None


def _money(value) -> str | None:
    return format(value, "f") if value is not None else None


def closing_json(view) -> dict:
    c, market = view.closing, view.market
    heads = list(c.claim_heads.all()) if c.pk else []
    return {
        "market_id": market.pk,
        "reception_date": _day(c.reception_date), "guarantee_months": c.guarantee_months,
        "guarantee_end": _day(view.guarantee_end),
        "final_statement": ({"situation_id": view.final.pk, "number": view.final.number, "status": view.final.status,
                             "sent_on": _day(view.final_sent)} if view.final else None),
        "general_statement": ({"notified_on": _day(c.dg_notified_on), "amount_ttc": _money(c.dg_amount_ttc),
                               "amount_ht": _money(c.dg_amount_ht), "reserves": c.dg_reserves}
                              if c.dg_notified_on else None),
        "answer": ({"answer": c.answer, "date": _day(c.answer_on), "grounds": c.claim_grounds,
                    "claims": [{"label": h.label, "amount": _money(h.amount), "justification": h.justification}
                               for h in heads]} if c.answer else None),
        "dgd_on": _day(c.dgd_on),
        "retention": {"held": _money(view.retention), "guarantee_instead": view.guarantee_instead,
                      "release_due": _day(c.release_due), "released_on": _day(c.released_on)},
        "settled": c.is_settled,
        "tacit_procedure_open": view.tacit_open, "deemed_accepted": view.deemed_accepted,
        "timeline": [{"key": d.key, "due": _day(d.due), "state": d.state, "done_on": _day(d.done_on),
                      "days_left": d.days_left} for d in view.timeline],
        "links": {"market": f"/api/v1/markets/{market.pk}", "screen": f"/contrats/marche/{market.pk}/fin/"},
    }


def _market(request, market_id: int):
    market = Market.objects.filter(company=request.auth.company, pk=market_id).first()
    if market is None:
        raise Http404
    return market


# Form field → JSON pointer, per step.
POINTERS = {
    "reception": {"reception_date": "/date", "guarantee_months": "/guarantee_months"},
    "general-statement": {"dg_notified_on": "/notified_on", "dg_amount_ttc": "/amount_ttc",
                          "dg_amount_ht": "/amount_ht", "dg_reserves": "/reserves"},
    "answer": {"answer": "/answer", "answer_on": "/date", "claim_grounds": "/grounds"},
    "dgd": {"dgd_on": "/date"},
    "release": {"released_on": "/date"},
}


def _form_data(step: str, body: dict) -> dict:
    if step == "reception":
        return {"reception_date": body["date"], "guarantee_months": str(body["guarantee_months"])}
    if step == "general-statement":
        return {"dg_notified_on": body["notified_on"], "dg_amount_ttc": body["amount_ttc"],
                "dg_amount_ht": body.get("amount_ht") or "", "dg_reserves": body.get("reserves") or ""}
    if step == "answer":
        data = {"answer": body["answer"], "answer_on": body["date"], "claim_grounds": body.get("grounds") or ""}
        for i, head in enumerate(body.get("claims") or []):
            data.update({f"head{i}-label": head["label"], f"head{i}-amount": head["amount"],
                         f"head{i}-justification": head["justification"]})
        return data
    return {{"dgd": "dgd_on", "release": "released_on"}[step]: body["date"]}


def _record(request, market_id: int, step: str, body: dict) -> dict:
    market = _market(request, market_id)
    view = closing.overview(market)
    if not view.allowed(step):
        raise ApiProblem(409, closing.REFUSED[step](), slug="closing-step-refused")
    data = _form_data(step, body)
    kwargs = {"market": market, "closing": view.closing}
    heads = claim_head_forms(data) if step == "answer" else []
    if step == "answer":
        kwargs["heads"] = heads
    form = CLOSING_FORMS[step](data, **kwargs)
    if not form.is_valid():
        errors = []
        for field, messages in form.errors.items():
            pointer = POINTERS[step].get(field, "")
            errors += [{"pointer": pointer, "detail": str(m)} for m in messages]
        for i, head in enumerate(heads):
            for field, messages in head.errors.items():
                errors += [{"pointer": f"/claims/{i}/{field}" if field != "__all__" else f"/claims/{i}",
                            "detail": str(m)} for m in messages]
        raise InputError(errors)
    try:
        closing.record(market, step, form, None)
    except closing.ClosingError as error:
        raise ApiProblem(409, " ".join(error.messages), slug="closing-step-refused") from None
    market.refresh_from_db()
    return closing_json(closing.overview(market))


RESPONSES = {200: ClosingOut, 404: None, 409: None}


@router.get("/markets/{market_id}/closing", response={200: ClosingOut, 404: None}, operation_id="get_closing",
            summary="The end of a market: réception, décompte général, answer, DGD, retention, deadlines")
def get_closing(request, market_id: int):
    return closing_json(closing.overview(_market(request, market_id)))


@router.put("/markets/{market_id}/closing/reception", response=RESPONSES, operation_id="put_closing_reception",
            summary="Record the réception date and the guarantee period")
def put_reception(request, market_id: int, payload: ReceptionIn):
    return _record(request, market_id, "reception", payload.model_dump())


@router.put("/markets/{market_id}/closing/general-statement", response=RESPONSES,
            operation_id="put_closing_general_statement", summary="Record the décompte général received from the buyer")
def put_general_statement(request, market_id: int, payload: GeneralStatementIn):
    return _record(request, market_id, "general-statement", payload.model_dump())


@router.put("/markets/{market_id}/closing/answer", response=RESPONSES, operation_id="put_closing_answer",
            summary="Record the answer to the décompte général (accepted → DGD; reserves with heads of claim)")
def put_answer(request, market_id: int, payload: AnswerIn):
    return _record(request, market_id, "answer", payload.model_dump())


@router.put("/markets/{market_id}/closing/dgd", response=RESPONSES, operation_id="put_closing_dgd",
            summary="Record the DGD by hand (dispute settled, or tacit procedure)")
def put_dgd(request, market_id: int, payload: DateIn):
    return _record(request, market_id, "dgd", payload.model_dump())


@router.put("/markets/{market_id}/closing/release", response=RESPONSES, operation_id="put_closing_release",
            summary="Record the retention received (or the guarantee's mainlevée)")
def put_release(request, market_id: int, payload: DateIn):
    return _record(request, market_id, "release", payload.model_dump())
