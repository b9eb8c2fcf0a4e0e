"""Twilio's webhook signature (`X-Twilio-Signature`), computed and checked without the twilio package.

Twilio signs a form-encoded webhook with HMAC-SHA1, keyed by the account's auth token, over the full URL
it called followed by every POST parameter sorted by name, each written as name + value without any
separator; the header carries the base64 of the digest. Like Twilio's own validator we sort the values
of a repeated parameter too, and accept the URL with and without an explicit port, because Twilio is
not consistent about the port in what it signs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections import defaultdict
from collections.abc import Iterable, Iterator
from urllib.parse import SplitResult, urlsplit, urlunsplit

from paypage.engine.channels.protocol import CallbackSignatureError

DEFAULT_PORTS = {"https": 443, "http": 80}


def twilio_signature(auth_token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    values_by_name: defaultdict[str, set[str]] = defaultdict(set)
    for name, value in params:
        values_by_name[name].add(value)
    signed = url + "".join(name + value for name in sorted(values_by_name) for value in sorted(values_by_name[name]))
    digest = hmac.new(auth_token.encode("utf-8"), signed.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_twilio_signature(auth_token: str, url: str, params: Iterable[tuple[str, str]], signature: str) -> None:
    """Raise CallbackSignatureError unless `signature` is Twilio's for this URL and these parameters."""
    if not signature:
        raise CallbackSignatureError("the callback has no X-Twilio-Signature")
    pairs = list(params)
    for candidate in _url_variants(url):
        expected = twilio_signature(auth_token, candidate, pairs)
        if hmac.compare_digest(expected.encode("ascii"), signature.strip().encode("ascii", "replace")):
            return
    raise CallbackSignatureError("the X-Twilio-Signature does not match")


def _url_variants(url: str) -> Iterator[str]:
    parts = urlsplit(url)
    yield url
    host = parts.hostname or ""
    if parts.port is not None:
        yield _with_netloc(parts, host)
    elif parts.scheme in DEFAULT_PORTS:
        yield _with_netloc(parts, f"{host}:{DEFAULT_PORTS[parts.scheme]}")


def _with_netloc(parts: SplitResult, host_and_port: str) -> str:
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = f"{userinfo}@{host_and_port}" if userinfo else host_and_port
    return urlunsplit(parts._replace(netloc=netloc))
