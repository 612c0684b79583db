"""The end of a market on the screens: réception, décompte général, answer with reserves (mémoire PDF) or
accepted (DGD), DGD by hand, retention release, « soldé »; refusals, permissions, constraints; the reminders."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from chorusbat.contracts import closing
from chorusbat.contracts.demo import create_demo_closed_market, create_demo_late_payment
from chorusbat.contracts.models import ClosingReminder, MarketClosing
from chorusbat.contracts.reminders import send_closing_reminders

pytestmark = pytest.mark.django_db


@pytest.fixture
def market(company, admin_user):
    return create_demo_late_payment(company, admin_user)  # F2026-0061 validated: g = 610,20 €


def url(market, step=""):
    return f"/contrats/marche/{market.pk}/fin/" + (f"{step}/" if step else "")


def record(client, market, step, **fields):
    prefix = step.replace("-", "_")
    data = {(k if k.startswith("head") else f"{prefix}-{k}"): v for k, v in fields.items()}
    return client.post(url(market, step), data)


def reserves(**overrides):
    data = {"answer": "reserves", "answer_on": "2026-09-01", "claim_grounds": "Travaux supplémentaires non repris.",
            "head0-label": "Surface supplémentaire de 16 m²", "head0-amount": "355,20",
            "head0-justification": "Métré contradictoire du 2 juillet 2026.",
            "head1-label": "Intérêts moratoires", "head1-amount": "148,31",
            "head1-justification": "Paiement de la facture F2026-0061 le 14/09/2026."}
    data.update(overrides)
    return data


def test_the_whole_end_with_reserves_a_memoir_a_dgd_and_the_release(admin_client, market):
    page = admin_client.get(url(market))
    assert page.status_code == 200
    assert b"610,20" in page.content  # the retention held: item g of the validated situation, never typed
    assert record(admin_client, market, "reception", reception_date="2026-07-03",
                  guarantee_months="12").status_code == 302
    assert record(admin_client, market, "general-statement", dg_notified_on="2026-08-10",
                  dg_amount_ttc="12 559,20", dg_amount_ht="10466", dg_reserves="Pénalités de retard : 200 €.",
                  ).status_code == 302
    response = record(admin_client, market, "answer", **reserves())
    assert response.status_code == 302, response.context and response.context["forms"]["answer"].errors
    c = MarketClosing.objects.get(market=market)
    assert (c.answer, c.answer_on, c.dgd_on) == ("reserves", datetime.date(2026, 9, 1), None)
    assert [(h.label, h.amount) for h in c.claim_heads.all()] == [
        ("Surface supplémentaire de 16 m²", Decimal("355.20")), ("Intérêts moratoires", Decimal("148.31"))]
    page = admin_client.get(url(market))
    assert b"503,51" in page.content  # total claimed
    pdf = admin_client.get(f"/contrats/marche/{market.pk}/fin/memoire-en-reclamation.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # The dispute settles: the DGD by hand; then the retention received.
    assert record(admin_client, market, "dgd", dgd_on="2026-10-15").status_code == 302
    listing = admin_client.get("/marches/").content.decode()
    assert "DGD — retenue à libérer le 02/08/2027" in listing
    assert record(admin_client, market, "release", released_on="2027-08-05").status_code == 302
    assert "soldé" in admin_client.get("/marches/").content.decode()
    assert "soldé" in admin_client.get(f"/marches/{market.pk}/").content.decode()
    assert MarketClosing.objects.get(market=market).is_settled


def test_accepted_is_the_dgd_and_a_recorded_dgd_never_changes(admin_client, market):
    record(admin_client, market, "reception", reception_date="2026-07-03", guarantee_months="12")
    record(admin_client, market, "general-statement", dg_notified_on="2026-08-10", dg_amount_ttc="12559.20")
    record(admin_client, market, "answer", answer="accepted", answer_on="2026-08-20")
    c = MarketClosing.objects.get(market=market)
    assert c.dgd_on == datetime.date(2026, 8, 20) and not c.claim_heads.exists()
    for step, fields in (("reception", {"reception_date": "2026-07-01", "guarantee_months": "6"}),
                         ("general-statement", {"dg_notified_on": "2026-08-11", "dg_amount_ttc": "1"}),
                         ("answer", reserves(answer_on="2026-08-21")), ("dgd", {"dgd_on": "2026-09-01"})):
        response = record(admin_client, market, step, **fields)
        assert response.status_code == 302
        assert "ne change plus" in admin_client.get(url(market)).content.decode()
    assert MarketClosing.objects.get(market=market).updated_at == c.updated_at  # nothing written
    page = admin_client.get(url(market)).content.decode()
    assert 'id="closing-reception-form"' not in page and 'id="closing-release-form"' in page
    with pytest.raises(ValueError):
        closing.record(market, "nope", None, None)


def test_bad_input_is_refused_in_french_and_nothing_is_written(admin_client, market):
    response = record(admin_client, market, "general-statement", dg_notified_on="2026-08-10", dg_amount_ttc="5")
    assert response.status_code == 302 and "réception" in admin_client.get(url(market)).content.decode()
    assert not MarketClosing.objects.filter(market=market).exists()
    record(admin_client, market, "reception", reception_date="2026-07-03", guarantee_months="12")
    for fields, message in (
            ({"reception_date": "2026-07-03", "guarantee_months": "61"}, "inférieure ou égale à 60"),
            ({"reception_date": "2101-01-01", "guarantee_months": "12"}, "Saisissez une date comprise entre"),
            ({"reception_date": "2026-05-01", "guarantee_months": "12"}, "précéder le début du marché")):
        response = record(admin_client, market, "reception", **fields)
        assert response.status_code == 422 and message in response.content.decode(), fields
    response = record(admin_client, market, "general-statement", dg_notified_on="2026-08-10",
                      dg_amount_ttc="1000000000000")
    assert response.status_code == 422
    record(admin_client, market, "general-statement", dg_notified_on="2026-08-10", dg_amount_ttc="12559.20")
    for fields, message in (
            (reserves(answer_on="2026-09-10"), "dans les 30 jours"),
            (reserves(**{"head0-label": "", "head0-amount": "", "head0-justification": "", "head1-label": "",
                         "head1-amount": "", "head1-justification": ""}), "au moins un chef"),
            (reserves(**{"head0-amount": ""}), "montant réclamé"),
            (reserves(claim_grounds=""), "motifs")):
        response = record(admin_client, market, "answer", **fields)
        assert response.status_code == 422 and message in response.content.decode(), fields
    c = MarketClosing.objects.get(market=market)
    assert c.answer == "" and c.reception_date == datetime.date(2026, 7, 3) and not c.claim_heads.exists()


def test_site_managers_see_the_end_but_cannot_record(member_client, market):
    page = member_client.get(url(market))
    assert page.status_code == 200 and b"closing-reception-form" not in page.content
    assert member_client.post(url(market, "reception"), {"reception-reception_date": "2026-07-03",
                                                         "reception-guarantee_months": "12"}).status_code == 403
    assert not MarketClosing.objects.filter(market=market).exists()


def test_another_companys_market_is_not_found(client, other_company, market):
    from conftest import make_user

    client.force_login(make_user(other_company, "autre", "admin"))
    assert client.get(url(market)).status_code == 404
    assert client.post(url(market, "reception"), {}).status_code == 404


def test_without_retention_the_guarantee_is_released(admin_client, market):
    market.retention_rate = Decimal("0")
    market.save()
    record(admin_client, market, "reception", reception_date="2026-07-03", guarantee_months="12")
    page = admin_client.get(url(market)).content.decode()
    assert "garantie à première demande la remplace" in page and "Mainlevée de la garantie" in page


def test_the_database_refuses_what_the_forms_refuse(market):
    for fields in ({"guarantee_months": 61}, {"dg_amount_ttc": Decimal("1000000000000"),
                                              "dg_notified_on": datetime.date(2026, 8, 1)},
                   {"dg_amount_ttc": Decimal("10")},
                   {"reception_date": datetime.date(2026, 7, 3), "dg_notified_on": datetime.date(2026, 8, 1),
                    "dg_amount_ttc": Decimal("10"), "answer": "accepted", "answer_on": datetime.date(2026, 8, 2)},
                   {"released_on": datetime.date(2026, 8, 2)}, {"answer": "maybe"}):
        with pytest.raises(IntegrityError, match="CHECK"), transaction.atomic():
            MarketClosing.objects.create(market=market, **fields)


def test_reminders_seven_days_and_one_day_before_once_each(market, admin_user, member_user):
    MarketClosing.objects.create(market=market, reception_date=datetime.date(2026, 7, 3))  # final due 2 August
    assert send_closing_reminders(today=datetime.date(2026, 7, 25)) == 0
    assert send_closing_reminders(today=datetime.date(2026, 7, 26)) == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["claire@example.fr", "yann@example.fr"]
    assert "projet de décompte final" in mail.outbox[0].subject and "02/08/2026" in mail.outbox[0].subject
    assert "/fin/" in mail.outbox[0].body
    assert send_closing_reminders(today=datetime.date(2026, 7, 27)) == 0  # once
    from chorusbat.people.notifications import preferences_for

    prefs = preferences_for(member_user)
    prefs.situation_due = False
    prefs.save()
    mail.outbox.clear()
    assert send_closing_reminders(today=datetime.date(2026, 8, 1)) == 1
    assert [m.to for m in mail.outbox] == [["claire@example.fr"]]
    assert set(ClosingReminder.objects.values_list("deadline", "days_before")) == {
        ("final_statement", 7), ("final_statement", 1)}
    mail.outbox.clear()
    assert send_closing_reminders(today=datetime.date(2026, 8, 3)) == 0  # overdue: no more reminders


def test_the_command_and_the_scheduler_run_the_reminders():
    from django.core.management import call_command

    from chorusbat.gateway.management.commands.scheduler import JOBS

    assert ("remind-closing-deadlines", 86400) in JOBS
    call_command("remind-closing-deadlines")


def test_demo_market_is_closed_with_a_dgd_and_a_late_payment_claim(company, admin_user, admin_client):
    from chorusbat.contracts.interest import late_invoices

    market = create_demo_closed_market(company, admin_user)
    assert create_demo_closed_market(company, admin_user) == market  # idempotent
    view = closing.overview(market, datetime.date(2026, 12, 1))
    assert view.final.number == "F2026-0075" and view.final_sent == datetime.date(2026, 7, 15)
    assert view.retention == Decimal("627.96")  # 610,20 + 17,76: 5 % of the DG's 12 559,20
    assert view.closing.is_settled and [d.state for d in view.timeline] == ["done"] * 4
    assert [row.situation.number for row in late_invoices(company)] == ["F2026-0061"]
    assert "soldé" in admin_client.get("/marches/").content.decode()
    assert admin_client.get(url(market)).status_code == 200


def test_the_answer_shows_the_heads_in_use_and_one_empty_row_and_folds_the_rest(admin_client, market):
    """Six empty heads of claim made a long page on a phone: the empty ones after the first are folded away."""
    def shown_and_folded(page):
        html = page.content.decode()
        answer = html[html.index('id="closing-answer-form"'):]
        answer = answer[:answer.index("</form>")]
        before, _sep, folded = answer.partition('<details class="more-heads">')
        return before.count('name="head') // 3, folded.count('name="head') // 3

    record(admin_client, market, "reception", reception_date="2026-07-03", guarantee_months="12")
    record(admin_client, market, "general-statement", dg_notified_on="2026-08-10", dg_amount_ttc="12 559,20",
           dg_amount_ht="10466", dg_reserves="")
    assert shown_and_folded(admin_client.get(url(market))) == (1, 5)
    assert "Ajouter des chefs de réclamation (encore 5 possibles)" in admin_client.get(url(market)).content.decode()

    # A refused post keeps every head it carried in view, even a fourth one with an error, and one empty row.
    refused = record(admin_client, market, "answer", **reserves(**{"head3-label": "Sans montant"}))
    assert refused.status_code == 422
    html = refused.content.decode()
    assert html.index("Chef de réclamation 3") < html.index("Chef de réclamation 4")  # in their order
    assert shown_and_folded(refused) == (4, 2)

    assert record(admin_client, market, "answer", **reserves()).status_code == 302
    assert shown_and_folded(admin_client.get(url(market))) == (3, 3)  # the two recorded heads, one empty row
