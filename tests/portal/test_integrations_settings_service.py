"""Creditor settings: per-country choices checked against the country's rules and applied on the pay page,
provider secrets masked, and the branding (colour contrast, logo type by content) served under the CSP."""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from typing import Any

import pytest
from flask import Flask

from paypage import CSP
from paypage.domain.countries import get_country
from paypage.extensions import database
from paypage.services import creditor_settings as cs
from paypage.store import models
from tests.factories import claim_body, new_creditor

GERMANY = get_country("DE")


def png(width: int = 40, height: int = 20, rgb: bytes = b"\xff\xff\xff") -> bytes:
    """A real PNG: signature, IHDR, one IDAT of rows in one RGB colour, IEND."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + rgb * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def jpeg_header(width: int, height: int) -> bytes:
    """The markers a JPEG starts with, up to its frame header (enough to read the size)."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof0 + b"\xff\xd9"


def choice(**overrides: Any) -> cs.CountryChoice:
    values: dict[str, Any] = {
        "methods": ("sepa_debit", "card"),
        "channels": ("email", "letter"),
        "instalments_allowed": True,
        "min_instalment": 5000,
        "max_months": 6,
        "collection_fee": False,
        "experiments": True,
    }
    values.update(overrides)
    return cs.CountryChoice(**values)


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"methods": ()}, "methods", "none_chosen"),
        ({"methods": ("sepa_debit", "ideal")}, "methods", "not_offered"),
        ({"channels": ("email", "pigeon")}, "channels", "unknown"),
        ({"min_instalment": 1999}, "min_instalment", "below_minimum"),
        ({"max_months": 13}, "max_months", "out_of_range"),
        ({"max_months": 1}, "max_months", "out_of_range"),
    ],
)
def test_a_choice_beyond_the_country_rules_is_refused(overrides: dict[str, Any], field: str, code: str) -> None:
    with pytest.raises(cs.SettingsError) as refused:
        cs.check_country_choice(GERMANY, choice(**overrides))
    assert (refused.value.field, refused.value.code) == (field, code)


def test_a_collection_fee_needs_fee_rules_and_may_be_switched_off() -> None:
    poland = get_country("PL")  # no charge rules on file
    refused = choice(methods=(poland.methods[0].id,), instalments_allowed=False, collection_fee=True)
    with pytest.raises(cs.SettingsError) as raised:
        cs.check_country_choice(poland, refused)
    assert (raised.value.field, raised.value.code) == ("collection_fee", "not_allowed")
    assert cs.fee_allowed(GERMANY) and cs.country_choice({}, GERMANY).collection_fee  # on by default
    creditor = models.Creditor(id="cred_x", name="X", settings={})
    cs.save_country_choice(creditor, GERMANY, choice(collection_fee=False))
    assert not cs.fee_wanted(creditor.settings, "DE") and cs.fee_wanted(creditor.settings, "AT")


def test_a_saved_choice_keeps_the_country_order_and_overlays_the_creditor_settings() -> None:
    smtp = {"email": {"host": "mail.example"}}
    creditor = models.Creditor(
        id="cred_x", name="X", settings={"methods": ["card"], "pause_max_days": 10, "channels": smtp}
    )
    cs.save_country_choice(creditor, GERMANY, choice(methods=("card", "sepa_debit")))
    stored = creditor.settings["countries"]["DE"]
    assert stored["methods"] == ["sepa_debit", "card"]  # never-credit first, as the country lists them
    merged = cs.for_country(creditor.settings, "DE")
    assert merged["methods"] == ["sepa_debit", "card"] and merged["pause_max_days"] == 10
    assert merged["channels"] == smtp  # the channel configuration stays; the choice lives per country
    assert merged["instalments"] == {"allowed": True, "min_instalment": 5000, "max_months": 6}
    assert cs.for_country(creditor.settings, "AT")["methods"] == ["card"]
    again = cs.country_choice(creditor.settings, GERMANY)
    assert again.methods == ("sepa_debit", "card") and again.max_months == 6 and again.experiments


def test_provider_secrets_are_masked_and_kept_when_left_empty() -> None:
    creditor = models.Creditor(id="cred_x", name="X", settings={})
    cs.save_provider(creditor, "stripe", {"api_key": "sk_test_abcdefghijkl1234", "webhook_secret": "whsec_zzzzzzz9876"})
    cs.save_provider(creditor, "stripe", {"api_key": "", "webhook_secret": ""})  # the form sent back empty
    assert creditor.settings["payments"]["stripe"]["api_key"] == "sk_test_abcdefghijkl1234"
    view = cs.provider_view(creditor.settings)
    assert view["provider"] == "stripe"
    assert view["stripe"] == {"api_key": "••••••••1234", "webhook_secret": "••••••••9876"}
    assert "abcdefgh" not in repr(view)
    with pytest.raises(cs.SettingsError) as refused:
        cs.save_provider(creditor, "stripe", {"api_key": "pk_test_public"})
    assert (refused.value.field, refused.value.code) == ("api_key", "malformed")
    with pytest.raises(cs.SettingsError) as missing:
        cs.save_provider(creditor, "adyen", {"api_key": "AQE1234567890"})
    assert (missing.value.field, missing.value.code) == ("merchant_account", "required")
    with pytest.raises(cs.SettingsError):
        cs.save_provider(creditor, "paypal", {})


