"""The hosted service: `create_app(config)` builds the Flask app."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from paypage.config import Settings, load_settings
from paypage.pay.csrf import set_cookie as set_csrf_cookie
from paypage.services.claims import LinkMaker
from paypage.store.crypto import settings_keyring
from paypage.store.db import Database

__all__ = ["create_app"]

# A form posting to /p/<token>/pay is answered by a redirect to the provider's hosted checkout, and
# browsers apply form-action to that redirect too: the providers' checkout hosts are listed for that.
PROVIDER_CHECKOUT_ORIGINS = "https://checkout.stripe.com https://*.adyen.link https://*.adyen.com"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    f"base-uri 'none'; form-action 'self' {PROVIDER_CHECKOUT_ORIGINS}; frame-ancestors {{ancestors}}"
)
_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "Cache-Control": "no-store",
}


def _security_headers(response: Response) -> None:
    for name, value in _SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    # A page framed by a creditor's shop (?embed=1) names the shop's origins; every other page refuses frames.
    ancestors = g.get("frame_ancestors")
    response.headers["Content-Security-Policy"] = CSP.format(ancestors=" ".join(ancestors) if ancestors else "'none'")
    if not ancestors:
        response.headers["X-Frame-Options"] = "DENY"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. `config` overrides `INKASSO_*` variables, which override the defaults."""
    settings: Settings = load_settings(config)
    app = Flask(__name__)
    app.config.update(SECRET_KEY=settings.secret_key, MAX_CONTENT_LENGTH=settings.max_body_bytes)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["inkasso.settings"] = settings
    app.extensions["inkasso.db"] = Database(settings.database_url, settings_keyring(settings.data_keys))
    app.extensions["inkasso.links"] = LinkMaker(settings.secret_key.encode(), settings.public_url)

    @app.before_request
    def _request_id() -> None:
        g.request_id = "req_" + secrets.token_hex(12)
        g.max_body_bytes = settings.max_body_bytes

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers["Request-Id"] = g.get("request_id", "")
        _security_headers(response)
        return set_csrf_cookie(response)

    from paypage import api, cli, i18n, metrics, ops, pay, portal, provider_hooks, sandbox_checkout
    from paypage.api.errors import http_error, internal_error
    from paypage.pay import branding as pay_branding

    i18n.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(pay.bp)
    app.register_blueprint(portal.bp)
    app.register_blueprint(pay_branding.bp)  # the creditor's colour and logo on the pay page
    app.register_blueprint(provider_hooks.bp)
    from paypage import inbound_hooks

    app.register_blueprint(inbound_hooks.bp)  # debtors' SMS and WhatsApp replies
    app.register_blueprint(sandbox_checkout.bp)
    app.register_blueprint(metrics.bp)
    ops.init_app(app)  # /healthz, /readyz and the logging setup
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
