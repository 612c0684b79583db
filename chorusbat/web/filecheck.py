"""Checks on the files users upload: the company logo and the attachments of a situation.

A file is accepted only when its bytes are what its name says (type sniffing, then a real decoder: Pillow for
PNG/JPEG with a bounded pixel count, pypdf for PDF, lxml without entities or network for SVG) and it carries no
active content: no executable or script markers, no SVG script / foreignObject / event attribute / external
reference, no PDF JavaScript, launch, submit or embedded-file action. Every refusal is a :class:`FileRefused`
whose message is French, for the user. Pure module: no Django models, no I/O.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass

from django.utils.translation import gettext as _

PNG, JPEG, PDF, SVG = "image/png", "image/jpeg", "application/pdf", "image/svg+xml"
EXTENSIONS = {"png": PNG, "jpg": JPEG, "jpeg": JPEG, "pdf": PDF, "svg": SVG}
EXTENSION_OF = {PNG: "png", JPEG: "jpg", PDF: "pdf", SVG: "svg"}
LABELS = {PNG: "PNG", JPEG: "JPEG", PDF: "PDF", SVG: "SVG"}

LOGO_TYPES = (PNG, JPEG, SVG)
LOGO_MAX_BYTES = 512 * 1024
LOGO_MAX_PIXELS = 4_000_000  # e.g. 2000 × 2000
ATTACHMENT_TYPES = (PDF, JPEG, PNG)
ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024  # below Chorus Pro's 10 MB per file, and the whole invoice stays light
ATTACHMENT_MAX_PIXELS = 40_000_000  # a 40-megapixel site photo

# Markers of script or executable content that have no business in an image or a PDF.
_ACTIVE_MARKERS = re.compile(rb"<\s*script|<\?php|<\s*html|<\s*iframe|javascript:|vbscript:", re.IGNORECASE)
_EXECUTABLE_STARTS = (b"MZ", b"\x7fELF", b"#!", b"PK\x03\x04", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")
# PDF names that run something, reach out, or hide files.
_PDF_FORBIDDEN_KEYS = {"/JS", "/JavaScript", "/AA", "/Launch", "/EmbeddedFiles", "/RichMedia", "/XFA"}
_PDF_FORBIDDEN_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE", "/GoToR",
                          "/Rendition", "/Sound", "/Movie"}
_PDF_RAW_FORBIDDEN = re.compile(rb"/(JavaScript|JS|Launch|AA|EmbeddedFiles|RichMedia|XFA)\b")
_SVG_NS = "http://www.w3.org/2000/svg"
_SVG_FORBIDDEN_TAGS = {"script", "foreignobject", "iframe", "embed", "object", "handler", "listener", "audio",
                       "video", "a"}


class FileRefused(ValueError):
    """The file is refused; ``str(error)`` is French, for the user."""


@dataclass(frozen=True)
class CheckedFile:
    data: bytes
    mime: str
    width: int | None = None
    height: int | None = None

    @property
    def extension(self) -> str:
        return EXTENSION_OF[self.mime]


def sniff(data: bytes) -> str | None:
    """The type the bytes really are (PNG, JPEG, PDF, SVG), or ``None``."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data[:1024].lstrip().startswith(b"%PDF-") and data.startswith(b"%PDF-"):
        return PDF
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if (head.startswith(b"<?xml") or head.startswith(b"<svg") or head.startswith(b"<!--")) and b"<svg" in head:
        return SVG
    return None


def _declared_type(filename: str, content_type: str | None, allowed: tuple[str, ...]) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    declared = EXTENSIONS.get(extension)
    kinds = ", ".join(LABELS[t] for t in allowed)
    if declared not in allowed:
        raise FileRefused(_("Only these file types are accepted: %(kinds)s. “%(name)s” is not one of them.")
                          % {"kinds": kinds, "name": filename})
    given = (content_type or "").split(";")[0].strip().lower()
    if given == "image/jpg":
        given = JPEG
    if given and given not in ("application/octet-stream", declared):
        raise FileRefused(_("“%(name)s” was sent as %(given)s, which does not match its name.")
                          % {"name": filename, "given": given})
    return declared


def _check_no_active_markers(data: bytes, filename: str) -> None:
    if data.startswith(_EXECUTABLE_STARTS) or _ACTIVE_MARKERS.search(data):
        raise FileRefused(_("“%(name)s” contains program or script code: it is refused.") % {"name": filename})


def check_raster(data: bytes, mime: str, filename: str, max_pixels: int) -> CheckedFile:
    """Decode the whole image with Pillow: it must be ``mime`` and at most ``max_pixels`` pixels."""
    from PIL import Image

    expected = {PNG: "PNG", JPEG: "JPEG"}[mime]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != expected:
                    raise FileRefused(_("“%(name)s” is not a valid %(kind)s image.")
                                      % {"name": filename, "kind": LABELS[mime]})
                width, height = image.size
                if width < 1 or height < 1 or width * height > max_pixels:
                    raise FileRefused(
                        _("“%(name)s” is too large an image (%(width)d × %(height)d pixels; at most %(max)s "
                          "million pixels).") % {"name": filename, "width": width, "height": height,
                                                 "max": f"{max_pixels / 1_000_000:g}".replace(".", ",")})
                image.load()  # decode every pixel: a truncated or forged file fails here
    except FileRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise FileRefused(_("“%(name)s” is too large an image.") % {"name": filename}) from None
    except Exception:
        raise FileRefused(_("“%(name)s” is not a valid %(kind)s image: it cannot be read.")
                          % {"name": filename, "kind": LABELS[mime]}) from None
    return CheckedFile(data, mime, width, height)


