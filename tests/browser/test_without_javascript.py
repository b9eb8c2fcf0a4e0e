"""With JavaScript switched off the page is still complete: the script only adds copy buttons and a preview."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import Device, Shots, minor_units, wait_for_payment_status
from tests.pay.conftest import PaySite

pytestmark = pytest.mark.browser


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page(java_script_enabled=False)


def test_overview_and_instalments_without_javascript(
    browser_site: PaySite, page: Page, device: Device, shots: Shots
) -> None:
    claim = browser_site.claim(amount=60_000)
    page.goto(claim["pay_url"])
    assert page.evaluate("1 + 1") == 2  # the test's own scripts still run; the page's do not
    expect(page.get_by_role("heading", level=1)).to_contain_text(claim["external_reference"])
    assert minor_units(page.locator(".balance .total").inner_text()) == 60_000
    expect(page.locator("button.copy")).to_have_count(2)
    for button in page.locator("button.copy").all():
        expect(button).to_be_hidden()
    expect(page.locator("output")).to_have_count(0)  # no live preview without the script
    expect(page.locator(".qr svg")).to_be_visible()
    shots.take(page, "overview")

    page.locator("select#months").select_option("4")
    device.press(page.locator("select#months ~ button[type=submit]"))
    expect(page).to_have_url(re.compile(r"/plan\?months=4$"))
    rows = page.locator(".schedule-table tbody tr")
    expect(rows).to_have_count(4)
    assert [minor_units(row.locator("td").nth(2).inner_text()) for row in rows.all()] == [15_000] * 4
    shots.take(page, "schedule")

    device.press(page.locator("button.primary[type=submit]"))  # no method chosen: the server says so
    expect(page.locator("#method-error")).to_be_visible()
    shots.take(page, "method missing")
    device.press(page.locator("input[name=method][value=sepa_debit]"))
    device.press(page.locator("button.primary[type=submit]"))
    expect(page).to_have_url(re.compile(r"/sandbox/checkout/"))
    assert browser_site.get_claim(claim["id"])["state"] == "payment_plan"
    device.press(page.get_by_role("button", name=re.compile(r"^Pay ")))
    wait_for_payment_status(page, "succeeded")
    shots.take(page, "return")
    assert browser_site.wait_for(lambda: browser_site.get_claim(claim["id"])["balance"]["paid"] == 15_000)


def test_pay_in_full_without_javascript(browser_site: PaySite, page: Page, device: Device, shots: Shots) -> None:
    claim = browser_site.claim()
    page.goto(claim["pay_url"])
    device.press(page.locator("button.method[value=paypal]"))
    expect(page).to_have_url(re.compile(r"/sandbox/checkout/"))
    expect(page.locator("main")).to_contain_text("paypal")
    shots.take(page, "checkout")
    device.press(page.get_by_role("button", name="Pay €123.45"))
    expect(page).to_have_url(re.compile(r"/return\?payment=pay_"))
    wait_for_payment_status(page, "succeeded")
    shots.take(page, "return")
    assert browser_site.wait_for(lambda: browser_site.get_claim(claim["id"])["state"] == "paid")
    page.goto(claim["pay_url"])
    expect(page.locator("#paid-title")).to_be_visible()
    shots.take(page, "paid")
