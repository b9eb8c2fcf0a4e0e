"""The portal's workspace in real Chromium: import a CSV with two bad lines and read the report (with and
without script), rotate a webhook secret, answer an inbox message; axe-core on every workspace page, and a
screenshot of each (`tests/browser/screenshots/portal-*.png`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import FilePayload, Page, expect

from paypage.extensions import database
from paypage.store import models
from tests.browser.support import DESKTOP, Device, assert_accessible
from tests.conftest import Served, site
from tests.portal.conftest import PASSWORD, Team, team
from tests.portal.test_inbox_pages import inbox_item

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
HEADER = "external_reference,amount,currency,invoice_date,due_date,debtor_name,debtor_email,debtor_country\n"


class Workspace:
    def __init__(self, app: Flask, served: Served, alpha: Team) -> None:
        self.app = app
        self.served = served
        self.alpha = alpha

    def url(self, path: str) -> str:
        return self.served.url + path


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    data = tmp_path_factory.mktemp("portal-browser")
    with site(f"sqlite:///{data / 'portal.sqlite3'}", data) as (application, server):
        yield Workspace(application, server, team(application, "Alpha Shop GmbH", "alpha"))


@pytest.fixture
def device() -> Device:
    """The portal is a desk tool: the desktop viewport only."""
    return DESKTOP


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"portal-{name}.png"), full_page=True)


def sign_in(page: Page, workspace: Workspace, role: str) -> None:
    page.goto(workspace.url("/portal/login"))
    page.fill("#email", workspace.alpha.users[role])
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).not_to_have_url(re.compile(r"/login"))


def csv_file(*lines: str) -> FilePayload:
    return FilePayload(name="claims.csv", mimeType="text/csv", buffer=(HEADER + "\n".join(lines) + "\n").encode())


def lines(prefix: str) -> list[str]:
    return [
        f"{prefix}-1,10000,EUR,2026-09-01,2026-09-15,Erika Mustermann,erika@example.de,DE",
        f"{prefix}-2,12.50,EUR,2026-09-01,2026-09-15,Max Muster,max@example.de,DE",
        f"{prefix}-3,20000,EUR,2026-09-01,2026-09-15,Jan Jansen,jan@example.nl,NL",
        f"{prefix}-4,30000,EUR,2026-09-01,2026-09-31,Anna Schmidt,anna@example.de,DE",
        f"{prefix}-5,40000,EUR,2026-09-01,2026-09-15,Piet Pan,piet@example.nl,NL",
    ]


def test_import_a_csv_with_two_bad_lines_and_read_the_report(workspace: Workspace, page: Page, axe_source: str) -> None:
    sign_in(page, workspace, "agent")
    page.goto(workspace.url("/portal/integrations/imports"))
    assert_accessible(page, axe_source, "the import page")
    shoot(page, "import-upload")
    page.set_input_files("#file", files=[csv_file(*lines("BRW"))])
    page.click("button.primary[type=submit]")
    expect(page.locator("h2#report-title")).to_be_visible()  # the script reloaded once the job finished
    expect(page.locator("progress#import-bar")).to_have_attribute("value", "100")
    rows = page.locator("table.import-errors tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("td").nth(0)).to_have_text("3")
    expect(rows.nth(0).locator("td").nth(1)).to_contain_text("amount: '12.50' is not a whole number of minor units")
    expect(rows.nth(1).locator("td").nth(0)).to_have_text("5")
    expect(rows.nth(1).locator("td").nth(1)).to_contain_text("due_date: '2026-09-31' is not a date")
    expect(page.locator("[data-import-summary]")).to_contain_text("3 claims imported, 2 lines with errors, of 5")
    assert_accessible(page, axe_source, "the import report")
    shoot(page, "import-report")


def test_the_import_report_arrives_without_javascript(workspace: Workspace, new_page: Callable[..., Page]) -> None:
    page = new_page(java_script_enabled=False)
    sign_in(page, workspace, "owner")
    page.goto(workspace.url("/portal/integrations/imports"))
    page.set_input_files("#file", files=[csv_file(*lines("NOJS"))])
    page.click("button.primary[type=submit]")
    # The page refreshes itself (<noscript> meta refresh) until the job is done.
    expect(page.locator("table.import-errors tbody tr")).to_have_count(2, timeout=15_000)


def test_rotate_a_webhook_secret(workspace: Workspace, page: Page, axe_source: str) -> None:
    sign_in(page, workspace, "owner")
    page.goto(workspace.url("/portal/integrations"))
    assert_accessible(page, axe_source, "the integrations page")
    page.fill("#key-name", "Shop backend")
    page.click("form[action$='/integrations/keys'] button[type=submit]")
    expect(page.locator("[data-new-key]")).to_have_text(re.compile(r"^sk_test_"))
    shoot(page, "integrations")
    page.fill("#webhook-url", "https://hooks.example.com/alpha")
    page.click("form[action$='/integrations/webhooks'] button[type=submit]")
    first = page.locator("[data-new-secret]").inner_text()
    assert first.startswith("whsec_")
    page.click("form[action$='/rotate'] button[type=submit]")
    second = page.locator("[data-new-secret]")
    expect(second).to_have_text(re.compile(r"^whsec_"))
    assert second.inner_text() != first
    expect(page.get_by_text("keeps signing beside it for 24 hours")).to_be_visible()
    assert_accessible(page, axe_source, "the webhook page")
    shoot(page, "webhook")
    page.reload()  # a reload asks for the form again: the secret is not shown twice
    expect(page.locator("[data-new-secret]")).to_have_count(0)


def test_answer_an_inbox_message(workspace: Workspace, page: Page, axe_source: str) -> None:
    item_id = inbox_item(
        workspace.app,
        workspace.alpha,
        body="Ich habe schon am Montag überwiesen, bitte prüfen Sie das.",
        intent=None,
        confidence=0.41,
        reason="low_confidence",
    )
    sign_in(page, workspace, "agent")
    page.goto(workspace.url("/portal/inbox"))
    assert_accessible(page, axe_source, "the inbox")
    shoot(page, "inbox")
    page.click(f"a[href$='/inbox/{item_id}']")
    expect(page.locator(".message-body")).to_contain_text("schon am Montag")
    page.click("button[name=to][value=me]")
    expect(page.get_by_role("status")).to_have_text("The item is assigned.")
    assert_accessible(page, axe_source, "an inbox item")
    shoot(page, "inbox-item")
    page.select_option("#template", index=0)
    page.click("form[action$='/reply'] button[type=submit]")
    expect(page.get_by_role("status")).to_have_text("The answer was sent and the item closed.")
    expect(page.locator("[data-reply]")).not_to_be_empty()
    shoot(page, "inbox-answered")


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("settings", "/portal/settings"),
        ("country", "/portal/settings/countries/DE"),
        ("payments", "/portal/settings/payments"),
        ("branding", "/portal/settings/branding"),
        ("privacy", "/portal/privacy"),
    ],
)
def test_settings_and_data_protection_pages_are_accessible(
    workspace: Workspace, page: Page, axe_source: str, name: str, path: str
) -> None:
    sign_in(page, workspace, "owner")
    page.goto(workspace.url(path))
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page, axe_source, f"the {name} page")
    shoot(page, name)


def test_a_debtor_export_page_and_a_refused_setting(workspace: Workspace, page: Page, axe_source: str) -> None:
    sign_in(page, workspace, "owner")
    with workspace.app.app_context(), database().transaction() as session:
        claim = session.get(models.Claim, (workspace.alpha.creditor.id, workspace.alpha.claim_ids[0]))
        assert claim is not None
        reference = claim.external_reference
    page.goto(workspace.url("/portal/privacy"))
    page.fill("#q", reference)
    page.click("form[role=search] button[type=submit]")
    page.click("ul.rows a")
    expect(page.get_by_role("button", name="Download as PDF")).to_be_visible()
    with page.expect_download() as download:
        page.click("form[action$='/export.pdf'] button[type=submit]")
    assert download.value.suggested_filename.endswith(".pdf")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    assert_accessible(page, axe_source, "a debtor's data protection page")
    shoot(page, "privacy-debtor")
    page.goto(workspace.url("/portal/settings/branding"))
    page.fill("#colour", "#ffee00")
    page.click("button.primary[type=submit]")
    expect(page.locator("#colour-error")).to_contain_text("too light")
    expect(page.locator("#colour")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, axe_source, "the branding page with an error")
    shoot(page, "branding-error")


def test_the_branding_reaches_the_pay_page(workspace: Workspace, page: Page, axe_source: str) -> None:
    from tests.portal.conftest import pay_url
    from tests.portal.test_integrations_settings_service import png

    sign_in(page, workspace, "owner")
    page.goto(workspace.url("/portal/settings/branding"))
    page.fill("#colour", "#7a1f5c")
    page.set_input_files(
        "#logo", files=[FilePayload(name="logo.png", mimeType="image/png", buffer=png(160, 48, b"\x7a\x1f\x5c"))]
    )
    page.click("button.primary[type=submit]")
    expect(page.get_by_role("status")).to_contain_text("The branding is saved.")
    expect(page.locator("img.brand-logo")).to_be_visible()
    shoot(page, "branding-saved")
    page.goto(pay_url(workspace.app, workspace.alpha, workspace.alpha.claim_ids[0]))
    logo = page.locator("header .creditor img.logo")
    expect(logo).to_be_visible()
    expect(logo).to_have_attribute("alt", "Alpha Shop GmbH")
    assert page.evaluate("() => document.querySelector('header .creditor img.logo').naturalWidth") == 160
    # The colour arrives by a stylesheet of our own origin: the CSP stays `style-src 'self'`.
    expect(page.locator(".methods li:first-child .method")).to_have_css("background-color", "rgb(122, 31, 92)")
    assert_accessible(page, axe_source, "the branded pay page")
    shoot(page, "branded-pay-page")
