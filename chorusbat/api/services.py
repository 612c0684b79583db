"""The API's bodies (the situation file's JSON, ``situation-rules.md`` §4) → the same forms and services as the
screens, so that the API accepts exactly what the screens accept (buyer checked against Chorus Pro included).

Every refusal is an :class:`InputError` listing ``(JSON pointer, French message)`` pairs.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chorusbat.markets.forms import ContractLineForm, MarketForm, buyer_lookup_for
from chorusbat.markets.models import Market
from chorusbat.markets.services import refresh_totals
from chorusbat.situations import numbering
from chorusbat.situations.forms import PENALTY_ROWS, SituationForm, line_field_name
from chorusbat.situations.models import Situation
from chorusbat.situations.services import SituationError, company_numbers, save_draft

HUNDRED = Decimal(100)


class InputError(Exception):
    """Refused input: ``errors`` is a list of ``{"pointer": "/market/number", "detail": "…"}``."""

    def __init__(self, errors: list[dict], detail: str | None = None, status: int = 422):
        self.errors = errors
        self.detail = detail or _("The request contains invalid data.")
        self.status = status
        super().__init__(self.detail)


# Market form field → where it sits in the body.
MARKET_POINTERS = {
    "title": "/market/title", "buyer_name": "/buyer/name", "buyer_siret": "/buyer/siret",
    "buyer_service_code": "/buyer/service_code", "number": "/market/number", "engagement": "/market/engagement",
    "framework": "/market/framework", "validator_name": "/moe/name", "validator_siret": "/moe/siret",
    "start_date": "/market/start_date", "duration_months": "/market/duration_months",
    "revision_fixed": "/market/revision/fixed", "revision_variable": "/market/revision/variable",
    "revision_base_index": "/market/revision/base_index", "advance_percent": "/market/advance/rate",
    "advance_start_percent": "/market/advance/start", "advance_end_percent": "/market/advance/end",
    "retention_percent": "/market/retention_rate", "reverse_charge": "/market",
    "payment_delay_days": "/market", "revision_index_name": "/market/revision",
}


def _form_errors(form, pointers) -> list[dict]:
    out = []
    for field, messages in form.errors.items():
        pointer = pointers(field) if callable(pointers) else pointers.get(field, "")
        for message in messages:
            out.append({"pointer": pointer, "detail": str(message)})
    return out


def _percent(value: str | None) -> str | None:
    """A fraction of the file (``"0.05"``) → the percentage the screen's form takes (``"5"``)."""
    if value is None:
        return None
    try:
        return format(Decimal(value) * HUNDRED, "f")
    except ArithmeticError:
        return value  # not a number: the form refuses it with its own message


def market_form_data(body: dict) -> dict:
    buyer, market, moe = body["buyer"], body["market"], body.get("moe") or {}
    revision, advance = market.get("revision") or {}, market.get("advance") or {}
    data = {
        "title": market.get("title") or "", "buyer_name": buyer.get("name") or "",
        "buyer_siret": buyer.get("siret") or "", "buyer_service_code": buyer.get("service_code") or "",
        "number": market.get("number") or "", "engagement": market.get("engagement") or "",
        "framework": market.get("framework") or "", "validator_name": moe.get("name") or "",
        "validator_siret": moe.get("siret") or "", "start_date": market.get("start_date") or "",
        "duration_months": "" if market.get("duration_months") is None else str(market["duration_months"]),
        "revision_fixed": revision.get("fixed") or "", "revision_variable": revision.get("variable") or "",
        "revision_base_index": revision.get("base_index") or "", "revision_index_name": "",
        "payment_delay_days": "30",
        "advance_percent": _percent(advance.get("rate")) or "0",
        "advance_start_percent": _percent(advance.get("start")) or "65",
        "advance_end_percent": _percent(advance.get("end")) or "80",
        "retention_percent": _percent(market.get("retention_rate")) or "0",
    }
    return data


