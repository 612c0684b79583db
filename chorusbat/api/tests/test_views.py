"""Mon compte › API et webhooks: keys created (shown once), listed and revoked by administrators only."""

import re

import pytest

from chorusbat.api.models import ApiKey

pytestmark = pytest.mark.django_db


def test_admin_creates_lists_and_revokes_a_key(admin_client, client, company):
    page = admin_client.get("/compte/")
    assert "/compte/api/" in page.content.decode()
    response = admin_client.post("/compte/api/cles/", {"name": "ERP Sage"})
    html = response.content.decode()
    assert response.status_code == 200 and "Copiez cette clé" in html
    raw = re.search(r'id="new-key-value">([^<]+)<', html).group(1)
    key = ApiKey.objects.get(company=company)
    assert key.name == "ERP Sage" and raw not in (key.key_hash, key.prefix) and raw.startswith(key.prefix)
    listing = admin_client.get("/compte/api/").content.decode()
    assert "ERP Sage" in listing and raw not in listing  # shown once
    assert client.get("/api/v1/markets", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    admin_client.post(f"/compte/api/cles/{key.pk}/revoquer/")
    assert client.get("/api/v1/markets", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert "révoquée le" in admin_client.get("/compte/api/").content.decode()


def test_calls_and_deliveries_are_shown(admin_client, company):
    from chorusbat.api.keys import create_key
    from chorusbat.api.webhooks import create_endpoint, emit

    _key, raw = create_key(company, "ERP")
    admin_client.get("/api/v1/markets", HTTP_AUTHORIZATION=f"Bearer {raw}")
    create_endpoint(company, "https://erp.example.fr/hooks", ["situation.validated"])
    emit(company.id, "situation.validated", "msg_test_1", {"id": 1})
    html = admin_client.get("/compte/api/").content.decode()
    assert "GET /api/v1/markets" in html and "msg_test_1" in html and "https://erp.example.fr/hooks" in html


def test_members_cannot(member_client):
    assert member_client.get("/compte/api/").status_code == 403
    assert member_client.post("/compte/api/cles/", {"name": "x"}).status_code == 403


def test_other_companies_keys_are_out_of_reach(admin_client, other_company):
    from chorusbat.api.keys import create_key

    other, _raw = create_key(other_company, "theirs")
    assert admin_client.post(f"/compte/api/cles/{other.pk}/revoquer/").status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None


def test_a_key_needs_a_name(admin_client, company):
    admin_client.post("/compte/api/cles/", {"name": "  "})
    assert not ApiKey.objects.exists()
