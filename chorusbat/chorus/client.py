"""The Chorus Pro client: one object per company and environment, speaking JSON over ``httpx``.

What happens on each call (chorus-pro-api.md §3, §6, §14):

1. A PISTE access token is taken from the shared :class:`~chorusbat.chorus.tokens.TokenCache` (one request per
   application until shortly before expiry).
2. The request carries ``Authorization: Bearer …``, ``cpro-account: base64(login:password)`` and a JSON body,
   with the timeouts of the configuration. The two secret headers are added by :class:`_ChorusAuth` at send
   time, so they never sit in a local variable of this module (tracebacks and error pages show locals).
3. The answer is read HTTP status first, then ``codeRetour``:
   401 → renew the token once and retry once, else :class:`TechnicalAccountRefused` / :class:`PasswordExpired`;
   403 → :class:`NotSubscribed`; 429 and 5xx → :class:`TransientError`; other 4xx → :class:`BusinessError`
   when the body has a ``codeRetour``, else :class:`RequestRejected`; a non-JSON body → :class:`InvalidResponse`;
   ``codeRetour`` ≠ 0 → :class:`BusinessError`, except "no result" on searches.
4. Network errors, 429 and 5xx are retried with backoff and jitter — only for operations marked
   ``retry_safe`` (``operations.py``). Other operations fail at once with ``maybe_delivered`` set.

Nothing here logs or raises a header, a form body, or a token response.
"""

from __future__ import annotations

import functools
import logging
import ssl
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

import certifi
import httpx
import pydantic

from chorusbat.chorus import assumptions, jsoncodec
from chorusbat.chorus import operations as ops
from chorusbat.chorus.config import ClientConfig
from chorusbat.chorus.errors import (
    AuthenticationError,
    BusinessError,
    ChorusError,
    ChorusUnreachable,
    InvalidResponse,
    NotSubscribed,
    PasswordExpired,
    RequestRejected,
    TechnicalAccountRefused,
    TransientError,
)
from chorusbat.chorus.models import (
    AcknowledgeRejectionRequest,
    BankAccount,
    BankAccounts,
    BankAccountsRequest,
    CompleteInvoiceRequest,
    CompleteInvoiceResult,
    ConsultInvoiceRequest,
    ConsultInvoiceResult,
    ConsultServiceRequest,
    ConsultStructureRequest,
    DepositFluxRequest,
    DepositFluxResult,
    Envelope,
    FluxReport,
    FluxReportRequest,
    HealthCheck,
    HistoryStatusPaging,
    InvoiceHistory,
    InvoiceHistoryRequest,
    InvoiceSearchPaging,
    InvoiceSearchRequest,
    InvoiceSearchResult,
    InvoiceSummary,
    OwnStructure,
    OwnStructures,
    PageInfo,
    RecycleInvoiceRequest,
    RecycleInvoiceResult,
    RejectedInvoiceRef,
    Request,
    SearchPaging,
    ServiceDetails,
    ServiceSearchRequest,
    ServiceSearchResult,
    ServiceSummary,
    StructureDetails,
    StructureSearchRequest,
    StructureSearchResult,
    StructureSummary,
    SubmitInvoiceRequest,
    SubmitInvoiceResult,
    UploadFileRequest,
    UploadFileResult,
)
from chorusbat.chorus.retry import RetryPolicy, parse_retry_after
from chorusbat.chorus.tokens import AccessToken, TokenCache, TokenKey, default_cache

logger = logging.getLogger("chorusbat.chorus")

T = TypeVar("T", bound=Envelope)
Item = TypeVar("Item")

# Page size asked for paged searches; whatever the size, every page is read (§16).
PAGE_SIZE = 100
# Services are read in large pages: one real structure has 218 services and connectors in production ask for
# 10000 (OCA) or 3000 (a Dolibarr module) per page (fidelity review B3). Paging still follows ``pages``.
SERVICES_PAGE_SIZE = 1000
# A safety stop for pagination loops on a misbehaving server.
MAX_PAGES = 1000

_CONNECT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_TIMEOUTS = (httpx.ConnectTimeout, httpx.ReadTimeout, httpx.WriteTimeout, httpx.PoolTimeout)


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """One TLS context for every client: building one loads the CA bundle and costs about 0.2 s."""
    return ssl.create_default_context(cafile=certifi.where())


