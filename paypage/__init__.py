"""The hosted service: `create_app(config)` builds the Flask app."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from paypage.config import Settings, load_settings
from paypage.services.claims import LinkMaker
from paypage.store.db import Database

__all__ = ["create_app"]

_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "Cache-Control": "no-store",
}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. `config` overrides `INKASSO_*` variables, which override the defaults."""
    settings: Settings = load_settings(config)
    app = Flask(__name__)
    app.config.update(SECRET_KEY=settings.secret_key, MAX_CONTENT_LENGTH=settings.max_body_bytes)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["inkasso.settings"] = settings
    app.extensions["inkasso.db"] = Database(settings.database_url)
    app.extensions["inkasso.links"] = LinkMaker(settings.secret_key.encode(), settings.public_url)

    @app.before_request
    def _request_id() -> None:
        g.request_id = "req_" + secrets.token_hex(12)
        g.max_body_bytes = settings.max_body_bytes

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers["Request-Id"] = g.get("request_id", "")
        for name, value in _SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    from paypage import api, cli, pay
    from paypage.api.errors import http_error, internal_error

    app.register_blueprint(api.bp)
    app.register_blueprint(pay.bp)
    cli.register(app)

    # The API's error shape applies under /v1 even where no blueprint view matched (404, 405, 413).
    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response | HTTPException:
        if request.path.startswith("/v1/") or request.path == "/v1":
            return http_error(error)
        return pay.http_error(error)

    @app.errorhandler(Exception)
    def _unhandled(error: Exception) -> Response | tuple[str, int]:
        if request.path.startswith("/v1/"):
            return internal_error(error)
        return pay.internal_error(error)

    return app
