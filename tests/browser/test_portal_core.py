"""The portal's core in real Chromium: sign in over plain HTTP on 127.0.0.1 (the session cookie is Secure),
watch a payment made on the pay page appear on the dashboard without a reload, find the claim and read its
timeline, act on it; axe-core on every core page, and a screenshot of each
(`tests/browser/screenshots/portal-*.png`)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from paypage.extensions import database
from paypage.portal.sessions import COOKIE
from paypage.store import models
from tests.browser.support import DESKTOP, Device, assert_accessible
from tests.conftest import site
from tests.pay.conftest import SETTINGS, PaySite
from tests.portal.conftest import PASSWORD, Team, make_user, team

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


@pytest.fixture(scope="module")
def portal_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PaySite, Team]]:
    data = tmp_path_factory.mktemp("portal-core")
    with site(f"sqlite:///{data / 'portal.sqlite3'}", data) as (application, server):
        alpha = team(application, "Alpha Shop GmbH", "alpha")
        with application.app_context(), database().transaction() as session:
            creditor = session.get(models.Creditor, alpha.creditor.id)
            assert creditor is not None
            creditor.settings = SETTINGS
        yield PaySite(application, server, alpha.creditor), alpha


@pytest.fixture
def device() -> Device:
    """The portal is a desk tool: the desktop viewport only."""
    return DESKTOP


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"portal-{name}.png"), full_page=True)


def sign_in(page: Page, shop: PaySite, email: str) -> None:
    page.goto(shop.url + "/portal/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")


def test_a_payment_on_the_pay_page_appears_on_the_dashboard_without_reload(
    portal_site: tuple[PaySite, Team], new_page: Callable[..., Page], axe_source: str
) -> None:
    shop, alpha = portal_site
    owner = new_page()
    owner.goto(shop.url + "/portal/")
    expect(owner).to_have_url(re.compile(r"/portal/login"))
    shoot(owner, "login")
    assert_accessible(owner, axe_source, "the sign-in page")
    sign_in(owner, shop, alpha.users["owner"])
    cookie = next(c for c in owner.context.cookies() if c["name"] == COOKIE)
    assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Lax"

    claim = shop.claim(amount=42_000, external_reference="LIVE-0001")
    owner.reload()
    expect(owner.locator("[data-figure=collected-none]")).to_be_visible()
    expect(owner.locator("#forecast .forecast-body svg, #forecast .forecast-body .empty").first).to_be_visible()
    owner.evaluate("() => { window.stillTheSamePage = true; }")
    shoot(owner, "dashboard")
    assert_accessible(owner, axe_source, "the dashboard")

    debtor = new_page()
    debtor.goto(claim["pay_url"])
    debtor.locator("button.method[value=card]").click()
    expect(debtor).to_have_url(re.compile(r"/sandbox/checkout/"))
    debtor.get_by_role("button", name=re.compile(r"^Pay ")).click()
    expect(debtor).to_have_url(re.compile(r"/return\?payment=pay_"))
    assert shop.wait_for(lambda: shop.get_claim(claim["id"])["state"] == "paid")

    expect(owner.locator("[data-figure=collected-EUR]")).to_have_text("€420.00", timeout=15_000)
    assert owner.evaluate("() => window.stillTheSamePage === true"), "the dashboard was reloaded"
    shoot(owner, "dashboard-after-payment")


def test_find_the_claim_read_its_timeline_and_act(
    portal_site: tuple[PaySite, Team], page: Page, axe_source: str
) -> None:
    shop, alpha = portal_site
    claim = shop.claim(amount=18_000, external_reference="TIMELINE-0001")
    sign_in(page, shop, alpha.users["agent"])
    page.get_by_role("link", name="Claims").click()
    page.fill("#q", "TIMELINE")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("table.claims tbody tr")).to_have_count(1)
    shoot(page, "claims")
    assert_accessible(page, axe_source, "the claims list")

    page.fill("#amount_min", "lots")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#amount_min")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, axe_source, "the claims list with a refused filter")
    page.fill("#amount_min", "")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="TIMELINE-0001").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("TIMELINE-0001")
    expect(page.locator(".timeline")).to_contain_text("Claim handed over")

    page.locator("summary", has_text="Pause collection").click()
    page.fill("#pause-until", "2099-01-01")
    page.get_by_role("button", name="Pause", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("Choose an end date in the future, at most 180 days ahead.")
    shoot(page, "claim-refused-action")
    page.fill("#pause-until", (dt.date.today() + dt.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Pause", exact=True).click()
    expect(page.locator(".flash")).to_have_text("Collection is paused.")
    expect(page.locator("summary", has_text="Pause collection")).to_have_count(0)
    page.get_by_role("button", name="Resume collection").click()
    expect(page.locator(".flash")).to_have_text("Collection is resumed.")
    expect(page.locator(".timeline")).to_contain_text("Collection paused")
    expect(page.locator(".timeline")).to_contain_text("Collection resumed")
    shoot(page, "claim")
    assert_accessible(page, axe_source, "the claim page")
    assert shop.event_types(claim["id"])[-2:] == ["claim.paused", "claim.resumed"]


def test_every_core_page_passes_axe(
    portal_site: tuple[PaySite, Team], new_page: Callable[..., Page], axe_source: str
) -> None:
    shop, alpha = portal_site
    owner = new_page()
    sign_in(owner, shop, alpha.users["owner"])
    pages = {
        "users": "/portal/users",
        "account": "/portal/account",
        "forecast": "/portal/dashboard/forecast",
        "not-found": "/portal/claims/clm_00000000000000000000000000",
        "dashboard-de": "/portal/?lang=de",
    }
    for name, path in pages.items():
        owner.goto(shop.url + path)
        shoot(owner, name)
        assert_accessible(owner, axe_source, name)
    owner.goto(shop.url + "/portal/?lang=en")
    owner.goto(shop.url + "/portal/users")
    owner.fill("#invite-email", "new.colleague@example.com")
    owner.get_by_role("button", name="Create invitation link").click()
    link = owner.locator("code.shown-once").inner_text()
    assert "/portal/invitations/" in link
    shoot(owner, "invitation-link")

    invitee = new_page()
    invitee.goto(link)
    shoot(invitee, "invitation")
    assert_accessible(invitee, axe_source, "the invitation page")

    make_user(shop.app, "operator@inkasso.example", "owner", None, operator=True)
    operator = new_page()
    operator.goto(shop.url + "/portal/login")
    operator.fill("#email", "operator@inkasso.example")
    operator.fill("#password", PASSWORD)
    operator.get_by_role("button", name="Sign in").click()
    operator.goto(shop.url + "/portal/creditors")
    shoot(operator, "creditors")
    assert_accessible(operator, axe_source, "the operator's creditor list")