class _ChorusAuth(httpx.Auth):
    """Adds the bearer token and the ``cpro-account`` header to a request, at send time."""

    def __init__(self, token: AccessToken, account_header: Callable[[], str]) -> None:
        self._token = token
        self._account_header = account_header

    def auth_flow(self, request: httpx.Request):
        request.headers["Authorization"] = f"Bearer {self._token.value}"
        request.headers["cpro-account"] = self._account_header()
        yield request

    def __repr__(self) -> str:
        return "<_ChorusAuth (hidden)>"


class ChorusClient:
    """Calls Chorus Pro for one company (technical account) in one environment."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        token_cache: TokenCache | None = None,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.config = config
        self.last_http_status: int | None = None  # of the latest API answer (read by the qualification probe)
        self.retry = retry or RetryPolicy()
        self._tokens = token_cache or default_cache
        self._token_key = TokenKey.for_application(
            config.environment.token_url, config.application.client_id, config.application.client_secret
        )
        t = config.timeouts
        self._http = httpx.Client(
            timeout=httpx.Timeout(connect=t.connect, read=t.read, write=t.write, pool=t.pool),
            transport=transport,
            verify=shared_ssl_context(),
            follow_redirects=False,
            headers={"Accept": "application/json"},
        )

    def __repr__(self) -> str:
        config = self.config
        return (
            f"<ChorusClient {config.environment.name} application={config.application.client_id} "
            f"account={config.account.login}>"
        )

    def __enter__(self) -> ChorusClient:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # --- PISTE token ------------------------------------------------------------------------------------------

    def access_token(self) -> AccessToken:
        """A valid PISTE token for this application, from the shared cache or freshly requested."""
        return self._tokens.get(self._token_key, self._request_token)

    def _request_token(self) -> tuple[str, float]:
        """POST the client credentials (§3.1); retried on network errors, 5xx, 429 and (once) on refusal."""
        url = self.config.environment.token_url
        refusals = 0
        for attempt in range(1, self.retry.max_attempts + 1):
            last_attempt = attempt == self.retry.max_attempts
            try:
                response = self._http.post(url, data=self._token_form(), headers={"Accept": "application/json"})
            except httpx.TransportError as exc:
                failure = _network_failure("token", exc, retry_safe=True)
                if last_attempt:
                    raise failure from None
                self._log_retry("token", attempt, failure)
                self.retry.wait(attempt)
                continue
            status = response.status_code
            if status in (400, 401):
                refusals += 1
                failure = AuthenticationError(_oauth_error(response), http_status=status)
                if refusals >= assumptions.TOKEN_REFUSAL_ATTEMPTS or last_attempt:
                    raise failure
                self._log_retry("token", attempt, failure)
                self.retry.wait(attempt)
                continue
            if status == 429 or status >= 500:
                failure = _server_failure("token", response, retry_safe=True)
                if last_attempt:
                    raise failure
                self._log_retry("token", attempt, failure)
                self.retry.wait(attempt, failure.retry_after)
                continue
            if status != 200:
                raise AuthenticationError("unexpected token endpoint status", http_status=status)
            return _read_token(response)
        raise AssertionError("unreachable")  # pragma: no cover - the loop always returns or raises

    def _token_form(self) -> dict[str, str]:
        app = self.config.application
        return {
            "grant_type": "client_credentials",
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "scope": "openid",
        }

    # --- The generic call -------------------------------------------------------------------------------------

    def call(self, operation: ops.Operation, body: Request | dict | None, result: type[T]) -> T:
        """Send ``body`` to ``operation`` and return the answer as ``result``, or raise a :class:`ChorusError`."""
        if isinstance(body, Request):
            body = body.to_body()
        payload = None if operation.method == "GET" else jsoncodec.encode(body if body is not None else {})
        data = self._exchange(operation, payload)
        code = _code_retour(data)
        if code not in (0, None):
            libelle = str(data.get("libelle") or "")
            if not (operation.is_search and _is_empty_result(code, libelle)):
                raise _business_error(operation, code, libelle, 200)
        try:
            return result.model_validate(data)
        except pydantic.ValidationError as exc:
            raise InvalidResponse(f"{operation.name}: unexpected shape ({exc.error_count()} errors)") from None

    def call_raw(self, operation: ops.Operation, body: Request | dict | None) -> tuple[int | None, dict]:
        """The HTTP status and decoded JSON answer of ``operation``, without a model (the qualification probe reads
        field names). Errors raise as in :meth:`call`; "no result" on a search is an answer, not an error."""
        if isinstance(body, Request):
            body = body.to_body()
        payload = None if operation.method == "GET" else jsoncodec.encode(body if body is not None else {})
        self.last_http_status = None
        data = self._exchange(operation, payload)
        code = _code_retour(data)
        if code not in (0, None):
            libelle = str(data.get("libelle") or "")
            if not (operation.is_search and _is_empty_result(code, libelle)):
                raise _business_error(operation, code, libelle, self.last_http_status or 200)
        return self.last_http_status, data

    def _exchange(self, operation: ops.Operation, payload: bytes | None) -> dict:
        """One logical call: the HTTP exchange with its retries; returns the decoded JSON object of a 2xx."""
        url = self.config.environment.url(operation.path)
        headers = {"Content-Type": "application/json;charset=utf-8"} if payload is not None else {}
        token_renewed = False
        attempt = 0
        while True:
            attempt += 1
            last_attempt = not operation.retry_safe or attempt >= self.retry.max_attempts
            token = self.access_token()
            started = time.monotonic()
            try:
                response = self._http.request(
                    operation.method,
                    url,
                    content=payload,
                    headers=headers,
                    auth=_ChorusAuth(token, self.config.account.header_value),
                )
            except httpx.TransportError as exc:
                failure = _network_failure(operation.name, exc, retry_safe=operation.retry_safe)
                if last_attempt:
                    raise failure from None
                self._log_retry(operation.name, attempt, failure)
                self.retry.wait(attempt)
                continue
            status = response.status_code
            self.last_http_status = status
            logger.debug(
                "Chorus Pro %s → HTTP %s in %.0f ms (attempt %s)",
                operation.name,
                status,
                (time.monotonic() - started) * 1000,
                attempt,
            )
            if status == 401:
                kind = assumptions.classify_401(response.headers.get("WWW-Authenticate", ""), response.text)
                if kind == "expired":
                    raise PasswordExpired(operation.name, http_status=401)
                if kind != "account" and not token_renewed:
                    self._tokens.invalidate(self._token_key, token)
                    token_renewed = True
                    attempt -= 1  # the renewal retry does not count against the retry budget
                    continue
                raise TechnicalAccountRefused(operation.name, http_status=401)
            if status == 403:
                raise NotSubscribed(operation.name, http_status=403)
            if status == 429 or status >= 500:
                failure = _server_failure(operation.name, response, retry_safe=operation.retry_safe)
                if last_attempt:
                    raise failure
                self._log_retry(operation.name, attempt, failure)
                self.retry.wait(attempt, failure.retry_after)
                continue
            return _read_body(operation, response)

    def _log_retry(self, name: str, attempt: int, failure: ChorusError) -> None:
        logger.warning("Chorus Pro %s failed (%s); retrying (attempt %s)", name, failure, attempt)

    # --- Transverses ------------------------------------------------------------------------------------------

    def health_check(self) -> HealthCheck:
        return self.call(ops.HEALTH_CHECK, None, HealthCheck)

    def own_supplier_structures(self) -> list[OwnStructure]:
        """Structures the technical account may invoice as (§7), with their ``idStructureCPP``."""
        return self.call(ops.OWN_SUPPLIER_STRUCTURES, {}, OwnStructures).structures

    def valid_bank_accounts(self, id_structure: int) -> list[BankAccount]:
        request = BankAccountsRequest(id_structure=id_structure)
        return self.call(ops.VALID_BANK_ACCOUNTS, request, BankAccounts).accounts

    def upload_file(self, request: UploadFileRequest) -> UploadFileResult:
        """Never retried automatically: a repeat would store the file twice."""
        return self.call(ops.UPLOAD_FILE, request, UploadFileResult)

    def flux_report(self, flux_number: str) -> FluxReport:
        return self.call(ops.FLUX_REPORT, FluxReportRequest(flux_number=flux_number), FluxReport)

    # --- Structures -------------------------------------------------------------------------------------------

    def search_structures(self, request: StructureSearchRequest) -> StructureSearchResult:
        return self.call(ops.SEARCH_STRUCTURES, request, StructureSearchResult)

    def find_structure_by_siret(self, siret: str, *, any_private: bool = False) -> StructureSummary | None:
        """The structure with this SIRET in this environment, or ``None`` when Chorus Pro does not show it.

        By default Chorus Pro shows only public structures and the private ones attached to the technical account
        (``restreindreStructuresPrivees`` absent): a private third party's SIRET comes back as "no result", so this
        never validates one. ``any_private`` asks for every private structure too (the flag set to false).
        """
        request = StructureSearchRequest.by_siret(siret, restrict_private=False if any_private else None)
        found = self.search_structures(request).structures
        exact = [s for s in found if s.identifier == siret]
        return (exact or found or [None])[0]

    def consult_structure(self, id_structure_cpp: int) -> StructureDetails:
        return self.call(
            ops.CONSULT_STRUCTURE, ConsultStructureRequest(id_structure_cpp=id_structure_cpp), StructureDetails
        )

    def search_services(self, id_structure: int, page: int = 1, per_page: int = PAGE_SIZE) -> ServiceSearchResult:
        request = ServiceSearchRequest(id_structure=id_structure, paging=SearchPaging(page=page, per_page=per_page))
        return self.call(ops.SEARCH_SERVICES, request, ServiceSearchResult)

    def iter_services(self, id_structure: int, per_page: int = SERVICES_PAGE_SIZE) -> Iterator[ServiceSummary]:
        """Every service of a structure, all pages read (large pages: big buyers have hundreds of services)."""
        return iter_pages(lambda page: self.search_services(id_structure, page, per_page), lambda r: r.services)

    def consult_service(self, id_structure: int, id_service: int) -> ServiceDetails:
        request = ConsultServiceRequest(id_structure=id_structure, id_service=id_service)
        return self.call(ops.CONSULT_SERVICE, request, ServiceDetails)

    # --- Factures ---------------------------------------------------------------------------------------------

    def deposit_flux(self, request: DepositFluxRequest) -> DepositFluxResult:
        """Never retried automatically; on :class:`TransientError` with ``maybe_delivered``, search first."""
        return self.call(ops.DEPOSIT_FLUX, request, DepositFluxResult)

    def submit_invoice(self, request: SubmitInvoiceRequest) -> SubmitInvoiceResult:
        """Never retried automatically; on :class:`TransientError` with ``maybe_delivered``, search first."""
        return self.call(ops.SUBMIT_INVOICE, request, SubmitInvoiceResult)

    def search_supplier_invoices(self, request: InvoiceSearchRequest) -> InvoiceSearchResult:
        return self.call(ops.SEARCH_SUPPLIER_INVOICES, request, InvoiceSearchResult)

    def iter_supplier_invoices(self, request: InvoiceSearchRequest) -> Iterator[InvoiceSummary]:
        """Every invoice matching ``request``, all pages read (the request's own paging is replaced)."""

        def page(number: int) -> InvoiceSearchResult:
            paging = InvoiceSearchPaging(page=number, per_page=PAGE_SIZE)
            return self.search_supplier_invoices(request.model_copy(update={"paging": paging}))

        return iter_pages(page, lambda r: r.invoices)

    def consult_supplier_invoice(self, invoice_id: int) -> ConsultInvoiceResult:
        request = ConsultInvoiceRequest(invoice_id=invoice_id)
        return self.call(ops.CONSULT_SUPPLIER_INVOICE, request, ConsultInvoiceResult)

    def invoice_history(self, invoice_id: int) -> InvoiceHistory:
        """The whole status history, oldest first: explicit paging and order (review U10), every page read."""
        history: InvoiceHistory | None = None
        changes = []
        for number in range(1, MAX_PAGES + 1):
            paging = HistoryStatusPaging(page=number, per_page=PAGE_SIZE, sort_column="HistoStatutDatePassage",
                                         sort_direction="Ascendant")
            result = self.call(ops.INVOICE_HISTORY, InvoiceHistoryRequest(invoice_id=invoice_id,
                                                                          status_paging=paging), InvoiceHistory)
            history = history or result
            changes.extend(result.status_history.changes)
            pages = result.status_history.pages or 1
            if not result.status_history.changes or number >= pages:
                break
        history.status_history.changes = changes
        return history

    def complete_invoice(self, request: CompleteInvoiceRequest) -> CompleteInvoiceResult:
        return self.call(ops.COMPLETE_INVOICE, request, CompleteInvoiceResult)

    def recycle_invoice(self, request: RecycleInvoiceRequest) -> RecycleInvoiceResult:
        return self.call(ops.RECYCLE_INVOICE, request, RecycleInvoiceResult)

    def acknowledge_rejections(self, invoice_ids: list[int]) -> Envelope:
        """``traiterRejet``: mark rejected invoices as handled (§10.11)."""
        request = AcknowledgeRejectionRequest(invoices=[RejectedInvoiceRef(invoice_id=i) for i in invoice_ids])
        return self.call(ops.ACKNOWLEDGE_REJECTION, request, Envelope)


def iter_pages(fetch: Callable[[int], T], items: Callable[[T], list[Item]]) -> Iterator[Item]:
    """Yield the items of every page (1-based) until ``pageCourante`` reaches ``pages`` (§16)."""
    for number in range(1, MAX_PAGES + 1):
        result = fetch(number)
        page_items = items(result)
        yield from page_items
        info: PageInfo | None = getattr(result, "page_info", None)
        if info is None or not page_items or number >= info.pages:
            return
    logger.warning("Chorus Pro pagination stopped after %s pages", MAX_PAGES)


# --- Reading answers ------------------------------------------------------------------------------------------

_NOT_JSON = object()  # marks a body that is not JSON (an HTML error page…)


def _read_token(response: httpx.Response) -> tuple[str, float]:
    try:
        data = jsoncodec.decode(response.content)
    except ValueError:
        raise InvalidResponse("token endpoint did not answer JSON", http_status=response.status_code) from None
    token = data.get("access_token") if isinstance(data, dict) else None
    lifetime = data.get("expires_in", 3600) if isinstance(data, dict) else None
    if not isinstance(token, str) or not token:
        raise InvalidResponse("token endpoint answered without access_token", http_status=response.status_code)
    try:
        lifetime = float(lifetime)
    except (TypeError, ValueError):
        raise InvalidResponse("token endpoint answered an unreadable expires_in") from None
    return token, lifetime


def _oauth_error(response: httpx.Response) -> str:
    """The OAuth2 ``error`` code of a refused token request: a fixed vocabulary, safe to log."""
    try:
        data = jsoncodec.decode(response.content)
    except ValueError:
        return "token request refused"
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, str) and error.replace("_", "").isalpha() and len(error) <= 40:
        return f"token request refused: {error}"
    return "token request refused"


