"""What a creditor may set in the portal, checked against the country's rules before it is stored.

Everything lives in `creditors.settings` (a JSON document the engine and the pay page already read):

    {"countries": {"DE": {"methods": [...], "channels": [...], "instalments": {...},
                          "collection_fee": bool, "experiments": bool}},
     "payments": {"provider": ..., "stripe": {...}, "adyen": {...}},   # paypage.payments.registry
     "branding": {"colour": "#0b57a4"}}

A creditor can only narrow what a country allows, never widen it: no method the country does not list,
no instalment below the country's minimum or beyond its longest plan, no collection fee where no fee
rules are on file. `for_country` lays a country's choices over the creditor-wide settings, so readers of
`settings["methods"]` and `settings["instalments"]` get the country's values.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import re
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from paypage.domain.charges import rules_for
from paypage.domain.countries import Country
from paypage.payments.registry import PROVIDERS
from paypage.store import models

CHANNELS = ("email", "sms", "whatsapp", "letter")
T = TypeVar("T")


class SettingsError(ValueError):
    """A value the creditor may not choose: `field` names the form field, `code` the reason."""

    def __init__(self, field: str, code: str, **params: object) -> None:
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code
        self.params = params


# ------------------------------------------------------------------------------------------ per country


@dataclass(frozen=True)
class CountryChoice:
    methods: tuple[str, ...]
    channels: tuple[str, ...]
    instalments_allowed: bool
    min_instalment: int
    """Minor units of the country's currency."""
    max_months: int
    collection_fee: bool
    experiments: bool


def _own(settings: dict[str, Any], code: str) -> dict[str, Any]:
    countries = settings.get("countries")
    own = countries.get(code) if isinstance(countries, dict) else None
    return own if isinstance(own, dict) else {}


def fee_allowed(country: Country) -> bool:
    """Collection costs only where our charge rules for the country have fee rules (the engine charges
    them where those rules allow, `paypage.domain.charges`)."""
    rules = rules_for(country.code)
    return rules is not None and rules.fees is not None


def fee_wanted(settings: dict[str, Any], code: str) -> bool:
    """Whether the creditor lets the engine charge collection costs in the country (the default: yes,
    where the rules allow them)."""
    return bool(_own(settings, code).get("collection_fee", True))


def country_choice(settings: dict[str, Any], country: Country) -> CountryChoice:
    """The creditor's choice for the country, with the country's defaults where it has made none."""
    own = _own(settings, country.code)
    instalments = own.get("instalments", {})
    return CountryChoice(
        methods=tuple(own.get("methods") or [method.id for method in country.methods]),
        channels=tuple(own.get("channels") or CHANNELS),
        instalments_allowed=bool(instalments.get("allowed", country.instalments.allowed)),
        min_instalment=int(instalments.get("min_instalment", country.instalments.min_instalment)),
        max_months=int(instalments.get("max_months", country.instalments.max_months)),
        collection_fee=bool(own.get("collection_fee", fee_allowed(country))),
        experiments=bool(own.get("experiments", False)),
    )


def check_country_choice(country: Country, choice: CountryChoice) -> None:
    offered = [method.id for method in country.methods]
    if not choice.methods:
        raise SettingsError("methods", "none_chosen")
    unknown = [method for method in choice.methods if method not in offered]
    if unknown:
        raise SettingsError("methods", "not_offered", methods=", ".join(unknown))
    if not choice.channels:
        raise SettingsError("channels", "none_chosen")
    if any(channel not in CHANNELS for channel in choice.channels):
        raise SettingsError("channels", "unknown")
    if choice.instalments_allowed:
        if not country.instalments.allowed:
            raise SettingsError("instalments_allowed", "not_allowed")
        if choice.min_instalment < country.instalments.min_instalment:
            raise SettingsError("min_instalment", "below_minimum", minimum=country.instalments.min_instalment)
        if not 2 <= choice.max_months <= country.instalments.max_months:
            raise SettingsError("max_months", "out_of_range", maximum=country.instalments.max_months)
    if choice.collection_fee and not fee_allowed(country):
        raise SettingsError("collection_fee", "not_allowed")


