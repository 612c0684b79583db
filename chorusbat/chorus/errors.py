"""Typed errors of the Chorus Pro client.

Every error carries ``user_message`` (French, shown to users) and a safe ``str()`` (English, for logs). None of
them ever contains a secret: they are built only from status codes, Chorus Pro return codes and labels, and
fixed texts — never from request headers, form bodies or token responses.

Hierarchy::

    ChorusError
    ├── AuthenticationError        PISTE refused the application (client id / secret)      §3.1
    ├── MissingApplication         no PISTE application configured at all
    ├── EnvironmentRefused         production asked from a platform running locally        §2
    ├── TechnicalAccountRefused    HTTP 401 on the API: technical login/password refused   §3.2
    │   └── PasswordExpired        … because the password expired                          §4
    ├── NotSubscribed              HTTP 403: API not subscribed / terms not accepted       §3.2
    ├── BusinessError              codeRetour ≠ 0 (HTTP 200 or 4xx with a body)            §14
    ├── RequestRejected            other HTTP 4xx without a Chorus body (404, 413, 415…)  §14.1
    │   └── WorksApiUnavailable    404 on a works operation: not served in this environment
    ├── InvalidResponse            not JSON (an HTML page…) or not the expected shape
    └── TransientError             5xx, 429, network failure: may work later
        └── ChorusUnreachable      no HTTP answer at all (refused, reset, timeout)

``TransientError.maybe_delivered`` tells whether the request may have reached Chorus Pro. It matters for
operations that create something (``soumettre``, ``deposer/flux``…): those are never retried automatically, and
when ``maybe_delivered`` is true the caller must look the object up before any new attempt (§14.4).
"""

from __future__ import annotations

from chorusbat.chorus.messages import ERROR_MESSAGES, message_for


class ChorusError(Exception):
    """Base class. ``str()`` is safe to log; ``user_message`` is the French text for users."""

    message_key = "transient"

    def __init__(self, detail: str = "", *, http_status: int | None = None) -> None:
        self.detail = detail
        self.http_status = http_status
        super().__init__(self._safe_text())

    @property
    def user_message(self) -> str:
        return ERROR_MESSAGES[self.message_key]

    def _safe_text(self) -> str:
        text = type(self).__name__
        if self.http_status is not None:
            text += f" (HTTP {self.http_status})"
        if self.detail:
            text += f": {self.detail}"
        return text

    def __repr__(self) -> str:
        return f"<{self._safe_text()}>"


class AuthenticationError(ChorusError):
    message_key = "authentication"


class MissingApplication(ChorusError):
    message_key = "missing_application"


class EnvironmentRefused(ChorusError):
    message_key = "environment_refused"


class TechnicalAccountRefused(ChorusError):
    message_key = "technical_account_refused"


class PasswordExpired(TechnicalAccountRefused):
    message_key = "password_expired"


class NotSubscribed(ChorusError):
    message_key = "not_subscribed"


class BusinessError(ChorusError):
    """Chorus Pro answered with ``codeRetour`` ≠ 0: a functional refusal, to show to the user."""

    def __init__(self, code_retour: int | None, libelle: str, *, http_status: int | None = None,
                 operation: str | None = None) -> None:
        self.code_retour = code_retour
        self.libelle = libelle
        self.operation = operation  # ``Operation.name``: codes mean different things per operation (U15)
        super().__init__(f"codeRetour={code_retour} libelle={libelle!r}", http_status=http_status)

    @property
    def user_message(self) -> str:
        return message_for(self.code_retour, self.libelle, self.operation)


class RequestRejected(ChorusError):
    """An HTTP 4xx without a Chorus Pro body: unknown route, too large, wrong content type…"""

    _KEYS = {404: "not_found", 413: "too_large", 415: "unsupported_media"}

    @property
    def user_message(self) -> str:
        key = self._KEYS.get(self.http_status or 0, "request_rejected")
        return ERROR_MESSAGES[key].format(status=self.http_status)


class WorksApiUnavailable(RequestRejected):
    """A works operation answered 404: the works API is not available in this environment (review B8).

    Not the user's fault nor a wrong address: a works transmission is held for a person, not failed."""

    @property
    def user_message(self) -> str:
        return ERROR_MESSAGES["works_not_found"]


class InvalidResponse(ChorusError):
    message_key = "invalid_response"


class TransientError(ChorusError):
    """A failure that may go away by itself. ``maybe_delivered``: the request may have been processed."""

    message_key = "transient"

    def __init__(
        self,
        detail: str = "",
        *,
        maybe_delivered: bool,
        http_status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.maybe_delivered = maybe_delivered
        self.retry_after = retry_after
        super().__init__(f"{detail} maybe_delivered={maybe_delivered}".strip(), http_status=http_status)

    @property
    def user_message(self) -> str:
        if self.maybe_delivered:
            return ERROR_MESSAGES["transient_maybe_delivered"]
        if self.http_status == 429:
            return ERROR_MESSAGES["throttled"]
        return ERROR_MESSAGES[self.message_key]


class ChorusUnreachable(TransientError):
    """No HTTP answer: connection refused or reset, or a timeout."""

    message_key = "unreachable"

    def __init__(self, detail: str = "", *, maybe_delivered: bool, timeout: bool = False) -> None:
        self.timeout = timeout
        super().__init__(detail, maybe_delivered=maybe_delivered)

    @property
    def user_message(self) -> str:
        if self.maybe_delivered:
            return ERROR_MESSAGES["transient_maybe_delivered"]
        return ERROR_MESSAGES["timeout" if self.timeout else "unreachable"]
