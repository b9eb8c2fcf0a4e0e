from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 -- parses our own output, not outside input

import pytest

from paypage.payments.bank_transfer.svg import make_qr_code, qr_svg
from tests.unit.payments.qr_decoding import decode_one, render_png

SVG = "{http://www.w3.org/2000/svg}"


def test_inline_svg_is_accessible_and_scalable() -> None:
    svg = qr_svg("BCD\n002\n1\nSCT\n\nA\nDE89370400440532013000\nEUR1.00", title='Pay "Müller & Co" <now>')
    assert svg.startswith("<svg ")  # no XML declaration: it goes straight into HTML
    root = ET.fromstring(svg)  # noqa: S314 -- our own output
    assert root.get("role") == "img"
    assert root.get("aria-label") == 'Pay "Müller & Co" <now>'
    assert root.find(f"{SVG}title") is not None
    assert root.find(f"{SVG}title").text == 'Pay "Müller & Co" <now>'  # type: ignore[union-attr]
    assert root.get("width") is None and root.get("height") is None
    assert root.get("viewBox") == "0 0 41 41"  # version 6 at level M: 41 modules with the quiet zone
    # Path-based: one path for the light background, one for all dark modules.
    assert len(root.findall(f"{SVG}path")) == 2
    assert len(svg) < 6000


def test_a_title_is_required() -> None:
    with pytest.raises(ValueError, match="title"):
        qr_svg("x", title=" ")


def test_the_error_level_is_not_boosted() -> None:
    # segno raises the level by default whenever the size allows; the payment standards fix it at M.
    assert make_qr_code("short", error="M").error == "M"
    assert make_qr_code("short", error="Q").error == "Q"
    with pytest.raises(ValueError, match="error"):
        make_qr_code("short", error="X")


def test_text_is_encoded_as_utf8_even_when_latin1_would_do() -> None:
    # Left alone, segno would encode "Grüße" in ISO 8859-1; the payment standards declare UTF-8.
    payload = "Grüße aus Zürich"
    decoded = decode_one(render_png(make_qr_code(payload)))
    assert decoded.bytes == payload.encode("utf-8")