def save_country_choice(creditor: models.Creditor, country: Country, choice: CountryChoice) -> None:
    check_country_choice(country, choice)
    settings = copy.deepcopy(creditor.settings)
    countries = settings.setdefault("countries", {})
    # The country's own order is the display order the law may demand (credit last): keep it.
    methods = [method.id for method in country.methods if method.id in choice.methods]
    countries[country.code] = {
        "methods": methods,
        "channels": [channel for channel in CHANNELS if channel in choice.channels],
        "instalments": {
            "allowed": choice.instalments_allowed,
            "min_instalment": choice.min_instalment,
            "max_months": choice.max_months,
        },
        "collection_fee": choice.collection_fee,
        "experiments": choice.experiments,
    }
    creditor.settings = settings  # a new object, so the JSON column is seen as changed


def for_country(settings: dict[str, Any], code: str) -> dict[str, Any]:
    """The creditor's settings as seen for one country: its methods and instalment rules replace the
    creditor-wide ones (which stay for countries without a choice)."""
    own = _own(settings, code)
    if not own:
        return settings
    merged = dict(settings)
    # Only the keys the pay page already reads; `channels` at the top level configures the channels
    # themselves (paypage.engine.channel_registry) and must not be replaced by the list chosen here.
    for key in ("methods", "instalments"):
        if key in own:
            merged[key] = own[key]
    return merged


def allowed_channels(channels: Mapping[str, T], settings: dict[str, Any], code: str) -> dict[str, T]:
    """The creditor's channels narrowed to those it allows for reminders in the country (all without a
    choice): the engine sends a step on the first of the step's channels that is left."""
    chosen = _own(settings, code).get("channels")
    if not chosen:
        return dict(channels)
    return {name: channel for name, channel in channels.items() if name in chosen}


# ---------------------------------------------------------------------------------------------- provider

SECRET_FIELDS = {"stripe": ("api_key", "webhook_secret"), "adyen": ("api_key", "hmac_key")}
PLAIN_FIELDS = {"stripe": (), "adyen": ("merchant_account", "environment")}
FORM_ORDER = {
    "stripe": ("api_key", "webhook_secret"),
    "adyen": ("api_key", "merchant_account", "hmac_key", "environment"),
}
_STRIPE_PREFIXES = {"api_key": ("sk_test_", "sk_live_", "rk_test_", "rk_live_"), "webhook_secret": ("whsec_",)}


def mask(secret: str) -> str:
    """Enough to tell two secrets apart, never enough to use one."""
    return "•" * 8 + secret[-4:] if len(secret) >= 12 else "•" * 8


def provider_view(settings: dict[str, Any]) -> dict[str, Any]:
    """The provider settings as the portal may show them: secrets masked."""
    payments = settings.get("payments", {}) if isinstance(settings.get("payments"), dict) else {}
    view: dict[str, Any] = {"provider": payments.get("provider", "sandbox")}
    for name in SECRET_FIELDS:
        options = payments.get(name, {}) if isinstance(payments.get(name), dict) else {}
        view[name] = {field: mask(str(options[field])) for field in SECRET_FIELDS[name] if options.get(field)}
        view[name].update({field: str(options[field]) for field in PLAIN_FIELDS[name] if options.get(field)})
    return view


def save_provider(creditor: models.Creditor, provider: str, given: dict[str, str]) -> None:
    """Switch provider and set its fields. An empty secret field keeps the stored secret, since the
    portal never shows it back to be sent again."""
    if provider not in PROVIDERS:
        raise SettingsError("provider", "unknown")
    settings = copy.deepcopy(creditor.settings)
    payments = settings.setdefault("payments", {})
    if provider != "sandbox":
        options = dict(payments.get(provider) or {})
        for field in FORM_ORDER[provider]:
            value = given.get(field, "").strip()
            if value:
                if len(value) > 500 or any(ch.isspace() for ch in value):
                    raise SettingsError(field, "malformed")
                if provider == "stripe" and not value.startswith(_STRIPE_PREFIXES[field]):
                    raise SettingsError(field, "malformed")
                if field == "environment" and value not in ("test", "live"):
                    raise SettingsError(field, "malformed")
                options[field] = value
            elif not options.get(field) and field != "environment":
                raise SettingsError(field, "required")
        payments[provider] = options
    payments["provider"] = provider
    creditor.settings = settings


