import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from chorusbat import crypto
from chorusbat.accounts.models import ChorusSubscription


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
    call_command("rotate_encryption_keys")
    sub.refresh_from_db()
    settings.ENCRYPTION_KEYS = [new]  # the old key is gone: the secret must still be readable
    assert sub.get_password() == "rotate-me"
    settings.ENCRYPTION_KEYS = [old]
    with pytest.raises(crypto.SecretUnreadable):
        sub.get_password()
