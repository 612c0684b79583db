"""Every French catalogue is complete, and its committed .mo is what msgfmt makes of its .po."""

import shutil
import subprocess
from pathlib import Path

import pytest

APPS = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(APPS.glob("*/locale/fr/LC_MESSAGES/django.po"))


def test_every_app_with_templates_has_a_catalogue():
    names = {p.parts[-5] for p in CATALOGUES}
    assert {"accounts", "web", "markets", "situations", "invoicing", "gateway"} <= names


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="gettext is installed by `make test`")
@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-5])
def test_catalogue_complete_and_compiled(po, tmp_path):
    stats = subprocess.run(["msgfmt", "--check-format", "--statistics", "-o", str(tmp_path / "x.mo"), str(po)],
                           capture_output=True, text=True)
    assert stats.returncode == 0, stats.stderr
    assert "untranslated" not in stats.stderr and "fuzzy" not in stats.stderr, stats.stderr
    assert (tmp_path / "x.mo").read_bytes() == po.with_suffix(".mo").read_bytes(), "run msgfmt: the .mo is stale"
