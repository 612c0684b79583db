"""Issue 12 on the gateway screens: the buyer's reason everywhere (3), confirmed sending (4), statuses that agree
(6) and a dashboard that lists the work, with no button a site manager may not use (7)."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from chorusbat.gateway.models import Transmission
from chorusbat.gateway.services import send
from chorusbat.gateway.sync import sync_company
from chorusbat.gateway.tests.conftest import all_integrated, drain, make_situations
from chorusbat.situations.models import Situation


@pytest.mark.django_db(transaction=True)
def test_the_buyers_reason_of_a_works_piece_is_shown_everywhere(chorus, connected, company, admin_client,
                                                                 demo_situations):
    works = [s for s in demo_situations if s.market.framework == "A4"]
    assert works
    send(works[:1])
    drain(chorus, until=all_integrated)
    t = Transmission.objects.get()
    chorus.set_invoice_status(t.chorus_invoice_id, "REJETEE", "Décompte non conforme au CCAP, article 12")
    for _ in range(3):
        sync_company(company.pk)
    t.refresh_from_db()
    assert t.chorus_status == "REJETEE"
    assert t.chorus_comment == "Décompte non conforme au CCAP, article 12"

    page = admin_client.get(reverse("situations:detail", args=[t.situation.pk])).content.decode()
    panel = page[page.index('id="transmission"'):]
    assert "Motif indiqué par l'acheteur" in panel and "Décompte non conforme au CCAP" in page
    assert "« Traiter le rejet » indique à Chorus Pro" in page
    assert "« Créer une situation corrective » traite" in page
    dashboard = admin_client.get(reverse("gateway:dashboard")).content.decode()
    row = dashboard[dashboard.index('id="needs-action"'):]
    assert "Décompte non conforme au CCAP" in row and "Traiter le rejet" in row
    rejected = [m for m in mail.outbox if "Rejetée" in m.subject]
    assert rejected, [m.subject for m in mail.outbox]
    body = rejected[-1].body
    assert "Décompte non conforme au CCAP, article 12" in body and "Créer une situation corrective" in body
    html = rejected[-1].alternatives[0][0]
    assert "Décompte non conforme au CCAP" in html


@pytest.mark.django_db
def test_sending_is_confirmed_with_a_summary(company, admin_user, admin_client):
    *situations, one = make_situations(company, admin_user, markets=3, per_market=1, prefix="C")
    total = sum(s.net_amount for s in situations)
    r = admin_client.post(reverse("gateway:batch"), {"situation": [s.pk for s in situations]})
    page = r.content.decode()
    assert r.status_code == 200 and 'id="confirm-button"' in page
    assert "2 factures" in page and f"{total:,.2f}".replace(",", "\u00a0").replace(".", ",") in page
    assert "Ville de Nantes" in page and "214 401 093 00015" in page
    assert not Transmission.objects.exists()
    r = admin_client.post(reverse("gateway:batch"), {"situation": [s.pk for s in situations], "confirm": "yes"})
    assert r.status_code == 302 and Transmission.objects.count() == 2

    url = reverse("gateway:send_one", args=[one.pk])
    assert 'id="send-summary"' in admin_client.post(url).content.decode()
    assert not Transmission.objects.filter(situation=one).exists()
    admin_client.post(url, {"confirm": "yes"})
    assert Transmission.objects.filter(situation=one).exists()


@pytest.mark.django_db
def test_sending_finished_only_when_sent(company, admin_user, admin_client):
    s = make_situations(company, admin_user, markets=1, per_market=1, prefix="H")[0]
    t = Transmission.objects.create(company=company, situation=s, state=Transmission.State.HELD,
                                    reason="Mot de passe du compte technique expiré")
    page = admin_client.get(reverse("gateway:batch_progress") + f"?t={t.pk}").content.decode()
    assert "Envoi terminé" not in page and "Envoi interrompu" in page
    Transmission.objects.filter(pk=t.pk).update(state=Transmission.State.INTEGRATED, chorus_status="DEPOSEE")
    page = admin_client.get(reverse("gateway:batch_progress") + f"?t={t.pk}").content.decode()
    assert "Envoi terminé" in page


@pytest.mark.django_db
def test_situation_status_follows_its_invoice(company, admin_user, admin_client):
    s = make_situations(company, admin_user, markets=1, per_market=1, prefix="P")[0]
    url = reverse("situations:list", args=[s.market_id])
    assert "Validée" in admin_client.get(url).content.decode()
    t = Transmission.objects.create(company=company, situation=s, state=Transmission.State.INTEGRATED,
                                    chorus_status="MISE_EN_PAIEMENT")
    assert '<span class="badge ok">Payée</span>' in admin_client.get(url).content.decode()
    Transmission.objects.filter(pk=t.pk).update(chorus_status="REJETEE")
    assert '<span class="badge bad">Rejetée</span>' in admin_client.get(url).content.decode()
    Transmission.objects.filter(pk=t.pk).update(state=Transmission.State.HELD, chorus_status="")
    assert '<span class="badge warn">Bloquée</span>' in admin_client.get(url).content.decode()  # as on the dashboard


@pytest.mark.django_db
def test_the_dashboard_lists_the_work_and_no_forbidden_button(company, admin_user, member_user, admin_client):
    from chorusbat.situations.services import SituationData, save_draft

    *ready, held = sorted(make_situations(company, admin_user, markets=2, per_market=2, prefix="W"),
                          key=lambda s: (s.market_id, s.period))[:3]
    Transmission.objects.create(company=company, situation=held, state=Transmission.State.FAILED,
                                reason="Chorus Pro a refusé le fichier")
    market = ready[0].market
    last = ready[-1]
    draft = save_draft(market, SituationData(
        number="W-DRAFT", period=last.period.replace(year=last.period.year + 1), date=last.date, index_value=None,
        advance_paid=0, progress={}), member_user)

    page = admin_client.get(reverse("gateway:dashboard")).content.decode()
    ready_block = page[page.index('id="ready"'):page.index('id="drafts"')]
    assert all(s.number in ready_block for s in ready) and 'id="send-ready"' in ready_block
    assert draft.number in page[page.index('id="drafts"'):]
    action = page[page.index('id="needs-action"'):page.index('id="ready"')]
    assert held.number in action and "Chorus Pro a refusé le fichier" in action and "Annuler et réémettre" in action

    member = Client()
    member.force_login(member_user)
    page = member.get(reverse("gateway:dashboard")).content.decode()
    assert reverse("gateway:batch") not in page and "Un administrateur" in page
    for href in sorted(set(re.findall(r'href="(/[^"#]*)', page))):
        if href.startswith("/static/"):
            continue
        assert member.get(href).status_code != 403, href
    page = member.get(reverse("situations:detail", args=[draft.pk])).content.decode()
    assert 'id="validate-button"' not in page and 'id="delete-button"' not in page
    page = member.get(reverse("situations:detail", args=[ready[0].pk])).content.decode()
    assert 'id="send-situation"' not in page
    assert Situation.objects.filter(pk=draft.pk).exists()


def test_chart_value_axis_has_round_graduations():
    from decimal import Decimal as D

    from chorusbat.gateway.dashboard import nice_ceiling

    assert [nice_ceiling(D(x)) for x in ("0", "99", "100", "101", "12786.01", "25001", "999999")] == [
        100, 100, 100, 200, 20000, 50000, 1000000]


@pytest.mark.django_db
def test_chart_labels_months_unambiguously_with_a_value_axis(company, admin_client):
    html = admin_client.get(reverse("gateway:dashboard")).content.decode()
    svg = html[html.index('<svg id="chart"'):html.index("</svg>")]
    assert "juin" in svg and "juil." in svg and "Jun" not in svg
    assert "100\u00a0€" in svg or "100 €" in svg  # graduated value axis


@pytest.mark.django_db
def test_a_site_manager_sees_no_administrator_button_anywhere(company, admin_user, member_user):
    """On every main page a site manager can open, no link or form leads to a view reserved to administrators."""
    from html.parser import HTMLParser

    from django.urls import Resolver404, resolve

    from chorusbat.situations.demo import create_demo_markets

    markets = create_demo_markets(company, admin_user)
    situations = list(Situation.objects.filter(company=company))
    Transmission.objects.create(company=company, situation=situations[0], state=Transmission.State.INTEGRATED,
                                chorus_status="REJETEE", chorus_comment="Erreur")

    class Targets(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found = []

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "a" and (attrs.get("href") or "").startswith("/"):
                self.found.append(("GET", attrs["href"].split("#")[0].split("?")[0]))
            if tag == "form" and (attrs.get("method") or "get").lower() == "post":
                self.found.append(("POST", attrs.get("action") or ""))

    member = Client()
    member.force_login(member_user)
    pages = ["/transmissions/", "/transmissions/liste/", "/compte/", "/marches/",
             *[f"/marches/{m.pk}/" for m in markets], *[f"/situations/marche/{m.pk}/" for m in markets],
             *[f"/situations/{s.pk}/" for s in situations]]
    for url in pages:
        response = member.get(url)
        assert response.status_code == 200, url
        parser = Targets()
        parser.feed(response.content.decode())
        for method, target in parser.found:
            if not target or target.startswith("/static/") or target == reverse("logout"):
                continue
            try:
                view = resolve(target).func
            except Resolver404:
                continue
            assert not getattr(view, "admin_only", False), f"{url}: {method} {target} is for administrators"


@pytest.mark.django_db(transaction=True)
def test_what_the_checks_refuse_chorus_pro_refuses_and_there_is_a_way_out(chorus, connected, company, admin_user,
                                                                          admin_client, monkeypatch):
    """The pre-validation checks agree with the sandbox: a situation they refuse (advance e above c + f + g) is
    refused by Chorus Pro when forced through; it is then cancelled and re-issued, and the corrective goes through."""
    import datetime
    from decimal import Decimal as D

    from chorusbat.gateway.tests.conftest import make_market
    from chorusbat.situations import services

    market = make_market(company, admin_user, 1)
    lines = list(market.lines.order_by("position"))
    data = services.SituationData(number="E2026-001", period=datetime.date(2026, 1, 1),
                                  date=datetime.date(2026, 1, 31), index_value=None, advance_paid=D("5000"),
                                  progress={lines[0].id: D("10"), lines[1].id: D("10")})
    draft = services.save_draft(market, data, admin_user)
    problems = services.chorus_problems(draft)
    assert problems and "avance à verser" in problems[0].message
    with pytest.raises(services.SituationError):
        services.validate_situation(draft, admin_user)

    # Forced through, as before the fix.
    monkeypatch.setattr(services, "chorus_problems", lambda situation, with_buyer=False: [])
    forced = services.validate_situation(draft, admin_user)
    monkeypatch.undo()
    send([forced])
    drain(chorus, until=lambda: Transmission.objects.filter(state__in=["failed", "integrated"]).exists())
    t = Transmission.objects.get()
    assert t.state == "failed" and "net à payer" in t.reason, (t.state, t.reason)

    # The way out: cancel and re-issue; the corrective is a draft whose advance can be corrected.
    admin_client.post(reverse("gateway:corrective", args=[t.pk]))
    corrective = Situation.objects.get(replaces=forced)
    assert corrective.status == "draft" and corrective.period == forced.period
    services.save_draft(market, services.SituationData(
        number=corrective.number, period=corrective.period, date=corrective.date, index_value=None,
        advance_paid=D("0"), progress=data.progress), admin_user, situation=corrective)
    corrective = services.validate_situation(corrective, admin_user)
    send([corrective])
    drain(chorus, until=lambda: Transmission.objects.filter(situation=corrective, state="integrated").exists())
    numbers = [i["numeroFacture"] for i in chorus.invoices()]
    assert corrective.number in numbers


@pytest.mark.django_db
def test_the_dashboard_counts_the_situations_ready_to_send_in_sql(company, admin_user, admin_client,
                                                                  django_assert_max_num_queries):
    situations = make_situations(company, admin_user, markets=3, per_market=4, prefix="D")
    total = sum(s.net_amount for s in situations)
    with django_assert_max_num_queries(20) as queries:
        page = admin_client.get(reverse("gateway:dashboard")).content.decode()
    ready = page[page.index('id="ready"'):page.index('id="drafts"')]
    assert "12 situations validées" in ready
    assert f"{total:,.2f}".replace(",", "\u00a0").replace(".", ",") in ready
    assert ready.count("<li>") == 10  # ten shown, the batch page lists them all
    # Counted and summed by the database; only the ten shown are loaded (10,000 situations would not be).
    loads = [q["sql"] for q in queries.captured_queries
             if 'FROM "situations_situation"' in q["sql"] and '"situations_situation"."status" = \'validated\'' in q["sql"]
             and "COUNT(" not in q["sql"]]
    assert loads and all("LIMIT 10" in sql for sql in loads), loads
