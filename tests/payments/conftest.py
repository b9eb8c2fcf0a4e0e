"""Provider adapters against local wire-format servers, with every socket held to the loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from paypage.payments.adyen_provider import AdyenProvider
from paypage.payments.stripe_provider import StripeProvider
from tests.loopback import guard
from tests.payments.wire import adyen_api, stripe_api


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, int]]]:
    """Every TCP connection the test opens; any address off the loopback fails the test."""
    yield from guard(monkeypatch)


@pytest.fixture
def fake_stripe() -> Iterator[stripe_api.FakeStripe]:
    fake = stripe_api.FakeStripe()
    yield fake
    fake.server.close()


@pytest.fixture
def stripe_provider(fake_stripe: stripe_api.FakeStripe) -> StripeProvider:
    return StripeProvider(stripe_api.API_KEY, stripe_api.WEBHOOK_SECRET, api_base=fake_stripe.url)


@pytest.fixture
def fake_adyen() -> Iterator[adyen_api.FakeAdyen]:
    fake = adyen_api.FakeAdyen()
    yield fake
    fake.server.close()


@pytest.fixture
def adyen_provider(fake_adyen: adyen_api.FakeAdyen) -> AdyenProvider:
    return AdyenProvider(
        api_key=adyen_api.API_KEY,
        merchant_account=adyen_api.MERCHANT_ACCOUNT,
        hmac_key=adyen_api.HMAC_KEY,
        environment="test",
        base_url=fake_adyen.url,
    )
