"""Which provider a creditor uses, built from the creditor's settings (`settings["payments"]`).

    {"provider": "sandbox" | "stripe" | "adyen",
     "stripe": {"api_key": ..., "webhook_secret": ..., "api_base": optional},
     "adyen": {"api_key": ..., "merchant_account": ..., "hmac_key": ..., "environment": "test" | "live",
               "live_url_prefix": optional, "base_url": optional}}

A creditor without settings uses the sandbox, so the demo and test mode work out of the box; live mode
refuses the sandbox.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from paypage.extensions import settings
from paypage.payments.protocol import PaymentProvider, ProviderError
from paypage.payments.sandbox import SandboxProvider, post_in_background
from paypage.store import models

PROVIDERS = ("sandbox", "stripe", "adyen")


def payment_settings(creditor: models.Creditor) -> dict[str, Any]:
    value = creditor.settings.get("payments", {})
    return value if isinstance(value, dict) else {}


def provider_name(creditor: models.Creditor) -> str:
    name = str(payment_settings(creditor).get("provider", "sandbox"))
    if name not in PROVIDERS:
        raise ProviderError(f"unknown payment provider {name!r}")
    return name


def sandbox_for(creditor_id: str) -> SandboxProvider:
    config = settings()
    deliver = current_app.extensions.get("inkasso.sandbox_deliver", post_in_background)
    return SandboxProvider(config.secret_key, config.public_url, creditor_id, deliver=deliver, clock=config.clock)


def provider_for(creditor: models.Creditor, name: str | None = None) -> PaymentProvider:
    name = name or provider_name(creditor)
    options = payment_settings(creditor).get(name, {})
    if name == "sandbox":
        return sandbox_for(creditor.id)
    if name == "stripe":
        from paypage.payments.stripe_provider import StripeProvider

        return StripeProvider(
            api_key=options["api_key"], webhook_secret=options["webhook_secret"], api_base=options.get("api_base")
        )
    if name == "adyen":
        from paypage.payments.adyen_provider import AdyenProvider

        return AdyenProvider(
            api_key=options["api_key"],
            merchant_account=options["merchant_account"],
            hmac_key=options["hmac_key"],
            environment=options.get("environment", "test"),
            live_url_prefix=options.get("live_url_prefix"),
            base_url=options.get("base_url"),
            return_url=settings().public_url,
        )
    raise ProviderError(f"unknown payment provider {name!r}")
