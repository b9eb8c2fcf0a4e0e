"""The dashboard's figures, kept per process until the creditor's data changes.

The key is the creditor, the mode and the version (the newest event id): a payment, a new claim or any
state change writes an event, so the next request computes afresh. Changes that write no event (interest
accruing overnight) are picked up once an entry is older than `MAX_AGE`. Many people watching one
dashboard, and the page's polling, then cost one computation per change instead of one per request.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable

from paypage.portal.figures import Dashboard

MAX_AGE = dt.timedelta(seconds=60)
MAX_ENTRIES = 512

_entries: OrderedDict[tuple[str, str, bool, str], tuple[dt.datetime, Dashboard]] = OrderedDict()
_lock = threading.Lock()


def get_or_compute(key: tuple[str, str, bool, str], now: dt.datetime, compute: Callable[[], Dashboard]) -> Dashboard:
    """`key` is (database, creditor, livemode, version)."""
    with _lock:
        found = _entries.get(key)
        if found is not None and now - found[0] < MAX_AGE and found[0] <= now:
            _entries.move_to_end(key)
            return found[1]
    board = compute()
    with _lock:
        _entries[key] = (now, board)
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return board


def clear() -> None:
    with _lock:
        _entries.clear()
