"""The plugin's settings, read from Django's settings with defaults, each checked with the setting's name.

| Setting | Default | Meaning |
|---|---|---|
| `INKASSO_API_KEY` | the `INKASSO_API_KEY` environment variable | the creditor's secret API key |
| `INKASSO_BASE_URL` | the SDK's default | the service's URL |
| `INKASSO_WEBHOOK_SECRET` | (required) | the endpoint's `whsec_...` secret; two, space-separated, in a rotation |
| `INKASSO_PAYMENT_TERMS_DAYS` | 14 | an order is due this many days after it was placed |
| `INKASSO_HANDOVER_AFTER_DAYS` | 14 | days after the due date before an unpaid order is handed over |
| `INKASSO_UNPAID_STATUSES` | `("Pending",)` | order statuses that mean "not paid yet" |
| `INKASSO_HANDED_OVER_STATUS` | None | status to move an order to once its claim exists (None: leave it) |
| `INKASSO_ORDER_STATUS_FOR_STATE` | `{}` | claim state to order status, e.g. `{"paid": "Paid"}` |
| `INKASSO_BATCH_SIZE` | 100 | orders per `submit_batch` request (1 to 1000) |
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, get_args

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from inkasso.types import ClaimState
from inkasso.types.claims import MAX_BATCH_SIZE

CLAIM_STATES: frozenset[str] = frozenset(get_args(ClaimState))


@dataclass(frozen=True)
class PluginSettings:
    api_key: str | None
    base_url: str | None
    webhook_secrets: tuple[str, ...]
    payment_terms_days: int
    handover_after_days: int
    unpaid_statuses: tuple[str, ...]
    handed_over_status: str | None
    status_for_state: Mapping[str, str]
    batch_size: int


def _days(name: str, default: int) -> int:
    value = getattr(settings, name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ImproperlyConfigured(f"{name} must be a whole number of days (0 or more), not {value!r}")
    return value


def _optional_text(name: str) -> str | None:
    value = getattr(settings, name, None)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ImproperlyConfigured(f"{name} must be a string, not {type(value).__name__}")
    return value


def _statuses(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    value = getattr(settings, name, default)
    if isinstance(value, str) or not all(isinstance(item, str) and item for item in value):
        raise ImproperlyConfigured(f"{name} must be a list of order statuses, not {value!r}")
    return tuple(value)


def _status_for_state(name: str) -> dict[str, str]:
    value: Any = getattr(settings, name, {})
    if not isinstance(value, Mapping):
        raise ImproperlyConfigured(f"{name} must map claim states to order statuses, not {value!r}")
    unknown = sorted(str(state) for state in value if state not in CLAIM_STATES)
    if unknown:
        raise ImproperlyConfigured(f"{name} names unknown claim states {unknown}; known: {sorted(CLAIM_STATES)}")
    if not all(isinstance(status, str) and status for status in value.values()):
        raise ImproperlyConfigured(f"{name} must map each claim state to an order status (a string)")
    return dict(value)


def plugin_settings() -> PluginSettings:
    """The settings as they are now (read on each call, so `override_settings` in tests applies)."""
    secret = _optional_text("INKASSO_WEBHOOK_SECRET")
    if secret is None:
        raise ImproperlyConfigured(
            "INKASSO_WEBHOOK_SECRET is not set: put the webhook endpoint's secret (whsec_...) into your settings"
        )
    batch_size = getattr(settings, "INKASSO_BATCH_SIZE", 100)
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise ImproperlyConfigured(
            f"INKASSO_BATCH_SIZE must be a number from 1 to {MAX_BATCH_SIZE}, not {batch_size!r}"
        )
    return PluginSettings(
        api_key=_optional_text("INKASSO_API_KEY"),
        base_url=_optional_text("INKASSO_BASE_URL"),
        webhook_secrets=tuple(secret.split()),
        payment_terms_days=_days("INKASSO_PAYMENT_TERMS_DAYS", 14),
        handover_after_days=_days("INKASSO_HANDOVER_AFTER_DAYS", 14),
        unpaid_statuses=_statuses("INKASSO_UNPAID_STATUSES", ("Pending",)),
        handed_over_status=_optional_text("INKASSO_HANDED_OVER_STATUS"),
        status_for_state=_status_for_state("INKASSO_ORDER_STATUS_FOR_STATE"),
        batch_size=batch_size,
    )
