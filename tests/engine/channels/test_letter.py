"""The letter PDF, read back with pypdf: text in order, the address inside the window, pages, QR code."""

from __future__ import annotations

import datetime as dt
import io
import logging
from pathlib import Path

import pytest
from pypdf import PdfReader

from paypage.engine.channels.letter import LetterChannel, PrintProvider, PrintRejected
from paypage.engine.channels.letter_layout import DIN_5008_B, LA_POSTE_RIGHT_WINDOW, window_layout_for
from paypage.engine.channels.letter_pdf import address_lines
from paypage.engine.channels.print_providers import DirectoryPrintProvider
from paypage.engine.channels.protocol import Attachment, Channel, ChannelUnavailable, Message, PostalAddress
from paypage.payments.bank_transfer.svg import make_qr_code, qr_svg
from tests.engine.channels.pdf_text import fonts, pages, placed_text, resource

SENDER = PostalAddress("Müller & Söhne GmbH", "Königstraße 1", "70173", "Stuttgart", "DE")
DEBTOR = PostalAddress("Łukasz Øvergård-Åberg", "Hauptstraße 5", "10115", "Berlin", "DE", line2="c/o Élodie Fährmann")
PAY_LINK = "https://pay.inkasso.example/p/Zm9vYmFy"
TODAY = dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.UTC)
EPC_PAYLOAD = "BCD\n002\n1\nSCT\n\nMüller & Söhne GmbH\nDE89370400440532013000\nEUR123.45\n\n\nR-2026-0042"
BODY = (
    "Sehr geehrter Herr Øvergård-Åberg,\n\n"
    "die Rechnung R-2026-0042 über 123,45 € ist noch offen. Bitte zahlen Sie bis zum 9. Dezember 2026, "
    f"am einfachsten über {PAY_LINK} oder per Überweisung mit dem QR-Code.\n\n"
    "Mit freundlichen Grüßen\nMüller & Söhne"
)


class RecordingPrinter:
    def __init__(self) -> None:
        self.jobs: list[tuple[bytes, PostalAddress, str]] = []

    def submit(self, pdf: bytes, recipient: PostalAddress, reference: str) -> str:
        self.jobs.append((pdf, recipient, reference))
        return f"job-{len(self.jobs)}"


def letter(**changes: object) -> Message:
    fields: dict[str, object] = {
        "message_id": "msg_01JDQ7ZK4T9X2M5N8P0R3S6V",
        "channel": "letter",
        "language": "de",
        "to": DEBTOR,
        "subject": "Zahlungserinnerung zur Rechnung R-2026-0042",
        "text": BODY,
    }
    fields.update(changes)
    return Message(**fields)  # type: ignore[arg-type]


def render(message: Message | None = None, **options: object) -> bytes:
    channel = LetterChannel(RecordingPrinter(), SENDER, clock=lambda: TODAY, **options)  # type: ignore[arg-type]
    return channel.render(message or letter())


# ---------------------------------------------------------------------------------------- content


def test_the_text_reads_sender_address_date_subject_body_in_order() -> None:
    (text,) = pages(render())

    expected_in_order = [
        "Müller & Söhne GmbH",
        "Łukasz Øvergård-Åberg",
        "Hauptstraße 5",
        "c/o Élodie Fährmann",
        "10115 Berlin",
        "25. November 2026",
        "Zahlungserinnerung zur Rechnung R-2026-0042",
        "Sehr geehrter Herr Øvergård-Åberg,",
        "123,45 €",
        PAY_LINK,
        "Mit freundlichen Grüßen",
    ]
    positions = [text.index(part) for part in expected_in_order]
    assert positions == sorted(positions)


def test_the_font_is_embedded() -> None:
    assert {name.split("+")[1] for name in fonts(render())} == {"FiraSans", "FiraSansBold"}


@pytest.mark.parametrize(
    ("language", "date"), [("de", "25. November 2026"), ("fr", "25 novembre 2026"), ("en", "November 25, 2026")]
)
def test_the_date_is_written_in_the_letters_language(language: str, date: str) -> None:
    assert date in pages(render(letter(language=language)))[0]


# ------------------------------------------------------------------------------------- the window


