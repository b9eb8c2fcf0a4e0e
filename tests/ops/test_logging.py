"""JSON log lines carry the request id, and the redacting filter removes keys, pay tokens and e-mails."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from flask import Flask, g

from paypage import logging_setup
from paypage.logging_setup import JsonFormatter, RedactingFilter, redact

KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dcABCDEF"
TOKEN = "Zk3oQ9n1xWc2VbL7pQ0r_A"


@pytest.fixture
def json_stream() -> Iterator[io.StringIO]:
    """The handler `configure` installs, writing to a buffer, on a logger of its own."""
    stream = io.StringIO()
    handler = logging_setup.make_handler("json")
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    logger = logging.getLogger("inkasso.test_logging")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield stream
    logger.removeHandler(handler)


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_every_line_is_a_json_object_with_the_request_id(app: Flask, json_stream: io.StringIO) -> None:
    logger = logging.getLogger("inkasso.test_logging")
    with app.test_request_context("/"):
        g.request_id = "req_abc"
        logger.warning("multi\nline message")
    logger.error("outside", exc_info=ValueError("boom"))
    entries = lines(json_stream)
    assert len(entries) == 2
    inside, outside = entries
    assert inside["request_id"] == "req_abc"
    assert inside["message"] == "multi\nline message"
    assert inside["level"] == "WARNING" and inside["logger"] == "inkasso.test_logging"
    assert str(inside["time"]).endswith("+00:00")
    assert "request_id" not in outside
    assert "ValueError: boom" in str(outside["exc_info"])


def test_a_real_request_logs_its_request_id(app: Flask, json_stream: io.StringIO) -> None:
    """The request id in the log line is the one the response's Request-Id header shows."""
    logger = logging.getLogger("inkasso.test_logging")

    def log_it() -> None:
        logger.info("handling", extra={"claim_id": "clm_1", "attempt": 2})

    app.before_request_funcs.setdefault(None, []).append(log_it)
    try:
        response = app.test_client().get("/healthz")
    finally:
        app.before_request_funcs[None].remove(log_it)
    (entry,) = lines(json_stream)
    assert entry["request_id"] == response.headers["Request-Id"]
    assert entry["claim_id"] == "clm_1" and entry["attempt"] == 2


def test_secrets_are_redacted(json_stream: io.StringIO) -> None:
    logger = logging.getLogger("inkasso.test_logging")
    logger.info(
        "GET /p/%s/pay by %s with Bearer %s (live sk_live_abcDEF123_xyz)",
        TOKEN,
        "erika.mustermann+shop@example.de",
        KEY,
        extra={"url": f"https://pay.example/p/{TOKEN}?lang=de", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
    )
    try:
        raise RuntimeError(f"failed for max@example.com with {KEY}")
    except RuntimeError:
        logger.exception("request to /p/%s failed", TOKEN)
    text = json_stream.getvalue()
    for secret in (KEY, TOKEN, "erika.mustermann", "example.de", "max@example.com", "abcDEF123", "MfKQ9r8"):
        assert secret not in text
    first, second = lines(json_stream)
    assert first["message"] == (
        "GET /p/[token]/pay by [email] with Bearer sk_test_[redacted] (live sk_live_[redacted])"
    )
    assert first["url"] == "https://pay.example/p/[token]?lang=de"
    assert first["secret"] == "whsec_[redacted]"
    assert second["message"] == "request to /p/[token] failed"
    assert "failed for [email] with sk_test_[redacted]" in str(second["exc_info"])


def test_redact_leaves_ordinary_text_alone() -> None:
    text = "claim clm_01J0ABC paid 129.90 EUR; /v1/claims?limit=20 /pay/ok sk_other"
    assert redact(text) == text


def test_text_format_carries_the_request_id() -> None:
    handler = logging_setup.make_handler("text")
    record = logging.makeLogRecord({"name": "x", "levelname": "INFO", "msg": "to %s", "args": ("a@b.ch",)})
    assert handler.filter(record)
    assert handler.format(record).endswith("INFO x [-] to [email]")


def test_configure_leaves_a_host_configured_root_alone() -> None:
    root = logging.getLogger()
    before = list(root.handlers)
    level = root.level
    try:
        root.handlers = [logging.NullHandler()]
        assert logging_setup.configure("json") is False
        root.handlers = []
        assert logging_setup.configure("json") is True
        (ours,) = root.handlers
        assert isinstance(ours.formatter, JsonFormatter)
        assert any(isinstance(f, RedactingFilter) for f in ours.filters)
        assert logging_setup.configure("text") is True  # ours is replaced, not doubled
        (ours,) = root.handlers
        assert not isinstance(ours.formatter, JsonFormatter)
        with pytest.raises(ValueError, match="INKASSO_LOG_FORMAT"):
            logging_setup.configure("yaml")
    finally:
        root.handlers = before
        root.setLevel(level)
