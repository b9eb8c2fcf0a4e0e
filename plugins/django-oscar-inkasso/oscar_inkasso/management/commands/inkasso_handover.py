"""`python manage.py inkasso_handover`: hand overdue unpaid orders over to inkasso (run it from cron)."""

from __future__ import annotations

from typing import Any

import inkasso
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from oscar_inkasso.client import client
from oscar_inkasso.conf import plugin_settings
from oscar_inkasso.handover import cutoff, due_orders, hand_over


class Command(BaseCommand):
    help = "Hand unpaid orders over to inkasso once they are overdue long enough. Safe to run again at any time."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="list the orders that are due, send nothing")
        parser.add_argument("--limit", type=int, default=None, help="hand over at most this many orders")

    def handle(self, *args: Any, **options: Any) -> None:
        config = plugin_settings()
        limit = options["limit"]
        if limit is not None and limit < 1:
            raise CommandError("--limit must be 1 or more")
        now = timezone.now()
        if options["dry_run"]:
            orders = due_orders(now, config)
            numbers = [order.number for order in (orders[:limit] if limit else orders)]
            self.stdout.write(f"{len(numbers)} order(s) placed before {cutoff(now, config):%Y-%m-%d %H:%M} are due:")
            for number in numbers:
                self.stdout.write(f"  {number}")
            return
        try:
            with client(config) as sdk:
                report = hand_over(sdk, config, now, limit)
        except inkasso.InkassoError as exc:
            # Batches before the failing one are recorded; the next run picks up the rest.
            raise CommandError(f"inkasso handover stopped: {exc}") from exc
        self.stdout.write(f"handed over {len(report.handed_over)} order(s)")
        for number in report.handed_over:
            self.stdout.write(f"  {number}")
        if report.failed:
            self.stderr.write(f"{len(report.failed)} order(s) not handed over:")
            for number, reason in report.failed.items():
                self.stderr.write(f"  {number}: {reason}")
