"""The stamp of a draft's preview: « APERÇU — NON VALIDÉE » across every page of the rendered PDF.

A draft is not an invoice, so its preview must not be mistaken for one once printed or forwarded. The readable
PDF of :func:`chorusbat.facturx.render_pdf` is left as it is and an overlay page is merged on top of each page
with pypdf: a banner in the top margin and a large, light diagonal text. The overlay is rendered once per text
by WeasyPrint with the fonts shipped in :mod:`chorusbat.facturx` (nothing else is fetched).
"""

from __future__ import annotations

import io
from functools import lru_cache

from django.utils.html import escape

from chorusbat.facturx.pdf_render import FONT_DIR

STAMP_HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><style>
@font-face {{ font-family: "Stamp"; src: url("{font}"); font-weight: bold; }}
@page {{ size: A4; margin: 0; }}
body {{ margin: 0; font-family: "Stamp"; font-weight: bold; color: #c00000; }}
.banner {{ position: absolute; top: 3mm; left: 12mm; right: 12mm; padding: 0.6mm; border: 0.8pt solid #c00000;
           background: #ffffff; text-align: center; font-size: 9pt; }}
.diagonal {{ position: absolute; top: 135mm; left: -30mm; width: 270mm; text-align: center; font-size: 40pt;
             transform: rotate(-52deg); color: rgba(192, 0, 0, 0.16); }}
</style></head>
<body><div class="banner">{text}</div><div class="diagonal">{text}</div></body></html>
"""


@lru_cache(maxsize=8)
def _stamp_pdf(text: str) -> bytes:
    """A one-page A4 PDF holding only the stamp (rendered once per text and process)."""
    from weasyprint import HTML

    html = STAMP_HTML.format(font=(FONT_DIR / "DejaVuSans-Bold.ttf").as_uri(), text=escape(text))
    return HTML(string=html).write_pdf()


def stamp_preview(pdf: bytes, text: str) -> bytes:
    """Return ``pdf`` with ``text`` stamped over every page."""
    from pypdf import PdfReader, PdfWriter

    stamp = PdfReader(io.BytesIO(_stamp_pdf(text))).pages[0]
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    for page in writer.pages:
        page.merge_page(stamp, over=True)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
