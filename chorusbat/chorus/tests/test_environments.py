"""Environments (§2), the production guard, and which PISTE application is used."""

from __future__ import annotations

import pytest

from chorusbat.chorus.config import PisteApplication, TechnicalAccount, choose_application
from chorusbat.chorus.environments import (
    DEFAULT_SANDBOX_URL,
    EnvironmentName,
    ensure_environment_allowed,
    get_environment,
)
from chorusbat.chorus.errors import EnvironmentRefused, MissingApplication


def test_sandbox_is_local_and_serves_the_piste_token_path():
    env = get_environment("sandbox")
    assert env.api_base == DEFAULT_SANDBOX_URL == "http://127.0.0.1:8100"
    assert env.token_url == "http://127.0.0.1:8100/api/oauth/token"
    assert get_environment("sandbox", "http://127.0.0.1:9999/").url("/cpro/x") == "http://127.0.0.1:9999/cpro/x"
    assert env.is_local_sandbox and not env.is_production


def test_real_environments_use_the_piste_hosts():
    qualif, prod = get_environment("qualification"), get_environment(EnvironmentName.PRODUCTION)
    assert qualif.token_url == "https://sandbox-oauth.piste.gouv.fr/api/oauth/token"
    assert qualif.url("/cpro/transverses/v1/health-check") == (
        "https://sandbox-api.piste.gouv.fr/cpro/transverses/v1/health-check"
    )
    assert prod.token_url == "https://oauth.piste.gouv.fr/api/oauth/token"
    assert prod.api_base == "https://api.piste.gouv.fr"
    assert prod.is_production and not qualif.is_production
    assert "aife" not in qualif.api_base + prod.api_base  # retired hosts (§2)


def test_unknown_environment_is_refused():
    with pytest.raises(ValueError):
        get_environment("recette")


def test_production_is_refused_from_a_local_platform():
    with pytest.raises(EnvironmentRefused) as caught:
        ensure_environment_allowed(get_environment("production"), platform_in_production=False)
    assert "production" in caught.value.user_message
    ensure_environment_allowed(get_environment("production"), platform_in_production=True)
    ensure_environment_allowed(get_environment("qualification"), platform_in_production=False)


def test_company_application_overrides_the_platform_one_only_when_complete():
    platform = PisteApplication("platform-id", "platform-secret")
    company = PisteApplication("company-id", "company-secret")
    assert choose_application(platform, company) is company
    assert choose_application(platform, PisteApplication("company-id", "")) is platform
    assert choose_application(platform, None) is platform
    with pytest.raises(MissingApplication):
        choose_application(None, PisteApplication("", ""))


def test_cpro_account_header_is_base64_of_login_and_password():
    account = TechnicalAccount("TECH_1_73442027438548@cpro.fr", "p:w é")
    import base64

    assert base64.b64decode(account.header_value()).decode() == "TECH_1_73442027438548@cpro.fr:p:w é"
    assert "p:w é" not in repr(account)
