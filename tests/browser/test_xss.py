"""Every text field of a claim and the creditor's name are script payloads: in Chromium none of them
runs, no dialog opens, the page reports no refused script, and the text is shown literally."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Dialog, Page, expect

from paypage.extensions import database
from paypage.store import models
from tests.factories import debtor, new_creditor
from tests.pay.conftest import SETTINGS, PaySite

pytestmark = pytest.mark.browser

PAYLOADS = [
    "<script>window.__xss='script'</script>",
    '"><img src=x onerror="window.__xss=\'img\'">',
    "<svg onload=alert(1)>",
    "javascript:alert(1)//<iframe src=javascript:alert(2)>",
    "{{7*7}}${7*7}<b>bold</b>",
]
PAGES = ("", "/plan", "/already-paid", "/pause", "/dispute", "/contact")


def _hostile_site(site: PaySite, payload: str) -> PaySite:
    creditor = new_creditor(site.app, name=f"C {payload}")
    with site.app.app_context(), database().transaction() as session:
        record = session.get(models.Creditor, creditor.id)
        assert record is not None
        record.settings = SETTINGS
    return PaySite(site.app, site.served, creditor)


@pytest.mark.parametrize("index", range(len(PAYLOADS)))
def test_script_payloads_in_every_field_never_run(
    browser_site: PaySite, new_page: Callable[..., Page], index: int
) -> None:
    payload = PAYLOADS[index]
    hostile = _hostile_site(browser_site, payload)
    claim = hostile.claim(
        external_reference=f"R{index}{payload}"[:64],
        description=f"D {payload}",
        line_items=[{"description": f"L {payload}", "quantity": 1, "unit_amount": 12_345}],
        fees=[{"type": "reminder_fee", "amount": 500, "description": f"F {payload}"}],
        metadata={"note": payload},
        debtor=debtor(
            name=f"N {payload}",
            language="en",
            address={"line1": f"A {payload}", "postal_code": "51147", "city": f"Y {payload}", "country": "DE"},
        ),
    )
    page = new_page()
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    for suffix in PAGES:
        response = page.goto(claim["pay_url"] + suffix)
        assert response is not None and response.status == 200, suffix
        page.wait_for_load_state("load")
        assert page.evaluate("() => window.__xss") is None, suffix
        assert page.locator("img[src=x], svg[onload], iframe, script:not([src])").count() == 0, suffix
        assert page.locator("b", has_text="bold").count() == 0, suffix
    page.goto(claim["pay_url"])
    expect(page.locator("body")).to_contain_text(f"D {payload}")  # shown as text, character for character
    expect(page.locator("body")).to_contain_text(claim["external_reference"])
    expect(page.locator("body")).to_contain_text(f"C {payload}")
    assert dialogs == []
