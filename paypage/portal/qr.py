"""QR codes as inline SVG for portal pages (the TOTP enrolment)."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(uri: str, title: str) -> Markup:
    """The URI as an inline SVG QR code (no external image, no inline style)."""
    svg = segno.make(uri, error="m").svg_inline(scale=4, title=title, svgclass="qr-code", lineclass=None)
    return Markup(svg)  # noqa: S704 - segno escapes the title and the rest is generated geometry
