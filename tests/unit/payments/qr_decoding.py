"""Render a QR code to PNG in memory and read it back with zxing-cpp, as a banking app's scanner would."""

from __future__ import annotations

import io
from collections.abc import Sequence

import segno
import zxingcpp
from PIL import Image, ImageDraw

SCALE = 4  # pixels per module
BORDER = 4  # quiet zone in modules


def render_png(code: segno.QRCode, overlay: Sequence[tuple[str, float, float, float, float]] = ()) -> Image.Image:
    """The code as a Pillow image, with rectangles (fill, x, y, w, h in module units) painted on top."""
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=SCALE, border=BORDER)
    buffer.seek(0)
    image = Image.open(buffer).convert("RGB")
    draw = ImageDraw.Draw(image)
    for fill, x, y, width, height in overlay:
        draw.rectangle(
            (x * SCALE, y * SCALE, (x + width) * SCALE - 1, (y + height) * SCALE - 1),
            fill=fill,
        )
    return image


def decode_one(image: Image.Image) -> zxingcpp.Barcode:
    """The one QR code in the image (fails the test when there is none or more than one)."""
    found = [code for code in zxingcpp.read_barcodes(image) if code.format == zxingcpp.BarcodeFormat.QRCode]
    assert len(found) == 1, f"expected exactly one QR code, found {len(found)}"
    return found[0]
