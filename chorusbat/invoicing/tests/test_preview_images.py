"""Every demo situation's "Aperçu PDF", turned into PNG images a person can look at.

The images land in ``test-results/document-previews/`` (git-ignored), one per page, named after the situation:
open them after a change of the template (``chorusbat/facturx/templates/situation.typ``). The test also checks
what a machine can: every page is rasterised by poppler's ``pdftoppm`` (Debian ``poppler-utils``) as an A4 page.
"""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
from pathlib import Path

from pypdf import PdfReader

from chorusbat.invoicing.services import preview_pdf
from chorusbat.situations.demo import create_demo_markets
from chorusbat.situations.models import Situation

OUT_DIR = Path(__file__).resolve().parents[3] / "test-results" / "document-previews"
DPI = 60


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_preview_of_each_demo_situation_renders_to_png(company, admin_user):
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm is missing: install Debian's poppler-utils (see DEBIAN_TEST_PACKAGES in the Makefile)"
    create_demo_markets(company, admin_user)
    situations = list(Situation.objects.select_related("market", "company").order_by("number"))
    assert len(situations) == 5 and {s.status for s in situations} == {"draft", "validated"}
    OUT_DIR.mkdir(parents=True, exist_ok=True)

    for situation in situations:
        pdf = preview_pdf(situation)
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        stem = f"{situation.number}-{situation.status}"
        for old in OUT_DIR.glob(f"{stem}-*.png"):
            old.unlink()
        (OUT_DIR / f"{stem}.pdf").write_bytes(pdf)
        subprocess.run([pdftoppm, "-r", str(DPI), "-png", str(OUT_DIR / f"{stem}.pdf"), str(OUT_DIR / stem)],
                       check=True, timeout=120, capture_output=True)
        images = sorted(OUT_DIR.glob(f"{stem}-*.png"))
        assert len(images) == pages >= 1
        for image in images:
            width, height = png_size(image.read_bytes())
            assert abs(width - 210 / 25.4 * DPI) <= 1 and abs(height - 297 / 25.4 * DPI) <= 1  # A4 portrait
