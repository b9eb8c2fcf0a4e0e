"""Pingen (print and mail in CH, DE, AT and beyond) through its API v2, spoken directly over httpx.

Shape taken from Pingen's official SDKs (pingen2-sdk-python, pingen2-sdk-js):

    POST {auth_endpoint}  form grant_type=client_credentials, client_id, client_secret
        -> {"access_token": ..., "expires_in": 43200, "token_type": "Bearer"}
    GET  {api_base}/file-upload                          (Bearer; Accept: application/vnd.api+json)
        -> {"data": {"attributes": {"url": <signed upload URL>, "url_signature": ..., "expires_at": ...}}}
    PUT  <signed upload URL>   body: the PDF             (no Authorization: the URL is the credential)
    POST {api_base}/organisations/{organisation_id}/deliveries/letters   JSON:API, Idempotency-Key
        {"data": {"type": "letters", "attributes": {"file_original_name", "file_url", "file_url_signature",
                  "address_position": "left"|"right", "auto_send": true, "delivery_product",
                  "print_mode", "print_spectrum"}}}
        -> 201 {"data": {"id": <letter id>, "attributes": {"status": ...}}}

Pingen reads the address from the PDF's window area and validates the letter afterwards; a letter it
cannot send shows up in Pingen's app and webhooks, which this adapter does not follow.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Literal

import httpx

from paypage.engine.channels.http_client import http_client
from paypage.engine.channels.letter import PrintRejected
from paypage.engine.channels.letter_layout import window_layout_for
from paypage.engine.channels.print_providers import check_reference, raise_if_unavailable
from paypage.engine.channels.protocol import ChannelUnavailable, PostalAddress

JSON_API = "application/vnd.api+json"
TOKEN_MARGIN_SECONDS = 60  # renew a little before Pingen's expiry, not on the first refused request


class PingenProvider:
    def __init__(
        self,
        client_id: str,
        client_secret: str,
        organisation_id: str,
        *,
        delivery_product: str = "cheap",
        print_mode: Literal["simplex", "duplex"] = "simplex",
        print_spectrum: Literal["grayscale", "color"] = "grayscale",
        api_base: str = "https://api.pingen.com",
        auth_endpoint: str = "https://identity.pingen.com/auth/access-tokens",
        timeout: float = 30,
        http: httpx.Client | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client_id, self._client_secret = client_id, client_secret
        self.organisation_id = organisation_id
        self.delivery_product, self.print_mode, self.print_spectrum = delivery_product, print_mode, print_spectrum
        self.api_base = api_base.rstrip("/")
        self.auth_endpoint = auth_endpoint
        self.timeout = timeout
        self._http = http
        self._monotonic = monotonic
        self._token: tuple[str, float] | None = None

    def submit(self, pdf: bytes, recipient: PostalAddress, reference: str) -> str:
        reference = check_reference(reference)
        try:
            with http_client(self._http, self.timeout) as client:
                upload_url, signature = self._request_upload(client)
                self._upload(client, upload_url, pdf)
                return self._create_letter(client, upload_url, signature, recipient, reference)
        except httpx.TransportError as exc:
            raise ChannelUnavailable(f"Pingen not reachable: {type(exc).__name__}") from None

    # ------------------------------------------------------------------------------------- the steps

    def _request_upload(self, client: httpx.Client) -> tuple[str, str]:
        response = client.get(f"{self.api_base}/file-upload", headers=self._headers(client))
        attributes = _data(self._checked(response)).get("attributes", {})
        url, signature = attributes.get("url"), attributes.get("url_signature")
        if not (isinstance(url, str) and isinstance(signature, str)):
            raise ChannelUnavailable("Pingen's file-upload answer has no url and url_signature")
        return url, signature

    def _upload(self, client: httpx.Client, upload_url: str, pdf: bytes) -> None:
        response = client.put(upload_url, content=pdf)
        if not response.is_success:
            raise ChannelUnavailable(f"the upload to Pingen's storage failed (HTTP {response.status_code})")

    def _create_letter(
        self, client: httpx.Client, upload_url: str, signature: str, recipient: PostalAddress, reference: str
    ) -> str:
        attributes = {
            "file_original_name": f"{reference}.pdf",
            "file_url": upload_url,
            "file_url_signature": signature,
            "address_position": window_layout_for(recipient.country).window_side,
            "auto_send": True,
            "delivery_product": self.delivery_product,
            "print_mode": self.print_mode,
            "print_spectrum": self.print_spectrum,
        }
        response = client.post(
            f"{self.api_base}/organisations/{self.organisation_id}/deliveries/letters",
            json={"data": {"type": "letters", "attributes": attributes}},
            # Our message id as the key: the engine's retry of a letter Pingen already took prints nothing new.
            headers={**self._headers(client), "Content-Type": JSON_API, "Idempotency-Key": f"inkasso-{reference}"},
        )
        letter_id = _data(self._checked(response)).get("id")
        if not isinstance(letter_id, str):
            raise ChannelUnavailable("Pingen created the letter but sent no id")
        return letter_id

    # ---------------------------------------------------------------------------------- plumbing

    def _headers(self, client: httpx.Client) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._access_token(client)}", "Accept": JSON_API}

    def _access_token(self, client: httpx.Client) -> str:
        now = self._monotonic()
        if self._token is not None and now < self._token[1]:
            return self._token[0]
        response = client.post(
            self.auth_endpoint,
            data={
                "grant_type": "client_credentials",
                "client_id": self._client_id,
                "client_secret": self._client_secret,
            },
        )
        raise_if_unavailable("Pingen's token endpoint", response)
        payload = _json(response)
        token, expires_in = payload.get("access_token"), payload.get("expires_in")
        if not response.is_success or not isinstance(token, str) or not isinstance(expires_in, int | float):
            raise ChannelUnavailable(f"Pingen issued no access token (HTTP {response.status_code})")
        self._token = (token, now + max(0.0, float(expires_in) - TOKEN_MARGIN_SECONDS))
        return token

    def _checked(self, response: httpx.Response) -> dict[str, Any]:
        if response.status_code == 401:
            self._token = None  # revoked or expired early: fetch a new one on the next attempt
        raise_if_unavailable("Pingen", response)
        payload = _json(response)
        if not response.is_success:
            raise PrintRejected(_rejection(response.status_code, payload))
        return payload


def _rejection(status: int, payload: dict[str, Any]) -> str:
    # JSON:API errors: [{"code": ..., "title": ..., "detail": ..., "source": {...}}]. Titles and codes
    # are Pingen's fixed wording; `detail` can quote the document, so it stays out.
    errors = payload.get("errors")
    first = errors[0] if isinstance(errors, list) and errors else errors
    if isinstance(first, dict):
        code, title = first.get("code"), first.get("title")
        wording = ": ".join(str(part) for part in (code, title) if part)
        if wording:
            return f"Pingen refused the letter (HTTP {status}, {wording})"[:200]
    return f"Pingen refused the letter (HTTP {status})"


def _data(payload: dict[str, Any]) -> dict[str, Any]:
    data = payload.get("data")
    return data if isinstance(data, dict) else {}


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}
