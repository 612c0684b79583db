"""The projet de décompte final on screen (situation-rules.md §6): created from the market page once no draft is
pending, the same entry form pre-filled from the last situation, nothing after it, its corrective stays final."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from chorusbat.situations.models import Situation
from chorusbat.situations.services import SituationData, SituationError, create_corrective, save_draft
from chorusbat.situations.tests.test_situation_views import FIRST, SECOND, create, form_data, validate

pytestmark = pytest.mark.django_db

FINAL = {"number": "F2026-0094", "period": "2026-10", "date": "2026-10-31", "index_value": "119,7",
         "progress": {"7.1": "100", "7.2": "150", "7.3": "0"}}  # the works end at 68 % of the market's TTC


def create_final(client, market, entry, **overrides):
    return client.post(reverse("situations:create_final", args=[market.pk]), form_data(market, entry, **overrides))


def test_the_final_statement_from_the_market_page_to_its_decompte(admin_client, market):
    page = admin_client.get(reverse("markets:detail", args=[market.pk])).content.decode()
    assert 'id="create-final-statement"' not in page  # nothing validated yet
    create(admin_client, market, FIRST)
    first = Situation.objects.get()
    page = admin_client.get(reverse("markets:detail", args=[market.pk])).content.decode()
    assert 'id="create-final-statement"' not in page  # a draft is pending
    validate(admin_client, first)
    page = admin_client.get(reverse("markets:detail", args=[market.pk])).content.decode()
    assert "Établir le projet de décompte final" in page

    form = admin_client.get(reverse("situations:create_final", args=[market.pk]))
    text = form.content.decode()
    assert "<h1>Projet de décompte final</h1>" in text and 'id="final-statement-help"' in text
    line = market.lines.get(ref="7.1")
    assert str(form.context["form"][f"line_{line.pk}"].value()) == "45"  # pre-filled from the last situation

    response = create_final(admin_client, market, FINAL)
    final = Situation.objects.get(number="F2026-0094")
    assert response.status_code == 302 and final.final and final.status == "draft"
    detail = admin_client.get(reverse("situations:detail", args=[final.pk]))
    assert "Projet de décompte final F2026-0094" in detail.content.decode()
    # the advance is settled: f = A − R(n−1), so the chain recovers exactly A
    totals = detail.context["decompte"].totals
    first.refresh_from_db()
    advance = Decimal("3373.70")  # round2(0.10 × T), T = 26 400.00 × 1.2 + 1 870.00 × 1.1 = 33 737.00
    assert totals["f"] == advance - first.advance_recovered_cumulative
    assert totals["advance_recovered_cumulative"] == advance
    assert validate(admin_client, final).status_code == 302
    final.refresh_from_db()
    assert final.status == "validated" and final.f_amount + first.f_amount == advance

    lst = admin_client.get(reverse("situations:list", args=[market.pk])).content.decode()
    assert "Projet de décompte final" in lst and 'id="final-statement-notice"' in lst
    assert reverse("situations:create", args=[market.pk]) not in lst
    page = admin_client.get(reverse("markets:detail", args=[market.pk])).content.decode()
    assert 'id="create-final-statement"' not in page and 'id="final-statement-notice"' in page


def test_nothing_after_a_final_statement(admin_client, admin_user, market):
    create_final(admin_client, market, FIRST)
    final = Situation.objects.get()
    assert final.final
    # neither a monthly situation nor a second final statement: a clear message, nothing written
    for url in ("situations:create", "situations:create_final"):
        response = admin_client.post(reverse(url, args=[market.pk]), form_data(market, SECOND), follow=True)
        assert "a déjà son projet de décompte final (F2026-0093)" in response.content.decode()
        response = admin_client.get(reverse(url, args=[market.pk]), follow=True)
        assert "a déjà son projet de décompte final" in response.content.decode()
    assert Situation.objects.count() == 1
    data = SituationData.of(final)
    data.number, data.period, data.final = "F2026-0099", data.period.replace(month=12), False
    with pytest.raises(SituationError):
        save_draft(market, data, admin_user)


def test_a_final_statement_waits_for_the_pending_draft(admin_client, market):
    create(admin_client, market, FIRST)
    response = admin_client.post(reverse("situations:create_final", args=[market.pk]), form_data(market, SECOND),
                                 follow=True)
    assert Situation.objects.filter(final=True).count() == 0
    assert "est encore un brouillon" in response.content.decode()


def test_the_corrective_of_a_rejected_final_statement_stays_final(admin_client, admin_user, market):
    create(admin_client, market, FIRST)
    first = Situation.objects.get()
    validate(admin_client, first)
    create_final(admin_client, market, FINAL)
    final = Situation.objects.get(final=True)
    validate(admin_client, final)
    final.refresh_from_db()
    corrective = create_corrective(final, admin_user)
    assert corrective.final and corrective.period == final.period
    # and an earlier situation's corrective takes its place before the final statement
    first.refresh_from_db()
    earlier = create_corrective(first, admin_user)
    assert not earlier.final and earlier.status == "validated"
