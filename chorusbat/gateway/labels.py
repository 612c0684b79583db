"""French labels of Chorus Pro invoice statuses, for people: one per ``InvoiceStatus`` member, in the Swagger's order.

The codes themselves live in :mod:`chorusbat.chorus.enums`; a test checks that every member has a French label. The
meaning of the works statuses and of a few others is only inferable from their names (chorus-pro-api.md §13.1).
"""

from django.utils.translation import gettext_lazy as _

from chorusbat.chorus.enums import InvoiceStatus

STATUS_LABELS = {
    InvoiceStatus.BROUILLON: _("Draft"),
    InvoiceStatus.A_VALIDER_1: _("Waiting for validation"),
    InvoiceStatus.ERREUR_FOURNISSEUR_SUR_VALIDEUR: _("Wrong validator"),
    InvoiceStatus.REFUSEE_1: _("Refused by the validator"),
    InvoiceStatus.VALIDEE_1: _("Validated"),
    InvoiceStatus.ABSENCE_VALIDATION_1_HORS_DELAI: _("Not validated in time by the validator"),
    InvoiceStatus.A_VALIDER_2: _("Waiting for the second validation"),
    InvoiceStatus.ERREUR_COTRAITANT_SUR_VALIDEUR: _("Wrong validator named by the co-contractor"),
    InvoiceStatus.REFUSEE_2: _("Refused by the second validator"),
    InvoiceStatus.VALIDEE_2: _("Validated by the second validator"),
    InvoiceStatus.ABSENCE_VALIDATION_2_HORS_DELAI: _("Not validated in time by the second validator"),
    InvoiceStatus.DEPOSEE: _("Deposited"),
    InvoiceStatus.ERREUR_FOURNISSEUR_SUR_MOE: _("Wrong project manager named"),
    InvoiceStatus.EN_COURS_ACHEMINEMENT: _("Being routed"),
    InvoiceStatus.MISE_A_DISPOSITION: _("Made available to the buyer"),
    InvoiceStatus.A_RECYCLER: _("To be recycled"),
    InvoiceStatus.SUSPENDUE: _("Suspended"),
    InvoiceStatus.REJETEE: _("Rejected"),
    InvoiceStatus.MANDATEE: _("Payment ordered"),
    InvoiceStatus.MISE_EN_PAIEMENT: _("Payment made"),
    InvoiceStatus.COMPTABILISEE: _("Recorded in the accounts"),
    InvoiceStatus.MISE_A_DISPOSITION_COMPTABLE: _("Made available to the accountant"),
    InvoiceStatus.ABANDONNEE: _("Abandoned"),
    InvoiceStatus.SUPPRIMEE: _("Deleted"),
    InvoiceStatus.ASSOCIEE: _("Associated"),
    InvoiceStatus.EN_COURS_TRAITEMENT_PIVOT_S: _("Being processed by Chorus Pro"),
    InvoiceStatus.A_VALIDER_MOE: _("Waiting for the project manager's validation"),
    InvoiceStatus.REFUSEE_MOE: _("Refused by the project manager"),
    InvoiceStatus.EN_ATTENTE_RECYCLAGE_FOURNISSEUR: _("Waiting for the supplier to recycle it"),
    InvoiceStatus.ERREUR_MOE_SUR_FOURNISSEUR: _("Error of the project manager about the supplier"),
    InvoiceStatus.ERREUR_MOA_SUR_FOURNISSEUR: _("Error of the contracting authority about the supplier"),
    InvoiceStatus.INTERPRETEE_OCR: _("Read by OCR, to submit"),
    InvoiceStatus.COMPLETEE: _("Completed"),
    InvoiceStatus.ERREUR_FOURNISSEUR_SUR_MOA: _("Wrong contracting authority named"),
    InvoiceStatus.ERREUR_MOE_SUR_MOA: _("Error of the project manager about the contracting authority"),
    InvoiceStatus.ERREUR_DESTINATAIRE_PD: _("Recipient error on the payment request"),
    InvoiceStatus.ERREUR_DESTINATAIRE_EA: _("Recipient error on the progress statement"),
    InvoiceStatus.SERVICE_FAIT: _("Service certified"),
    InvoiceStatus.NON_CONFORME: _("Not compliant"),
    InvoiceStatus.A_ASSOCIER_MOE: _("To be associated by the project manager"),
    InvoiceStatus.ERREUR_DE_MOE: _("Project manager error"),
    InvoiceStatus.MISE_A_DISPOSITION_MOE: _("Made available to the project manager"),
    InvoiceStatus.PRISE_EN_COMPTE_MOE: _("Taken into account by the project manager"),
    InvoiceStatus.A_ASSOCIER_MOA: _("To be associated by the contracting authority"),
    InvoiceStatus.ERREUR_DE_MOA: _("Contracting authority error"),
    InvoiceStatus.REFUSEE_MOA: _("Refused by the contracting authority"),
    InvoiceStatus.A_ASSOCIER_FOURNISSEUR: _("To be associated by the supplier"),
    InvoiceStatus.REFUSEE_FOURNISSEUR: _("Refused by the supplier"),
    InvoiceStatus.A_COMPLETER: _("To be completed"),
    InvoiceStatus.TRANSMISE_MOA: _("Sent to the contracting authority"),
    InvoiceStatus.PRISE_EN_COMPTE_DESTINATAIRE: _("Taken into account by the buyer"),
    InvoiceStatus.REMPLACEE_PAR_A22: _("Replaced by a tacit general statement (A22)"),
    InvoiceStatus.DUPLIQUE_APRES_REFUS: _("Duplicated after a refusal"),
    InvoiceStatus.MISE_A_DISPOSITION_MOA: _("Made available to the contracting authority"),
    InvoiceStatus.PRISE_EN_COMPTE_MOA: _("Taken into account by the contracting authority"),
    InvoiceStatus.TECHNIQUE_INCONNU: _("Unknown technical status"),
}


def status_label(code: str) -> str:
    """The French label of a status code; an unknown code (Chorus Pro adds some without notice) is shown as is."""
    try:
        return str(STATUS_LABELS[InvoiceStatus(code)])
    except ValueError:
        return code
