"""Schemathesis against chorusbat's own OpenAPI document: every operation, with a valid key, never answers a
server error and always answers what the document says (bounded examples, derandomised)."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def fuzz_key(company, settings):
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from chorusbat.api.keys import create_key
    from chorusbat.situations.demo import create_demo_markets

    settings.CHORUSBAT_API_RATE_LIMIT = 100_000
    # The WSGI handler closes the connection after each request; the test database lives in this connection
    # (Django's own test client does the same).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    create_demo_markets(company, None)  # real markets and situations, so that some ids exist
    yield create_key(company, "schemathesis")[1]
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=20, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_document(case, fuzz_key):
    case.call_and_validate(headers={"Authorization": f"Bearer {fuzz_key}"},
                           checks=[not_a_server_error, response_schema_conformance])
