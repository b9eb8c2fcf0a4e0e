"""`/metrics` for Prometheus, read from the database at scrape time, so every API and worker process
reports the same numbers and nothing is lost when a process restarts."""

from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
from collections.abc import Iterator

from flask import Blueprint, Response, abort, request
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from paypage.extensions import database, settings
from paypage.store import models

bp = Blueprint("metrics", __name__)


class DatabaseCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        now = settings().clock()
        with database().transaction() as session:
            claims = GaugeMetricFamily("inkasso_claims", "Claims by state", labels=["state", "livemode"])
            for state, livemode, count in session.execute(
                select(models.Claim.state, models.Claim.livemode, func.count()).group_by(
                    models.Claim.state, models.Claim.livemode
                )
            ):
                claims.add_metric([state, str(livemode).lower()], count)
            yield claims
            messages = GaugeMetricFamily(
                "inkasso_messages", "Dunning messages by channel and status", labels=["channel", "status"]
            )
            for channel, status, count in session.execute(
                select(models.ContactMessage.channel, models.ContactMessage.status, func.count()).group_by(
                    models.ContactMessage.channel, models.ContactMessage.status
                )
            ):
                messages.add_metric([channel, status], count)
            yield messages
            deliveries = GaugeMetricFamily(
                "inkasso_webhook_deliveries", "Webhook deliveries by status", labels=["status"]
            )
            for status, count in session.execute(
                select(models.WebhookDelivery.status, func.count()).group_by(models.WebhookDelivery.status)
            ):
                deliveries.add_metric([status], count)
            yield deliveries
            oldest = session.scalar(
                select(func.min(models.Claim.next_action_at)).where(
                    models.Claim.next_action_at <= now,
                    models.Claim.state.in_(("open", "in_collection", "payment_plan", "paused")),
                )
            )
            lag = GaugeMetricFamily("inkasso_engine_lag_seconds", "How late the oldest due collection step is")
            lag.add_metric([], (now - oldest).total_seconds() if isinstance(oldest, dt.datetime) else 0.0)
            yield lag
            webhook_lag = session.scalar(
                select(func.min(models.WebhookDelivery.next_attempt_at)).where(
                    models.WebhookDelivery.status == "pending", models.WebhookDelivery.next_attempt_at <= now
                )
            )
            pending = GaugeMetricFamily("inkasso_webhook_lag_seconds", "How late the oldest due webhook delivery is")
            pending.add_metric([], (now - webhook_lag).total_seconds() if isinstance(webhook_lag, dt.datetime) else 0.0)
            yield pending


def _allowed() -> bool:
    token = settings().metrics_token
    if token:
        sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(sent, token)
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


@bp.get("/metrics")
def metrics() -> Response:
    if not _allowed():
        abort(404)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector())
    return Response(generate_latest(registry), mimetype="text/plain; version=0.0.4")
