"""The situation life cycle without dead ends (issue 12, points 1, 2 and 4).

- A validated situation, above all one sent and rejected, never changes again; its corrective takes its place and
  every amount counts once (the invariant below, on every market).
- Nothing is validated that Chorus Pro would refuse (the checks of ``chorusbat.situations.chorus_checks``), and a
  situation whose file Chorus Pro refused can always be cancelled and re-issued.
- Irreversible actions (validate, delete) go through a confirmation page that works without JavaScript.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from chorusbat.gateway.models import Transmission
from chorusbat.markets.models import Market
from chorusbat.situations.models import Situation
from chorusbat.situations.services import company_numbers, create_corrective
from chorusbat.situations.tests.test_situation_views import FIRST, create, form_data, validate

pytestmark = pytest.mark.django_db


def assert_each_amount_counted_once():
    """For every market: Σ period amounts (a) of the validated, non-replaced situations = the last cumulative."""
    for market in Market.objects.all():
        counted = list(market.situations.filter(status="validated").order_by("period"))
        if not counted:
            continue
        assert len({s.period for s in counted}) == len(counted), f"a period counted twice on {market.number}"
        assert sum(s.a_amount for s in counted) == counted[-1].cumulative_ht, market.number


def market_list_remaining(client) -> Decimal:
    page = client.get(reverse("markets:list"))
    market = page.context["page"].object_list[0]
    return market.remaining_ht


def test_a_rejected_situation_stays_as_it_was(admin_client, admin_user, market):
    create(admin_client, market, FIRST)
    first = Situation.objects.get()
    validate(admin_client, first)
    first.refresh_from_db()
    remaining = market_list_remaining(admin_client)
    corrective = create_corrective(first, admin_user)
    first.refresh_from_db()
    assert first.status == "rejected" and corrective.status == "draft"

    # The rejected one can be neither edited, validated again, nor deleted — not even by a direct POST.
    page = admin_client.get(reverse("situations:detail", args=[first.pk])).content.decode()
    assert 'id="edit-draft"' not in page and 'id="validate-button"' not in page
    assert "remplacée par" in page and reverse("situations:detail", args=[corrective.pk]) in page
    r = admin_client.post(reverse("situations:edit", args=[first.pk]),
                          form_data(market, FIRST, period="2026-12", **{"7.1": "99"}), follow=True)
    assert "ne peut plus être modifiée" in r.content.decode()
    validate(admin_client, first)
    admin_client.post(reverse("situations:delete", args=[first.pk]), {"confirm": "yes"})
    first.refresh_from_db()
    assert first.status == "rejected" and first.period.isoformat() == "2026-09-01"
    assert first.progress.get(line__ref="7.1").value == Decimal("45")

    # The corrective keeps the rejected one's period; once validated, the period counts once.
    r = admin_client.post(reverse("situations:edit", args=[corrective.pk]),
                          form_data(market, FIRST, number=corrective.number, date=corrective.date.isoformat(),
                                    period="2026-12"))
    corrective.refresh_from_db()
    assert corrective.period == first.period
    assert validate(admin_client, corrective).status_code == 302
    corrective.refresh_from_db()
    assert corrective.status == "validated"
    assert_each_amount_counted_once()
    assert market_list_remaining(admin_client) == remaining
    lst = admin_client.get(reverse("situations:list", args=[market.pk])).content.decode()
    assert "Rejetée" in lst and "remplacée par" in lst


def test_invariant_on_the_demo_markets_with_correctives(admin_client, admin_user, market_with_situations):
    market = market_with_situations
    validated = list(market.situations.filter(status="validated").order_by("period"))
    create_corrective(validated[0], admin_user)  # not the latest: validated at once
    assert_each_amount_counted_once()


def test_an_advance_chorus_pro_would_refuse_cannot_be_validated(admin_client, market):
    # e far above c + f + g: the net to pay would exceed the amount incl. VAT (Chorus Pro: « net à payer > TTC »).
    create(admin_client, market, FIRST, advance_paid="20000")
    draft = Situation.objects.get()
    page = admin_client.get(reverse("situations:detail", args=[draft.pk])).content.decode()
    assert 'id="chorus-problems"' in page and "avance à verser" in page
    confirm = admin_client.post(reverse("situations:validate", args=[draft.pk])).content.decode()
    assert "Chorus Pro refuserait" in confirm and 'id="confirm-button"' not in confirm
    r = validate(admin_client, draft)
    draft.refresh_from_db()
    assert draft.status == "draft"
    text = admin_client.get(r.url).content.decode()
    assert "Ramenez l&#x27;avance à verser" in text or "Ramenez l'avance à verser" in text
    # What to change is said: lowering e to c + f + g makes it acceptable.
    admin_client.post(reverse("situations:edit", args=[draft.pk]), form_data(market, FIRST, advance_paid="0"))
    assert validate(admin_client, draft).status_code == 302
    draft.refresh_from_db()
    assert draft.status == "validated"


def test_a_future_invoice_date_is_refused_before_validation(admin_client, market):
    create(admin_client, market, FIRST, date="2099-01-31")
    draft = Situation.objects.get()
    validate(admin_client, draft)
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_file_refused_by_chorus_pro_can_be_cancelled_and_reissued(admin_client, admin_user, market, company):
    create(admin_client, market, FIRST)
    first = Situation.objects.get()
    validate(admin_client, first)
    t = Transmission.objects.create(company=company, situation=first, state=Transmission.State.FAILED,
                                    reason="Chorus Pro a refusé le fichier : net à payer > TTC")
    page = admin_client.get(reverse("situations:detail", args=[first.pk])).content.decode()
    assert 'id="reissue"' in page and "net à payer &gt; TTC" in page
    r = admin_client.post(reverse("gateway:corrective", args=[t.pk]))
    corrective = Situation.objects.get(replaces=first)
    assert r.status_code == 302 and r.url == reverse("situations:detail", args=[corrective.pk])
    first.refresh_from_db()
    assert first.status == "rejected" and corrective.status == "draft" and corrective.number != first.number
    assert corrective.period == first.period
    # The refused number stays taken in the sequence (never reused).
    assert first.number in [n.number for n in company_numbers(company)]


def test_validation_and_deletion_ask_for_confirmation(admin_client, member_user, market):
    from django.test import Client

    member_client = Client()
    member_client.force_login(member_user)
    create(admin_client, market, FIRST)
    draft = Situation.objects.get()
    url = reverse("situations:validate", args=[draft.pk])
    page = admin_client.post(url)  # the button of the situation page, without JavaScript
    assert page.status_code == 200 and 'id="confirm-button"' in page.content.decode()
    assert "ne pourra plus être modifiée" in page.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert admin_client.post(url, {"confirm": "no"}).status_code == 302
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert member_client.get(url).status_code == 403
    delete = reverse("situations:delete", args=[draft.pk])
    assert "est irréversible" in admin_client.post(delete).content.decode()
    assert Situation.objects.exists()
    admin_client.post(delete, {"confirm": "yes"})
    assert not Situation.objects.exists()


def test_the_buyers_routing_rules_are_checked_before_validation(admin_client, market, fake_buyer):
    from chorusbat.markets.tests.fixtures import buyer_info

    create(admin_client, market, FIRST)
    draft = Situation.objects.get()
    fake_buyer(buyer_info(active=False))  # what Chorus Pro's directory says of the buyer now
    confirm = admin_client.get(reverse("situations:validate", args=[draft.pk])).content.decode()
    assert "Acheteur du marché" in confirm and "inactif" in confirm and 'id="confirm-button"' not in confirm
    validate(admin_client, draft)
    draft.refresh_from_db()
    assert draft.status == "draft"
    fake_buyer(None)  # Chorus Pro cannot be asked: no reason to refuse
    validate(admin_client, draft)
    draft.refresh_from_db()
    assert draft.status == "validated"