def check_svg(data: bytes, filename: str) -> CheckedFile:
    """A plain SVG drawing: no DTD or entities, no script, foreignObject, event attribute or external reference."""
    from lxml import etree

    refused = FileRefused(_("“%(name)s” is refused: an SVG logo may not contain scripts, event attributes, "
                            "embedded HTML or references to other files.") % {"name": filename})
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_comments=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        raise FileRefused(_("“%(name)s” is not a valid SVG file.") % {"name": filename}) from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None or root.tag != f"{{{_SVG_NS}}}svg":
        raise refused
    outside = list(root.itersiblings(preceding=True)) + list(root.itersiblings())
    if any(not isinstance(node, etree._Comment) for node in outside):  # <?xml-stylesheet …?> and the like
        raise refused
    for node in root.iter():
        if not isinstance(node.tag, str):  # processing instruction (xml-stylesheet…) or entity
            if isinstance(node, etree._Comment):
                continue
            raise refused
        local = etree.QName(node).localname.lower()
        if local in _SVG_FORBIDDEN_TAGS or etree.QName(node).namespace not in (_SVG_NS, None):
            raise refused
        texts = [node.text or ""] + list(node.attrib.values())
        for name, value in node.attrib.items():
            attribute = etree.QName(name).localname.lower()
            if attribute.startswith("on"):
                raise refused
            if attribute in ("href", "src") and not value.strip().startswith("#"):
                raise refused
        for text in texts:
            lowered = text.lower()
            if "@import" in lowered or "javascript:" in lowered or "expression(" in lowered:
                raise refused
            for target in re.findall(r"url\(\s*['\"]?\s*([^)'\"\s]*)", lowered):
                if not target.startswith("#"):
                    raise refused
    return CheckedFile(data, SVG)


def _pdf_walk(reader) -> None:
    """Visit every object reachable from the trailer; raise on an active key or action."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    seen: set[tuple[int, int]] = set()
    pending = [reader.trailer]
    visited = 0
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        visited += 1
        if visited > 200_000:
            raise ValueError("too many objects")
        if isinstance(item, DictionaryObject):
            for name, value in item.items():
                if name in _PDF_FORBIDDEN_KEYS:
                    raise PermissionError(name)
                if name == "/S" and isinstance(value, NameObject) and value in _PDF_FORBIDDEN_ACTIONS:
                    raise PermissionError(value)
                if name not in ("/Parent", "/P"):
                    pending.append(value)
            if hasattr(item, "get_data") and item.get("/Subtype") in ("/JavaScript",):
                raise PermissionError("/JavaScript")
        elif isinstance(item, ArrayObject):
            pending.extend(item)


def check_pdf(data: bytes, filename: str) -> CheckedFile:
    """A readable, unencrypted PDF without JavaScript, launch/submit/URI actions or embedded files."""
    from pypdf import PdfReader

    refused = FileRefused(_("“%(name)s” is refused: a PDF attachment may not contain JavaScript, actions that "
                            "open programs or send data, or embedded files.") % {"name": filename})
    if _PDF_RAW_FORBIDDEN.search(data):
        raise refused
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise FileRefused(_("“%(name)s” is a password-protected PDF: it is refused.") % {"name": filename})
        if len(reader.pages) < 1:
            raise ValueError("no page")
        _pdf_walk(reader)
    except FileRefused:
        raise
    except PermissionError:
        raise refused from None
    except Exception:
        raise FileRefused(_("“%(name)s” is not a valid PDF file: it cannot be read.")
                          % {"name": filename}) from None
    return CheckedFile(data, PDF)


def _check(data: bytes, filename: str, content_type: str | None, allowed: tuple[str, ...], max_bytes: int,
           max_pixels: int) -> CheckedFile:
    if not data:
        raise FileRefused(_("“%(name)s” is empty.") % {"name": filename})
    if len(data) > max_bytes:
        raise FileRefused(_("“%(name)s” is too big (%(size)s; at most %(max)s).")
                          % {"name": filename, "size": size_label(len(data)), "max": size_label(max_bytes)})
    declared = _declared_type(filename, content_type, allowed)
    actual = sniff(data)
    if actual != declared:
        raise FileRefused(_("The content of “%(name)s” is not a %(kind)s file, whatever its name says.")
                          % {"name": filename, "kind": LABELS[declared]})
    if declared == SVG:
        return check_svg(data, filename)
    _check_no_active_markers(data, filename)
    if declared == PDF:
        return check_pdf(data, filename)
    return check_raster(data, declared, filename, max_pixels)


def check_logo(data: bytes, filename: str, content_type: str | None = None) -> CheckedFile:
    """A company logo: PNG, JPEG or SVG, at most :data:`LOGO_MAX_BYTES`, checked as described above."""
    return _check(data, filename, content_type, LOGO_TYPES, LOGO_MAX_BYTES, LOGO_MAX_PIXELS)


def check_attachment(data: bytes, filename: str, content_type: str | None = None) -> CheckedFile:
    """A situation's attachment: PDF, JPEG or PNG, at most :data:`ATTACHMENT_MAX_BYTES`."""
    return _check(data, filename, content_type, ATTACHMENT_TYPES, ATTACHMENT_MAX_BYTES, ATTACHMENT_MAX_PIXELS)


def size_label(size: int) -> str:
    """``1,5 Mo``, ``320 ko``: a size as a French reader expects it."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} Mo".replace(".", ",").replace(",0 Mo", " Mo")
    return f"{max(1, round(size / 1024))} ko"
