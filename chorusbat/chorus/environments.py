"""The Chorus Pro environments chorusbat can talk to, and their URLs.

Reference: chorus-pro-api.md §2. Chorus Pro is reached through the PISTE gateway; each environment has an
OAuth2 token endpoint and an API base, and the API paths are ``<api_base>/cpro/<family>/v1/<operation>``.

- ``sandbox``: the local Chorus Pro simulator (``chorus_sandbox``), started by ``make run``. It serves the same
  paths as PISTE, so only the base URL changes. This is the default.
- ``qualification``: Chorus Pro's qualification environment behind the PISTE *sandbox* hosts.
- ``production``: the real thing. The Django side refuses it when the platform runs with local settings; this
  module only exposes :attr:`Environment.is_production` and :func:`ensure_environment_allowed` for that guard.

The retired ``*.aife.economie.gouv.fr`` hosts are deliberately absent (§2: taken off the Internet in 2023).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from chorusbat.chorus.errors import EnvironmentRefused

DEFAULT_SANDBOX_URL = "http://127.0.0.1:8100"


class EnvironmentName(StrEnum):
    SANDBOX = "sandbox"
    QUALIFICATION = "qualification"
    PRODUCTION = "production"


@dataclass(frozen=True)
class Environment:
    """Where to get tokens and where to send API calls."""

    name: EnvironmentName
    api_base: str
    token_url: str

    @property
    def is_production(self) -> bool:
        return self.name is EnvironmentName.PRODUCTION

    @property
    def is_local_sandbox(self) -> bool:
        return self.name is EnvironmentName.SANDBOX

    def url(self, path: str) -> str:
        """Full URL of an API path such as ``/cpro/factures/v1/soumettre``."""
        return self.api_base.rstrip("/") + path


QUALIFICATION = Environment(
    name=EnvironmentName.QUALIFICATION,
    api_base="https://sandbox-api.piste.gouv.fr",
    token_url="https://sandbox-oauth.piste.gouv.fr/api/oauth/token",
)

PRODUCTION = Environment(
    name=EnvironmentName.PRODUCTION,
    api_base="https://api.piste.gouv.fr",
    token_url="https://oauth.piste.gouv.fr/api/oauth/token",
)


def sandbox(base_url: str = DEFAULT_SANDBOX_URL) -> Environment:
    """The local simulator at ``base_url``; it serves the token endpoint at the PISTE path too."""
    base = base_url.rstrip("/")
    return Environment(name=EnvironmentName.SANDBOX, api_base=base, token_url=f"{base}/api/oauth/token")


def get_environment(name: str | EnvironmentName, sandbox_url: str = DEFAULT_SANDBOX_URL) -> Environment:
    """The environment called ``name`` (``sandbox``, ``qualification`` or ``production``)."""
    name = EnvironmentName(name)
    if name is EnvironmentName.SANDBOX:
        return sandbox(sandbox_url)
    if name is EnvironmentName.QUALIFICATION:
        return QUALIFICATION
    return PRODUCTION


def ensure_environment_allowed(environment: Environment, platform_in_production: bool) -> None:
    """Refuse to reach Chorus Pro production from a platform running with local/development settings.

    A development machine must never send real invoices to the State: the Django side passes whether the
    platform itself runs in production mode (``settings.PRODUCTION``).
    """
    if environment.is_production and not platform_in_production:
        raise EnvironmentRefused()
