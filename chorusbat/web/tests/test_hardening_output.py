"""Secrets never printed, and private files (issue 13, items 7 and 8)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_demo_prints_where_to_find_the_technical_password_not_the_password():
    from chorusbat.accounts.chorus_access import sandbox_credentials

    password = sandbox_credentials()["technical_accounts"][0]["password"]
    out = StringIO()
    call_command("demo", stdout=out)
    text = out.getvalue()
    assert password not in text
    assert "/_sim/" in text and "TECH_" in text


def test_diffsettings_masks_every_secret(settings):
    secrets = {"piste": "Piste-Secret-77", "key": "Secret-Key-88", "db": "Mail-Password-99"}
    settings.CHORUSBAT_PISTE_APPLICATIONS = {"production": {"client_id": "id", "client_secret": secrets["piste"]}}
    settings.SECRET_KEY = secrets["key"]
    settings.EMAIL_HOST_PASSWORD = secrets["db"]
    encryption_key = settings.ENCRYPTION_KEYS[0]
    for output in ("hash", "unified"):
        out = StringIO()
        call_command("diffsettings", "--output", output, stdout=out)
        text = out.getvalue()
        for secret in (*secrets.values(), encryption_key):
            assert secret not in text
        assert "SECRET_KEY" in text and "ENCRYPTION_KEYS" in text and "CHORUSBAT_PISTE_APPLICATIONS" in text


def test_the_data_directory_and_its_files_are_private(tmp_path):
    data_dir = tmp_path / "data"
    script = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "from django.core.mail import send_mail\n"
        "call_command('migrate', verbosity=0)\n"
        "send_mail('Objet', 'Corps', 'a@example.fr', ['b@example.fr'])\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "chorusbat.settings", "CHORUSBAT_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    env.pop("CHORUSBAT_ENCRYPTION_KEYS", None)
    env.pop("CHORUSBAT_SECRET_KEY", None)
    subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, check=True, timeout=300)

    def mode(path: Path) -> int:
        return stat.S_IMODE(path.stat().st_mode)

    assert mode(data_dir) == 0o700
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    dirs = [p for p in data_dir.rglob("*") if p.is_dir()]
    names = {p.name for p in files}
    assert {"chorusbat.sqlite3", "secret_key", "encryption_key"} <= names
    assert any(p.parent.name == "mails" for p in files)
    assert {str(p): oct(mode(p)) for p in files if mode(p) & 0o077} == {}
    assert {str(p): oct(mode(p)) for p in dirs if mode(p) & 0o077} == {}
