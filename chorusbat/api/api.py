"""The integration API under ``/api/v1/`` (django-ninja): markets, situations, sending, events, webhooks.

Every operation works inside the company of the API key (``Authorization: Bearer <key>``): another company's
market or situation is simply not found (404). Errors are problem details (:mod:`chorusbat.api.problems`).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from chorusbat.api import keys, problems, serializers
from chorusbat.api.byo import MAX_BYTES, AlreadyImported, import_invoice
from chorusbat.api.guard import guarded
from chorusbat.api.market_end import router as closing_router
from chorusbat.api.models import ImportedInvoice, WebhookEndpoint
from chorusbat.api.problems import ApiProblem, problem_response
from chorusbat.api.schemas import (
    EventPage,
    InvoiceFileIn,
    InvoiceOut,
    MarketIn,
    MarketList,
    MarketOut,
    SituationIn,
    SituationOut,
    WebhookIn,
    WebhookList,
    WebhookOut,
)
from chorusbat.api.services import InputError, create_market, create_situation
from chorusbat.api.webhooks import create_endpoint, url_errors
from chorusbat.facturx import ValidatorUnavailable
from chorusbat.gateway.models import TransmissionEvent
from chorusbat.gateway.services import send
from chorusbat.invoicing.services import DocumentError, ready_document
from chorusbat.markets.models import Market
from chorusbat.situations.models import Situation
from chorusbat.situations.services import SituationError, decompte, validate_situation

log = logging.getLogger(__name__)


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        self.retry_after = retry_after


class KeyAuth(HttpBearer):
    def authenticate(self, request, token):
        key = keys.authenticate(token)
        if key is None:
            return None
        request.api_key = key
        decision = keys.count_call(key)
        if not decision.allowed:
            raise RateLimited(decision.retry_after)
        return key


DESCRIPTION = """
The Chorus Pro gateway of chorusbat, for any ERP. Authenticate with `Authorization: Bearer <key>` (keys are
created with `chorusbat api-key create --company SIRET --name NAME` or under *Mon compte*). Bodies reuse the
situation file's JSON (decimals as strings). Every `POST` accepts an `Idempotency-Key` header. Errors are RFC 9457
problem details (`application/problem+json`) with a French `detail` and field-level `errors`.
"""


class ChorusbatAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """Problem answers are documented as ``application/problem+json``; every operation may answer 401 and
        429 (and 400/422 when it takes input)."""
        schema = super().get_openapi_schema(*args, **kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault("InvoiceFileIn",
                              InvoiceFileIn.model_json_schema(ref_template="#/components/schemas/{model}"))
        problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for item in schema["paths"].values():
            for method, operation in item.items():
                responses = operation.setdefault("responses", {})
                extra = {401: _("Missing, unknown or revoked API key"), 429: _("Too many requests")}
                extra[422] = _("Invalid input")
                if method == "post":
                    extra[400] = _("Body is not readable")
                    extra[409] = _("Conflict")
                for status, text in extra.items():
                    responses.setdefault(status, {"description": text})
                for status, response in responses.items():
                    if int(status) >= 400:
                        response["content"] = problem
                        response.setdefault("description", "Problem")
        return schema


api = ChorusbatAPI(
    title="chorusbat API",
    version="1",
    description=DESCRIPTION,
    auth=KeyAuth(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_decorator(guarded, mode="view")
api.add_router("/", closing_router)  # the end of a market: GET /markets/{id}/closing, PUT of each step


# --- problems --------------------------------------------------------------------------------------------------


@api.exception_handler(ApiProblem)
def _problem(request, exc: ApiProblem):
    return problem_response(exc.status, exc.detail, slug=exc.slug, errors=exc.errors, instance=request.path,
                            headers=exc.headers)


@api.exception_handler(InputError)
def _input(request, exc: InputError):
    return problem_response(exc.status, exc.detail, errors=exc.errors, instance=request.path)


@api.exception_handler(RateLimited)
def _rate(request, exc: RateLimited):
    return problem_response(429, _("Too many requests with this API key: try again in %(seconds)d s.")
                            % {"seconds": exc.retry_after}, instance=request.path,
                            headers={"Retry-After": str(exc.retry_after)})


@api.exception_handler(ValidationError)
def _validation(request, exc: ValidationError):
    return problem_response(422, _("The request contains invalid data."),
                            errors=problems.validation_errors(exc.errors), instance=request.path)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return problem_response(401, _("Missing, unknown or revoked API key: send the header "
                                   "“Authorization: Bearer <key>”."), instance=request.path,
                            headers={"WWW-Authenticate": "Bearer"})


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    if exc.status_code == 400:
        detail = _("The request body cannot be read: it must be valid JSON (UTF-8).")
    else:
        detail = str(exc)
    return problem_response(exc.status_code, detail, instance=request.path)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problem_response(404, _("Not found (or not in your company)."), instance=request.path)


@api.exception_handler(Exception)
def _unexpected(request, exc):
    log.exception("API: unexpected error on %s", request.path)
    return problem_response(500, _("Unexpected error; it has been recorded. Try again later."),
                            instance=request.path)


# --- helpers ---------------------------------------------------------------------------------------------------


def company_of(request):
    return request.auth.company


def _market(request, market_id: int):
    market = Market.objects.filter(company=company_of(request), pk=market_id).first()
    if market is None:
        raise Http404
    return market


def _situation(request, situation_id: int):
    situation = (Situation.objects.filter(company=company_of(request), pk=situation_id)
                 .select_related("market", "company").first())
    if situation is None:
        raise Http404
    return situation


def _situation_body(situation) -> dict:
    situation = Situation.objects.select_related("market", "company").get(pk=situation.pk)
    return serializers.situation_json(situation, decompte(situation))




# --- markets ---------------------------------------------------------------------------------------------------


@api.post("/markets", response={201: MarketOut, 404: None, 409: None}, operation_id="create_market",
          summary="Create a market (buyer checked against Chorus Pro)", tags=["markets"])
def post_market(request, payload: MarketIn):
    body = payload.model_dump(exclude_none=False)
    try:
        market = create_market(company_of(request), body)
    except IntegrityError:
        raise ApiProblem(409, _("Your company already has a market with this identifier for this buyer.")) from None
    return Status(201, serializers.market_json(market))


@api.get("/markets", response=MarketList, operation_id="list_markets", summary="List the company's markets",
         tags=["markets"])
def get_markets(request, offset: Query[int] = 0, limit: Query[int] = 100):
    if not 0 <= offset <= 10**9 or not 1 <= limit <= 500:
        raise ApiProblem(422, _("offset must be 0 or more and limit between 1 and 500."))
    rows = Market.objects.filter(company=company_of(request)).order_by("id").prefetch_related("lines")
    return {"items": [serializers.market_json(m, list(m.lines.all())) for m in rows[offset:offset + limit]],
            "count": rows.count()}


@api.get("/markets/{market_id}", response={200: MarketOut, 404: None}, operation_id="get_market",
         summary="One market", tags=["markets"])
def get_market(request, market_id: int):
    return serializers.market_json(_market(request, market_id))


# --- situations ------------------------------------------------------------------------------------------------


@api.post("/markets/{market_id}/situations", response={201: SituationOut, 404: None, 409: None},
          operation_id="create_situation", summary="Create a draft situation (numbered when no number is given)",
          tags=["situations"])
def post_situation(request, market_id: int, payload: SituationIn):
    market = _market(request, market_id)
    try:
        situation = create_situation(market, payload.model_dump())
    except IntegrityError:
        raise ApiProblem(409, _("This invoice identifier or period is already used; try again.")) from None
    return Status(201, _situation_body(situation))


@api.get("/situations/{situation_id}", response={200: SituationOut, 404: None}, operation_id="get_situation",
         summary="A situation: status, amounts, Chorus Pro status and history", tags=["situations"])
def get_situation(request, situation_id: int):
    return _situation_body(_situation(request, situation_id))


@api.post("/situations/{situation_id}/validate", response={200: SituationOut, 404: None, 409: None},
          operation_id="validate_situation", summary="Validate (freeze) a draft situation", tags=["situations"])
def post_validate(request, situation_id: int):
    situation = _situation(request, situation_id)
    try:
        validate_situation(situation, None)
    except SituationError as exc:
        raise ApiProblem(409, " ".join(exc.messages), slug="not-validated") from None
    return Status(200, _situation_body(situation))


@api.post("/situations/{situation_id}/send", response={202: SituationOut, 404: None, 409: None},
          operation_id="send_situation", summary="Send a validated situation to Chorus Pro (never twice)",
          tags=["situations"])
def post_send(request, situation_id: int):
    situation = _situation(request, situation_id)
    if not situation.is_validated:
        raise ApiProblem(409, _("Only a validated situation can be sent to Chorus Pro."), slug="not-validated")
    send([situation])
    return Status(202, _situation_body(situation))


@api.get("/situations/{situation_id}/facturx", response={200: None, 404: None, 409: None, 503: None},
         operation_id="get_facturx", summary="The Factur-X PDF (the exact bytes sent to Chorus Pro)",
         tags=["situations"], openapi_extra={"responses": {"200": {
             "description": "Factur-X PDF/A-3b",
             "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}})
def get_facturx(request, situation_id: int):
    situation = _situation(request, situation_id)
    try:
        document = ready_document(situation)
    except DocumentError as exc:
        status = exc.status if exc.status in (409, 503) else 409
        raise ApiProblem(status, str(exc), slug="document-unavailable") from None
    response = HttpResponse(document.pdf_bytes, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{situation.number.replace("/", "-")}.pdf"'
    response["X-Content-SHA256"] = document.sha256
    return response


# --- events ----------------------------------------------------------------------------------------------------


@api.get("/events", response=EventPage, operation_id="list_events",
         summary="Every transmission and status event of the company, in order, after a cursor", tags=["events"])
def get_events(request, after: Query[str | None] = None, limit: Query[int] = 100):
    if not 1 <= limit <= 500:
        raise ApiProblem(422, _("limit must be between 1 and 500."), errors=[{"pointer": "limit", "detail": _(
            "limit must be between 1 and 500.")}])
    start = 0
    if after not in (None, ""):
        if not after.isdigit() or len(after) > 18:
            raise ApiProblem(422, _("Unknown cursor: use the next_cursor of a previous page."),
                             errors=[{"pointer": "after", "detail": _("invalid cursor")}])
        start = int(after)
    # Ids are taken at insert and rows become visible at commit: an event still being committed could get a
    # lower id than one already listed. Only settled events are listed, so a cursor never skips one.
    settled = timezone.now() - timedelta(seconds=float(getattr(settings, "CHORUSBAT_API_EVENTS_SETTLE_SECONDS", 2)))
    rows = list(TransmissionEvent.objects.filter(transmission__company=company_of(request), pk__gt=start,
                                                 at__lte=settled)
                .select_related("transmission").order_by("id")[:limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {"events": [serializers.event_json(e) for e in rows],
            "next_cursor": str(rows[-1].pk) if rows else (after or None), "has_more": more}


# --- webhooks --------------------------------------------------------------------------------------------------


def _webhook_json(endpoint, secret=None) -> dict:
    return {"id": endpoint.pk, "url": endpoint.url, "events": list(endpoint.events),
            "created_at": endpoint.created_at.isoformat(), "secret": secret}


@api.post("/webhooks", response={201: WebhookOut, 409: None}, operation_id="create_webhook",
          summary="Subscribe a URL to events; returns the signing secret once", tags=["webhooks"])
def post_webhook(request, payload: WebhookIn):
    errors = url_errors(payload.url)
    if errors:
        raise InputError([{"pointer": "/url", "detail": message} for message in errors])
    with transaction.atomic():
        endpoint, secret = create_endpoint(company_of(request), payload.url, list(payload.events), request.auth)
    return Status(201, _webhook_json(endpoint, secret))


@api.get("/webhooks", response=WebhookList, operation_id="list_webhooks", summary="The company's webhooks",
         tags=["webhooks"])
def get_webhooks(request):
    rows = WebhookEndpoint.objects.filter(company=company_of(request), disabled_at__isnull=True)
    return {"items": [_webhook_json(e) for e in rows]}


@api.delete("/webhooks/{webhook_id}", response={204: None, 404: None}, operation_id="delete_webhook",
            summary="Stop a webhook", tags=["webhooks"])
def delete_webhook(request, webhook_id: int):
    if not WebhookEndpoint.objects.filter(company=company_of(request), pk=webhook_id,
                                          disabled_at__isnull=True).update(disabled_at=timezone.now()):
        raise Http404
    return Status(204, None)


# --- invoices brought by the ERP -------------------------------------------------------------------------------

INVOICE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {"schema": {
                "type": "object", "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary",
                                        "description": "The Factur-X PDF"}}}},
            "application/json": {"schema": {"$ref": "#/components/schemas/InvoiceFileIn"}},
        },
    },
}


def _uploaded_pdf(request) -> tuple[bytes, str]:
    too_big = ApiProblem(413, _("The file is larger than 10 MB."))
    content_type = request.content_type or ""
    try:
        if content_type == "multipart/form-data":
            upload = request.FILES.get("file")
            if upload is None:
                raise InputError([{"pointer": "/file", "detail": _("Send the Factur-X PDF in the “file” field.")}])
            if upload.size > MAX_BYTES:
                raise too_big
            return upload.read(), upload.name or ""
        if content_type == "application/json":
            if len(request.body) > MAX_BYTES * 4 // 3 + 1024:
                raise too_big
            try:
                data = json.loads(request.body or b"null")
            except (ValueError, RecursionError):
                raise HttpError(400, "invalid JSON") from None
            try:
                body = InvoiceFileIn.model_validate(data)
            except Exception as exc:  # pydantic's ValidationError
                errors = exc.errors() if hasattr(exc, "errors") else []
                raise ValidationError([{**e, "loc": ("body", *e.get("loc", ()))} for e in errors]) from None
            try:
                pdf = base64.b64decode(body.file_base64, validate=True)
            except (binascii.Error, ValueError):
                raise InputError([{"pointer": "/file_base64", "detail": _("This is not valid base64.")}]) from None
            if len(pdf) > MAX_BYTES:
                raise too_big
            return pdf, body.file_name or ""
    except RequestDataTooBig:
        raise too_big from None
    raise ApiProblem(415, _("Send the Factur-X PDF as multipart/form-data (field “file”) or as JSON "
                            "{\"file_base64\": …}."))


@api.post("/invoices", response={201: InvoiceOut, 409: None, 413: None, 415: None, 503: None},
          operation_id="import_invoice", tags=["invoices"], openapi_extra=INVOICE_BODY,
          summary="Bring your own Factur-X: checked by the validation gate, then sent to Chorus Pro (A1 flux)")
def post_invoice(request):
    pdf, file_name = _uploaded_pdf(request)
    try:
        invoice = import_invoice(company_of(request), pdf, file_name, request.auth)
    except AlreadyImported as exc:
        raise ApiProblem(409, _("The invoice identifier %(number)s is already used in your company: this invoice "
                                "was already brought or issued, it is not sent again.") % {"number": exc.number},
                         slug="invoice-already-imported") from None
    except ValidatorUnavailable:
        raise ApiProblem(503, _("The Factur-X checks could not run; nothing was sent. Try again later.")) from None
    return Status(201, serializers.invoice_json(invoice))


@api.get("/invoices/{invoice_id}", response={200: InvoiceOut, 404: None}, operation_id="get_invoice",
         tags=["invoices"], summary="An invoice brought by the ERP: its Chorus Pro status and history")
def get_invoice(request, invoice_id: int):
    invoice = ImportedInvoice.objects.filter(company=company_of(request), pk=invoice_id).select_related(
        "situation").first()
    if invoice is None:
        raise Http404
    return serializers.invoice_json(invoice)
