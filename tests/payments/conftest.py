"""Provider adapters against local wire-format servers, with every socket held to the loopback."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from paypage.payments.adyen_provider import AdyenProvider
from paypage.payments.stripe_provider import StripeProvider
from tests.payments.wire import adyen_api, stripe_api

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, int]]]:
    """Every TCP connection the test opens; any other address than the loopback fails the test.

    The clients wrap socket errors into their own (and the adapters into ProviderError), so a refused
    attempt is also remembered and asserted on at teardown: it cannot hide behind an expected error.
    """
    for variable in PROXY_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    opened: list[tuple[str, int]] = []
    refused: list[str] = []
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def connect(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            host, port = str(address[0]), int(address[1])
            if not _is_loopback(host):
                refused.append(f"connect to {host}:{port}")
                raise ConnectionRefusedError(f"test network: {host} is not the loopback")
            opened.append((host, port))
        real_connect(sock, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in LOOPBACK_NAMES and not _is_loopback(name):
            refused.append(f"resolve {name}")
            raise socket.gaierror(socket.EAI_NONAME, f"test network: no lookup of {name}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield opened
    assert refused == [], f"a client tried to leave the machine: {refused}"


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
