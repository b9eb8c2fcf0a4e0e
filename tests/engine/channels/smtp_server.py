"""A real SMTP server in the test process (aiosmtpd, in its own thread on 127.0.0.1) and a throwaway CA.

The handler records every envelope and answers RCPT and DATA as scripted per address, so tests see
exactly what went over the wire and how the channel reads the server's answers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.conftest import free_port

QUEUE_ID = "4Xk9Qz1bT3"
SERVER_NAME = "mx.test"  # aiosmtpd would otherwise look up this machine's name (socket.getfqdn)


@dataclass(frozen=True)
class Certificate:
    cert_path: Path
    key_path: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_path, self.key_path)
        return context

    def client_context(self) -> ssl.SSLContext:
        """Verifies the server against this certificate only, host name (127.0.0.1) included."""
        return ssl.create_default_context(cafile=str(self.cert_path))


def self_signed_certificate(directory: Path) -> Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "inkasso test SMTP")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "smtp.crt", directory / "smtp.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return Certificate(cert_path, key_path)


@dataclass
class RecordingHandler:
    rcpt_replies: dict[str, str] = field(default_factory=dict)
    """Address -> the reply to its RCPT TO (e.g. "550 5.1.1 ..."); others get 250."""
    data_reply: str = f"250 2.0.0 Ok: queued as {QUEUE_ID}"
    received: list[Envelope] = field(default_factory=list)
    tls_when_mail_from: list[bool] = field(default_factory=list)

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        reply = self.rcpt_replies.get(address)
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        self.tls_when_mail_from.append(session.ssl is not None)
        if self.data_reply.startswith("250"):
            self.received.append(envelope)
        return self.data_reply


@dataclass
class Authenticator:
    login: bytes = b"inkasso"
    password: bytes = b"s3cret-\xc3\xa4"  # a non-ASCII password must survive AUTH too
    attempts: list[tuple[str, bytes, bool]] = field(default_factory=list)
    """(mechanism, login, over TLS) for every AUTH the server saw."""

    def __call__(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        self.attempts.append((mechanism, auth_data.login, session.ssl is not None))
        ok = auth_data.login == self.login and auth_data.password == self.password
        return AuthResult(success=ok, handled=False)


@contextlib.contextmanager
def smtp_server(handler: RecordingHandler, **smtp_options: Any) -> Iterator[int]:
    """An aiosmtpd server on 127.0.0.1 for the duration of the block; yields its port."""
    port = free_port()
    controller = Controller(
        handler, hostname="127.0.0.1", port=port, server_hostname=SERVER_NAME, ready_timeout=5, **smtp_options
    )
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
