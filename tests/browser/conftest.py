"""The browser suite: Debian's Chromium driven by Playwright against the pay page served on 127.0.0.1.

One browser for the whole session; every test gets fresh contexts (no cookies shared between tests) and
runs once on a phone and once on a desktop viewport. Chromium is the system's (`/usr/bin/chromium`):
no browser is ever downloaded. Without it the suite is skipped, unless `INKASSO_REQUIRE_BROWSER=1` (CI),
where it fails.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Response, sync_playwright

from paypage.extensions import database
from paypage.store import models
from tests.browser.support import ARTIFACTS, AXE_JS, DEVICES, Device, Shots
from tests.conftest import site
from tests.factories import new_creditor
from tests.pay.conftest import SETTINGS, PaySite

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
REQUIRE_BROWSER = os.environ.get("INKASSO_REQUIRE_BROWSER") == "1"


def unavailable(reason: str) -> NoReturn:
    if REQUIRE_BROWSER:
        pytest.fail(f"{reason} (INKASSO_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        unavailable(f"no Chromium at {CHROMIUM}: apt-get install chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.exists():
        unavailable(f"no {AXE_JS}: run `npm ci --prefix tests/browser` (make does)")
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def browser_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PaySite]:
    """The pay site of tests/pay (sandbox provider, EUR and CHF accounts), on a SQLite file of its own.
    The plain-HTTP suite covers both databases; the browser adds nothing database-specific."""
    data = tmp_path_factory.mktemp("browser")
    with site(f"sqlite:///{data / 'inkasso.sqlite3'}", data) as (application, server):
        creditor = new_creditor(application)
        with application.app_context(), database().transaction() as session:
            record = session.get(models.Creditor, creditor.id)
            assert record is not None
            record.settings = SETTINGS
        yield PaySite(application, server, creditor)


@pytest.fixture(params=list(DEVICES), ids=list(DEVICES))
def device(request: pytest.FixtureRequest) -> Device:
    return DEVICES[str(request.param)]


FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Remember a failed test, so that its pages are photographed before they close."""
    report: pytest.TestReport = yield
    if report.failed:
        item.stash[FAILED] = True
    return report


class Problems:
    """What a person would notice in the browser's console: script errors, CSP refusals, broken files."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def watch(self, page: Page) -> None:
        page.on("pageerror", lambda error: self.found.append(f"script error: {error}"))
        page.on("console", self._console)
        page.on("response", self._response)

    def _console(self, message: ConsoleMessage) -> None:
        # A 4xx document (the invalid-link page, a form sent back with errors) is logged as "Failed to load
        # resource"; broken sub-resources are caught by their responses below instead.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.found.append(f"console: {message.text}")

    def _response(self, response: Response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.found.append(f"{response.status} for {response.request.resource_type} {response.url}")


@pytest.fixture
def shots(request: pytest.FixtureRequest, device: Device) -> Shots:
    """Named by test, then by its other parameters (the page state of the axe test) and the viewport."""
    callspec = getattr(request.node, "callspec", None)
    params = callspec.params if callspec is not None else {}
    variant = "-".join(str(value) for key, value in params.items() if key != "device")
    return Shots(ARTIFACTS / request.node.originalname, f"{variant}-{device.name}" if variant else device.name)


@pytest.fixture
def new_page(
    browser: Browser, device: Device, shots: Shots, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Page]]:
    """Open a page in a fresh context at the test's viewport; `new_page(java_script_enabled=False)`."""
    contexts: list[BrowserContext] = []
    pages: list[Page] = []
    problems = Problems()

    def open_page(java_script_enabled: bool = True) -> Page:
        context = browser.new_context(
            viewport={"width": device.width, "height": device.height},
            is_mobile=device.mobile,
            has_touch=device.mobile,
            device_scale_factor=device.scale,
            java_script_enabled=java_script_enabled,
            locale="en-GB",
            timezone_id="Europe/Berlin",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        problems.watch(page)
        pages.append(page)
        return page

    yield open_page
    if request.node.stash.get(FAILED, False):
        for page in pages:
            if not page.is_closed():
                shots.take(page, "failure")
    for context in contexts:
        context.close()
    assert not problems.found, "the browser reported problems:\n" + "\n".join(problems.found)


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page()
