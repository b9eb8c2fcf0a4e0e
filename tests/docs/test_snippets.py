"""Every ```python block of docs/*.md and README.md runs against the real app, served over HTTP.

Each block runs with `exec` in a fresh namespace that holds `inkasso` and a `client` bound to the served app
for a creditor of its own; `INKASSO_API_KEY` and `INKASSO_BASE_URL` point at the same, so `inkasso.Client()`
works as the docs say. The working directory is a temporary one holding the `claims.csv` the CLI docs import.

A block that cannot run on its own (it needs a web framework's `request`, say) is marked in the Markdown with
an HTML comment as the last thing before its fence: `<!-- snippet: skip (the reason) -->`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import inkasso
import pytest
from flask import Flask

from tests.conftest import Served
from tests.factories import new_creditor

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
MARKER = re.compile(r"^<!--\s*snippet:\s*(?P<verb>\w+)\s*(?:\((?P<reason>[^)]*)\))?\s*-->$")
MAX_SKIPPED = 3
SECONDS_PER_SNIPPET = 1.0

CLAIMS_CSV = """\
external_reference,amount_decimal,currency,invoice_date,due_date,debtor_name,debtor_email,debtor_country
R-1001,129.90,EUR,2026-10-01,2026-10-15,Max Mustermann,max@example.de,DE
R-1002,49.50,EUR,2026-10-02,2026-10-16,Erika Mustermann,erika@example.de,DE
"""


@dataclass(frozen=True)
class Snippet:
    path: Path
    line: int
    """The line of the opening fence, from 1."""
    code: str
    skip: str | None
    """Why the block is not run; None for a block that runs."""

    @property
    def id(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


class MarkerError(ValueError):
    pass


def snippets(path: Path) -> list[Snippet]:
    """The ```python blocks of a Markdown file, each with the skip marker before it, if any."""
    found: list[Snippet] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    pending: tuple[int, str | None, str] | None = None  # a marker waiting for its fence: line, reason, verb
    index = 0
    while index < len(lines):
        stripped = lines[index].strip()
        marker = MARKER.match(stripped)
        if marker:
            pending = (index + 1, marker["reason"], marker["verb"])
        elif stripped.startswith("```"):
            fence_line = index + 1
            language = stripped[3:].strip()
            body: list[str] = []
            index += 1
            while index < len(lines) and lines[index].strip() != "```":
                body.append(lines[index])
                index += 1
            if language == "python":
                skip = None
                if pending is not None:
                    line, reason, verb = pending
                    if verb != "skip" or not (reason and reason.strip()):
                        raise MarkerError(f"{path.name}:{line}: write <!-- snippet: skip (a reason) -->")
                    skip = reason.strip()
                found.append(Snippet(path, fence_line, "\n".join(body) + "\n", skip))
            elif pending is not None:
                raise MarkerError(f"{path.name}:{pending[0]}: a snippet marker before a non-python block")
            pending = None
        elif stripped and pending is not None:
            raise MarkerError(f"{path.name}:{pending[0]}: a snippet marker must come right before its fence")
        index += 1
    if pending is not None:
        raise MarkerError(f"{path.name}:{pending[0]}: a snippet marker without a block after it")
    return found


ALL = [snippet for source in SOURCES for snippet in snippets(source)]
RUNNABLE = [snippet for snippet in ALL if snippet.skip is None]


def test_the_docs_have_snippets_and_skip_few_of_them_each_for_a_reason() -> None:
    skipped = [snippet for snippet in ALL if snippet.skip is not None]
    assert len(RUNNABLE) >= 8, [s.id for s in RUNNABLE]
    assert len(skipped) <= MAX_SKIPPED, [s.id for s in skipped]
    for snippet in skipped:
        assert snippet.skip is not None and len(snippet.skip) >= 10, f"{snippet.id}: say why it is skipped"


def test_markers_are_checked(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("<!-- snippet: skip (needs a web request) -->\n\n```python\nrequest\n```\n", encoding="utf-8")
    assert [(s.line, s.skip) for s in snippets(page)] == [(3, "needs a web request")]
    page.write_text("<!-- snippet: skip -->\n```python\nrequest\n```\n", encoding="utf-8")
    with pytest.raises(MarkerError, match="a reason"):
        snippets(page)
    page.write_text("<!-- snippet: skip (needs a web request) -->\nText.\n\n```python\nx = 1\n```\n", encoding="utf-8")
    with pytest.raises(MarkerError, match="right before"):
        snippets(page)


@pytest.fixture
def client(app: Flask, served: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[inkasso.Client]:
    """A client for a creditor of its own (the snippets reuse invoice numbers), also set in the environment."""
    key = new_creditor(app, "Docs Shop GmbH").test_key
    monkeypatch.setenv("INKASSO_API_KEY", key)
    monkeypatch.setenv("INKASSO_BASE_URL", served.url)
    (tmp_path / "claims.csv").write_text(CLAIMS_CSV, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with inkasso.Client(api_key=key, base_url=served.url, max_retries=0) as sdk:
        yield sdk


@pytest.mark.parametrize("snippet", RUNNABLE, ids=[snippet.id for snippet in RUNNABLE])
def test_snippet_runs(snippet: Snippet, client: inkasso.Client) -> None:
    code = compile(snippet.code, snippet.id, "exec")
    namespace: dict[str, object] = {"__name__": "__snippet__", "inkasso": inkasso, "client": client}
    started = time.perf_counter()
    exec(code, namespace)  # noqa: S102 - the documentation's own examples
    assert time.perf_counter() - started < SECONDS_PER_SNIPPET
