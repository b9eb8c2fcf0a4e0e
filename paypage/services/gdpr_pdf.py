"""The debtor's data export (Art. 15 GDPR) as an A4 PDF: the same content as the JSON export, readable.

Drawn with fpdf2 in Fira Sans (embedded subset, shipped in a wheel) like the dunning letters, so names in
any European script come out as searchable text. Characters the font lacks become "?" instead of
vanishing. The document is in English; each section says which records it lists.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import ResourceAccessPolicy, XPos, YPos
from fpdf.fonts import TTFFont

from paypage.domain.money import Money
from paypage.formatting import format_money

FONT = "FiraSans"
FONT_FILES = {"": "FiraSans-Regular.ttf", "B": "FiraSans-Bold.ttf"}
MARGIN_MM = 20
LABEL_MM = 45
LINE_MM = 5.0
MONEY_FIELDS = ("principal", "interest", "fees", "paid", "outstanding", "amount", "total")


@contextmanager
def _fonts() -> Iterator[dict[str, Path]]:
    package = files("fontpkg_fira_sans") / "files"
    with ExitStack() as stack:
        yield {style: stack.enter_context(as_file(package / name)) for style, name in FONT_FILES.items()}


class _Document:
    def __init__(self, font_paths: dict[str, Path]) -> None:
        pdf = FPDF(orientation="P", unit="mm", format="A4")
        pdf.resource_access_policy = ResourceAccessPolicy.NONE
        for style, path in font_paths.items():
            pdf.add_font(FONT, style, path)
        pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
        pdf.set_auto_page_break(True, margin=MARGIN_MM)
        pdf.set_creator("inkasso")
        pdf.set_lang("en")
        maps = [frozenset(font.cmap) for font in pdf.fonts.values() if isinstance(font, TTFFont)]
        self.covered = frozenset.intersection(*maps)
        self.pdf = pdf

    def clean(self, text: str) -> str:
        return "".join(char if ord(char) in self.covered or char.isspace() else "?" for char in text)

    def heading(self, text: str, size: int = 13) -> None:
        self.pdf.ln(2)
        self.pdf.set_font(FONT, "B", size)
        self.pdf.multi_cell(0, LINE_MM + 1, self.clean(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.ln(1)

    def paragraph(self, text: str) -> None:
        self.pdf.set_font(FONT, "", 9)
        self.pdf.multi_cell(0, LINE_MM, self.clean(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def field(self, label: str, value: str) -> None:
        pdf = self.pdf
        pdf.set_font(FONT, "B", 9)
        y = pdf.get_y()
        pdf.multi_cell(LABEL_MM, LINE_MM, self.clean(label), new_x=XPos.RIGHT, new_y=YPos.TOP)
        pdf.set_font(FONT, "", 9)
        pdf.multi_cell(0, LINE_MM, self.clean(value) or "-", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_y(max(pdf.get_y(), y + LINE_MM))

    def fields(self, record: Mapping[str, Any], currency: str | None = None) -> None:
        for key, value in record.items():
            self.field(key.replace("_", " "), _text(key, value, currency))

    def output(self) -> bytes:
        total = self.pdf.pages_count
        for number in range(1, total + 1):
            self.pdf.page = number
            self.pdf.set_y(-MARGIN_MM + 5)
            self.pdf.set_font(FONT, "", 8)
            self.pdf.cell(0, 4, f"{number} / {total}", align="C")
        return bytes(self.pdf.output())


def _text(key: str, value: Any, currency: str | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key in MONEY_FIELDS and isinstance(value, int) and currency:
        return f"{format_money(Money(value, currency), 'en')} ({value} minor units)"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, indent=1)
    return str(value)


SECTIONS: Sequence[tuple[str, str]] = (
    ("payments", "Payments"),
    ("plans", "Payment plans"),
    ("messages", "Messages sent to you"),
    ("received_messages", "Messages you sent"),
    ("requests", "Your requests on the pay page"),
    ("uploads", "Files you uploaded (the files themselves are not included)"),
    ("events", "Timeline"),
)


def render_export(export: Mapping[str, Any]) -> bytes:
    with _fonts() as font_paths:
        document = _Document(font_paths)
        document.pdf.add_page()
        controller = export["controller"]
        document.heading("Personal data held about you", 16)
        document.paragraph(
            f"Prepared on {export['generated_at']} by {controller['name'] or controller['id']}, who collects the "
            "claims listed below and is responsible for this data (Art. 15 GDPR). Amounts are shown with "
            "their currency and, in brackets, in the smallest unit of that currency as stored."
        )
        document.heading("You")
        debtor = dict(export["debtor"])
        address = debtor.pop("address", None)
        document.fields(debtor)
        if address:
            document.fields({f"address {key}": value for key, value in address.items()})
        for claim in export["claims"]:
            currency = claim["currency"]
            document.heading(f"Claim {claim['external_reference']} ({claim['id']})")
            document.fields({key: value for key, value in claim.items() if key not in dict(SECTIONS)}, currency)
            for key, title in SECTIONS:
                records = claim.get(key) or []
                if not records:
                    continue
                document.heading(title, 11)
                for record in records:
                    document.fields(record, record.get("currency", currency))
                    document.pdf.ln(2)
        return document.output()
