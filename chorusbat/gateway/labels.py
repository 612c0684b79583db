"""French labels of Chorus Pro invoice statuses, for people (the codes themselves live in chorusbat.chorus.enums)."""

from django.utils.translation import gettext_lazy as _

STATUS_LABELS = {
    "DEPOSEE": _("Deposited"),
    "EN_COURS_ACHEMINEMENT": _("Being routed"),
    "MISE_A_DISPOSITION": _("Made available to the buyer"),
    "PRISE_EN_COMPTE_DESTINATAIRE": _("Taken into account by the buyer"),
    "SERVICE_FAIT": _("Service certified"),
    "SUSPENDUE": _("Suspended"),
    "COMPLETEE": _("Completed"),
    "A_RECYCLER": _("To be recycled"),
    "REJETEE": _("Rejected"),
    "MANDATEE": _("Payment ordered"),
    "MISE_EN_PAIEMENT": _("Payment made"),
    "COMPTABILISEE": _("Recorded in the accounts"),
    "MISE_A_DISPOSITION_COMPTABLE": _("Made available to the accountant"),
    "A_VALIDER_1": _("Waiting for validation"),
    "VALIDEE_1": _("Validated"),
    "REFUSEE_1": _("Refused by the validator"),
    "ERREUR_FOURNISSEUR_SUR_VALIDEUR": _("Wrong validator"),
    "MISE_A_DISPOSITION_MOE": _("Made available to the project manager"),
    "PRISE_EN_COMPTE_MOE": _("Taken into account by the project manager"),
    "TRANSMISE_MOA": _("Sent to the contracting authority"),
    "MISE_A_DISPOSITION_MOA": _("Made available to the contracting authority"),
    "PRISE_EN_COMPTE_MOA": _("Taken into account by the contracting authority"),
    "REFUSEE_MOE": _("Refused by the project manager"),
    "REFUSEE_MOA": _("Refused by the contracting authority"),
    "ABANDONNEE": _("Abandoned"),
    "SUPPRIMEE": _("Deleted"),
}


def status_label(code: str) -> str:
    return str(STATUS_LABELS.get(code, code))
