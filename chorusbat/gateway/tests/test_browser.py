"""Issue 7 in a real browser: an administrator sends the demo situations, follows them until paid, and turns a
rejected one into a corrective situation."""

import pytest
from django.core.management import call_command

from chorusbat.gateway.models import Transmission
from chorusbat.gateway.sync import sync_company
from chorusbat.gateway.tests.conftest import all_integrated, drain

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_send_follow_until_paid_and_correct_a_rejection(page, login, admin_user, chorus, connected, company,
                                                        demo_situations):
    login(page, admin_user)
    page.goto("/transmissions/envoyer/")
    for s in demo_situations:
        assert page.locator(f"input[name=situation][aria-label='{s.number}']").is_checked()
    page.click("#send-button")
    assert f"{len(demo_situations)} factures" in page.inner_text("#send-summary")  # confirmed, with a summary
    page.click("#confirm-button")
    page.wait_for_selector("#progress")
    drain(chorus, until=all_integrated)
    page.wait_for_selector("text=Envoi terminé")  # the page refreshes itself (a reload here raced with it)
    assert page.locator("#progress").get_attribute("value") == "100"

    first, second = sorted(Transmission.objects.select_related("situation"), key=lambda t: t.situation.number)[:2]
    # The buyer rejects the second one at once; the others go their way until paid.
    chorus.set_invoice_status(second.chorus_invoice_id, "REJETEE", "Pièces justificatives manquantes")
    for _ in range(12):
        chorus.advance(1)
        sync_company(company.pk)
    page.goto(f"/situations/{first.situation.pk}/")
    timeline = page.inner_text("#timeline")
    assert "Fichier déposé dans Chorus Pro" in timeline and "Paiement effectué" in timeline
    assert "Paiement effectué" in page.inner_text("#transmission")

    page.goto("/transmissions/")
    assert "Paiement effectué" in page.inner_text("#by-status")
    assert page.locator("#chart rect").count() >= 2

    # The rejected one: the reason shows, and a corrective situation replaces it.
    page.goto(f"/situations/{second.situation.pk}/")
    assert "Pièces justificatives manquantes" in page.inner_text("#transmission")
    page.click("#corrective")
    page.wait_for_selector("#situation-number")
    new_number = page.inner_text("#situation-number")
    assert new_number != second.situation.number
    assert "créée en remplacement" in page.content()
    call_command("worker", batch=True, max_tasks=50, verbosity=0)

    # The rejected one stays as it was sent, and says by what it was replaced (issue 12, point 1).
    page.goto(f"/situations/{second.situation.pk}/")
    notice = page.inner_text("#rejected-notice")
    assert "remplacée par" in notice and new_number in notice
    assert page.locator("#edit-draft").count() == 0 and page.locator("#validate-button").count() == 0
    page.click(f"#rejected-notice a:has-text('{new_number}')")
    page.wait_for_selector("#situation-number")
    assert page.inner_text("#situation-number") == new_number
