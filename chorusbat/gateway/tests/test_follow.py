"""Following invoices until paid, in batches, and acting on them (complete, recycle, rejection)."""

import pytest
from django.core import mail
from django.urls import reverse

from chorusbat.gateway import actions
from chorusbat.gateway.models import SyncCursor, Transmission
from chorusbat.gateway.services import send
from chorusbat.gateway.sync import sync_company
from chorusbat.gateway.tests.conftest import all_integrated, drain, make_situations

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture
def integrated(chorus, connected, company, admin_user):
    situations = make_situations(company, admin_user, markets=1, per_market=3, prefix="S")
    send(situations)
    drain(chorus, until=all_integrated)
    return list(Transmission.objects.order_by("situation__period"))


def test_statuses_followed_in_batches_until_paid(chorus, integrated, company):
    before = chorus.requests()
    for _ in range(12):
        chorus.advance(1)
        sync_company(company.pk)
    after = chorus.requests()
    for t in Transmission.objects.all():
        assert t.chorus_status == "MISE_EN_PAIEMENT"
        statuses = list(t.status_changes.values_list("status", flat=True))
        assert statuses[0] == "DEPOSEE" and statuses[-1] == "MISE_EN_PAIEMENT"
    searches = after.get("/cpro/factures/v1/rechercher/fournisseur", 0) - before.get(
        "/cpro/factures/v1/rechercher/fournisseur", 0)
    assert searches <= 12  # one search per cycle for the company, not one per invoice
    # Final: the next cycles make no call at all.
    calls_before = sum(chorus.requests().values())
    assert sync_company(company.pk).calls == 0
    assert sum(chorus.requests().values()) == calls_before
    # Payment is notified to the referent e-mail and the author.
    paid = [m for m in mail.outbox if "Paiement effectué" in m.subject or "MISE_EN_PAIEMENT" in m.subject]
    assert len(paid) == 3
    assert "compta@example.fr" in paid[0].to


def _caught_up(company) -> None:
    """Sync until a complete cycle finds nothing new (a busy machine may make a cycle fail and retry later)."""
    for _attempt in range(10):
        report = sync_company(company.pk)
        if not report.skipped_reason and report.changed == 0 and report.calls > 0:
            return
    raise AssertionError("the status sync never caught up")


def test_history_only_for_changed_invoices(chorus, integrated, company):
    _caught_up(company)  # whatever the sandbox clock did while they were integrated is applied
    # One still followed (a slow machine's drain may have moved some as far as paid), set to a status the sandbox
    # clock never gives by itself.
    from chorusbat.chorus.enums import FINAL_STATUSES

    first = next(t for t in Transmission.objects.order_by("situation__period")
                 if t.chorus_status not in {str(s) for s in FINAL_STATUSES} and t.chorus_status != "SUSPENDUE")
    chorus.set_invoice_status(first.chorus_invoice_id, "SUSPENDUE", "Pièce manquante")
    before = chorus.requests().get("/cpro/factures/v1/consulter/historique", 0)
    changed = 0
    for _attempt in range(10):  # a cycle cut short by a slow machine is simply run again
        report = sync_company(company.pk)
        changed += report.changed
        if not report.skipped_reason:
            break
    after = chorus.requests().get("/cpro/factures/v1/consulter/historique", 0)
    assert changed == 1 and after - before == 1
    assert SyncCursor.objects.get(company=company).last_calls == report.calls


def test_suspended_invoice_completed(chorus, integrated, company, admin_client):
    t = integrated[0]
    chorus.set_invoice_status(t.chorus_invoice_id, "SUSPENDUE", "Joindre le PV de réception")
    sync_company(company.pk)
    t.refresh_from_db()
    assert t.chorus_status == "SUSPENDUE" and t.chorus_comment == "Joindre le PV de réception"
    assert any("Suspendue" in m.subject for m in mail.outbox)
    page = admin_client.get(reverse("situations:detail", args=[t.situation.pk])).content.decode()
    assert "Joindre le PV de réception" in page and 'id="complete-form"' in page
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = admin_client.post(reverse("gateway:complete", args=[t.pk]), {
        "comment": "PV joint", "files": SimpleUploadedFile("pv-reception.pdf", b"%PDF-1.4 test"),
        "next": reverse("situations:detail", args=[t.situation.pk])}, follow=True)
    assert "complétée dans Chorus Pro" in r.content.decode()
    sync_company(company.pk)
    t.refresh_from_db()
    assert t.chorus_status == "COMPLETEE"


def test_recycling_keeps_the_number(chorus, integrated, company):
    t = integrated[1]
    chorus.set_invoice_status(t.chorus_invoice_id, "A_RECYCLER", "Mauvais code service")
    sync_company(company.pk)
    t.refresh_from_db()
    actions.recycle(t, "21440109300015", "DIR_BATIMENTS", "")
    sync_company(company.pk)
    t.refresh_from_db()
    assert t.chorus_status == "DEPOSEE"
    numbers = [i["numeroFacture"] for i in chorus.invoices() if i["identifiantFactureCPP"] == t.chorus_invoice_id]
    assert numbers == [t.situation.number]


def test_rejection_acknowledged(chorus, integrated, company):
    t = integrated[2]
    chorus.set_invoice_status(t.chorus_invoice_id, "REJETEE", "Montant erroné")
    sync_company(company.pk)
    t.refresh_from_db()
    assert t.chorus_status == "REJETEE" and t.chorus_comment == "Montant erroné"
    actions.acknowledge_rejection(t)
    actions.acknowledge_rejection(t)  # idempotent
    t.refresh_from_db()
    assert t.rejection_acknowledged
    with pytest.raises(actions.ActionRefused):
        actions.complete(t, "x", [])


