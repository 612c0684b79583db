"""The qualification probe of a company's platform, stored per subscription (issue 11 item 8).

``probe_company`` runs the READ-ONLY sequence of ``chorusbat.chorus.probe`` with the company's own credentials
on its configured platform, stores a :class:`~chorusbat.gateway.models.ChorusProbe` (date, platform, works API
confirmed yes/no, what answered) and, when the works API is confirmed, lets the works transmissions held for
want of a probe go on.
"""

from __future__ import annotations

from dataclasses import dataclass

from chorusbat.accounts.chorus_access import CallsHeld, client_for
from chorusbat.accounts.models import ChorusSubscription, Company
from chorusbat.chorus.probe import ProbeReport, format_report, run_probe
from chorusbat.gateway.models import ChorusProbe
from chorusbat.gateway.services import resume_held


class ProbeImpossible(Exception):
    """No probe can run for this company; ``str()`` is the French reason."""


@dataclass
class ProbeOutcome:
    probe: ChorusProbe
    report: ProbeReport
    text: str  # the French report


def probe_company(company: Company, *, buyer_siret: str | None = None) -> ProbeOutcome:
    subscription = ChorusSubscription.objects.filter(company=company).first()
    if subscription is None:
        raise ProbeImpossible("Cette entreprise n'a pas d'abonnement Chorus Pro : renseignez-le dans Mon compte.")
    if buyer_siret is None:
        buyer_siret = company.markets.exclude(buyer_siret="").values_list("buyer_siret", flat=True).first()
    try:
        client = client_for(subscription, interactive=True)
    except CallsHeld as held:
        raise ProbeImpossible(str(held)) from None
    with client:
        report = run_probe(client, siret=company.siret, buyer_siret=buyer_siret)
    probe = ChorusProbe.objects.create(subscription=subscription, environment=subscription.environment,
                                       works_api_confirmed=report.works_api_confirmed, report=report.as_dict())
    if report.works_api_confirmed:
        resume_held(company.pk)
    text = format_report(report, company=f"{company} ({company.siret})",
                         environment=subscription.get_environment_display())
    return ProbeOutcome(probe, report, text)
