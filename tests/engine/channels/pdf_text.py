"""Read a rendered letter back with pypdf: its text, and where each piece of text sits on the page."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from pypdf import PdfReader
from pypdf.generic import DictionaryObject

POINTS_PER_MM = 72 / 25.4


@dataclass(frozen=True)
class Placed:
    text: str
    x_mm: float
    """From the left edge of the sheet to the start of the text."""
    baseline_mm: float
    """From the top edge of the sheet down to the text's baseline."""
    size_pt: float


def pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def placed_text(pdf: bytes, page_number: int = 0) -> list[Placed]:
    page = PdfReader(io.BytesIO(pdf)).pages[page_number]
    height_pt = float(page.mediabox.height)
    found: list[Placed] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if not text.strip():
            return
        # The text matrix, then the current transformation matrix, gives the position in page space.
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = (tm[3] * cm[3]) or 1
        found.append(Placed(text.strip(), x / POINTS_PER_MM, (height_pt - y) / POINTS_PER_MM, size * abs(scale)))

    page.extract_text(visitor_text=visit)
    return found


def resource(pdf: bytes, kind: str, page_number: int = 0) -> DictionaryObject:
    """One kind of the page's resources (/Font, /XObject), by name."""
    resources = PdfReader(io.BytesIO(pdf)).pages[page_number]["/Resources"]
    assert isinstance(resources, DictionaryObject)
    found = resources[kind]
    assert isinstance(found, DictionaryObject)
    return found


def fonts(pdf: bytes) -> set[str]:
    """The base font names embedded with a font file on the first page."""
    names: set[str] = set()
    for reference in resource(pdf, "/Font").values():
        font = reference.get_object()
        for descendant in font.get("/DescendantFonts", []):
            descriptor = descendant.get_object()["/FontDescriptor"].get_object()
            if "/FontFile2" in descriptor:
                names.add(str(font["/BaseFont"]))
    return names
