"""Paying the whole amount with the sandbox provider, from the pay link to the "settled" page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import Device, Shots, minor_units, wait_for_payment_status
from tests.pay.conftest import PaySite

pytestmark = pytest.mark.browser


def test_pay_in_full_with_the_sandbox(browser_site: PaySite, page: Page, device: Device, shots: Shots) -> None:
    claim = browser_site.claim(fees=[{"type": "reminder_fee", "amount": 500}])
    page.goto(claim["pay_url"])
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_contain_text(claim["external_reference"])
    total = page.locator(".balance .total")
    assert total.inner_text().replace("\xa0", " ") == "128,45 €"
    assert minor_units(total.inner_text()) == 12_345 + 500
    expect(page.locator(".details")).to_contain_text("128,45")  # the bank transfer box asks for the same amount
    copy = page.locator("button.copy")
    expect(copy).to_have_count(2)
    for button in copy.all():
        expect(button).to_be_visible()  # the script shows them where the clipboard can be written
    shots.take(page, "overview")

    device.press(page.locator("button.method[value=card]"))
    expect(page).to_have_url(re.compile(r"/sandbox/checkout/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("€128.45")
    shots.take(page, "checkout")

    device.press(page.get_by_role("button", name="Pay €128.45"))
    expect(page).to_have_url(re.compile(r"/p/[^/]+/return\?payment=pay_"))
    wait_for_payment_status(page, "succeeded")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("[data-payment-status]")).to_contain_text("128,45")
    shots.take(page, "return")

    assert browser_site.wait_for(lambda: browser_site.get_claim(claim["id"])["state"] == "paid")
    after = browser_site.get_claim(claim["id"])
    assert after["balance"]["paid"] == 12_845 and after["balance"]["outstanding"] == 0
    types = browser_site.event_types(claim["id"])
    assert "claim.payment_succeeded" in types and "claim.paid" in types
    assert types.index("claim.payment_succeeded") < types.index("claim.paid")

    device.press(page.locator("[data-payment-status] a"))  # back to the overview
    expect(page.locator("#paid-title")).to_be_visible()
    expect(page.locator("button.method")).to_have_count(0)
    shots.take(page, "paid")
