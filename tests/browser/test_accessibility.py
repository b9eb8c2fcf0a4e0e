"""axe-core on every state of the pay page: zero WCAG 2.0/2.1 A and AA violations, on a phone and a desktop."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import FilePayload, Page, expect
from sqlalchemy import select

from paypage.extensions import database
from paypage.store import models
from tests.browser.support import Device, Shots, assert_accessible, path_of, wait_for_payment_status
from tests.pay.conftest import PaySite

pytestmark = pytest.mark.browser

Setup = Callable[[PaySite, Page, Device], None]
ERROR_RED = "rgb(179, 38, 30)"
"""pay.css `--error`: the border of a field the server sent back."""


def overview_de(site: PaySite, page: Page, device: Device) -> None:
    page.goto(site.claim(fees=[{"type": "reminder_fee", "amount": 500}])["pay_url"])
    expect(page.locator("output[for=months]")).not_to_be_empty()  # the script has run


def overview_ch(site: PaySite, page: Page, device: Device) -> None:
    page.goto(site.swiss_claim()["pay_url"])
    expect(page.locator(".qr svg")).to_be_visible()


def overview_with_plan(site: PaySite, page: Page, device: Device) -> None:
    claim = site.claim(amount=60_000)
    page.goto(claim["pay_url"] + "/plan?months=6")
    device.press(page.locator("input[name=method][value=sepa_debit]"))
    device.press(page.locator("button.primary[type=submit]"))
    expect(page).to_have_url(re.compile(r"/sandbox/checkout/"))
    page.goto(claim["pay_url"])
    expect(page.locator("ol.schedule li")).to_have_count(6)


def plan_schedule(site: PaySite, page: Page, device: Device) -> None:
    page.goto(site.claim(amount=60_000)["pay_url"] + "/plan?months=6")
    expect(page.locator(".schedule-table tbody tr")).to_have_count(6)


def plan_refused(site: PaySite, page: Page, device: Device) -> None:
    page.goto(site.claim(amount=5_000)["pay_url"] + "/plan?months=6")  # 50 EUR: 2 instalments at most
    expect(page.locator("select#months[aria-invalid=true]")).to_have_css("border-top-color", ERROR_RED)


def request_form(kind: str) -> Setup:
    def setup(site: PaySite, page: Page, device: Device) -> None:
        page.goto(f"{site.claim()['pay_url']}/{kind}")
        expect(page.locator("#form-title")).to_be_visible()

    return setup


def pause_error(site: PaySite, page: Page, device: Device) -> None:
    request_form("pause")(site, page, device)
    page.fill("#until", "2099-01-01")  # beyond the longest pause: only the server knows
    device.press(page.locator("button.primary[type=submit]"))
    expect(page.locator("#until-error")).to_be_visible()
    expect(page.locator("#until")).to_have_css("border-top-color", ERROR_RED)


def already_paid_errors(site: PaySite, page: Page, device: Device) -> None:
    request_form("already-paid")(site, page, device)
    page.fill("#paid_on", "2026-11-01")
    page.fill("#amount", "zwölf")
    page.set_input_files("#proof", files=FilePayload(name="x.pdf", mimeType="application/pdf", buffer=b"<html>"))
    device.press(page.locator("button.primary[type=submit]"))
    expect(page.locator("#amount-error")).to_be_visible()
    expect(page.locator("#proof-error")).to_be_visible()
    for field in ("#amount", "#proof"):
        expect(page.locator(field)).to_have_attribute("aria-describedby", f"{field[1:]}-error")
        expect(page.locator(field)).to_have_css("border-top-color", ERROR_RED)


def request_done(site: PaySite, page: Page, device: Device) -> None:
    request_form("contact")(site, page, device)
    page.fill("#message", "Bitte rufen Sie mich an.")
    device.press(page.locator("button.primary[type=submit]"))
    expect(page.locator("#done-title")).to_be_visible()


def to_checkout(site: PaySite, page: Page, device: Device) -> dict[str, str]:
    claim = site.claim()
    page.goto(claim["pay_url"])
    device.press(page.locator("button.method[value=card]"))
    expect(page).to_have_url(re.compile(r"/sandbox/checkout/"))
    return claim


def returned_succeeded(site: PaySite, page: Page, device: Device) -> None:
    to_checkout(site, page, device)
    device.press(page.get_by_role("button", name=re.compile(r"^Pay ")))
    wait_for_payment_status(page, "succeeded")


def returned_failed(site: PaySite, page: Page, device: Device) -> None:
    to_checkout(site, page, device)
    device.press(page.get_by_role("button", name="Decline the payment"))
    wait_for_payment_status(page, "failed")


def returned_pending(site: PaySite, page: Page, device: Device) -> None:
    """Back from the provider before its webhook: the checkout is left open, the return page visited."""
    claim = to_checkout(site, page, device)
    with site.app.app_context(), database().transaction() as session:
        payment = session.scalars(select(models.Payment).where(models.Payment.claim_id == claim["id"])).one()
        assert payment.status == "pending"
    page.goto(f"{site.url}{path_of(claim['pay_url'])}/return?payment={payment.id}")
    expect(page.locator("[data-payment-status]")).to_have_attribute("data-payment-status", "pending")


def paid(site: PaySite, page: Page, device: Device) -> None:
    returned_succeeded(site, page, device)
    device.press(page.locator("[data-payment-status] a"))
    expect(page.locator("#paid-title")).to_be_visible()


def invalid_link(site: PaySite, page: Page, device: Device) -> None:
    page.goto(f"{site.url}/p/AAAAAAAAAAAAAAAAAAAAAA")
    expect(page.locator("h1")).to_be_visible()


STATES: dict[str, Setup] = {
    "overview-de": overview_de,
    "overview-ch": overview_ch,
    "overview-with-plan": overview_with_plan,
    "plan": plan_schedule,
    "plan-refused": plan_refused,
    "already-paid": request_form("already-paid"),
    "pause": request_form("pause"),
    "dispute": request_form("dispute"),
    "contact": request_form("contact"),
    "pause-error": pause_error,
    "already-paid-errors": already_paid_errors,
    "request-done": request_done,
    "return-succeeded": returned_succeeded,
    "return-failed": returned_failed,
    "return-pending": returned_pending,
    "paid": paid,
    "invalid-link": invalid_link,
}


@pytest.mark.parametrize("state", STATES)
def test_no_wcag_violations(
    browser_site: PaySite, page: Page, device: Device, shots: Shots, axe_source: str, state: str
) -> None:
    STATES[state](browser_site, page, device)
    shots.take(page, state)
    assert_accessible(page, axe_source, f"{state} ({device.name})")
