"""Settings pages: collection per country, the payment provider, and the pay page's branding.

The checks are the service's (`creditor_settings`); this module turns forms into its values and its
refusals into sentences in the portal's language.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import redirect, request, url_for
from sqlalchemy.orm import Session
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from paypage.domain.countries import UnknownCountryError, all_countries, get_country
from paypage.domain.countries.model import Country
from paypage.extensions import database, settings
from paypage.portal import NOTICES, bp, page
from paypage.portal.access import current_creditor_id, current_user, requires
from paypage.portal.audit_trail import record as audit
from paypage.portal.i18n import _
from paypage.services import creditor_settings as cs
from paypage.store import models

NOTICES.update(
    {
        "country_saved": lambda: _("The settings for this country are saved."),
        "provider_saved": lambda: _("The payment provider settings are saved."),
        "branding_saved": lambda: _("The branding is saved. The pay page shows it from now on."),
        "logo_removed": lambda: _("The logo was removed."),
    }
)

_MESSAGES: dict[str, Callable[[cs.SettingsError], str]] = {
    "none_chosen": lambda e: _("Choose at least one."),
    "not_offered": lambda e: _("Not offered in this country: %(methods)s.", methods=e.params.get("methods", "")),
    "unknown": lambda e: _("Choose from the list."),
    "not_allowed": lambda e: _("The rules of this country do not allow this."),
    "below_minimum": lambda e: _(
        "The smallest instalment in this country is %(minimum)s (minor units).", minimum=e.params.get("minimum", "")
    ),
    "out_of_range": lambda e: _(
        "Between 2 and %(maximum)s months in this country.", maximum=e.params.get("maximum", "")
    ),
    "malformed": lambda e: _("This value does not have the expected form."),
    "required": lambda e: _("This value is needed for this provider."),
    "low_contrast": lambda e: _(
        "This colour is too light: white text on it and links in it must reach a contrast of 4.5:1 "
        "(it reaches %(ratio)s:1).",
        ratio=e.params.get("ratio", ""),
    ),
    "empty": lambda e: _("The file is empty."),
    "too_large": lambda e: _("The logo may be at most %(limit)s KB.", limit=e.params.get("limit", "")),
    "svg_refused": lambda e: _("SVG files are not accepted, since they can carry scripts. Upload a PNG or JPEG."),
    "wrong_type": lambda e: _("Upload a PNG or JPEG image."),
    "unreadable": lambda e: _("The image cannot be read."),
    "bad_dimensions": lambda e: _(
        "The logo may be at most %(limit)s pixels wide and high.", limit=e.params.get("limit", "")
    ),
}


def message(error: cs.SettingsError) -> str:
    found = _MESSAGES.get(error.code)
    return found(error) if found else _("This value does not have the expected form.")


def _actor() -> str:
    user = current_user()
    return f"user:{user.id}" if user else "user:unknown"


def _creditor(session: Session) -> models.Creditor:
    creditor = session.get(models.Creditor, current_creditor_id(), with_for_update=True)
    if creditor is None:
        raise NotFound
    return creditor


@bp.get("/settings", endpoint="settings")
@requires("read_only")
def settings_page() -> Response:
    with database().transaction() as session:
        creditor = _creditor(session)
        own = creditor.settings.get("countries", {})
        provider = cs.provider_view(creditor.settings)["provider"]
        colour = cs.brand_colour(creditor.settings)
        logo = session.get(models.BrandLogo, creditor.id)
    countries = [country for country in all_countries() if country.currency]
    return page(
        "portal/integrations/settings.html", countries=countries, own=own, provider=provider, colour=colour, logo=logo
    )


def _country(code: str) -> Country:
    try:
        country = get_country(code)
    except UnknownCountryError:
        raise NotFound from None
    if not country.currency:
        raise NotFound
    return country


def _country_page(country: Country, choice: cs.CountryChoice, status: int = 200, **values: object) -> Response:
    return page(
        "portal/integrations/country.html",
        status,
        country=country,
        choice=choice,
        channels=cs.CHANNELS,
        fee_allowed=cs.fee_allowed(country),
        **values,
    )


@bp.get("/settings/countries/<code>")
@requires("read_only")
def country_settings(code: str) -> Response:
    country = _country(code)
    with database().transaction() as session:
        choice = cs.country_choice(_creditor(session).settings, country)
    return _country_page(country, choice)


def _int(name: str, default: int) -> int | None:
    raw = request.form.get(name, "").strip()
    if not raw:
        return default
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


@bp.post("/settings/countries/<code>")
@requires("owner")
def save_country_settings(code: str) -> Response:
    country = _country(code)
    minimum = _int("min_instalment", country.instalments.min_instalment)
    months = _int("max_months", country.instalments.max_months)
    choice = cs.CountryChoice(
        methods=tuple(request.form.getlist("methods")),
        channels=tuple(request.form.getlist("channels")),
        instalments_allowed=request.form.get("instalments_allowed") == "1",
        min_instalment=minimum if minimum is not None else -1,
        max_months=months if months is not None else -1,
        collection_fee=request.form.get("collection_fee") == "1",
        experiments=request.form.get("experiments") == "1",
    )
    now = settings().clock()
    try:
        with database().transaction() as session:
            creditor = _creditor(session)
            cs.save_country_choice(creditor, country, choice)
            audit(
                session,
                creditor_id=creditor.id,
                actor=_actor(),
                action="settings.country_changed",
                subject=country.code,
                now=now,
            )
    except cs.SettingsError as error:
        return _country_page(country, choice, 400, error_field=error.field, error=message(error))
    return redirect(url_for("portal.country_settings", code=country.code, notice="country_saved"), 303)


# ---------------------------------------------------------------------------------------------- provider


@bp.get("/settings/payments")
@requires("read_only")
def provider_settings() -> Response:
    with database().transaction() as session:
        view = cs.provider_view(_creditor(session).settings)
    return page("portal/integrations/payments.html", view=view)


@bp.post("/settings/payments")
@requires("owner")
def save_provider_settings() -> Response:
    provider = request.form.get("provider", "")
    given = {key: value for key, value in request.form.items() if key.startswith(f"{provider}_")}
    fields = {key.removeprefix(f"{provider}_"): value for key, value in given.items()}
    now = settings().clock()
    try:
        with database().transaction() as session:
            creditor = _creditor(session)
            cs.save_provider(creditor, provider, fields)
            audit(
                session,
                creditor_id=creditor.id,
                actor=_actor(),
                action="settings.provider_changed",
                subject=provider,
                detail={"fields": sorted(k for k, v in fields.items() if v)},
                now=now,
            )
    except cs.SettingsError as error:
        with database().transaction() as session:
            view = cs.provider_view(_creditor(session).settings)
        return page(
            "portal/integrations/payments.html",
            400,
            view=view,
            chosen=provider,
            error_field=f"{provider}_{error.field}" if error.field != "provider" else "provider",
            error=message(error),
        )
    return redirect(url_for("portal.provider_settings", notice="provider_saved"), 303)


# ---------------------------------------------------------------------------------------------- branding


def _branding_page(status: int = 200, **values: object) -> Response:
    with database().transaction() as session:
        creditor = _creditor(session)
        colour = cs.brand_colour(creditor.settings)
        logo = session.get(models.BrandLogo, creditor.id)
        creditor_id = creditor.id
    return page(
        "portal/integrations/branding.html",
        status,
        colour=colour,
        logo=logo,
        creditor_id=creditor_id,
        max_kb=cs.MAX_LOGO_BYTES // 1024,
        **values,
    )


@bp.get("/settings/branding")
@requires("read_only")
def branding() -> Response:
    return _branding_page()


@bp.post("/settings/branding")
@requires("owner")
def save_branding() -> Response:
    colour = request.form.get("colour", "").strip()
    upload = request.files.get("logo")
    now = settings().clock()
    try:
        with database().transaction() as session:
            creditor = _creditor(session)
            cs.save_colour(creditor, colour or None)
            changed = ["colour"]
            if upload is not None and upload.filename:
                cs.save_logo(session, creditor.id, upload.read(cs.MAX_LOGO_BYTES + 1), now)
                changed.append("logo")
            audit(
                session,
                creditor_id=creditor.id,
                actor=_actor(),
                action="settings.branding_changed",
                detail={"changed": changed},
                now=now,
            )
    except cs.SettingsError as error:
        return _branding_page(400, error_field=error.field, error=message(error), given_colour=colour)
    return redirect(url_for("portal.branding", notice="branding_saved"), 303)


@bp.post("/settings/branding/logo/remove")
@requires("owner")
def remove_logo() -> Response:
    now = settings().clock()
    with database().transaction() as session:
        creditor = _creditor(session)
        if cs.remove_logo(session, creditor.id):
            audit(session, creditor_id=creditor.id, actor=_actor(), action="settings.logo_removed", now=now)
    return redirect(url_for("portal.branding", notice="logo_removed"), 303)
