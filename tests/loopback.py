"""A guard for tests that talk to local wire-format servers: no socket may leave the loopback.

Clients turn socket errors into their own (ProviderError, ChannelUnavailable), so a refused attempt is
also remembered and asserted on at teardown, where no expected error can hide it.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import pytest

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, int]]]:
    """Yields every TCP connection the test opens; fails the test if anything tried to go elsewhere."""
    for variable in PROXY_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    opened: list[tuple[str, int]] = []
    refused: list[str] = []
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def connect(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            host, port = str(address[0]), int(address[1])
            if not is_loopback(host):
                refused.append(f"connect to {host}:{port}")
                raise ConnectionRefusedError(f"test network: {host} is not the loopback")
            opened.append((host, port))
        real_connect(sock, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in LOOPBACK_NAMES and not is_loopback(name):
            refused.append(f"resolve {name}")
            raise socket.gaierror(socket.EAI_NONAME, f"test network: no lookup of {name}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield opened
    assert refused == [], f"a client tried to leave the machine: {refused}"
