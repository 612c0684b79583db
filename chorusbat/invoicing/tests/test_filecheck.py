"""chorusbat.web.filecheck: the bytes must be what the name says, decodable, bounded, and inert."""

from __future__ import annotations

import io

import pytest
from django.utils import translation
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from chorusbat.web.filecheck import FileRefused, check_attachment, check_logo, sniff


def image(kind="PNG", size=(60, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 40)).save(out, kind)
    return out.getvalue()


def pdf(action: dict | None = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    if action is not None:
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject(action)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_good_files_pass_with_their_real_type():
    assert check_attachment(image("PNG"), "photo.png", "image/png").mime == "image/png"
    assert check_attachment(image("JPEG"), "photo.JPG", "image/jpeg").mime == "image/jpeg"
    assert check_attachment(pdf(), "PV réception.pdf", "application/pdf").mime == "application/pdf"
    checked = check_logo(image("PNG", (300, 100)), "logo.png")
    assert (checked.width, checked.height) == (300, 100)
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">' \
          b'<defs><linearGradient id="g"/></defs><rect width="10" height="10" fill="url(#g)"/></svg>'
    assert check_logo(svg, "logo.svg", "image/svg+xml").mime == "image/svg+xml"


@pytest.mark.parametrize("data, name, content_type, words", [
    (image("PNG"), "photo.jpg", "image/jpeg", "is not a JPEG"),  # the bytes must match the declared type
    (pdf(), "photo.png", "image/png", "is not a PNG"),
    (b"MZ\x90\x00" + b"\x00" * 100, "setup.pdf", "application/pdf", "is not a PDF"),
    (b"#!/bin/sh\nrm -rf /\n", "script.png", "image/png", "is not a PNG"),
    (image("PNG"), "photo.exe", "application/octet-stream", "Only these file types"),
    (image("PNG"), "photo.png", "application/pdf", "does not match its name"),
    (image("PNG") + b"<script>alert(1)</script>", "photo.png", "image/png", "script code"),
    (image("PNG")[:60], "truncated.png", "image/png", "cannot be read"),
    (b"%PDF-1.7\n garbage", "broken.pdf", "application/pdf", "cannot be read"),
    (b"", "empty.pdf", "application/pdf", "is empty"),
])
def test_wrong_or_active_files_are_refused_with_a_reason(data, name, content_type, words):
    with translation.override("en"):
        with pytest.raises(FileRefused) as refused:
            check_attachment(data, name, content_type)
    assert words in str(refused.value)


@pytest.mark.parametrize("action", [
    {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")},
    {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")},
    {NameObject("/S"): NameObject("/SubmitForm"), NameObject("/F"): TextStringObject("http://x")},
])
def test_pdf_with_javascript_or_launch_actions_is_refused(action):
    with pytest.raises(FileRefused, match="JavaScript"):
        check_attachment(pdf(action), "pv.pdf", "application/pdf")


def test_pdf_action_hidden_in_a_compressed_object_stream_is_found():
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")})
    writer.compress_identical_objects()
    out = io.BytesIO()
    writer.write(out)
    data = out.getvalue().replace(b"/JavaScript", b"/J#61vaScript").replace(b"/JS ", b"/J#53 ")
    with pytest.raises(FileRefused):
        check_attachment(data, "pv.pdf", "application/pdf")


def test_images_too_large_are_refused():
    with pytest.raises(FileRefused, match="image trop grande .2100 × 2000 pixels ; 4 millions de pixels au plus"):
        check_logo(image("PNG", (2100, 2000)), "logo.png")
    with pytest.raises(FileRefused, match="trop volumineux"):
        check_logo(b"\x89PNG\r\n\x1a\n" + b"\x00" * 600_000, "logo.png")


@pytest.mark.parametrize("svg", [
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><rect onload="alert(1)" width="1" height="1"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div>'
    b'</foreignObject></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
    b'<image xlink:href="http://evil.example/x.png" width="1" height="1"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><use href="file:///etc/passwd#x"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(http://evil.example/a.css);</style></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(http://evil.example/#a)"/></svg>',
    b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
    b'<?xml-stylesheet href="http://evil.example/a.css"?><svg xmlns="http://www.w3.org/2000/svg"/>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><rect/></a></svg>',
])
def test_svg_logos_with_active_content_or_external_references_are_refused(svg):
    with pytest.raises(FileRefused):
        check_logo(svg, "logo.svg", "image/svg+xml")


def test_svg_is_not_an_attachment_type_and_sniffing_knows_the_types():
    with pytest.raises(FileRefused, match="Seuls ces types de fichiers sont acceptés : PDF, JPEG, PNG"):
        check_attachment(b'<svg xmlns="http://www.w3.org/2000/svg"/>', "plan.svg")
    assert sniff(image("PNG")) == "image/png" and sniff(image("JPEG")) == "image/jpeg"
    assert sniff(pdf()) == "application/pdf" and sniff(b"MZ") is None
