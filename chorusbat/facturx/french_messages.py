"""Every French text a user may read from this package, in one table.

The package is pure Python (no Django settings), so it cannot use Django's gettext. Messages are looked up
by an English key and formatted with ``str.format`` keyword arguments.
"""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    # Errors raised while building InvoiceData or the documents.
    "credit_note_without_original": (
        "La situation {number} a un total TTC négatif : c'est un avoir, qui doit citer la facture qu'il "
        "corrige (numéro et date), et aucune facture précédente n'est connue."
    ),
    "missing_iban": (
        "La facture {number} ne peut pas être émise sans l'IBAN du fournisseur (moyen de paiement virement)."
    ),
    "reverse_charge_with_vat": (
        "Le marché est en autoliquidation : la situation {number} ne doit porter aucune TVA "
        "(taux {rate} %, TVA {vat})."
    ),
    "inconsistent_total": (
        "Situation {number} : le montant {field} ({actual}) ne correspond pas au calcul ({expected})."
    ),
    "not_decimal": "Situation {number} : le montant {field} doit être un nombre décimal, reçu {value!r}.",
    "too_many_decimals": "Situation {number} : le montant {field} ({value}) a plus de 2 décimales.",
    "attachment_names": (
        "Facture {number} : deux pièces jointes portent le même nom (ou le nom réservé factur-x.xml) ; "
        "renommez-en une."
    ),
    "attachments_mismatch": "pièces jointes : {detail}",
    "final_recap_missing": (
        "Le projet de décompte final {number} doit rappeler le marché (récapitulatif), et seul un projet de "
        "décompte final le fait."
    ),
    "no_lines": "La situation {number} ne contient aucune ligne de marché.",
    "unknown_rate": "Situation {number} : la ligne {ref} a un taux de TVA ({rate} %) absent de la ventilation.",
    # Situation file reading.
    "situation_index": "Le fichier ne contient pas de situation n° {index}.",
    "situation_file_field": "Fichier de situations : champ manquant ou invalide « {field} » ({detail}).",
    "unreadable_file": "Impossible de lire le fichier de situations {path} : {detail}",
    "engine_rejected": "Le fichier de situations {path} est invalide :\n{detail}",
    # Validation gate.
    "validator_unavailable": "Le contrôle « {check} » n'a pas pu s'exécuter : {detail}",
    "xsd_failed": "Le XML n'est pas conforme au schéma XSD Factur-X EN 16931 : {detail}",
    "not_facturx_pdf": "Le PDF ne contient pas de fichier factur-x.xml exploitable : {detail}",
    "consistency": "{term} : le XML porte {actual}, le calcul de la situation donne {expected}.",
    "pdfa_metadata": "Les métadonnées du PDF ne déclarent pas PDF/A-3B ({detail}).",
    "gate_failed": "La facture {number} n'a pas passé les contrôles ({count} erreur(s)) :\n{details}",
    # CLI.
    "cli_written": "{number} : {pdf} et {xml} écrits, contrôles passés.",
    "cli_failed": "{number} : contrôles échoués, document non écrit.",
    "cli_summary_ok": "{count} facture(s) Factur-X produite(s) dans {out_dir}.",
    "cli_summary_failed": "{failed} facture(s) sur {count} n'ont pas passé les contrôles.",
    # Texts printed on the documents.
    "late_payment_rate": (
        "taux d'intérêt de la Banque centrale européenne à ses opérations principales de refinancement "
        "en vigueur au premier jour du semestre, majoré de 8 points (art. R. 2192-31 du code de la "
        "commande publique)"
    ),
    "note_late_penalties": "Pénalités de retard : {rate}.",
    "note_recovery_indemnity": (
        "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : {amount}."
    ),
    "note_no_discount": "Pas d'escompte pour paiement anticipé.",
    "note_vat_on_debits": "TVA acquittée sur les débits (option pour le paiement de la taxe d'après les débits).",
    "attachment_description": "Pièce jointe à la facture {number}",
    "note_reverse_charge": "Autoliquidation : TVA due par le preneur (art. 283-2 nonies du CGI).",
    "note_deductions": "Déductions (état d'acompte) : {items}. Net à payer : {net}.",
    "deduction_penalty": "pénalité « {label} » {amount}",
    "deduction_advance_recovered": "remboursement de l'avance {amount}",
    "deduction_retention": "retenue de garantie {amount}",
    "deduction_advance_paid": "avance versée (à ajouter) {amount}",
    "payment_terms": "Paiement à {days} jours, soit au plus tard le {due_date}, par virement.",
    "payment_terms_credit_note": "Avoir sur la facture {original} ; aucun paiement à effectuer par l'acheteur.",
    "revision_line": "Révision de prix, coefficient {coefficient}",
    "revision_line_description": "Révision des prix sur l'acompte au taux de TVA {rate} %.",
    "line_description_forfait": "Avancement cumulé {progress} % (ligne au forfait, {unit}).",
    "line_description_unitaire": "Quantité cumulée {progress} {unit} au prix unitaire de {price}.",
    "line_no_progress": "Aucun avancement sur la période.",
    # The projet de décompte final (situation-rules.md §6).
    "final_title": "Projet de décompte final",
    "note_final": (
        "Projet de décompte final du marché {market} : dernière situation, aux quantités et avancements définitifs. "
        "Marché : {initial} HT initial, {amendments} HT d'avenants, {current} HT actuel. Acomptes cumulés "
        "(a + d) : {acomptes_ht} HT, {acomptes_ttc} TTC. Avance de {advance} : {advance_paid} versée avec les "
        "situations, {advance_recovered} remboursée. Retenue de garantie retenue : {retention}, libérée au "
        "décompte général définitif / à la fin du délai de garantie."
    ),
    "final_retention_release": (
        "La retenue de garantie retenue ({retention}) n'est pas libérée par ce document : elle l'est au décompte "
        "général définitif (DGD) ou à la fin du délai de garantie."
    ),
}


def message(key: str, **values: object) -> str:
    """Return the French message ``key`` with ``values`` filled in."""
    return MESSAGES[key].format(**values)
