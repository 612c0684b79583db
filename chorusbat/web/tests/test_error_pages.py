"""French error pages in every mode, no traceback anywhere unless CHORUSBAT_DEBUG=1 (issue 13, item 9)."""

from __future__ import annotations

import logging
import os
import secrets
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def french_page(response, status: int, title: str) -> str:
    assert response.status_code == status
    html = response.content.decode()
    assert title in html
    assert "Traceback" not in html and "settings" not in html.lower()
    return html


def test_404(admin_client):
    french_page(admin_client.get("/n-existe-pas/"), 404, "")


def test_403_for_a_member_on_an_administrator_page_and_no_traceback_in_the_log(member_client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = member_client.get(reverse("markets:create"))
    french_page(response, 403, "Accès refusé")
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records and all(r.exc_info is None and not r.exc_text for r in records)
    assert "Traceback" not in caplog.text


def test_405_is_a_french_page_that_keeps_the_allow_header(admin_client):
    response = admin_client.get(reverse("gateway:send_one", args=[1]))
    french_page(response, 405, "Action non autorisée")
    assert response["Allow"] == "POST"


def test_400_for_a_bad_host(client):
    french_page(client.get("/connexion/", HTTP_HOST="mauvais.example"), 400, "Requête incorrecte")


def test_403_for_a_missing_csrf_token(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    french_page(client.post(reverse("markets:create"), {}), 403, "Formulaire expiré")


def test_500_is_french_and_shows_no_traceback(admin_client, monkeypatch):
    from chorusbat.markets import views

    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(views, "Paginator", broken)
    admin_client.raise_request_exception = False
    response = admin_client.get(reverse("markets:list"))
    html = french_page(response, 500, "Erreur du serveur")
    assert "secret internal detail" not in html


def settings_value(name: str, **env) -> str:
    base = {k: v for k, v in os.environ.items() if not k.startswith("CHORUSBAT_") and k != "DJANGO_SETTINGS_MODULE"}
    base.update(DJANGO_SETTINGS_MODULE="chorusbat.settings", **env)
    script = f"import django; django.setup(); from django.conf import settings; print(settings.{name})"
    return subprocess.run([sys.executable, "-c", script], env=base, capture_output=True, text=True, timeout=120,
                          check=True).stdout.strip()


def test_debug_is_off_in_development_unless_asked(tmp_path):
    assert settings_value("DEBUG", CHORUSBAT_DATA_DIR=str(tmp_path)) == "False"
    assert settings_value("DEBUG", CHORUSBAT_DATA_DIR=str(tmp_path), CHORUSBAT_DEBUG="1") == "True"


def test_make_run_serves_static_files_with_debug_off():
    from chorusbat.web.management.commands.up import Command

    processes = dict((name, command) for name, command, _url in Command().processes(
        {"port": 8000, "sandbox_port": 8100}))
    assert "--insecure" in processes["web"]


def test_production_passes_the_deployment_checks(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("CHORUSBAT_") and k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(DJANGO_SETTINGS_MODULE="chorusbat.settings", CHORUSBAT_DATA_DIR=str(tmp_path),
               CHORUSBAT_MODE="production", CHORUSBAT_SECRET_KEY=secrets.token_urlsafe(50),
               CHORUSBAT_ENCRYPTION_KEYS="mL5ByCkG8vEVOgmSM2V-6OZ3nDNyZkqTC-KkPLpE3p8=")
    done = subprocess.run([sys.executable, "-m", "chorusbat", "check", "--deploy", "--fail-level", "WARNING"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr + done.stdout
