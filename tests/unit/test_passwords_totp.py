"""Password hashes (scrypt) and one-time codes (RFC 6238)."""

from __future__ import annotations

import base64

from paypage.domain import passwords, totp

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
"""The SHA-1 seed of RFC 6238, appendix B."""


def test_a_hash_verifies_its_password_only() -> None:
    stored = passwords.hash_password("correct horse battery")
    assert stored.startswith("scrypt$") and "correct" not in stored
    assert passwords.verify_password(stored, "correct horse battery")
    assert not passwords.verify_password(stored, "correct horse batterY")
    assert stored != passwords.hash_password("correct horse battery"), "salted"


def test_malformed_hashes_never_verify() -> None:
    for stored in ("", "plain", "bcrypt$1$2$3$4$5", "scrypt$x$8$1$AAAA$AAAA"):
        assert not passwords.verify_password(stored, "anything")


def test_password_rules() -> None:
    assert passwords.problem("short") is not None
    assert passwords.problem("x" * 201) is not None
    assert passwords.problem("twelve chars") is None


def test_rfc_6238_vectors() -> None:
    # The RFC lists 8 digits; 6-digit codes are their last six.
    for timestamp, eight in ((59, "94287082"), (1111111109, "07081804"), (1234567890, "89005924")):
        assert totp.code_at(RFC_SECRET, timestamp) == eight[-6:]


def test_codes_of_the_neighbouring_steps_are_accepted_and_no_others() -> None:
    now = 1_800_000_000.0
    assert totp.verify(RFC_SECRET, totp.code_at(RFC_SECRET, now - 30), now)
    assert totp.verify(RFC_SECRET, totp.code_at(RFC_SECRET, now + 30), now)
    assert not totp.verify(RFC_SECRET, totp.code_at(RFC_SECRET, now - 90), now)
    assert not totp.verify(RFC_SECRET, "12345", now) and not totp.verify(RFC_SECRET, "abcdef", now)


def test_provisioning_uri_and_recovery_codes() -> None:
    uri = totp.provisioning_uri(RFC_SECRET, "anna@example.com")
    assert uri.startswith("otpauth://totp/inkasso%3Aanna%40example.com?") and f"secret={RFC_SECRET}" in uri
    codes = totp.recovery_codes()
    assert len(set(codes)) == 10
    assert totp.code_digest(codes[0]) == totp.code_digest(f" {codes[0].upper()} ")
