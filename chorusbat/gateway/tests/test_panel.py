"""Issue 14 (2): the transmission panel's template tag renders what the view loaded and never queries."""

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chorusbat.accounts.models import Membership
from chorusbat.gateway.models import Transmission, TransmissionEvent
from chorusbat.gateway.tests.conftest import make_situations
from chorusbat.situations.models import Situation

LOADED = Situation.objects.select_related("market", "transmission").prefetch_related("transmission__events")


def render_panel(situation, membership) -> str:
    request = RequestFactory().get("/")
    request.membership = membership
    return Template("{% load gateway %}{% transmission_panel situation %}").render(
        Context({"situation": situation, "request": request}))


@pytest.mark.django_db
@pytest.mark.parametrize("shape", ["none", "integrated", "suspended", "to_recycle"])
def test_the_panel_never_queries(shape, company, admin_user):
    situation = make_situations(company, admin_user, markets=1, per_market=1, prefix="P")[0]
    if shape != "none":
        status = {"integrated": "DEPOSEE", "suspended": "SUSPENDUE", "to_recycle": "A_RECYCLER"}[shape]
        t = Transmission.objects.create(company=company, situation=situation, state="integrated",
                                        chorus_invoice_id=42, chorus_status=status)
        TransmissionEvent.objects.create(transmission=t, kind=TransmissionEvent.Kind.QUEUED, message="queued")
    membership = Membership.objects.get(user=admin_user, company=company)
    loaded = LOADED.get(pk=situation.pk)
    with CaptureQueriesContext(connection) as queries:
        html = render_panel(loaded, membership)
    assert [q["sql"] for q in queries.captured_queries] == []
    assert 'id="transmission"' in html
    assert ('id="complete-form"' in html) == (shape == "suspended")
    assert ('id="recycle-form"' in html) == (shape == "to_recycle")


@pytest.mark.django_db
def test_the_situation_page_loads_the_transmission_with_the_situation(company, admin_user, admin_client):
    situation = make_situations(company, admin_user, markets=1, per_market=1, prefix="Q")[0]
    t = Transmission.objects.create(company=company, situation=situation, state="integrated",
                                    chorus_invoice_id=43, chorus_status="SUSPENDUE")
    for _ in range(5):
        TransmissionEvent.objects.create(transmission=t, kind=TransmissionEvent.Kind.QUEUED, message="queued")
    with CaptureQueriesContext(connection) as queries:
        page = admin_client.get(reverse("situations:detail", args=[situation.pk]))
    assert page.status_code == 200 and 'id="complete-form"' in page.content.decode()
    event_reads = [q for q in queries.captured_queries if "gateway_transmissionevent" in q["sql"]]
    assert len(event_reads) == 1
