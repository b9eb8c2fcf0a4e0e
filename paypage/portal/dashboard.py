"""The dashboard, and the fragment the page polls to update itself when payments arrive.

The page asks `/portal/dashboard/figures` every few seconds with `If-None-Match`; the version is the
newest event of the creditor (one index lookup), so an unchanged dashboard costs a 304 and no
aggregation. Polling works behind any WSGI server (gunicorn sync workers, the demo server) where a
held-open server-sent-events stream would tie up a worker per open page.
"""

from __future__ import annotations

from typing import Any

from flask import request
from markupsafe import Markup
from werkzeug.wrappers import Response

from paypage.extensions import database, settings
from paypage.portal import bp, display, figure_cache, figures, page
from paypage.portal.access import current_tenant, requires
from paypage.portal.charts import Bar, bar_chart, column_chart
from paypage.portal.i18n import _

POLL_SECONDS = 5


def _charts(board: figures.Dashboard) -> dict[str, Any]:
    by_state = bar_chart(
        _("Claims by state"),
        [Bar(display.state(code), count, display.number(count)) for code, count in board.by_state],
    )
    by_country = bar_chart(
        _("Claims by country"), [Bar(code, count, display.number(count)) for code, count in board.by_country[:12]]
    )
    return {"by_state_chart": by_state, "by_country_chart": by_country}


def _forecast_charts(found: figures.Forecast) -> list[tuple[str, Markup]]:
    charts: list[tuple[str, Markup]] = []
    for currency in sorted({currency for week in found.weeks for currency in week.amounts}):
        bars = [
            Bar(
                display.day_month(week.week_start),
                week.amounts.get(currency, 0),
                f"{display.date(week.week_start)}: {display.minor(week.amounts.get(currency, 0), currency)}",
                display.compact(week.amounts.get(currency, 0), currency),
            )
            for week in found.weeks
        ]
        total = display.minor(sum(week.amounts.get(currency, 0) for week in found.weeks), currency)
        heading = _("%(currency)s: %(total)s expected", currency=currency, total=total)
        charts.append((heading, column_chart(_("Expected cash per week in %(currency)s", currency=currency), bars)))
    return charts


def _figures() -> tuple[str, figures.Dashboard | None]:
    tenant = current_tenant()
    now = settings().clock()
    with database().transaction() as session:
        version = figures.version(session, tenant)
        if request.if_none_match.contains(version):
            return version, None
        # The month is part of the key: "collected this month" starts again on the first.
        key = (database().url, tenant.creditor_id, tenant.livemode, f"{version}@{now:%Y-%m}")
        return version, figure_cache.get_or_compute(key, now, lambda: figures.compute(session, tenant, now))


@bp.route("/")
@requires("read_only")
def dashboard() -> Response:
    version, board = _figures()
    if board is None:  # a conditional GET of the page itself
        return Response(status=304, headers={"ETag": f'"{version}"'})
    response = page("portal/dashboard.html", board=board, version=version, poll=POLL_SECONDS, **_charts(board))
    return response


@bp.route("/dashboard/figures")
@requires("read_only")
def dashboard_figures() -> Response:
    version, board = _figures()
    if board is None:
        return Response(status=304, headers={"ETag": f'"{version}"'})
    response = page("portal/_figures.html", board=board, version=version, **_charts(board))
    response.set_etag(version)
    return response


@bp.route("/dashboard/forecast")
@requires("read_only")
def dashboard_forecast() -> Response:
    """The cash forecast: its own request, since it reads every open claim of the creditor. The dashboard
    loads it after the page; without JavaScript it is a page of its own behind a link."""
    tenant = current_tenant()
    with database().transaction() as session:
        found = figures.forecast(session, tenant, settings().clock())
    template = "portal/_forecast.html" if request.args.get("fragment") else "portal/forecast.html"
    return page(template, forecast=found, forecast_charts=_forecast_charts(found))