def test_actions_refused_in_the_wrong_status(chorus, integrated):
    t = integrated[0]
    with pytest.raises(actions.ActionRefused, match="suspendue"):
        actions.complete(t, "x", [])
    with pytest.raises(actions.ActionRefused):
        actions.recycle(t, "21440109300015", "", "")


def test_rejected_situation_leads_to_a_corrective_one(chorus, integrated, company, admin_client):
    from chorusbat.situations.models import Situation

    t = integrated[1]  # not the latest: the corrective keeps the inputs and is validated at once
    chorus.set_invoice_status(t.chorus_invoice_id, "REJETEE", "Erreur de destinataire")
    sync_company(company.pk)
    page = admin_client.get(reverse("situations:detail", args=[t.situation.pk])).content.decode()
    assert "Erreur de destinataire" in page and 'id="corrective"' in page
    r = admin_client.post(reverse("gateway:corrective", args=[t.pk]), follow=True)
    corrective = Situation.objects.get(replaces=t.situation)
    assert corrective.number not in {x.situation.number for x in integrated}
    assert corrective.status == "validated"
    assert corrective.net_amount == t.situation.net_amount
    assert Situation.objects.get(pk=t.situation.pk).status == "rejected"
    t.refresh_from_db()
    assert t.rejection_acknowledged
    assert corrective.number in r.content.decode()
    # The corrective is sent like any other situation, with its new number.
    send([corrective])
    drain(chorus, until=all_integrated)
    assert [i["numeroFacture"] for i in chorus.invoices()].count(corrective.number) == 1


def test_latest_rejected_situation_gives_an_editable_draft(chorus, integrated, company, admin_user):
    from chorusbat.situations.services import create_corrective

    t = integrated[2]
    corrective = create_corrective(t.situation, admin_user)
    assert corrective.status == "draft" and corrective.period == t.situation.period


def test_rejected_situation_page_and_document_stay_available(chorus, integrated, company, admin_client, admin_user):
    from chorusbat.situations.services import create_corrective

    t = integrated[2]  # the latest: its corrective is a draft of the same period
    create_corrective(t.situation, admin_user)
    assert admin_client.get(reverse("situations:detail", args=[t.situation.pk])).status_code == 200
    r = admin_client.get(reverse("invoicing:download", args=[t.situation.pk]))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    # The market can go on: "new situation" leads to the corrective draft, not to the rejected one.
    r = admin_client.get(reverse("situations:create", args=[t.situation.market_id]))
    assert r.status_code == 302 and str(t.situation.corrective.pk) in r["Location"]


def test_a_cycle_that_fails_halfway_does_not_skip_changes(chorus, integrated, company):
    sync_company(company.pk)
    cursor_before = SyncCursor.objects.get(company=company).last_change_seen
    t = integrated[0]
    chorus.set_invoice_status(t.chorus_invoice_id, "SUSPENDUE", "Pièce manquante")
    chorus.set_faults([{"route": "/cpro/factures/v1/consulter/historique", "p500": 1.0}])
    report = sync_company(company.pk)
    assert report.skipped_reason and report.changed == 0
    assert SyncCursor.objects.get(company=company).last_change_seen == cursor_before
    chorus.clear_faults()
    assert sync_company(company.pk).changed == 1
    t.refresh_from_db()
    assert t.chorus_status == "SUSPENDUE"


def test_a_change_is_applied_once_even_by_two_cycles(chorus, integrated, company):
    from chorusbat.gateway.models import TransmissionEvent
    from chorusbat.gateway.sync import _apply

    sync_company(company.pk)
    t = Transmission.objects.get(pk=integrated[0].pk)
    stale = Transmission.objects.get(pk=t.pk)  # what a second, overlapping cycle read
    # SUSPENDUE: a status the sandbox clock never gives by itself (a slow drain may have moved the invoice on).
    assert _apply(t, "SUSPENDUE", None, "", []) is True
    assert _apply(stale, "SUSPENDUE", None, "", []) is False
    assert TransmissionEvent.objects.filter(transmission=t, kind="status",
                                            data__status="SUSPENDUE").count() == 1


def test_bad_ids_and_foreign_redirects_are_harmless(admin_client, integrated):
    r = admin_client.post(reverse("gateway:batch"), {"situation": ["²", "9" * 40, "abc"]})
    assert r.status_code == 302  # "select at least one validated situation", no 500
    r = admin_client.get(reverse("gateway:batch_progress") + "?t=²&t=" + "9" * 40)
    assert r.status_code == 200
    t = integrated[0]
    r = admin_client.post(reverse("gateway:acknowledge", args=[t.pk]), {"next": "/\\evil.example"})
    assert r.status_code == 302 and "evil" not in r["Location"]


def test_dashboard_chart_coordinates_are_plain_numbers(chorus, integrated, company, admin_client):
    import re

    for _ in range(12):
        chorus.advance(1)
        sync_company(company.pk)
    html = admin_client.get(reverse("gateway:dashboard")).content.decode()
    svg = html[html.index("<line", html.index('<svg id="chart"')):html.index("</svg>")]  # the drawing itself
    coordinates = re.findall(r'\b(?:x|y|width|height)="([^"]*)"', svg)
    assert coordinates and all(re.fullmatch(r"-?\d+(\.\d+)?", c) for c in coordinates), coordinates
    assert any(float(h) > 0 for h in re.findall(r'height="([^"]*)"', svg))  # the payments are drawn