def create_market(company, body: dict, user=None) -> Market:
    """Create a market and its lines from ``{"buyer", "market", "moe"?}``; every problem at once."""
    data = market_form_data(body)
    form = MarketForm(data, company=company, buyer_lookup=buyer_lookup_for(company, data, Market()))
    errors = [] if form.is_valid() else _form_errors(form, MARKET_POINTERS)
    lines = body["market"].get("lines") or []
    if not lines:
        errors.append({"pointer": "/market/lines", "detail": _("A market needs at least one contract line.")})
    if errors and not form.is_valid():
        # Lines are checked against a market that does not exist yet: report the market's errors first.
        raise InputError(errors)
    with transaction.atomic():
        market = form.save(commit=False)
        market.company, market.created_by = company, user
        if form.buyer_info is not None:
            market.buyer_checked_at = timezone.now()
        market.save()
        taken: set[str] = set()
        for position, line in enumerate(lines):
            line_form = ContractLineForm(
                {"ref": line.get("ref") or "", "label": line.get("label") or "", "kind": line.get("kind") or "",
                 "unit": line.get("unit") or "", "unit_price": line.get("unit_price") or "",
                 "quantity": line.get("quantity") or "", "vat_rate": line.get("vat_rate") or ""},
                market=market, taken_refs=taken,
            )
            if not line_form.is_valid():
                errors += _form_errors(line_form, lambda f, p=position: f"/market/lines/{p}/{f}")
                continue
            saved = line_form.save(commit=False)
            saved.position = position + 1
            saved.save()
            taken.add(saved.ref)
        if errors:
            transaction.set_rollback(True)
            raise InputError(errors)
        refresh_totals(market)
    return market


def _situation_pointer(lines_by_field: dict[str, str]):
    def pointer(field: str) -> str:
        if field in lines_by_field:
            return f"/progress/{lines_by_field[field]}"
        if field.startswith("penalty_"):
            return f"/penalties/{field.rsplit('_', 1)[1]}/{'label' if 'label' in field else 'amount'}"
        return {"index_value": "/index", "__all__": ""}.get(field, f"/{field}")
    return pointer


def create_situation(market: Market, body: dict, user=None) -> Situation:
    """A draft situation from one item of the file's ``situations``; numbered by chorusbat when ``number`` is
    absent (the company's next number, as the screen suggests)."""
    lines = list(market.lines.all())
    by_ref = {line.ref: line for line in lines}
    errors = []
    progress = body.get("progress") or {}
    for ref in progress:
        if ref not in by_ref:
            errors.append({"pointer": f"/progress/{ref}",
                           "detail": _("This market has no line with reference %(ref)s.") % {"ref": ref}})
    beyond_contract = body.get("beyond_contract") or []
    for k, ref in enumerate(beyond_contract):
        if ref not in by_ref:
            errors.append({"pointer": f"/beyond_contract/{k}",
                           "detail": _("This market has no line with reference %(ref)s.") % {"ref": ref}})
    penalties = body.get("penalties") or []
    if len(penalties) > PENALTY_ROWS:
        errors.append({"pointer": "/penalties", "detail": _("At most %(count)d penalties per situation.")
                       % {"count": PENALTY_ROWS}})
    if errors:
        raise InputError(errors)
    number = body.get("number")
    if not number:
        try:
            date = datetime.date.fromisoformat(body.get("date") or "")
        except ValueError:
            date = timezone.localdate()
        number = numbering.suggest(company_numbers(market.company), date)
    data = {"number": number, "period": body.get("period") or "", "date": body.get("date") or "",
            "index_value": body.get("index") or "", "advance_paid": body.get("advance_paid") or "0"}
    for line in lines:
        value = progress.get(line.ref)
        data[line_field_name(line)] = "" if value is None else value
        if line.ref in beyond_contract:
            data[f"extra_{line.pk}"] = "on"  # the screen's « extra work / amendment » box
    for i, penalty in enumerate(penalties):
        data[f"penalty_label_{i}"] = penalty.get("label") or ""
        data[f"penalty_amount_{i}"] = penalty.get("amount") or ""
    with transaction.atomic():
        Market.objects.select_for_update().get(pk=market.pk)  # one numbering at a time per market
        form = SituationForm(data, market=market, final=body.get("final") is True)
        if not form.is_valid():
            raise InputError(_form_errors(form, _situation_pointer(
                {line_field_name(line): line.ref for line in lines})))
        try:
            return save_draft(market, form.data_object, user)
        except SituationError as exc:  # the final statement rules, checked again under the lock (never a 500)
            raise InputError([{"pointer": "/final", "detail": message} for message in exc.messages]) from None
