"""Keyboard only: Tab reaches the payment methods with a visible focus, Enter pays, Enter opens the language menu."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import Shots, focus_outline, wait_for_payment_status
from tests.pay.conftest import PaySite

pytestmark = pytest.mark.browser


def tab_until(page: Page, selector: str, limit: int = 15) -> list[dict[str, Any]]:
    """Press Tab until the focus is on `selector`; every stop on the way, the last one included."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stops.append(focus_outline(page))
        if page.evaluate("selector => document.activeElement.matches(selector)", selector):
            return stops
    raise AssertionError(f"{limit} Tabs did not reach {selector}: {[(s['tag'], s['text'][:30]) for s in stops]}")


def assert_focus_visible(stop: dict[str, Any]) -> None:
    assert stop["focusVisible"], stop
    assert stop["outlineStyle"] == "solid" and stop["outlineWidth"] >= 2, stop  # pay.css: 3px solid accent


def test_pay_with_the_keyboard_only(browser_site: PaySite, page: Page, shots: Shots) -> None:
    claim = browser_site.claim()
    page.goto(claim["pay_url"])
    stops = tab_until(page, "button.method")
    assert [stop["tag"] for stop in stops] == ["a", "summary", "button"], stops  # skip link, language, first method
    for stop in stops:
        assert_focus_visible(stop)
        assert stop["onScreen"], stop  # the skip link too shows itself when focused
    first_method = page.locator("button.method").first
    expect(first_method).to_be_focused()
    assert stops[-1]["value"] == first_method.get_attribute("value") == "sepa_debit"
    shots.take(page, "first method focused")

    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/sandbox/checkout/"))
    expect(page.locator("main")).to_contain_text("sepa_debit")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name=re.compile(r"^Pay "))).to_be_focused()
    assert_focus_visible(focus_outline(page))
    shots.take(page, "pay focused")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/return\?payment=pay_"))
    wait_for_payment_status(page, "succeeded")
    assert browser_site.wait_for(lambda: browser_site.get_claim(claim["id"])["state"] == "paid")


def test_language_menu_with_the_keyboard(browser_site: PaySite, page: Page, shots: Shots) -> None:
    claim = browser_site.claim()
    page.goto(claim["pay_url"])
    tab_until(page, "nav.languages summary")
    details = page.locator("nav.languages details")
    expect(details).not_to_have_attribute("open", re.compile(".*"))
    page.keyboard.press("Enter")
    expect(details).to_have_attribute("open", "")
    shots.take(page, "menu open")
    stops = tab_until(page, "a[hreflang=fr]")
    for stop in stops:
        assert_focus_visible(stop)
        assert stop["onScreen"], stop
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