@pytest.mark.parametrize(
    ("colour", "code"), [("#ffd700", "low_contrast"), ("blue", "malformed"), ("#12345", "malformed")]
)
def test_colours_that_are_unreadable_or_malformed_are_refused(colour: str, code: str) -> None:
    with pytest.raises(cs.SettingsError) as refused:
        cs.check_colour(colour)
    assert refused.value.code == code


def test_a_dark_colour_passes_and_becomes_the_accent() -> None:
    assert cs.check_colour(" #0B57A4 ") == "#0b57a4"
    assert cs.contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert cs.brand_css("#7a1f5c") == ":root { --accent: #7a1f5c; }\n"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "svg_refused",
        ),
        (b"  <svg onload='x()'></svg>", "svg_refused"),
        (b"GIF89a" + b"\x00" * 20, "wrong_type"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 4, "unreadable"),
        (png(3000, 10), "bad_dimensions"),
        (png() + b"\x00" * cs.MAX_LOGO_BYTES, "too_large"),
        (b"", "empty"),
    ],
)
def test_logos_are_checked_by_content(content: bytes, code: str) -> None:
    with pytest.raises(cs.SettingsError) as refused:
        cs.check_logo(content)
    assert refused.value.code == code


def test_png_and_jpeg_sizes_are_read() -> None:
    assert cs.check_logo(png(40, 20)) == cs.LogoFacts("image/png", 40, 20)
    assert cs.check_logo(jpeg_header(320, 100)) == cs.LogoFacts("image/jpeg", 320, 100)


def test_the_pay_page_shows_the_brand_under_the_strict_csp(app: Flask) -> None:
    creditor = new_creditor(app)
    client = app.test_client()
    response = client.post("/v1/claims", json=claim_body(), headers=creditor.headers())
    assert response.status_code == 201
    path = "/" + response.get_json()["pay_url"].split("/", 3)[3]
    logo = png()
    with app.app_context(), database().transaction() as session:
        record = session.get(models.Creditor, creditor.id)
        assert record is not None
        cs.save_colour(record, "#7a1f5c")
        cs.save_country_choice(record, GERMANY, choice(methods=("sepa_debit", "card")))
        stored = cs.save_logo(session, creditor.id, logo, dt.datetime.now(dt.UTC))
        digest = stored.sha256
    page = client.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    stylesheet = f"/brand/{creditor.id}/7a1f5c.css"
    assert f'<link rel="stylesheet" href="{stylesheet}">' in html
    assert f'src="/brand/{creditor.id}/logo/{digest}"' in html
    assert "style=" not in html
    assert page.headers["Content-Security-Policy"].startswith(CSP.split("{", 1)[0])
    # Only the chosen methods of the country are offered.
    assert 'value="sepa_debit"' in html and 'value="card"' in html and 'value="paypal"' not in html
    css = client.get(stylesheet)
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert css.get_data(as_text=True) == ":root { --accent: #7a1f5c; }\n"
    served = client.get(f"/brand/{creditor.id}/logo/{digest}")
    assert served.status_code == 200 and served.mimetype == "image/png" and served.data == logo
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    # An old colour or logo version, or another creditor's id, is simply not there.
    assert client.get(f"/brand/{creditor.id}/0b57a4.css").status_code == 404
    assert client.get(f"/brand/{creditor.id}/logo/{'0' * 64}").status_code == 404
    assert client.get(f"/brand/{new_creditor(app).id}/logo/{digest}").status_code == 404


def test_the_engine_sends_only_on_the_channels_chosen_for_the_country(app: Flask) -> None:
    from paypage.engine import dunning
    from paypage.extensions import links

    creditor = new_creditor(app)
    response = app.test_client().post("/v1/claims", json=claim_body(), headers=creditor.headers())
    claim_id = response.get_json()["id"]
    tuesday_morning = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)  # within German contact hours
    with app.app_context(), database().transaction() as session:
        record = session.get(models.Creditor, creditor.id)
        assert record is not None
        cs.save_country_choice(record, GERMANY, choice(channels=("letter",)))
    offered = {"email": object(), "sms": object(), "letter": object()}
    assert cs.allowed_channels(offered, {}, "DE") == offered  # no choice: every channel the creditor has
    with app.app_context(), database().transaction() as session:
        prepared = dunning.prepare(
            session,
            dunning.Due(creditor.id, claim_id, False),
            tuesday_morning,
            links(),
            offered,  # type: ignore[arg-type]
        )
    # The first step names e-mail first and the debtor has an address: the letter goes, the e-mail does not.
    assert prepared is not None and prepared.channel == "letter"