def _read_body(operation: ops.Operation, response: httpx.Response) -> dict:
    """The JSON object of a 2xx or 4xx answer (already past the 401/403/429/5xx checks)."""
    status = response.status_code
    try:
        data = jsoncodec.decode(response.content) if response.content else None
    except ValueError:
        data = _NOT_JSON
    if 200 <= status < 300:
        if not isinstance(data, dict):
            if operation.method == "GET" and data is None:
                return {}
            raise InvalidResponse(f"{operation.name}: answer is not a JSON object", http_status=status)
        return data
    if 400 <= status < 500:
        if isinstance(data, dict) and _code_retour(data) not in (None, 0):
            raise _business_error(operation, _code_retour(data), str(data.get("libelle") or ""), status)
        raise RequestRejected(operation.name, http_status=status)
    raise InvalidResponse(f"{operation.name}: unexpected HTTP status", http_status=status)


def _business_error(operation: ops.Operation, code: int | None, libelle: str, status: int) -> ChorusError:
    """A business refusal; one that says the technical password expired is that (review U6, UNCONFIRMED)."""
    if assumptions.looks_like_expired_password(libelle):
        return PasswordExpired(operation.name, http_status=status)
    return BusinessError(code, libelle, http_status=status, operation=operation.name)


def _code_retour(data: dict) -> int | None:
    value = data.get("codeRetour")
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidResponse(f"unreadable codeRetour {str(value)[:20]!r}") from None


def _is_empty_result(code: int, libelle: str) -> bool:
    return code in assumptions.EMPTY_RESULT_CODES or libelle in assumptions.EMPTY_RESULT_LIBELLES


# --- Failures -------------------------------------------------------------------------------------------------


def _network_failure(name: str, exc: httpx.TransportError, *, retry_safe: bool) -> ChorusUnreachable:
    """No HTTP answer. Connect errors happen before the request leaves; anything later may have been delivered."""
    delivered = not isinstance(exc, _CONNECT_ERRORS)
    return ChorusUnreachable(
        f"{name}: {type(exc).__name__}",
        maybe_delivered=delivered and not retry_safe,
        timeout=isinstance(exc, _TIMEOUTS),
    )


def _server_failure(name: str, response: httpx.Response, *, retry_safe: bool) -> TransientError:
    status = response.status_code
    throttled = status == 429
    delivered = assumptions.THROTTLED_MAYBE_DELIVERED if throttled else True
    return TransientError(
        name,
        maybe_delivered=delivered and not retry_safe,
        http_status=status,
        retry_after=parse_retry_after(response.headers.get("Retry-After")),
    )
