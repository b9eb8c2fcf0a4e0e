"""Every ```python block of docs/plugins/oscar.md runs here, in this real Oscar shop, against the service.

The repository's docs test runs the other pages in a process without Django; this page's blocks need a
configured Django project, so they run here, with the same skip-marker rules (`tests.docs.test_snippets`).
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

import inkasso
import pytest
from conftest import Collection, overdue_order
from django.conf import settings
from django.test.utils import override_settings
from django.urls import URLPattern, URLResolver
from django.urls.resolvers import RegexPattern
from tests.docs.test_snippets import Snippet, snippets

from oscar_inkasso import views
from oscar_inkasso.conf import plugin_settings
from oscar_inkasso.models import ClaimLink

PAGE = Path(__file__).resolve().parents[3] / "docs" / "plugins" / "oscar.md"
SNIPPETS = snippets(PAGE)


def test_the_page_has_runnable_snippets_and_skips_none() -> None:
    assert len(SNIPPETS) >= 4
    assert [s.id for s in SNIPPETS if s.skip is not None] == []


@pytest.mark.parametrize("snippet", SNIPPETS, ids=[snippet.id for snippet in SNIPPETS])
def test_snippet_runs(snippet: Snippet, collection: Collection) -> None:
    order = overdue_order()
    namespace: dict[str, object] = {"__name__": "__snippet__", "inkasso": inkasso, "client": collection.client}
    exec(compile(snippet.code, snippet.id, "exec"), namespace)  # noqa: S102 - the documentation's own code

    plugin = {name: value for name, value in namespace.items() if name.startswith("INKASSO_")}
    if plugin:
        # The settings shown are accepted, and every status they name is one of the test shop's pipeline.
        with override_settings(**plugin):
            config = plugin_settings()
        named = {*config.unpaid_statuses, config.handed_over_status, *config.status_for_state.values()}
        assert named <= set(settings.OSCAR_ORDER_STATUS_PIPELINE), named
        assert namespace["INSTALLED_APPS"] == settings.INSTALLED_APPS
    if "urlpatterns" in namespace:
        resolver = URLResolver(RegexPattern(r"^/"), cast(list[URLPattern | URLResolver], namespace["urlpatterns"]))
        assert resolver.resolve("/inkasso/webhook/").func is views.webhook
    if "hand_over(" in snippet.code:
        assert ClaimLink.objects.get(order=order).claim_id
