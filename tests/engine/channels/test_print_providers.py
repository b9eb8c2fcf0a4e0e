"""Print providers: a folder, a generic HTTP print service, and Pingen's API against a local Pingen."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from pathlib import Path

import pytest

from paypage.engine.channels.letter import LetterChannel, PrintProvider, PrintRejected, letter_channel_from_settings
from paypage.engine.channels.pingen import PingenProvider
from paypage.engine.channels.print_providers import DirectoryPrintProvider, HttpPrintProvider
from paypage.engine.channels.protocol import ChannelUnavailable, Message, PostalAddress
from tests.conftest import free_port
from tests.engine.channels import pingen_api
from tests.engine.channels.pingen_api import CLIENT_ID, CLIENT_SECRET, ORGANISATION_ID, FakePingen, json_api
from tests.payments.wire.server import Request, Response, WireServer

PDF = b"%PDF-1.7\n% a letter\n%%EOF\n"
DEBTOR = PostalAddress("Jörg Müller", "Hauptstraße 5", "10115", "Berlin", "DE")
REFERENCE = "msg_01JDQ7ZK4T9X2M5N8P0R3S6V"
SENDER = {"name": "Müller & Söhne GmbH", "line1": "Königstraße 1", "postal_code": "70173", "city": "Stuttgart"}


# -------------------------------------------------------------------------------------- directory


def test_the_directory_gets_reference_dot_pdf_readable_by_the_owner_only(tmp_path: Path) -> None:
    job = DirectoryPrintProvider(tmp_path / "out").submit(PDF, DEBTOR, REFERENCE)

    written = tmp_path / "out" / f"{REFERENCE}.pdf"
    assert job == written.name
    assert written.read_bytes() == PDF
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert [path.name for path in (tmp_path / "out").iterdir()] == [written.name]  # no temporary file left


@pytest.mark.parametrize("reference", ["../escape", ".hidden", "a/b", "", "x" * 121])
def test_a_reference_cannot_leave_the_directory(tmp_path: Path, reference: str) -> None:
    with pytest.raises(ValueError, match="reference"):
        DirectoryPrintProvider(tmp_path).submit(PDF, DEBTOR, reference)


def test_an_unwritable_directory_is_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(ChannelUnavailable, match="cannot write the letter"):
        DirectoryPrintProvider(blocker).submit(PDF, DEBTOR, REFERENCE)


# ------------------------------------------------------------------------------ generic HTTP printer


class FakePrintService:
    TOKEN = "print-token-4b2e"

    def __init__(self) -> None:
        self.server = WireServer(self.route)

    def route(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {self.TOKEN}":
            return Response.json(401, {"error": "unauthorized"})
        return Response.json(201, {"id": f"print-{request.headers['idempotency-key']}"})


def multipart(request: Request) -> dict[str, EmailMessage]:
    header = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = BytesParser(policy=default).parsebytes(header + request.body)
    parts: dict[str, EmailMessage] = {}
    for part in message.iter_parts():
        assert isinstance(part, EmailMessage)
        parts[str(part.get_param("name", header="content-disposition"))] = part
    return parts


@pytest.fixture
def print_service() -> Iterator[FakePrintService]:
    service = FakePrintService()
    yield service
    service.server.close()


def test_the_http_printer_posts_the_pdf_as_multipart(print_service: FakePrintService) -> None:
    provider = HttpPrintProvider(f"{print_service.server.url}/letters", FakePrintService.TOKEN)
    job = provider.submit(PDF, DEBTOR, REFERENCE)

    assert job == f"print-{REFERENCE}"
    (request,) = print_service.server.requests
    assert request.path == "/letters"
    assert request.headers["idempotency-key"] == REFERENCE
    parts = multipart(request)
    assert parts["file"].get_content_type() == "application/pdf"
    assert parts["file"].get_filename() == f"{REFERENCE}.pdf"
    assert parts["file"].get_content() == PDF
    assert parts["reference"].get_content().strip() == REFERENCE
    assert parts["country"].get_content().strip() == "DE"


@pytest.mark.parametrize(
    ("answer", "error", "match"),
    [
        (Response.json(422, {"error": "page is not A4"}), PrintRejected, "HTTP 422"),
        (Response.json(401, {"error": "unauthorized"}), ChannelUnavailable, "credentials"),
        (Response.json(429, {}), ChannelUnavailable, "HTTP 429"),
        (Response.json(503, {}), ChannelUnavailable, "HTTP 503"),
        (Response.json(201, {"status": "ok"}), ChannelUnavailable, "without a job id"),
    ],
)
def test_the_http_printers_answers(
    print_service: FakePrintService, answer: Response, error: type[Exception], match: str
) -> None:
    print_service.server.answer_next(answer)
    with pytest.raises(error, match=match):
        HttpPrintProvider(print_service.server.url, FakePrintService.TOKEN).submit(PDF, DEBTOR, REFERENCE)


def test_an_unreachable_http_printer_is_unavailable() -> None:
    with pytest.raises(ChannelUnavailable, match="not reachable"):
        HttpPrintProvider(f"http://127.0.0.1:{free_port()}", "t").submit(PDF, DEBTOR, REFERENCE)


# ------------------------------------------------------------------------------------------ Pingen


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def pingen() -> Iterator[FakePingen]:
    fake = FakePingen()
    yield fake
    fake.server.close()


def pingen_provider(fake: FakePingen, clock: Clock | None = None, **options: object) -> PingenProvider:
    settings: dict[str, object] = {
        "api_base": fake.url,
        "auth_endpoint": f"{fake.url}/auth/access-tokens",
        "timeout": 2,
        "monotonic": clock or Clock(),
    }
    settings.update(options)
    return PingenProvider(CLIENT_ID, CLIENT_SECRET, ORGANISATION_ID, **settings)  # type: ignore[arg-type]


def test_pingen_uploads_the_pdf_and_creates_a_letter_that_is_sent_at_once(pingen: FakePingen) -> None:
    letter_id = pingen_provider(pingen).submit(PDF, DEBTOR, REFERENCE)

    (letter,) = pingen.letters
    assert letter["id"] == letter_id
    assert letter["pdf"] == PDF
    assert letter["attributes"] == {
        "file_original_name": f"{REFERENCE}.pdf",
        "file_url": letter["attributes"]["file_url"],
        "file_url_signature": letter["attributes"]["file_url_signature"],
        "address_position": "left",
        "auto_send": True,
        "delivery_product": "cheap",
        "print_mode": "simplex",
        "print_spectrum": "grayscale",
    }
    assert pingen.idempotency_keys == [f"inkasso-{REFERENCE}"]
    methods_and_paths = [(r.method, r.path.split("?")[0]) for r in pingen.server.requests]
    assert methods_and_paths[0] == ("POST", "/auth/access-tokens")
    assert methods_and_paths[1:3] == [("GET", "/file-upload"), ("PUT", methods_and_paths[2][1])]
    assert methods_and_paths[3] == ("POST", pingen_api.LETTERS_PATH)
    assert pingen.server.requests[1].headers["accept"] == pingen_api.JSON_API


def test_pingen_gets_the_window_side_of_the_destination(pingen: FakePingen) -> None:
    paris = PostalAddress("Jean Dupont", "12 rue de la Paix", "75002", "Paris", "FR")
    pingen_provider(pingen).submit(PDF, paris, REFERENCE)
    assert pingen.letters[0]["attributes"]["address_position"] == "right"


def test_the_access_token_is_reused_until_it_is_about_to_expire(pingen: FakePingen) -> None:
    clock = Clock()
    provider = pingen_provider(pingen, clock)
    provider.submit(PDF, DEBTOR, "msg_1")
    clock.now += 43200 - 120
    provider.submit(PDF, DEBTOR, "msg_2")
    assert len(pingen.tokens) == 1
    clock.now += 90  # within a minute of the 12 hours
    provider.submit(PDF, DEBTOR, "msg_3")
    assert len(pingen.tokens) == 2


def test_a_revoked_token_is_replaced_on_the_next_attempt(pingen: FakePingen) -> None:
    provider = pingen_provider(pingen)
    provider.submit(PDF, DEBTOR, "msg_1")
    pingen.tokens.clear()  # Pingen forgets the token

    with pytest.raises(ChannelUnavailable, match="HTTP 401"):
        provider.submit(PDF, DEBTOR, "msg_2")
    provider.submit(PDF, DEBTOR, "msg_2")
    assert len(pingen.letters) == 2


def test_a_letter_pingen_refuses_is_rejected_in_pingens_fixed_words(pingen: FakePingen) -> None:
    refusal = {
        "errors": [
            {
                "code": "validation_failed",
                "title": "The given data was invalid.",
                "detail": "Address 'Jörg Müller, Hauptstraße 5' could not be recognised",
                "source": {"pointer": "/data/attributes/address_position"},
            }
        ]
    }
    pingen.refusal = refusal

    with pytest.raises(PrintRejected) as rejected:
        pingen_provider(pingen).submit(PDF, DEBTOR, REFERENCE)
    assert (
        rejected.value.detail == "Pingen refused the letter (HTTP 422, validation_failed: The given data was invalid.)"
    )
    assert "Müller" not in rejected.value.detail


@pytest.mark.parametrize("status", [429, 500, 503])
def test_pingen_outages_are_retried_later(pingen: FakePingen, status: int) -> None:
    provider = pingen_provider(pingen)
    provider.submit(PDF, DEBTOR, "msg_1")
    pingen.server.answer_next(json_api(status, {"errors": [{"code": "server_error", "title": "Server Error"}]}))
    with pytest.raises(ChannelUnavailable, match=f"HTTP {status}"):
        provider.submit(PDF, DEBTOR, "msg_2")


def test_wrong_pingen_credentials_are_unavailable_without_the_secret(pingen: FakePingen) -> None:
    provider = PingenProvider(
        CLIENT_ID,
        "wrong-secret",
        ORGANISATION_ID,
        api_base=pingen.url,
        auth_endpoint=f"{pingen.url}/auth/access-tokens",
    )
    with pytest.raises(ChannelUnavailable, match="token endpoint refused our credentials") as raised:
        provider.submit(PDF, DEBTOR, REFERENCE)
    assert "wrong-secret" not in str(raised.value)
    assert pingen.letters == []


def test_an_unreachable_pingen_is_unavailable() -> None:
    base = f"http://127.0.0.1:{free_port()}"
    provider = PingenProvider(CLIENT_ID, CLIENT_SECRET, ORGANISATION_ID, api_base=base, auth_endpoint=f"{base}/t")
    with pytest.raises(ChannelUnavailable, match="Pingen not reachable"):
        provider.submit(PDF, DEBTOR, REFERENCE)


def test_pingen_talks_only_to_the_local_server(pingen: FakePingen, loopback_only: list[tuple[str, int]]) -> None:
    pingen_provider(pingen).submit(PDF, DEBTOR, REFERENCE)
    assert loopback_only and set(loopback_only) == {("127.0.0.1", pingen.server.port)}


# ------------------------------------------------------------------------------------- settings


def test_the_letter_channel_comes_from_the_creditors_settings(tmp_path: Path) -> None:
    directory = letter_channel_from_settings({"directory": str(tmp_path)}, {**SENDER, "country": "DE"})
    assert isinstance(directory.print_provider, DirectoryPrintProvider)
    assert directory.return_line is True
    assert directory.sender == PostalAddress(country="DE", **SENDER)

    pingen = letter_channel_from_settings(
        {"pingen": {"client_id": "c", "client_secret": "s", "organisation_id": "o", "delivery_product": "fast"}},
        {**SENDER, "country": "CH"},
    )
    assert isinstance(pingen.print_provider, PingenProvider)
    assert pingen.print_provider.delivery_product == "fast"
    assert pingen.return_line is False  # Pingen prints franking and return address there itself

    http = letter_channel_from_settings(
        {"http": {"url": "http://127.0.0.1:9/l", "token": "t"}}, {**SENDER, "country": "DE"}
    )
    assert isinstance(http.print_provider, HttpPrintProvider)
    for provider in (directory.print_provider, pingen.print_provider, http.print_provider):
        assert isinstance(provider, PrintProvider)


@pytest.mark.parametrize(
    ("options", "sender", "message"),
    [
        ({"directory": "letters"}, None, "sender_address"),
        ({"fax": {}}, {**SENDER, "country": "DE"}, "no print provider"),
    ],
)
def test_letter_settings_mistakes(options: dict[str, object], sender: dict[str, str] | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        letter_channel_from_settings(options, sender)


def test_a_letter_travels_from_the_channel_to_pingen(pingen: FakePingen) -> None:
    channel = LetterChannel(pingen_provider(pingen), PostalAddress(country="DE", **SENDER), return_line=False)
    message = Message(
        message_id=REFERENCE, channel="letter", language="de", to=DEBTOR, subject="Erinnerung", text="Bitte zahlen."
    )
    result = channel.send(message)

    assert result.status == "sent"
    assert result.provider_reference == pingen.letters[0]["id"]
    assert pingen.letters[0]["pdf"].startswith(b"%PDF-")
    assert json.dumps(pingen.letters[0]["attributes"])  # plain JSON all the way
