"""Secrets (PISTE client secret, technical password, cpro-account header, bearer token) never leak."""

from __future__ import annotations

import logging
import traceback

import httpx
import pytest

from chorusbat.chorus import errors
from chorusbat.chorus.connection import check_connection
from chorusbat.chorus.tests.fakes import (
    CLIENT_SECRET,
    TECH_PASSWORD,
    FakeChorus,
    make_client,
    make_config,
    ok,
)

SEARCH = "/cpro/structures/v1/rechercher"
HEALTH = "/cpro/transverses/v1/health-check"


def secrets_of(config) -> list[str]:
    return [*config.secrets(), "token-1", "token-2"]


def assert_clean(texts, config):
    for text in texts:
        for secret in secrets_of(config):
            assert secret not in text, f"secret leaked in: {text[:200]}"


def test_reprs_hide_secrets():
    config = make_config()
    fake = FakeChorus().on(HEALTH, ok())
    with make_client(fake) as client:
        token = client.access_token()
        texts = [repr(config), str(config), repr(config.application), repr(config.account), repr(client),
                 repr(token), str(token)]
    assert_clean(texts, config)


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(401, json={"codeRetour": 401, "libelle": "Compte technique inconnu"}),
        httpx.Response(401, json={"codeRetour": 402, "libelle": "Le mot de passe a expiré"}),
        httpx.Response(403, content=b""),
        httpx.Response(500, content=b"<html>boom</html>"),
        httpx.Response(200, content=b"<html>maintenance</html>"),
        httpx.Response(400, json={"codeRetour": 20112, "libelle": "Recipient not located or inactive"}),
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
    ],
)
def test_errors_logs_and_tracebacks_carry_no_secret(answer, caplog):
    caplog.set_level(logging.DEBUG)
    config = make_config()
    fake = FakeChorus().on(HEALTH, ok()).on(SEARCH, answer)
    with make_client(fake) as client:
        with pytest.raises(errors.ChorusError) as caught:
            client.find_structure_by_siret("21440109300015")
        result = check_connection(client, "21440109300015")
    error = caught.value
    rendered = "".join(traceback.format_exception(error))
    texts = [str(error), repr(error), error.user_message, rendered, repr(result), caplog.text]
    texts += [record.getMessage() for record in caplog.records]
    assert_clean(texts, config)


def test_refused_application_error_does_not_echo_the_token_endpoint_body(caplog):
    caplog.set_level(logging.DEBUG)
    config = make_config()
    leaky = httpx.Response(401, json={"error": "invalid_client", "error_description": f"bad {CLIENT_SECRET}"})
    fake = FakeChorus().on_token(leaky)
    with make_client(fake) as client, pytest.raises(errors.AuthenticationError) as caught:
        client.access_token()
    assert_clean([str(caught.value), repr(caught.value), caplog.text], config)


def test_secrets_sent_only_where_they_belong():
    fake = FakeChorus().on(HEALTH, ok())
    with make_client(fake) as client:
        client.health_check()
    token_request, api_request = fake.requests
    assert CLIENT_SECRET in token_request.content.decode()
    assert "cpro-account" not in token_request.headers and "authorization" not in token_request.headers
    assert CLIENT_SECRET not in str(api_request.url) and TECH_PASSWORD not in str(api_request.url)
