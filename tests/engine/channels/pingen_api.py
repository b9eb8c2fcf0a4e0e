"""Pingen's API v2, locally: OAuth client credentials, signed file upload, JSON:API letters, errors.

Shaped after Pingen's official SDKs: the token endpoint answers `access_token`/`expires_in`, the
file-upload endpoint hands out a signed storage URL (here on the same server) and its `url_signature`,
and letters are created under `/organisations/{id}/deliveries/letters` as JSON:API documents.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.payments.wire.server import Request, Response, WireServer

CLIENT_ID = "pingen-client-7f3a"
CLIENT_SECRET = "pingen-secret-0c41d9e2"
ORGANISATION_ID = "9d1c2b3a-4e5f-4a6b-8c7d-0e1f2a3b4c5d"
JSON_API = "application/vnd.api+json"
LETTERS_PATH = f"/organisations/{ORGANISATION_ID}/deliveries/letters"


class StorageServer(WireServer):
    """The shared wire server, taught PUT: Pingen's signed upload URL points at object storage."""

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        handler = super()._handler_class()
        handler.do_PUT = handler.do_POST  # type: ignore[attr-defined]
        return handler


def json_api(status: int, payload: Any) -> Response:
    return Response(status, json.dumps(payload).encode(), {"Content-Type": JSON_API})


@dataclass
class FakePingen:
    tokens: list[str] = field(default_factory=list)
    uploads: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    """Storage key -> (url_signature, uploaded bytes)."""
    letters: list[dict[str, Any]] = field(default_factory=list)
    idempotency_keys: list[str] = field(default_factory=list)
    refusal: dict[str, Any] | None = None
    """A JSON:API error document to answer the next letter with (422), as Pingen does for invalid ones."""

    def __post_init__(self) -> None:
        self.server = StorageServer(self.route)

    @property
    def url(self) -> str:
        return self.server.url

    def route(self, request: Request) -> Response:
        path = urlsplit(request.path).path
        if request.method == "POST" and path == "/auth/access-tokens":
            return self._token(request)
        if request.method == "PUT" and path.startswith("/storage/"):
            return self._store(request, path.removeprefix("/storage/"))
        if request.headers.get("authorization", "").removeprefix("Bearer ") not in self.tokens:
            return json_api(401, {"errors": [{"code": "unauthenticated", "title": "Unauthenticated."}]})
        if request.method == "GET" and path == "/file-upload":
            return self._file_upload()
        if request.method == "POST" and path == LETTERS_PATH:
            return self._create_letter(request)
        return json_api(404, {"errors": [{"code": "not_found", "title": "Not Found"}]})

    def _token(self, request: Request) -> Response:
        form = dict(parse_qsl(request.body.decode()))
        wanted = {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
        if any(form.get(name) != value for name, value in wanted.items()):
            return Response.json(401, {"error": "invalid_client", "error_description": "Client authentication failed"})
        token = "eyJ0eXAiOiJKV1Qi." + secrets.token_urlsafe(24)
        self.tokens.append(token)
        return Response.json(200, {"token_type": "Bearer", "expires_in": 43200, "access_token": token})

    def _file_upload(self) -> Response:
        key = secrets.token_hex(8)
        signature = "$2y$10$" + secrets.token_urlsafe(30)
        self.uploads[key] = (signature, b"")
        attributes = {
            "url": f"{self.url}/storage/{key}?X-Amz-Expires=600&X-Amz-Signature={secrets.token_hex(16)}",
            "url_signature": signature,
            "expires_at": "2026-11-25T10:00:00+0100",
        }
        return json_api(200, {"data": {"id": secrets.token_hex(8), "type": "file_uploads", "attributes": attributes}})

    def _store(self, request: Request, key: str) -> Response:
        if key not in self.uploads or "authorization" in request.headers:
            return Response(403, b"<Error><Code>AccessDenied</Code></Error>", {"Content-Type": "application/xml"})
        self.uploads[key] = (self.uploads[key][0], request.body)
        return Response(200)

    def _create_letter(self, request: Request) -> Response:
        if request.headers.get("content-type") != JSON_API:
            return json_api(415, {"errors": [{"code": "unsupported_media_type", "title": "Unsupported Media Type"}]})
        key = request.headers.get("idempotency-key", "")
        self.idempotency_keys.append(key)
        if self.refusal is not None:
            refusal, self.refusal = self.refusal, None
            return json_api(422, refusal)
        document = json.loads(request.body)
        attributes = document["data"]["attributes"]
        storage_key = urlsplit(attributes["file_url"]).path.removeprefix("/storage/")
        signature, content = self.uploads.get(storage_key, ("", b""))
        if document["data"]["type"] != "letters" or attributes["file_url_signature"] != signature or not content:
            return json_api(
                422,
                {"errors": [{"code": "validation_failed", "title": "The file is invalid.", "source": {}}]},
            )
        letter = {"id": secrets.token_hex(4) + "-letter", "attributes": attributes, "pdf": content}
        self.letters.append(letter)
        return json_api(
            201,
            {"data": {"id": letter["id"], "type": "letters", "attributes": {**attributes, "status": "validating"}}},
        )
