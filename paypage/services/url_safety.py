"""Webhook URLs: https and public addresses only in live mode, so the service cannot be aimed at itself
or at a creditor's neighbours on our network (SSRF). Test mode allows local targets for development."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

_LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


class UnsafeURLError(ValueError):
    """The URL may not be used as a webhook target; the message says why."""


def _forbidden(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def check_syntax(url: str, livemode: bool) -> str:
    """The URL's host after checking scheme, host and credentials; raises UnsafeURLError."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeURLError(f"is not a valid URL ({exc})") from None
    if parts.scheme not in ("https", "http"):
        raise UnsafeURLError("must start with https://")
    if livemode and parts.scheme != "https":
        raise UnsafeURLError("must use https in live mode")
    if not parts.hostname:
        raise UnsafeURLError("has no host")
    if parts.username or parts.password:
        raise UnsafeURLError("must not contain a user name or password")
    if port == 0:
        raise UnsafeURLError("has an invalid port")
    return parts.hostname


def resolve(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise UnsafeURLError(f"host '{host}' cannot be resolved") from None
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def check_target(url: str, livemode: bool) -> None:
    """Refuse URLs that must not receive webhooks. Live mode resolves the host and checks every address."""
    host = check_syntax(url, livemode)
    if not livemode:
        return
    if host.lower().rstrip(".") in _LOCAL_NAMES or host.lower().endswith(".localhost"):
        raise UnsafeURLError("must not point at this machine in live mode")
    for address in resolve(host):
        if _forbidden(address):
            raise UnsafeURLError(f"resolves to {address}, a private or local address, which live mode refuses")