# ---------------------------------------------------------------------------------------------- branding

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
PAGE_BACKGROUND = "#f4f6f8"
"""pay.css `--bg`: links in the brand colour sit on it, button text in white sits on the colour."""
MIN_CONTRAST = 4.5
"""WCAG 2.1 AA for normal text."""
MAX_LOGO_BYTES = 200 * 1024
MAX_LOGO_SIDE = 2000
LOGO_TYPES = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}
"""SVG is refused: it can carry script and external references, and sanitising it is a parser war."""


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(first: str, second: str) -> float:
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def check_colour(value: str) -> str:
    value = value.strip()
    if not _COLOUR.match(value):
        raise SettingsError("colour", "malformed")
    worst = min(contrast(value, "#ffffff"), contrast(value, PAGE_BACKGROUND))
    if worst < MIN_CONTRAST:
        raise SettingsError("colour", "low_contrast", ratio=f"{worst:.1f}")
    return value.lower()


def save_colour(creditor: models.Creditor, value: str | None) -> None:
    settings = copy.deepcopy(creditor.settings)
    branding = settings.setdefault("branding", {})
    if value:
        branding["colour"] = check_colour(value)
    else:
        branding.pop("colour", None)
    creditor.settings = settings


def brand_colour(settings: dict[str, Any]) -> str | None:
    branding = settings.get("branding")
    colour = branding.get("colour") if isinstance(branding, dict) else None
    return colour if isinstance(colour, str) and _COLOUR.match(colour) else None


@dataclass(frozen=True)
class LogoFacts:
    content_type: str
    width: int
    height: int


def _png_size(content: bytes) -> tuple[int, int]:
    if len(content) < 24 or content[12:16] != b"IHDR":
        raise SettingsError("logo", "unreadable")
    width, height = struct.unpack(">II", content[16:24])
    return int(width), int(height)


_JPEG_FRAMES = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg_size(content: bytes) -> tuple[int, int]:
    position = 2
    while position + 9 < len(content):
        if content[position] != 0xFF:
            raise SettingsError("logo", "unreadable")
        marker = content[position + 1]
        length = int.from_bytes(content[position + 2 : position + 4], "big")
        if marker in _JPEG_FRAMES:
            height, width = struct.unpack(">HH", content[position + 5 : position + 9])
            return int(width), int(height)
        position += 2 + length
    raise SettingsError("logo", "unreadable")


def check_logo(content: bytes) -> LogoFacts:
    """The type is read from the content, never taken from the name or the browser's claim."""
    if not content:
        raise SettingsError("logo", "empty")
    if len(content) > MAX_LOGO_BYTES:
        raise SettingsError("logo", "too_large", limit=MAX_LOGO_BYTES // 1024)
    head = content[:256].lstrip().lower()
    if head.startswith((b"<svg", b"<?xml", b"<!doctype svg")):
        raise SettingsError("logo", "svg_refused")
    for content_type, magic in LOGO_TYPES.items():
        if content.startswith(magic):
            width, height = _png_size(content) if content_type == "image/png" else _jpeg_size(content)
            if not (0 < width <= MAX_LOGO_SIDE and 0 < height <= MAX_LOGO_SIDE):
                raise SettingsError("logo", "bad_dimensions", limit=MAX_LOGO_SIDE)
            return LogoFacts(content_type, width, height)
    raise SettingsError("logo", "wrong_type")


def save_logo(session: Session, creditor_id: str, content: bytes, now: dt.datetime) -> models.BrandLogo:
    facts = check_logo(content)
    logo = session.get(models.BrandLogo, creditor_id)
    if logo is None:
        logo = models.BrandLogo(creditor_id=creditor_id)
        session.add(logo)
    logo.content_type = facts.content_type
    logo.width = facts.width
    logo.height = facts.height
    logo.size = len(content)
    logo.sha256 = hashlib.sha256(content).hexdigest()
    logo.content = content
    logo.updated_at = now
    session.flush()
    return logo


def remove_logo(session: Session, creditor_id: str) -> bool:
    logo = session.get(models.BrandLogo, creditor_id)
    if logo is None:
        return False
    session.delete(logo)
    return True


def brand_css(colour: str) -> str:
    """The stylesheet that recolours the pay page: a stylesheet from our origin, so the CSP stays strict."""
    return f":root {{ --accent: {check_colour(colour)}; }}\n"
