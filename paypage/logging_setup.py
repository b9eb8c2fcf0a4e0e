"""Logging for the service: one JSON object per line (or plain text in development), with secrets redacted.

`INKASSO_LOG_FORMAT` is `json` or `text` (default: `json` in production, `text` in development) and
`INKASSO_LOG_LEVEL` the root level (default `INFO`). `init_app(app)` installs a handler on the root
logger only when the host (gunicorn with a `logconfig_dict`, a test runner, an embedding program) has not
configured one: whoever configures logging first owns it.

Whatever the format, the handler's `RedactingFilter` removes pay tokens from paths (`/p/<token>` becomes
`/p/[token]`), API keys (`sk_test_...` becomes `sk_test_[redacted]`), webhook signing secrets and e-mail
addresses from every message, exception text and string field.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
from typing import Any

from flask import Flask, g, has_request_context

__all__ = ["JsonFormatter", "RedactingFilter", "configure", "init_app", "redact"]

_PAY_PATH = re.compile(r"/p/[A-Za-z0-9_-]+")
_API_KEY = re.compile(r"\bsk_(test|live)_[A-Za-z0-9_-]+")
_WEBHOOK_SECRET = re.compile(r"\bwhsec_[A-Za-z0-9+/=_-]+")
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+")

# Attributes every LogRecord has; anything else on a record came from `extra=` and is logged as a field.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id", "taskName"}
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
_HANDLER_MARK = "_inkasso_handler"


def redact(text: str) -> str:
    """Remove pay tokens, API keys, webhook secrets and e-mail addresses from `text`."""
    text = _API_KEY.sub(lambda found: f"sk_{found.group(1)}_[redacted]", text)
    text = _WEBHOOK_SECRET.sub("whsec_[redacted]", text)
    text = _EMAIL.sub("[email]", text)
    return _PAY_PATH.sub("/p/[token]", text)


class RedactingFilter(logging.Filter):
    """Redacts the message, the exception text and string extras of every record, and sets `request_id`."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        for name, value in list(record.__dict__.items()):
            if name not in _STANDARD and isinstance(value, str):
                setattr(record, name, redact(value))
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id (inside a request), extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id is None and has_request_context():
            request_id = g.get("request_id")
        if request_id and request_id != "-":
            entry["request_id"] = request_id
        for name, value in record.__dict__.items():
            if name not in _STANDARD and not name.startswith("_"):
                entry[name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc_info"] = record.exc_text
        if record.stack_info:
            entry["stack_info"] = record.stack_info
        return json.dumps(entry, default=str, ensure_ascii=False)


def make_handler(log_format: str) -> logging.Handler:
    handler = logging.StreamHandler()
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    setattr(handler, _HANDLER_MARK, True)
    return handler


def configure(log_format: str, level: str = "INFO", force: bool = False) -> bool:
    """Install the handler on the root logger unless another handler is there; True if installed."""
    if log_format not in ("json", "text"):
        raise ValueError(f"INKASSO_LOG_FORMAT must be 'json' or 'text', got {log_format!r}")
    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]
    if root.handlers and not force and len(ours) != len(root.handlers):
        return False  # configured by the host
    for handler in ours:
        root.removeHandler(handler)
    root.addHandler(make_handler(log_format))
    root.setLevel(level.upper())
    return True


def init_app(app: Flask) -> None:
    """Called by `create_app`: the format from INKASSO_LOG_FORMAT, json by default in production."""
    from paypage.config import ConfigError, Settings

    settings = app.extensions["inkasso.settings"]
    production = isinstance(settings, Settings) and settings.is_production
    log_format = os.environ.get("INKASSO_LOG_FORMAT", "json" if production else "text").strip().lower()
    try:
        configure(log_format, os.environ.get("INKASSO_LOG_LEVEL", "INFO"))
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
