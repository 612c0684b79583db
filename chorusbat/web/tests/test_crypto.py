import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from chorusbat import crypto
from chorusbat.accounts.models import ChorusSubscription

# Kept far from the code that fails, so that no source line shown by the error report contains them.
SECRET_PASSWORD = "Leak-Me-1"
SECRET_DB_URL = "postgres://u:Db-Secret-2@127.0.0.1/x"
SECRET_HEADER = "VEVDSDpMZWFrLU1lLTE="


def test_round_trip_and_ciphertext_hides_the_secret():
    token = crypto.encrypt("mot-de-passe")
    assert "mot-de-passe" not in token
    assert crypto.decrypt(token) == "mot-de-passe"


def test_tampered_ciphertext_is_refused():
    token = crypto.encrypt("mot-de-passe")
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(crypto.SecretUnreadable) as e:
        crypto.decrypt(tampered)
    assert "mot-de-passe" not in str(e.value)


def test_key_rotation(settings, company):
    old = settings.ENCRYPTION_KEYS[0]
    sub = ChorusSubscription(company=company, siret=company.siret, referent_email="a@example.fr",
                             technical_login="TECH_1_73282932000074@cpro.fr")
    sub.set_password("rotate-me")
    sub.save()
    new = Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [new, old]
    call_command("rotate_encryption_keys")  # the old name of rotate-encryption-keys, kept as an alias
    sub.refresh_from_db()
    settings.ENCRYPTION_KEYS = [new]  # the old key is gone: the secret must still be readable
    assert sub.get_password() == "rotate-me"
    settings.ENCRYPTION_KEYS = [old]
    with pytest.raises(crypto.SecretUnreadable):
        sub.get_password()



def _fail_inside_encrypt(monkeypatch):
    def broken():
        raise RuntimeError("keys unreadable")

    monkeypatch.setattr(crypto, "_current", broken)


def _report_of_a_failing_save(request):
    """The debug report of an error raised inside crypto.encrypt while saving the posted password."""
    import sys

    from django.views.debug import ExceptionReporter

    try:
        crypto.encrypt(request.POST["password"])
    except RuntimeError:
        return ExceptionReporter(request, *sys.exc_info()).get_traceback_html()


def test_error_reports_hide_secrets(rf, settings, monkeypatch):
    settings.DEBUG = True
    _fail_inside_encrypt(monkeypatch)
    request = rf.post("/compte/abonnement-chorus-pro/", {"password": SECRET_PASSWORD,
                                                         "password_confirm": SECRET_PASSWORD})
    request.sensitive_post_parameters = ["password", "password_confirm", "piste_client_secret"]
    request.META["DATABASE_URL"] = SECRET_DB_URL
    request.META["HTTP_CPRO_ACCOUNT"] = SECRET_HEADER
    html = _report_of_a_failing_save(request)
    assert "crypto.py" in html  # the report does show the frame where it failed…
    for secret in (SECRET_PASSWORD, "Db-Secret-2", SECRET_HEADER):  # …but none of the secrets
        assert secret not in html


def test_every_encrypted_field_is_rotated(settings, company):
    """Each ``EncryptedTextField`` of every model (found by class, so a new one cannot be forgotten) is readable
    with the new key alone after the documented rotation."""
    from chorusbat.accounts.models import ChorusSubscription

    fields = crypto.encrypted_fields()
    names = {(model.__name__, field.name) for model, field in fields}
    assert {("ChorusSubscription", "password_encrypted"),
            ("ChorusSubscription", "piste_client_secret_encrypted")} <= names
    old = settings.ENCRYPTION_KEYS[0]
    sub = ChorusSubscription(company=company, siret=company.siret, referent_email="a@example.fr",
                             technical_login="TECH_1_73282932000074@cpro.fr", piste_client_id="own-app")
    sub.set_password("rotate-me")
    sub.set_piste_secret("piste-secret")
    sub.save()
    from chorusbat.api.models import WebhookEndpoint

    endpoint = WebhookEndpoint(company=company, url="https://erp.example/hooks", events=["invoice.integrated"])
    endpoint.set_secret("whsec_rotate-me")
    endpoint.save()
    rows = {ChorusSubscription: sub, WebhookEndpoint: endpoint}
    # Any other model with an encrypted column gets a row too, so that the test covers it when it appears.
    for model, _field in fields:
        assert model in rows, f"add a row of {model.__name__} to this test"
    new = Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [new, old]
    call_command("rotate-encryption-keys")
    settings.ENCRYPTION_KEYS = [new]
    for model, field in fields:
        row = rows[model]
        row.refresh_from_db()
        assert crypto.decrypt(getattr(row, field.attname))  # readable with the new key only
    assert (sub.get_password(), sub.get_piste_secret()) == ("rotate-me", "piste-secret")
    assert endpoint.get_secret() == "whsec_rotate-me"
