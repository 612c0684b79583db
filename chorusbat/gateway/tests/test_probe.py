"""`chorusbat chorus probe` against the sandbox process, and the hold of works pieces to production until a probe
confirmed the works API (issue 11 item 8)."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from chorusbat.chorus import assumptions
from chorusbat.chorus.messages import UNCONFIRMED_ASSUMPTIONS
from chorusbat.gateway.models import ChorusProbe

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

WRITES = ("soumettre", "deposer", "ajouter", "completer", "recycler", "traiter")


def test_probe_reports_in_french_and_stores_the_outcome(chorus, connected, company, demo_situations, capsys):
    before = chorus.requests()
    call_command("chorus", "probe", "--company", company.siret)
    out = capsys.readouterr().out
    assert "Sonde de qualification Chorus Pro" in out and "lecture seule" in out
    assert "Recherche de pièces de travaux (facturesTravaux/v1/rechercher) : a répondu — HTTP 200" in out
    assert "codeRetour 20007" in out and "GFT_MSG_01.075" in out  # no piece yet: "no result"
    assert "Recherche d'un acheteur" in out  # a market's buyer
    assert "API factures de travaux : confirmée" in out
    for key in assumptions.UNCONFIRMED:  # every UNCONFIRMED assumption, with what was observed
        assert UNCONFIRMED_ASSUMPTIONS[key] in out
    assert out.count("Observé :") == len(assumptions.UNCONFIRMED)
    probe = ChorusProbe.objects.get()
    assert probe.subscription == connected and probe.environment == connected.environment
    assert probe.works_api_confirmed and probe.report["steps"]
    # Read-only: nothing was written in Chorus Pro.
    new_calls = {p for p, n in chorus.requests().items() if n > before.get(p, 0)}
    assert new_calls and not any(w in p for p in new_calls for w in WRITES), new_calls
    assert not chorus.invoices()


def test_probe_sees_field_names_of_works_answers(chorus, connected, company, demo_situations, capsys):
    from chorusbat.gateway.services import send
    from chorusbat.gateway.tests.conftest import all_integrated, drain

    send(demo_situations)
    drain(chorus, until=all_integrated)
    call_command("chorus", "probe", "--company", company.siret)
    out = capsys.readouterr().out
    assert "idFactureTravaux" in out and "champ de statut présent : statut" in out
    assert "Historique d'une facture (paginé, trié par date) (factures/v1/consulter/historique) : a répondu" in out
    assert "l'historique répond à une demande paginée et triée" in out


def test_probe_without_works_api(chorus, connected, company, capsys):
    chorus.configure(works_api=False)
    try:
        call_command("chorus", "probe", "--company", company.siret)
    finally:
        chorus.configure(works_api=True)
    out = capsys.readouterr().out
    assert "HTTP 404" in out and "non disponible par API dans cet environnement" in out
    assert "API factures de travaux : NON confirmée" in out
    assert not ChorusProbe.objects.get().works_api_confirmed


def test_probe_bad_input(db, company):
    with pytest.raises(CommandError, match="introuvable"):
        call_command("chorus", "probe", "--company", "00000000000000")
    with pytest.raises(CommandError, match="abonnement"):
        call_command("chorus", "probe", "--company", company.siret)
    with pytest.raises(CommandError, match="14 chiffres"):
        call_command("chorus", "probe", "--company", company.siret, "--buyer", "12")


def test_works_to_production_wait_for_a_confirming_probe(connected, company, demo_situations, settings):
    from chorusbat.gateway.machine import _works_unprobed_reason
    from chorusbat.gateway.models import Transmission
    from chorusbat.gateway.routes import route_for

    a4 = next(s for s in demo_situations if s.market.framework == "A4")
    a1 = next(s for s in demo_situations if s.market.framework == "A1")
    works_t = Transmission.objects.create(situation=a4, company=company)
    flux_t = Transmission.objects.create(situation=a1, company=company)
    assert _works_unprobed_reason(works_t, route_for(a4.market)) is None  # the sandbox is not held
    connected.environment = "qualification"
    connected.save()
    assert _works_unprobed_reason(works_t, route_for(a4.market)) is None  # nor qualification
    connected.environment = "production"
    connected.save()
    reason = _works_unprobed_reason(works_t, route_for(a4.market))
    assert reason and "chorusbat chorus probe --company" in reason and "production" in reason
    assert _works_unprobed_reason(flux_t, route_for(a1.market)) is None  # only works pieces
    ChorusProbe.objects.create(subscription=connected, environment="qualification", works_api_confirmed=True)
    assert _works_unprobed_reason(works_t, route_for(a4.market))  # a probe of another platform does not count
    ChorusProbe.objects.create(subscription=connected, environment="production", works_api_confirmed=False)
    assert _works_unprobed_reason(works_t, route_for(a4.market))
    ChorusProbe.objects.create(subscription=connected, environment="production", works_api_confirmed=True)
    assert _works_unprobed_reason(works_t, route_for(a4.market)) is None
    ChorusProbe.objects.all().delete()
    settings.CHORUSBAT_WORKS_UNPROBED_ALLOWED = True
    assert _works_unprobed_reason(works_t, route_for(a4.market)) is None
