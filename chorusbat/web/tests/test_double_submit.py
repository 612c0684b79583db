"""Double submits (issue 13, item 3): two real requests at the same moment against the live server.

A form posted twice creates one object and both requests land on the same page; two different drafts posted at
once for one market give one draft; a subscription confirmed twice is audited once. Run on SQLite by the suite,
and on PostgreSQL by ``make test`` (marker ``postgres``).
"""

from __future__ import annotations

import re
import threading

import httpx
import pytest
from django.test import Client

from chorusbat.accounts.models import SubscriptionAuditEntry
from chorusbat.markets.models import ContractLine, Market
from chorusbat.markets.tests.fixtures import market  # noqa: F401 - fixture
from chorusbat.situations.models import Situation

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

HIDDEN = re.compile(r'<input type="hidden" name="(?P<name>csrfmiddlewaretoken|form_token|token)" value="(?P<value>[^"]+)"')


class Tab:
    """One browser tab of a logged-in user, over real HTTP."""

    def __init__(self, base_url: str, cookies: dict):
        self.http = httpx.Client(base_url=base_url, cookies=cookies, follow_redirects=False, timeout=60)

    def hidden_fields(self, path: str) -> dict:
        page = self.http.get(path)
        assert page.status_code == 200, page.text[:500]
        return {m["name"]: m["value"] for m in HIDDEN.finditer(page.text)}

    def post(self, path: str, data: dict) -> httpx.Response:
        return self.http.post(path, data=data)


def tabs(live_server, user, count: int = 2) -> list[Tab]:
    client = Client()
    client.force_login(user)
    first = Tab(live_server.url, {"sessionid": client.cookies["sessionid"].value})
    first.hidden_fields("/compte/")  # gets the CSRF cookie
    return [first] + [Tab(live_server.url, dict(first.http.cookies)) for _ in range(count - 1)]


def at_once(*calls) -> list:
    """Run the calls in threads released together; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - reported by the test
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


def same_redirect(responses) -> str:
    assert all(isinstance(r, httpx.Response) for r in responses), responses
    assert [r.status_code for r in responses] == [302, 302], [r.text[:300] for r in responses]
    assert responses[0].headers["location"] == responses[1].headers["location"]
    return responses[0].headers["location"]


MARKET = {
    "title": "Lot 02", "buyer_name": "Ville de Nantes", "buyer_siret": "21440109300015",
    "buyer_service_code": "", "number": "2026-DBL-1", "engagement": "", "framework": "A1",
    "validator_name": "", "validator_siret": "", "start_date": "2026-09-01", "duration_months": "6",
    "revision_index_name": "", "revision_fixed": "", "revision_variable": "", "revision_base_index": "",
    "payment_delay_days": "30", "advance_percent": "0", "advance_start_percent": "65",
    "advance_end_percent": "80", "retention_percent": "0", "action": "save",
}


def test_a_new_market_posted_twice_at_once_is_created_once(live_server, admin_user, company):
    first, second = tabs(live_server, admin_user)
    data = {**MARKET, **first.hidden_fields("/marches/nouveau/")}
    location = same_redirect(at_once(lambda: first.post("/marches/nouveau/", data),
                                     lambda: second.post("/marches/nouveau/", data)))
    market = Market.objects.get(company=company)
    assert location == f"/marches/{market.pk}/"


def test_a_new_line_posted_twice_at_once_is_created_once(live_server, admin_user, market):
    first, second = tabs(live_server, admin_user)
    path = f"/marches/{market.pk}/lignes/nouvelle/"
    data = {"ref": "9.9", "label": "Ligne en double", "kind": "unitaire", "unit": "u", "unit_price": "10",
            "quantity": "2", "vat_rate": "20", **first.hidden_fields(path)}
    same_redirect(at_once(lambda: first.post(path, data), lambda: second.post(path, data)))
    assert ContractLine.objects.filter(market=market, ref="9.9").count() == 1


def situation_data(market, number: str, period: str, hidden: dict) -> dict:
    data = {"number": number, "period": period, "date": f"{period}-28", "index_value": "119,0",
            "advance_paid": "0", **hidden}
    for line in market.lines.all():
        data[f"line_{line.pk}"] = "10"
    return data


def test_a_new_situation_posted_twice_at_once_is_created_once(live_server, admin_user, market):
    first, second = tabs(live_server, admin_user)
    path = f"/situations/marche/{market.pk}/nouvelle/"
    data = situation_data(market, "F2026-0093", "2026-09", first.hidden_fields(path))
    location = same_redirect(at_once(lambda: first.post(path, data), lambda: second.post(path, data)))
    situation = Situation.objects.get(market=market)
    assert location == f"/situations/{situation.pk}/"


def test_two_different_drafts_posted_at_once_give_one_draft(live_server, admin_user, market):
    first, second = tabs(live_server, admin_user)
    path = f"/situations/marche/{market.pk}/nouvelle/"
    one = situation_data(market, "F2026-0093", "2026-09", first.hidden_fields(path))
    other = situation_data(market, "F2026-0094", "2026-10", second.hidden_fields(path))
    responses = at_once(lambda: first.post(path, one), lambda: second.post(path, other))
    assert all(isinstance(r, httpx.Response) and r.status_code in (200, 302) for r in responses), responses
    assert Situation.objects.filter(market=market).count() == 1


def test_a_subscription_confirmed_twice_at_once_is_audited_once(live_server, admin_user, company):
    first, second = tabs(live_server, admin_user)
    path = "/compte/abonnement-chorus-pro/"
    form = {"siret": company.siret, "referent_email": "compta@example.fr",
            "technical_login": "TECH_1_73282932000074@cpro.fr", "password": "Un-mot-de-passe-1",
            "password_confirm": "Un-mot-de-passe-1", "environment": "sandbox", "piste_client_id": "",
            "piste_client_secret": "", "action": "save", **first.hidden_fields(path)}
    page = first.post(path, form)
    assert page.status_code == 200, page.text[:500]
    hidden = {m["name"]: m["value"] for m in HIDDEN.finditer(page.text)}
    assert "token" in hidden, page.text[:1000]
    data = {**hidden, "action": "confirm"}
    same_redirect(at_once(lambda: first.post(path, data), lambda: second.post(path, data)))
    assert SubscriptionAuditEntry.objects.filter(company=company).count() == 1


def test_only_creating_forms_carry_a_one_time_token(admin_client, market):
    """An editing page shown again by the back button must still save what is typed in it."""
    line = market.lines.first()
    assert 'name="form_token"' in admin_client.get("/marches/nouveau/").content.decode()
    assert 'name="form_token"' in admin_client.get(f"/marches/{market.pk}/lignes/nouvelle/").content.decode()
    for path in (f"/marches/{market.pk}/modifier/", f"/marches/{market.pk}/lignes/{line.pk}/modifier/"):
        assert 'name="form_token"' not in admin_client.get(path).content.decode()
