"""Settings: the `create_app(config)` argument, then `INKASSO_*` environment variables, then defaults."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any


class ConfigError(RuntimeError):
    """A required setting is missing or malformed; the message names the variable."""


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    """INKASSO_ENV: `development` or `production`. Production refuses to start without a secret key."""
    database_url: str = ""
    """INKASSO_DATABASE_URL: `postgresql://user@host/db`; default a SQLite file in the data directory."""
    secret_key: str = ""
    """INKASSO_SECRET_KEY: derives pay tokens and signs sessions; at least 32 characters in production."""
    public_url: str = "http://127.0.0.1:8000"
    """INKASSO_PUBLIC_URL: the address debtors and creditors reach the service at; pay links use it."""
    rate_limit: int = 100
    """INKASSO_RATE_LIMIT: API requests per second per API key (sustained)."""
    rate_limit_burst: int = 200
    """INKASSO_RATE_LIMIT_BURST: requests an API key may make at once before the limit applies."""
    max_body_bytes: int = 1024 * 1024
    """INKASSO_MAX_BODY_BYTES: largest request body accepted (413 above)."""
    webhook_timeout: int = 15
    """INKASSO_WEBHOOK_TIMEOUT: seconds a receiver has to answer a webhook."""
    webhook_lease: int = 60
    """INKASSO_WEBHOOK_LEASE: seconds a worker holds a delivery; longer than the timeout."""
    metrics_token: str = ""
    """INKASSO_METRICS_TOKEN: bearer token for `/metrics`; without one, only local requests may read it."""
    engine_lease: int = 300
    """INKASSO_ENGINE_LEASE: seconds a worker holds a due claim; after a crash another worker takes it
    over once this has passed."""
    clock_offset: int = 0
    """INKASSO_CLOCK_OFFSET: seconds added to the clock, development only: lets a demo or a test run the
    collection engine "next Monday at 10:00" in several processes at once. Refused in production."""
    outbox_file: str = ""
    """INKASSO_OUTBOX_FILE: where the outbox channel also appends each message it keeps, as JSON lines."""
    inbound_email_domain: str = ""
    """INKASSO_INBOUND_EMAIL_DOMAIN: the mail domain `flask --app paypage inbound-smtp` receives for; answers
    to debtors then carry a per-claim reply address there (`r-<claim>-<check>@domain`)."""
    intent_model: str = "tfidf"
    """INKASSO_INTENT_MODEL: `tfidf` (default) or `combined` (adds multilingual sentence embeddings; needs
    `pip install inkasso[embeddings]`) for sorting debtors' messages (docs/decisions.md)."""
    data_keys: str = field(default="", repr=False)
    """INKASSO_DATA_KEYS: `id:base64key,...` encrypting personal data at rest; the first key encrypts, all
    decrypt. Required in production; development uses a fixed key (docs/data-protection.md)."""
    data_dir: str = ".inkasso"
    """INKASSO_DATA_DIR: where the development secret key and the SQLite file are kept."""
    clock: Callable[[], dt.datetime] = field(default=utc_now)
    """The time source; tests inject one (not an environment variable)."""

    @property
    def is_production(self) -> bool:
        return self.env == "production"


_ENV_NAMES = {f.name: f"INKASSO_{f.name.upper()}" for f in fields(Settings) if f.name != "clock"}


def _coerce(name: str, raw: Any, default: Any) -> Any:
    if isinstance(default, bool) or not isinstance(default, int):
        return raw
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"{_ENV_NAMES[name]} must be an integer, got {raw!r}") from None


def _development_secret(data_dir: str) -> str:
    # Kept on disk so pay links stay valid across restarts of a development server.
    path = Path(data_dir) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load_settings(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    environ = os.environ if environ is None else environ
    overrides = dict(overrides or {})
    values: dict[str, Any] = {}
    defaults = Settings()
    for f in fields(Settings):
        if f.name in overrides:
            values[f.name] = overrides.pop(f.name)
        elif f.name in _ENV_NAMES and _ENV_NAMES[f.name] in environ:
            values[f.name] = _coerce(f.name, environ[_ENV_NAMES[f.name]], getattr(defaults, f.name))
    if overrides:
        raise ConfigError(f"unknown settings: {', '.join(sorted(overrides))}")
    settings = Settings(**values)
    if settings.env not in ("development", "production"):
        raise ConfigError(f"INKASSO_ENV must be 'development' or 'production', got {settings.env!r}")
    if settings.intent_model not in ("tfidf", "combined"):
        raise ConfigError(f"INKASSO_INTENT_MODEL must be 'tfidf' or 'combined', got {settings.intent_model!r}")
    if not settings.secret_key:
        if settings.is_production:
            raise ConfigError("INKASSO_SECRET_KEY is required in production")
        settings = Settings(**{**values, "secret_key": _development_secret(settings.data_dir)})
    if not settings.database_url:
        if settings.is_production:
            raise ConfigError("INKASSO_DATABASE_URL is required in production")
        path = (Path(settings.data_dir) / "inkasso.sqlite3").resolve()
        settings = Settings(**{**settings.__dict__, "database_url": f"sqlite:///{path}"})
    if settings.clock_offset:
        if settings.is_production:
            raise ConfigError("INKASSO_CLOCK_OFFSET is for development and tests; it is refused in production")
        base, offset = settings.clock, dt.timedelta(seconds=settings.clock_offset)
        settings = Settings(**{**settings.__dict__, "clock": lambda: base() + offset})
    if settings.is_production and len(settings.secret_key) < 32:
        raise ConfigError("INKASSO_SECRET_KEY must be at least 32 characters")
    _check_data_keys(settings)
    return settings


def _check_data_keys(settings: Settings) -> None:
    from paypage.store.crypto import DataKeyError, settings_keyring

    if settings.is_production and not settings.data_keys.strip():
        raise ConfigError("INKASSO_DATA_KEYS is required in production (flask --app paypage data-keys generate)")
    try:
        keyring = settings_keyring(settings.data_keys)
    except DataKeyError as exc:
        raise ConfigError(f"INKASSO_DATA_KEYS: {exc}") from None
    if settings.is_production and keyring.has_development_key():
        raise ConfigError("INKASSO_DATA_KEYS: the development key is refused in production")
