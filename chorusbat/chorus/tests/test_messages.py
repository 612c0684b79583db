"""The French messages for Chorus Pro codes and wordings (chorus-pro-api.md §14)."""

from __future__ import annotations

import pytest

from chorusbat.chorus import errors, messages
from chorusbat.chorus.messages import GENERIC_BUSINESS, is_known, message_for

# Every code/label of §14.2 and every wording of §14.3.
DOCUMENTED_LABEL_CODES = ["TRA_MSG_00.015", "GFT_MSG_01.075", "GDP_MSG_11.022", "GDP_MSG_11.001"]
# Per operation: the annex defines codes per service (review U15).
DOCUMENTED_NUMERIC_CODES = [
    (None, 20000), (None, 20007), ("transverses/v1/ajouter/fichier", 20003), ("factures/v1/deposer/flux", 20001),
    *(("factures/v1/recycler", c) for c in range(20004, 20015)),
    *(("factures/v1/soumettre", c) for c in (20303, 20304, 20305)),
    *(("facturesTravaux/v1/soumettre", c) for c in (20003, 20004, 20005, 20042, 20064, 20065, 20127, 20128, 20129,
                                                    20131, 20132, 20133, 20134)),
]
DOCUMENTED_WORDINGS = [
    "Performing service is mandatory for this recipient",
    "Le service exécutant est obligatoire pour ce destinataire",
    "Recipient not located or inactive",
    "Le code service de la structure publique destinataire est inconnu ou inactif dans Chorus Pro",
    "Le numéro d'engagement juridique est obligatoire (BuyerReference)",
    "The legal commitment is mandatory",
    "L'identifiant fournisseur 12345678200051 n'est pas reference dans notre systeme",
    "The consistency checks performed on the payment request are not valid",
    "Header synthesis is not correct",
    "Attachment 28205 of unknown type does not exist",
]


@pytest.mark.parametrize("label", DOCUMENTED_LABEL_CODES)
def test_documented_label_codes_have_a_specific_message_naming_the_code(label):
    text = message_for(None, label)
    assert is_known(None, label)
    assert not text.startswith(GENERIC_BUSINESS)
    assert label in text


@pytest.mark.parametrize("operation, code", DOCUMENTED_NUMERIC_CODES)
def test_documented_numeric_codes_have_a_specific_message_naming_the_code(operation, code):
    text = message_for(code, "", operation)
    assert is_known(code, "", operation)
    assert not text.startswith(GENERIC_BUSINESS)
    assert f"code {code}" in text


def test_a_code_means_something_only_on_the_operation_that_defines_it():
    # 20131 is a soumettreFactureTravaux code: on a flux report it must not read as a works refusal (review B7).
    assert message_for(20131, "", "facturesTravaux/v1/soumettre").startswith("Chorus Pro a refusé le dépôt de la "
                                                                             "pièce de travaux")
    other = message_for(20131, "Numéro de flux de dépôt inconnu", "transverses/v1/consulterCRDetaille")
    assert "travaux" not in other and "« Numéro de flux de dépôt inconnu »" in other
    # 20003: attachment too large on ajouter/fichier, an unpublished works refusal on the works soumettre.
    assert "10 Mo" in message_for(20003, "", "transverses/v1/ajouter/fichier")
    assert "travaux" in message_for(20003, "", "facturesTravaux/v1/soumettre")
    assert not is_known(20127, "", "factures/v1/deposer/flux")


@pytest.mark.parametrize("wording", DOCUMENTED_WORDINGS)
def test_documented_wordings_have_a_specific_french_message(wording):
    text = message_for(20999, wording)
    assert is_known(20999, wording)
    assert not text.startswith(GENERIC_BUSINESS)
    assert "code 20999" in text


def test_label_code_followed_by_text_is_recognised():
    text = message_for(20101, "GDP_MSG_11.001 : le statut courant de la facture ne permet pas cette action")
    assert text.startswith("Le statut actuel de la facture")
    assert "20101 / GDP_MSG_11.001" in text


def test_service_or_ej_wording_is_not_confused_with_ej_only():
    text = message_for(20117, "Le code service ou le numéro d'engagement juridique est obligatoire")
    assert "code service exécutant ou un numéro d'engagement juridique" in text


def test_codes_of_unpublished_meaning_quote_chorus_label():
    text = message_for(20131, "Pièce précédente inconnue", "facturesTravaux/v1/soumettre")
    assert text.startswith("Chorus Pro a refusé le dépôt de la pièce de travaux")
    assert "« Pièce précédente inconnue »" in text and "code 20131" in text


def test_unknown_code_falls_back_to_generic_message_that_still_shows_code_and_label():
    text = message_for(42424, "Quelque chose d'inattendu")
    assert not is_known(42424, "Quelque chose d'inattendu")
    assert text.startswith(GENERIC_BUSINESS)
    assert "42424" in text and "Quelque chose d'inattendu" in text
    assert message_for(42424, None) == f"{GENERIC_BUSINESS} (code 42424)"
    assert message_for(None, "XYZ_MSG_99") == f"{GENERIC_BUSINESS} (code XYZ_MSG_99)"


def test_success_labels_are_not_error_labels():
    assert not messages.SUCCESS_LIBELLES & set(messages.LIBELLE_MESSAGES)


def test_every_error_class_has_a_french_user_message():
    samples = [
        errors.AuthenticationError(), errors.MissingApplication(), errors.EnvironmentRefused(),
        errors.TechnicalAccountRefused(), errors.PasswordExpired(), errors.NotSubscribed(),
        errors.BusinessError(20003, ""), errors.RequestRejected(http_status=404),
        errors.RequestRejected(http_status=413), errors.RequestRejected(http_status=415),
        errors.RequestRejected(http_status=400), errors.InvalidResponse(),
        errors.TransientError(maybe_delivered=False), errors.TransientError(maybe_delivered=True),
        errors.TransientError(maybe_delivered=False, http_status=429),
        errors.ChorusUnreachable(maybe_delivered=False), errors.ChorusUnreachable(maybe_delivered=False, timeout=True),
    ]
    texts = [e.user_message for e in samples]
    assert all(t and t[0].isupper() for t in texts)
    assert "HTTP 400" in errors.RequestRejected(http_status=400).user_message
    assert "peut-être été enregistrée" in errors.TransientError(maybe_delivered=True).user_message
    assert "expiré" in errors.PasswordExpired().user_message
    assert errors.BusinessError(20003, "").user_message == message_for(20003, "")
    refused = errors.BusinessError(20003, "", operation="transverses/v1/ajouter/fichier")
    assert refused.user_message == message_for(20003, "", "transverses/v1/ajouter/fichier")
    assert "travaux" in errors.WorksApiUnavailable("facturesTravaux/v1/soumettre", http_status=404).user_message
    assert "ou compte technique sans droits sur cette structure" in errors.NotSubscribed().user_message


def test_connection_messages_cover_every_outcome_with_an_action():
    from chorusbat.chorus.connection import ConnectionOutcome

    for outcome in ConnectionOutcome:
        message, action = messages.CONNECTION_MESSAGES[outcome.value]
        assert message and action
