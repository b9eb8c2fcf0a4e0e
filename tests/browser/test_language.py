"""Switching the page's language with the language menu; the choice is kept in a cookie.

Catalogs are being translated while this suite is written, so the assertions are on `<html lang>`, the
dates Babel formats, and the title as the current catalog translates it, never on a fixed translated word.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from paypage import i18n
from tests.browser.support import Device, Shots
from tests.pay.conftest import PaySite

pytestmark = pytest.mark.browser

INVOICE_DATE = {"de": "1. September 2026", "fr": "1 septembre 2026", "nl": "1 september 2026"}
"""The claim's invoice date (2026-09-01) in CLDR's long format of each language."""


def expected_title(language: str, reference: str) -> str:
    invoice = i18n.translations(language).gettext("Invoice %(reference)s") % {"reference": reference}
    return f"{invoice} · Test Shop GmbH"


def choose_language(page: Page, device: Device, name: str) -> None:
    menu = page.locator("nav.languages details")
    device.press(menu.locator("summary"))
    expect(menu).to_have_attribute("open", "")
    expect(menu.get_by_role("link", name=name)).to_be_visible()
    device.press(menu.get_by_role("link", name=name))


def test_language_menu_switches_and_remembers(browser_site: PaySite, page: Page, device: Device, shots: Shots) -> None:
    claim = browser_site.claim()
    reference = claim["external_reference"]
    page.goto(claim["pay_url"])
    html = page.locator("html")
    meta = page.locator("p.meta")
    expect(html).to_have_attribute("lang", "de")
    expect(meta).to_contain_text(INVOICE_DATE["de"])
    assert page.title() == expected_title("de", reference)
    summary = page.locator("nav.languages summary")
    expect(summary).to_have_text(i18n.LANGUAGE_NAMES["de"])

    device.press(summary)
    expect(page.locator("nav.languages details")).to_have_attribute("open", "")
    shots.take(page, "menu open")
    device.press(summary)  # closes again

    choose_language(page, device, "Français")
    expect(html).to_have_attribute("lang", "fr")
    expect(meta).to_contain_text(INVOICE_DATE["fr"])
    assert page.title() == expected_title("fr", reference)
    expect(summary).to_have_text("Français")
    expect(page.locator('nav.languages a[aria-current="true"]')).to_have_attribute("hreflang", "fr")
    shots.take(page, "french")

    choose_language(page, device, "Nederlands")
    expect(html).to_have_attribute("lang", "nl")
    expect(meta).to_contain_text(INVOICE_DATE["nl"])
    assert page.title() == expected_title("nl", reference)
    shots.take(page, "dutch")

    page.reload()
    expect(html).to_have_attribute("lang", "nl")
    page.goto(claim["pay_url"])  # the link from the message, without ?lang=: the cookie decides
    expect(html).to_have_attribute("lang", "nl")
    expect(meta).to_contain_text(INVOICE_DATE["nl"])
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    assert cookies["inkasso_lang"]["value"] == "nl"
    assert cookies["inkasso_lang"]["httpOnly"] and cookies["inkasso_lang"]["sameSite"] == "Lax"
    shots.take(page, "dutch after reopening the link")