def test_the_address_lies_in_the_din_5008_b_window() -> None:
    placed = placed_text(render())
    address = [p for p in placed if p.text in address_lines(DEBTOR, "DE")]

    assert [p.text for p in address] == [
        "Łukasz Øvergård-Åberg",
        "Hauptstraße 5",
        "c/o Élodie Fährmann",
        "10115 Berlin",
    ]
    for line in address:
        # The address zone of form B: 62.7 to 90 mm from the top, text from the 25 mm line, 80 mm wide.
        assert DIN_5008_B.address_top_mm < line.baseline_mm - 2.5  # cap height of 10 pt above the baseline
        assert line.baseline_mm < DIN_5008_B.address_bottom_mm
        assert line.x_mm == pytest.approx(25, abs=0.01)
        assert line.size_pt >= 8
        # ... and inside Pingen's address area (22 mm / 60 mm, 85.5 x 25.5 mm) as well.
        assert 60 < line.baseline_mm - 2.5 and line.baseline_mm < 85.5


def test_the_return_line_sits_right_above_the_address() -> None:
    placed = placed_text(render())
    (return_line,) = [p for p in placed if p.text.startswith("Müller & Söhne GmbH ·")]

    assert return_line.text == "Müller & Söhne GmbH · Königstraße 1 · 70173 Stuttgart"
    assert DIN_5008_B.field_top_mm < return_line.baseline_mm < DIN_5008_B.address_top_mm
    assert return_line.size_pt == 7


def test_no_return_line_for_print_shops_that_print_their_own() -> None:
    placed = placed_text(render(return_line=False))
    assert not [p for p in placed if p.text.startswith("Müller & Söhne GmbH ·")]
    # Pingen's franking area (20 mm from the left, 40 mm from the top, 89.5 x 20 mm) stays empty.
    assert not [p for p in placed if 40 <= p.baseline_mm <= 60 + 2.5 and p.x_mm < 20 + 89.5]


def test_a_letter_to_france_uses_the_right_window() -> None:
    debtor = PostalAddress("Jean-Loup Dupré", "12 rue de la Paix", "75002", "Paris", "FR")
    placed = placed_text(render(letter(to=debtor, language="fr")))
    address = [p for p in placed if p.text in address_lines(debtor, "DE")]

    assert [p.text for p in address] == ["Jean-Loup Dupré", "12 rue de la Paix", "75002 Paris", "FRANCE"]
    layout = LA_POSTE_RIGHT_WINDOW
    for line in address:
        assert line.x_mm == pytest.approx(layout.field_left_mm, abs=0.01)
        assert layout.field_top_mm < line.baseline_mm - 2.5 and line.baseline_mm < layout.address_bottom_mm


def test_abroad_the_country_is_the_last_line_in_capitals() -> None:
    zurich = PostalAddress("Heidi Brütsch", "Bahnhofstrasse 1", "8001", "Zürich", "CH")
    assert address_lines(zurich, "DE") == ["Heidi Brütsch", "Bahnhofstrasse 1", "8001 Zürich", "SWITZERLAND"]
    assert address_lines(zurich, "CH")[-1] == "8001 Zürich"


def test_a_uk_address_puts_the_post_town_above_the_postcode() -> None:
    london = PostalAddress("Siobhán O'Brien", "10 Downing Street", "SW1A 2AA", "London", "GB")
    assert address_lines(london, "GB") == ["Siobhán O'Brien", "10 Downing Street", "LONDON", "SW1A 2AA"]


def test_a_long_name_shrinks_instead_of_leaving_the_window() -> None:
    long_name = PostalAddress(
        "Dr. Maximiliane Friederike von Hohenzollern-Sigmaringen-Waldburg", "Weg 1", "1", "Ort", "DE"
    )
    (name,) = [p for p in placed_text(render(letter(to=long_name))) if p.text.startswith("Dr. Maximiliane")]
    assert 8 <= name.size_pt < 10


def test_characters_the_font_lacks_become_question_marks_and_stay_out_of_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    debtor = PostalAddress("王小明 Ελένη Ivanova", "Weg 1", "12345", "Ort", "DE")
    with caplog.at_level(logging.DEBUG):
        (text,) = pages(render(letter(to=debtor)))
    assert "??? Ελένη Ivanova" in text
    assert "王" not in caplog.text and "Ivanova" not in caplog.text


def test_unknown_countries_get_din_5008_b() -> None:
    assert window_layout_for("NL") is DIN_5008_B
    assert window_layout_for("ch") is DIN_5008_B
    assert window_layout_for("FR") is LA_POSTE_RIGHT_WINDOW


# ------------------------------------------------------------------------------- pages and QR code


