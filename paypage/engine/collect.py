"""One round of the collection engine: lease the claims that are due and run each one's next step."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from paypage.decisions import work_queue
from paypage.engine import dunning
from paypage.engine.channels.protocol import Channel
from paypage.services.claims import LinkMaker
from paypage.store import models
from paypage.store.db import Database

log = logging.getLogger(__name__)

ChannelsFor = Callable[[models.Creditor, bool], dict[str, Channel]]


def dunning_round(
    db: Database,
    clock: Callable[[], dt.datetime],
    limit: int,
    links: LinkMaker | None,
    channels_for: ChannelsFor,
    lease_for: dt.timedelta = dunning.LEASE,
    run: Callable[[Callable[[dunning.Due], None], list[dunning.Due]], None] | None = None,
) -> int:
    """Lease up to `limit` due claims and run each (through `run`, e.g. a thread pool's map)."""
    assert links is not None  # noqa: S101 - the worker has the app when it collects
    due = work_queue.lease(db, clock(), limit, lease_for)

    def one(item: dunning.Due) -> None:
        try:
            run_claim(db, clock, item, links, channels_for)
        except Exception:
            # One broken claim must not stop the others; its lease runs out and it is tried again.
            log.exception("collection step failed for claim %s", item.claim_id)

    if run is None:
        for item in due:
            one(item)
    else:
        run(one, due)
    return len(due)


def run_claim(
    db: Database,
    clock: Callable[[], dt.datetime],
    item: dunning.Due,
    links: LinkMaker,
    channels_for: ChannelsFor,
) -> str | None:
    """Prepare (and commit) the claim's next message, then send it under the claim's lock."""
    with db.transaction() as session:
        creditor = session.get(models.Creditor, item.creditor_id)
        assert creditor is not None  # noqa: S101
        channels = channels_for(creditor, item.livemode)
        prepared = dunning.prepare(session, item, clock(), links, channels)
    if prepared is None:
        return None
    with db.transaction() as session:
        return dunning.send(session, item, prepared, clock(), channels)
