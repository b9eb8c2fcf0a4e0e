"""A dunning letter as an A4 PDF (fpdf2): letterhead, window address, date, subject, body, transfer QR code.

The font is Fira Sans (SIL OFL), shipped inside the `fontpkg-fira-sans` wheel and embedded as a subset:
Latin with all European accents (ä ö ü ß ł ø å é ...), Greek and Cyrillic render as text that can be
searched and copied; nothing is downloaded at run time.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from importlib.resources import as_file, files
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from fpdf import FPDF
from fpdf.enums import Align, ResourceAccessPolicy, XPos, YPos
from fpdf.fonts import TTFFont

from paypage.engine.channels.letter_layout import WindowLayout
from paypage.engine.channels.protocol import PostalAddress

FONT = "FiraSans"
FONT_FILES = {"": "FiraSans-Regular.ttf", "B": "FiraSans-Bold.ttf"}

PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
LEFT_MARGIN_MM, RIGHT_MARGIN_MM = 25, 20  # DIN 5008: text from the 25 mm line, at least 10 mm on the right
TOP_MARGIN_MM, BOTTOM_MARGIN_MM = 20, 25  # pages after the first; the bottom keeps room for the page number
LETTERHEAD_TOP_MM = 15

BODY_SIZE_PT, BODY_LINE_MM = 11, 5.0
# Five lines of 4.5 mm end at 85.2 mm on DIN 5008 B, inside Pingen's address area (60 to 85.5 mm).
ADDRESS_SIZE_PT, ADDRESS_MIN_SIZE_PT, ADDRESS_LINE_MM = 10, 8, 4.5
RETURN_LINE_SIZE_PT = 7
SUBJECT_GAP_MM = 2 * 4.23  # two blank lines, as between address field and subject
QR_SIZE_MM, QR_GAP_MM = 40, 6

SVG_TITLE = re.compile(r"<title\b.*?</title>", re.DOTALL | re.IGNORECASE)


@dataclass(frozen=True)
class LetterContent:
    sender: PostalAddress
    recipient: PostalAddress
    date: dt.date
    language: str
    subject: str | None
    body: str
    qr_code: bytes | None = None
    """A PNG, or an SVG document (UTF-8), for the bank transfer."""
    return_line: bool = True


def render_letter(content: LetterContent, layout: WindowLayout) -> bytes:
    with _fonts() as font_paths:
        pdf = _new_pdf(font_paths, content)
        content = _printable(content, _covered(pdf))
        pdf.add_page()
        _letterhead(pdf, content.sender)
        if content.return_line and layout.return_zone_mm > 0:
            _return_line(pdf, content.sender, content.recipient, layout)
        _address(pdf, content.recipient, content.sender.country, layout)
        _date(pdf, content, layout)
        _subject_and_body(pdf, content, layout)
        if content.qr_code is not None:
            _qr_code(pdf, content.qr_code)
        _page_numbers(pdf)
        return bytes(pdf.output())


def address_lines(recipient: PostalAddress, sender_country: str) -> list[str]:
    """The window lines, top-down, no blank lines; the country in capitals (in English) only abroad."""
    country = recipient.country.upper()
    lines = [recipient.name, recipient.line1]
    if recipient.line2:
        lines.append(recipient.line2)
    if country in ("GB", "IE"):
        # UK and Irish addresses put the town above the postcode, each on its own line.
        lines += [recipient.city.upper() if country == "GB" else recipient.city, recipient.postal_code]
    else:
        lines.append(f"{recipient.postal_code} {recipient.city}".strip())
    if country != sender_country.upper():
        lines.append(_country_name(country).upper())
    return [line.strip() for line in lines if line and line.strip()]


def _country_name(code: str) -> str:
    # English is one of the UPU's accepted languages for the destination line, readable in every origin.
    return str(Locale("en").territories.get(code, code))


def _covered(pdf: FPDF) -> frozenset[int]:
    """The code points every font of the letter can draw (fpdf2 has read their character maps)."""
    maps = [frozenset(font.cmap) for font in pdf.fonts.values() if isinstance(font, TTFFont)]
    return frozenset.intersection(*maps)


def _printable(content: LetterContent, covered: frozenset[int]) -> LetterContent:
    """Characters the font lacks become "?" here, before fpdf2 would log them: they come from names."""

    def clean(text: str) -> str:
        return "".join(char if ord(char) in covered or char.isspace() else "?" for char in text)

    def clean_address(address: PostalAddress) -> PostalAddress:
        return replace(
            address,
            name=clean(address.name),
            line1=clean(address.line1),
            line2=clean(address.line2) if address.line2 else address.line2,
            postal_code=clean(address.postal_code),
            city=clean(address.city),
        )

    return replace(
        content,
        sender=clean_address(content.sender),
        recipient=clean_address(content.recipient),
        subject=clean(content.subject) if content.subject else content.subject,
        body=clean(content.body),
    )


@contextmanager
def _fonts() -> Iterator[dict[str, Path]]:
    # as_file: a real path even if the font package is ever installed zipped.
    package = files("fontpkg_fira_sans") / "files"
    with ExitStack() as stack:
        yield {style: stack.enter_context(as_file(package / name)) for style, name in FONT_FILES.items()}


def _new_pdf(font_paths: dict[str, Path], content: LetterContent) -> FPDF:
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    # The QR code comes from our own code, but an SVG could still point at files or URLs: load none.
    pdf.resource_access_policy = ResourceAccessPolicy.NONE
    for style, path in font_paths.items():
        pdf.add_font(FONT, style, path)
    pdf.set_margins(LEFT_MARGIN_MM, TOP_MARGIN_MM, RIGHT_MARGIN_MM)
    pdf.c_margin = 0  # no padding inside cells: text starts exactly on the 25 mm line (and the window's)
    pdf.set_auto_page_break(True, margin=BOTTOM_MARGIN_MM)
    pdf.set_creation_date(dt.datetime.combine(content.date, dt.time(), tzinfo=dt.UTC))
    pdf.set_lang(content.language)
    pdf.set_creator("inkasso")
    return pdf


def _letterhead(pdf: FPDF, sender: PostalAddress) -> None:
    pdf.set_xy(LEFT_MARGIN_MM, LETTERHEAD_TOP_MM)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(text=sender.name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 9)
    pdf.cell(text=" · ".join(_one_line(sender)), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _return_line(pdf: FPDF, sender: PostalAddress, recipient: PostalAddress, layout: WindowLayout) -> None:
    # The last line of the return zone, right above the address (DIN 5008 writes that zone bottom-up).
    parts = [sender.name, *_one_line(sender)]
    if sender.country.upper() != recipient.country.upper():
        parts.append(_country_name(sender.country.upper()).upper())
    pdf.set_font(FONT, "", RETURN_LINE_SIZE_PT)
    height = 3.2
    pdf.set_xy(layout.text_left_mm, layout.address_top_mm - height - 0.3)
    width = layout.field_width_mm - layout.text_inset_mm
    pdf.cell(w=width, h=height, text=_fit(pdf, " · ".join(parts), width))


def _address(pdf: FPDF, recipient: PostalAddress, sender_country: str, layout: WindowLayout) -> None:
    lines = address_lines(recipient, sender_country)
    width = layout.field_width_mm - layout.text_inset_mm
    size = float(ADDRESS_SIZE_PT)
    pdf.set_font(FONT, "", size)
    # Shrink rather than wrap: a wrapped address line reads as two lines to the sorting machine.
    while size > ADDRESS_MIN_SIZE_PT and max(pdf.get_string_width(line) for line in lines) > width:
        size -= 0.5
        pdf.set_font_size(size)
    # A sixth line (a UK address with a second line, abroad) closes up instead of leaving the window.
    line_height = min(ADDRESS_LINE_MM, (layout.address_bottom_mm - layout.address_top_mm) / len(lines))
    pdf.set_xy(layout.text_left_mm, layout.address_top_mm)
    for line in lines:
        pdf.set_x(layout.text_left_mm)
        pdf.cell(w=width, h=line_height, text=line, new_x=XPos.LEFT, new_y=YPos.NEXT)


def _date(pdf: FPDF, content: LetterContent, layout: WindowLayout) -> None:
    pdf.set_font(FONT, "", 10)
    pdf.set_xy(layout.date_left_mm, layout.date_top_mm)
    pdf.cell(text=format_date(content.date, format="long", locale=_locale(content.language)))


def _subject_and_body(pdf: FPDF, content: LetterContent, layout: WindowLayout) -> None:
    pdf.set_xy(LEFT_MARGIN_MM, layout.subject_top_mm)
    if content.subject:
        pdf.set_font(FONT, "B", BODY_SIZE_PT)
        pdf.multi_cell(w=0, h=BODY_LINE_MM, text=content.subject, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_y(pdf.get_y() + SUBJECT_GAP_MM)
    pdf.set_font(FONT, "", BODY_SIZE_PT)
    pdf.multi_cell(w=0, h=BODY_LINE_MM, text=content.body, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _qr_code(pdf: FPDF, image: bytes) -> None:
    top = pdf.get_y() + QR_GAP_MM
    if top + QR_SIZE_MM > PAGE_HEIGHT_MM - BOTTOM_MARGIN_MM:
        pdf.add_page()
        top = TOP_MARGIN_MM
    if not image.startswith(b"\x89PNG"):
        # fpdf2 draws no <title> and says so in the log for every letter; the PDF needs no accessible name.
        image = SVG_TITLE.sub("", image.decode("utf-8")).encode("utf-8")
    pdf.image(io.BytesIO(image), x=LEFT_MARGIN_MM, y=top, w=QR_SIZE_MM)
    pdf.set_y(top + QR_SIZE_MM)


def _page_numbers(pdf: FPDF) -> None:
    total = pdf.pages_count
    if total == 1:
        return
    pdf.set_auto_page_break(False)
    pdf.set_font(FONT, "", 8)
    for number in range(1, total + 1):
        pdf.page = number  # fpdf2 lets us go back and draw on a finished page
        pdf.set_xy(LEFT_MARGIN_MM, PAGE_HEIGHT_MM - 15)
        pdf.cell(w=0, h=4, text=f"{number}/{total}", align=Align.R)


def _one_line(address: PostalAddress) -> list[str]:
    return [part for part in (address.line1, address.line2, f"{address.postal_code} {address.city}".strip()) if part]


def _fit(pdf: FPDF, text: str, width: float) -> str:
    while text and pdf.get_string_width(text) > width:
        text = text[:-1]
    return text


def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (ValueError, LookupError):
        return Locale("en")
