"""What a :class:`~chorusbat.chorus.client.ChorusClient` needs to know: where, as whom, how patiently.

Two credential layers (chorus-pro-api.md §3): the PISTE *application* (OAuth2 client id + secret), which belongs
to the platform running chorusbat with an optional per-company override, and the company's Chorus Pro
*technical account* (login + password), sent in the ``cpro-account`` header.

The reprs of these objects never show a secret: secrets are excluded from the generated repr.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from chorusbat.chorus.environments import Environment
from chorusbat.chorus.errors import MissingApplication


@dataclass(frozen=True)
class PisteApplication:
    """An application registered on piste.gouv.fr."""

    client_id: str
    client_secret: str = field(repr=False)

    @property
    def is_complete(self) -> bool:
        return bool(self.client_id and self.client_secret)


@dataclass(frozen=True)
class TechnicalAccount:
    """The Chorus Pro technical account ("compte technique") of a company."""

    login: str
    password: str = field(repr=False)

    def header_value(self) -> str:
        """Value of the ``cpro-account`` header: base64 of ``login:password`` (§3.2). A secret."""
        return base64.b64encode(f"{self.login}:{self.password}".encode()).decode("ascii")


@dataclass(frozen=True)
class Timeouts:
    """Seconds. Production clients use 30 s to 60 s for reads (§16); connecting should be quick."""

    connect: float = 5.0
    read: float = 30.0
    write: float = 30.0
    pool: float = 5.0


@dataclass(frozen=True)
class ClientConfig:
    environment: Environment
    application: PisteApplication
    account: TechnicalAccount
    timeouts: Timeouts = Timeouts()

    def secrets(self) -> tuple[str, ...]:
        """Every secret string this configuration holds, for redaction and hygiene checks."""
        return tuple(
            s
            for s in (self.application.client_secret, self.account.password, self.account.header_value())
            if s
        )


def choose_application(
    platform: PisteApplication | None, company_override: PisteApplication | None = None
) -> PisteApplication:
    """The company's own PISTE application when it has a complete one, else the platform's (§3.4)."""
    for candidate in (company_override, platform):
        if candidate is not None and candidate.is_complete:
            return candidate
    raise MissingApplication("no complete PISTE application configured")