def test_a_long_body_breaks_onto_a_second_page_with_page_numbers() -> None:
    long_body = "\n\n".join(f"Absatz {n}: " + "Die Forderung ist fällig und wird angemahnt. " * 6 for n in range(12))
    texts = pages(render(letter(text=long_body)))

    assert len(texts) == 2
    assert "Absatz 0:" in texts[0] and "Absatz 11:" in texts[1]
    assert "1/2" in texts[0] and "2/2" in texts[1]
    assert "Łukasz" in texts[0] and "Łukasz" not in texts[1]  # the window address only on the first page


def test_a_one_page_letter_has_no_page_number() -> None:
    assert "1/1" not in pages(render())[0]


@pytest.mark.parametrize("kind", ["svg", "png"])
def test_the_transfer_qr_code_is_drawn(kind: str) -> None:
    if kind == "svg":
        attachment = Attachment("girocode.svg", "image/svg+xml", qr_svg(EPC_PAYLOAD, title="GiroCode").encode())
    else:
        buffer = io.BytesIO()
        make_qr_code(EPC_PAYLOAD).save(buffer, kind="png", scale=8)
        attachment = Attachment("girocode.png", "image/png", buffer.getvalue())
    pdf = render(letter(attachments=[attachment]))
    with_code, without = PdfReader(io.BytesIO(pdf)).pages[0], PdfReader(io.BytesIO(render())).pages[0]

    if kind == "png":
        (image,) = resource(pdf, "/XObject").values()
        assert image.get_object()["/Subtype"] == "/Image"
    else:  # fpdf2 draws an SVG as vector paths into the page itself: one rectangle per module run
        assert len(with_code.get_contents().get_data()) > len(without.get_contents().get_data()) + 2000  # type: ignore[union-attr]


# ------------------------------------------------------------------------------------- the channel


def test_send_hands_the_pdf_to_the_print_provider() -> None:
    printer = RecordingPrinter()
    result = LetterChannel(printer, SENDER, clock=lambda: TODAY).send(letter())

    assert (result.status, result.provider_reference) == ("sent", "job-1")
    ((pdf, recipient, reference),) = printer.jobs
    assert pdf.startswith(b"%PDF-")
    assert recipient == DEBTOR
    assert reference == "msg_01JDQ7ZK4T9X2M5N8P0R3S6V"


def test_send_into_a_directory_for_the_demo(tmp_path: Path) -> None:
    channel = LetterChannel(DirectoryPrintProvider(tmp_path / "letters"), SENDER, clock=lambda: TODAY)
    result = channel.send(letter())

    written = tmp_path / "letters" / "msg_01JDQ7ZK4T9X2M5N8P0R3S6V.pdf"
    assert result.provider_reference == written.name
    assert "Łukasz Øvergård-Åberg" in pages(written.read_bytes())[0]


def test_an_incomplete_address_fails_without_printing() -> None:
    printer = RecordingPrinter()
    no_street = PostalAddress("Jan Kowalski", "", "00-001", "Warszawa", "PL")
    result = LetterChannel(printer, SENDER).send(letter(to=no_street))
    assert (result.status, result.detail) == ("failed", "the postal address is incomplete")
    assert printer.jobs == []


def test_a_letter_cannot_carry_other_attachments() -> None:
    result = LetterChannel(RecordingPrinter(), SENDER).send(
        letter(attachments=[Attachment("invoice.pdf", "application/pdf", b"%PDF-")])
    )
    assert (result.status, result.detail) == ("failed", "a letter cannot carry a application/pdf attachment")


def test_a_rejected_letter_has_failed_and_an_unavailable_printer_is_retried() -> None:
    class Refusing:
        def __init__(self, error: Exception) -> None:
            self.error = error

        def submit(self, pdf: bytes, recipient: PostalAddress, reference: str) -> str:
            raise self.error

    rejected = LetterChannel(Refusing(PrintRejected("page is not A4")), SENDER).send(letter())
    assert (rejected.status, rejected.detail) == ("failed", "page is not A4")
    with pytest.raises(ChannelUnavailable):
        LetterChannel(Refusing(ChannelUnavailable("print shop down")), SENDER).send(letter())


def test_letter_channel_and_providers_keep_their_contracts(tmp_path: Path) -> None:
    channel = LetterChannel(DirectoryPrintProvider(tmp_path), SENDER)
    assert isinstance(channel, Channel)
    assert channel.name == "letter"
    assert isinstance(DirectoryPrintProvider(tmp_path), PrintProvider)
    assert isinstance(RecordingPrinter(), PrintProvider)
