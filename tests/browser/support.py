"""Helpers of the browser suite: the two devices, screenshots, axe-core, and reading the page as a person would."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page

HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE / "artifacts"
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"

WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS: dict[str, Any] = {"runOnly": {"type": "tag", "values": WCAG_A_AA}}


@dataclass(frozen=True)
class Device:
    """A viewport the debtor opens the link on: a phone (most do) or a desktop browser."""

    name: str
    width: int
    height: int
    mobile: bool
    scale: float

    def press(self, target: Locator) -> None:
        """Tap on a touch screen, click with a mouse."""
        if self.mobile:
            target.tap()
        else:
            target.click()


PHONE = Device("phone", 390, 844, mobile=True, scale=2)
DESKTOP = Device("desktop", 1280, 800, mobile=False, scale=1)
DEVICES = {device.name: device for device in (PHONE, DESKTOP)}


@dataclass
class Shots:
    """Full-page screenshots of one test at one viewport: `artifacts/<test>/<viewport>-<NN>-<step>.png`."""

    folder: Path
    device: str
    taken: list[Path] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob(f"{self.device}-*.png"):
            old.unlink()

    def take(self, page: Page, step: str) -> Path:
        name = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")
        path = self.folder / f"{self.device}-{len(self.taken) + 1:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)
        return path


def path_of(url: str) -> str:
    """`/p/...` of an absolute pay link."""
    return "/" + url.split("/", 3)[3]


def minor_units(text: str) -> int:
    """An amount as the page shows it ("1.234,56 €", "CHF 234.00", "100,01") in minor units of a
    two-digit currency; refuses anything that does not end in a separator and two digits."""
    cleaned = text.replace("\xa0", " ").strip()
    assert re.search(r"\d[.,]\d\d(\D*)$", cleaned), f"not an amount with two decimals: {text!r}"
    return int(re.sub(r"\D", "", cleaned))


def wait_for_payment_status(page: Page, status: str, seconds: float = 10) -> None:
    """The return page refreshes itself while the payment is pending; reload too, so as not to wait 3 s."""
    marker = page.locator("[data-payment-status]")
    deadline = time.monotonic() + seconds
    while (shown := marker.get_attribute("data-payment-status")) != status:
        assert time.monotonic() < deadline, f"the return page still says {shown!r} after {seconds} s"
        time.sleep(0.2)
        page.reload()


def axe_violations(page: Page, axe_source: str) -> list[dict[str, Any]]:
    """Run axe-core's WCAG 2.0/2.1 A and AA rules on the page as it is now.

    axe is put into the page with `page.evaluate`, not a `<script>` tag: the pay page's CSP is
    `script-src 'self'`, which blocks inline scripts (`add_script_tag(content=...)` would be refused and
    logged as a CSP violation). `evaluate` runs the source through the DevTools protocol
    (`Runtime.evaluate`) in the page's own JavaScript world, which CSP does not govern, so the page
    keeps its real policy while it is tested (unlike `bypass_csp=True`, which would switch the CSP off
    for the whole context and could hide a CSP problem of the page itself).
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source)
    results: dict[str, Any] = page.evaluate("options => window.axe.run(document, options)", AXE_OPTIONS)
    assert results["passes"], "axe-core checked nothing: is it the page or an empty document?"
    return list(results["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            summary = " / ".join(line.strip() for line in (node.get("failureSummary") or "").splitlines()[1:])
            lines.append(f"    {json.dumps(node['target'])} {node['html'][:160]}")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


def assert_accessible(page: Page, axe_source: str, where: str) -> None:
    violations = axe_violations(page, axe_source)
    assert not violations, f"axe-core found WCAG A/AA violations on {where} ({page.url}):\n{describe(violations)}"


def focus_outline(page: Page) -> dict[str, Any]:
    """The focused element and how its focus is drawn."""
    result: dict[str, Any] = page.evaluate(
        """() => {
            const element = document.activeElement;
            const style = getComputedStyle(element);
            const box = element.getBoundingClientRect();
            return {
                tag: element.tagName.toLowerCase(),
                className: element.className,
                value: element.getAttribute('value'),
                text: element.textContent.trim(),
                focusVisible: element.matches(':focus-visible'),
                outlineStyle: style.outlineStyle,
                outlineWidth: parseFloat(style.outlineWidth),
                outlineColor: style.outlineColor,
                onScreen: box.width > 0 && box.height > 0 && box.left >= 0 && box.top >= 0
                    && box.right <= window.innerWidth && box.bottom <= window.innerHeight,
            };
        }"""
    )
    return result
