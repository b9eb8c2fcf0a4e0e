"""Choosing an instalment plan: the live preview, the schedule, SEPA direct debit, the first instalment."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from paypage import i18n
from paypage.extensions import database
from paypage.store import models
from tests.browser.support import Device, Shots, minor_units, wait_for_payment_status
from tests.pay.conftest import PaySite

pytestmark = pytest.mark.browser

BALANCE = 60_005
"""600,05 €: six instalments that cannot all be equal, so the sum of the rows means something."""


def test_six_instalments_with_sepa_direct_debit(
    browser_site: PaySite, page: Page, device: Device, shots: Shots
) -> None:
    claim = browser_site.claim(amount=BALANCE)
    page.goto(claim["pay_url"])
    months = page.locator("select#months")
    preview = page.locator("output[for=months]")
    months.select_option("3")
    expect(preview).to_have_text(re.compile(r"^3 × 200,0[12]\s€$"))
    months.select_option("6")
    expect(preview).to_have_text(re.compile(r"^6 × 100,0[01]\s€$"))
    months.scroll_into_view_if_needed()
    shots.take(page, "overview with preview")

    device.press(months.locator("xpath=following-sibling::button[@type='submit']"))
    expect(page).to_have_url(re.compile(r"/plan\?months=6$"))
    rows = page.locator(".schedule-table tbody tr")
    expect(rows).to_have_count(6)
    numbers = [row.locator("td").nth(0).inner_text() for row in rows.all()]
    amounts = [minor_units(row.locator("td").nth(2).inner_text()) for row in rows.all()]
    assert numbers == ["1", "2", "3", "4", "5", "6"]
    assert sum(amounts) == BALANCE, amounts
    assert max(amounts) - min(amounts) <= 5, amounts  # a fair split, the rounding remainder spread or on one row
    assert minor_units(page.locator(".schedule-table tfoot td").inner_text()) == BALANCE
    due_dates = [row.locator("td").nth(1).inner_text() for row in rows.all()]
    assert len(set(due_dates)) == 6 and all(re.fullmatch(r"\d{1,2}\. \w+ \d{4}", d) for d in due_dates), due_dates
    shots.take(page, "schedule")

    device.press(page.locator("input[name=method][value=sepa_debit]"))
    expect(page.locator("input[name=method][value=sepa_debit]")).to_be_checked()
    shots.take(page, "sepa chosen")
    device.press(page.locator("button.primary[type=submit]"))
    expect(page).to_have_url(re.compile(r"/sandbox/checkout/"))
    assert browser_site.get_claim(claim["id"])["state"] == "payment_plan"
    assert "claim.plan_created" in browser_site.event_types(claim["id"])
    expect(page.get_by_role("heading", level=1)).to_have_text(f"€{amounts[0] / 100:.2f}")
    expect(page.locator("main")).to_contain_text("kept for the next instalments")
    shots.take(page, "checkout")

    device.press(page.get_by_role("button", name=re.compile(r"^Pay ")))
    wait_for_payment_status(page, "succeeded")
    shots.take(page, "return")
    assert browser_site.wait_for(lambda: browser_site.get_claim(claim["id"])["balance"]["paid"] == amounts[0])
    assert browser_site.get_claim(claim["id"])["state"] == "payment_plan"

    device.press(page.locator("[data-payment-status] a"))
    schedule = page.locator("ol.schedule li")
    expect(schedule).to_have_count(6)
    assert [minor_units(item.locator("span").nth(1).inner_text()) for item in schedule.all()] == amounts
    catalog = i18n.translations(page.locator("html").get_attribute("lang") or "en")
    statuses = [item.locator(".status").inner_text() for item in schedule.all()]
    assert statuses == [catalog.gettext("paid")] + [catalog.gettext("open")] * 5, statuses
    expect(page.locator("select#months")).to_have_count(0)  # no second plan while one runs
    shots.take(page, "overview with plan")

    device.press(page.locator("button.method[value=sepa_debit]"))  # the next instalment, early
    expect(page.get_by_role("heading", level=1)).to_have_text(f"€{amounts[1] / 100:.2f}")
    with browser_site.app.app_context(), database().transaction() as session:
        pending = session.scalars(
            select(models.Payment).where(models.Payment.claim_id == claim["id"], models.Payment.status == "pending")
        ).one()
        assert pending.instalment_number == 2 and pending.amount == amounts[1]


def test_plan_page_preview_shows_the_instalment_amount(browser_site: PaySite, page: Page) -> None:
    claim = browser_site.claim(amount=BALANCE)
    page.goto(claim["pay_url"] + "/plan?months=6")
    assert page.locator("output[for=months]").inner_text() in ("6 × 100,01\xa0€", "6 × 100,00\xa0€")
