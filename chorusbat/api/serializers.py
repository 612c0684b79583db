"""Rows → the JSON the API answers and the webhooks carry (plain dicts; decimals as strings, as in the file)."""

from __future__ import annotations

from decimal import Decimal

from chorusbat.figures import TOTALS
from chorusbat.gateway.labels import status_label
from chorusbat.gateway.models import Transmission

API = "/api/v1"
AMOUNT_NAMES = ("cumulative_ht", *TOTALS)


def money(value) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


def plain(value) -> str | None:
    if value is None:
        return None
    text = format(Decimal(value).normalize(), "f")
    return text


def market_json(market, lines=None) -> dict:
    lines = list(market.lines.all()) if lines is None else lines
    revision = None
    if market.is_revised:
        revision = {"fixed": plain(market.revision_fixed), "variable": plain(market.revision_variable),
                    "base_index": plain(market.revision_base_index)}
    return {
        "id": market.pk,
        "buyer": {"name": market.buyer_name, "siret": market.buyer_siret,
                  "service_code": market.buyer_service_code or None},
        "moe": ({"name": market.validator_name, "siret": market.validator_siret or None}
                if market.validator_name else None),
        "market": {
            "number": market.number, "engagement": market.engagement or None, "title": market.title,
            "framework": market.framework, "start_date": market.start_date.isoformat(),
            "duration_months": market.duration_months,
            "lines": [{"ref": line.ref, "label": line.label, "kind": line.kind, "unit": line.unit,
                       "unit_price": plain(line.unit_price), "quantity": plain(line.quantity),
                       "vat_rate": plain(line.vat_rate)} for line in lines],
            "revision": revision,
            "advance": ({"rate": plain(market.advance_rate), "start": plain(market.advance_start),
                         "end": plain(market.advance_end)} if market.advance_rate else None),
            "retention_rate": plain(market.retention_rate),
        },
        "contract_ht": money(market.contract_ht),
        "contract_ttc": money(market.contract_ttc),
        "buyer_checked": market.buyer_checked_at is not None,
        "links": {"self": f"{API}/markets/{market.pk}", "situations": f"{API}/markets/{market.pk}/situations"},
    }


def situation_summary(situation) -> dict:
    return {
        "id": situation.pk, "company_id": situation.company_id, "market_id": situation.market_id,
        "number": situation.number, "period": f"{situation.period:%Y-%m}", "status": situation.status,
        "net": money(situation.net_amount),
    }


def transmission_ref(t) -> dict:
    """What a webhook says about a transmission (also the ``transmission`` part of a situation)."""
    situation = t.situation
    imported = getattr(situation, "imported", None) if situation else None
    return {
        "company_id": t.company_id,
        "transmission_id": t.pk,
        "invoice_id": imported.pk if imported else None,
        "situation_id": situation.pk if situation else None,
        "situation_number": situation.number if situation else None,
        "market_id": situation.market_id if situation else None,
        "state": t.state,
        "chorus_invoice_id": t.chorus_invoice_id,
        "flux_number": t.flux_number or None,
        "chorus_status": t.chorus_status or None,
        "chorus_status_label": status_label(t.chorus_status) if t.chorus_status else None,
    }


def transmission_json(t) -> dict | None:
    if t is None:
        return None
    data = transmission_ref(t)
    data.update({
        "reason": t.reason or None,
        "chorus_comment": t.chorus_comment or None,
        "deposited_at": t.deposited_at.isoformat() if t.deposited_at else None,
        "history": [{"status": c.status, "at": c.at.isoformat() if c.at else None, "comment": c.comment or None}
                    for c in t.status_changes.all()],
        "events": [event_json(e, t) for e in t.events.all()],
    })
    return data


def event_json(e, t=None) -> dict:
    t = t or e.transmission
    data = {k: v for k, v in (e.data or {}).items() if k in ("status", "comment", "flux_number", "invoice_id",
                                                                "flux_state", "error", "route")}
    return {
        "id": e.pk, "at": e.at.isoformat(), "kind": e.kind, "message": e.message,
        "transmission_id": t.pk, "situation_id": t.situation_id, "data": data,
    }


def situation_json(situation, decompte=None) -> dict:
    totals = decompte.totals if decompte is not None else {}
    amounts = {name: money(totals.get(name)) for name in AMOUNT_NAMES}
    try:
        transmission = situation.transmission
    except Transmission.DoesNotExist:
        transmission = None
    base = f"{API}/situations/{situation.pk}"
    return {
        "id": situation.pk,
        "market_id": situation.market_id,
        "number": situation.number,
        "period": f"{situation.period:%Y-%m}",
        "date": situation.date.isoformat(),
        "status": situation.status,
        "final": situation.final,
        "coefficient": (f"{decompte.coefficient:.3f}" if decompte is not None and decompte.coefficient is not None
                        else None),
        "amounts": amounts,
        "errors": list(decompte.errors) if decompte is not None else [],
        "transmission": transmission_json(transmission),
        "links": {"self": base, "market": f"{API}/markets/{situation.market_id}", "validate": f"{base}/validate",
                  "send": f"{base}/send", "facturx": f"{base}/facturx"},
    }


def invoice_json(invoice) -> dict:
    try:
        transmission = invoice.situation.transmission
    except Transmission.DoesNotExist:
        transmission = None
    return {
        "id": invoice.pk, "number": invoice.number, "issue_date": invoice.issue_date.isoformat(),
        "buyer": {"name": invoice.buyer_name, "siret": invoice.buyer_siret,
                  "service_code": invoice.service_code or None},
        "contract_reference": invoice.contract_reference or None, "order_reference": invoice.order_reference or None,
        "total_ht": money(invoice.total_ht), "total_ttc": money(invoice.total_ttc),
        "amount_due": money(invoice.amount_due), "sha256": invoice.sha256, "situation_id": invoice.situation_id,
        "transmission": transmission_json(transmission),
        "links": {"self": f"{API}/invoices/{invoice.pk}", "situation": f"{API}/situations/{invoice.situation_id}",
                  "facturx": f"{API}/situations/{invoice.situation_id}/facturx"},
    }
