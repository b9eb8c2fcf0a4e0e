"""Accessible, scalable inline SVG for QR codes (segno's path serializer: one `<path>`, a few KB).

The SVG has no XML declaration and no width or height: it scales to whatever box CSS gives it, through
its `viewBox`. It has a `<title>`, `role="img"` and an `aria-label`, so screen readers announce it.
"""

from __future__ import annotations

import html
import io

import segno

_ERROR_LEVELS = frozenset({"L", "M", "Q", "H"})
# segno writes the root element as `<svg xmlns=... class=... viewBox=...>`; attributes go in after `<svg`.
_ROOT = "<svg "


def make_qr_code(payload: str, *, error: str = "M") -> segno.QRCode:
    """A QR code (never a Micro QR) for `payload`, at exactly the error correction level asked for.

    Two segno defaults are overridden on purpose:
    - `boost_error=False`: segno would raise the level when the size allows it, but EPC069-12 and the
      Swiss QR-bill both prescribe level M;
    - `encoding="utf-8"`: segno would pick ISO 8859-1 for text that fits it, but both standards declare
      UTF-8 (EPC character set 1, SPC coding type 1), so a banking app would misread umlauts.
    """
    if error not in _ERROR_LEVELS:
        raise ValueError(f"error: QR error correction level is one of L, M, Q, H, got {error!r}")
    return segno.make_qr(payload, error=error, encoding="utf-8", boost_error=False)


def code_to_svg(code: segno.QRCode, *, title: str, overlay: str = "") -> str:
    """The inline SVG of a QR code, with `overlay` (SVG elements in module units) drawn on top."""
    if not title.strip():
        raise ValueError("title: an accessible name is required")
    buffer = io.BytesIO()
    code.save(
        buffer,
        kind="svg",
        xmldecl=False,
        svgns=True,  # kept so that the same markup also works as a standalone file or data URI
        nl=False,
        omitsize=True,  # width/height left to CSS; segno then writes a viewBox
        title=title,
        svgclass="qr-code",
        lineclass=None,
        dark="#000",
        # An opaque light background and the 4-module quiet zone keep the code scannable on dark pages.
        light="#fff",
        border=4,
    )
    svg = buffer.getvalue().decode("utf-8")
    if not svg.startswith(_ROOT):
        raise RuntimeError("segno returned an SVG without the expected root element")
    label = html.escape(title, quote=True)
    # crispEdges stops anti-aliasing from drawing hairline seams between the module rows when scaled.
    attributes = f'role="img" aria-label="{label}" shape-rendering="crispEdges" '
    svg = _ROOT + attributes + svg[len(_ROOT) :]
    if overlay:
        svg = svg.removesuffix("</svg>") + overlay + "</svg>"
    return svg


def qr_svg(payload: str, *, error: str = "M", title: str) -> str:
    """An inline SVG QR code for `payload`, with `title` as its accessible name."""
    return code_to_svg(make_qr_code(payload, error=error), title=title)
