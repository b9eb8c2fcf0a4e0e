"""The engine's work queue: claims due at the same moment are taken most valuable first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from flask import Flask

from paypage.decisions import work_queue
from paypage.engine import collect, dunning
from paypage.services.claims import LinkMaker
from paypage.store import models
from tests.conftest import TEST_SECRET, fresh_app
from tests.factories import claim_body, new_creditor
from tests.functional.conftest import Api

DUE = dt.datetime(2026, 5, 4, 8, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def app(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with fresh_app(backend, tmp_path_factory.mktemp("queue")) as application:
        yield application


def _claims(app: Flask, priorities: list[int | None], due: list[dt.datetime]) -> list[str]:
    creditor = new_creditor(app)
    api = Api(app.test_client(), creditor)
    ids = [api.post("/v1/claims", claim_body()).json["id"] for _ in priorities]
    with app.extensions["inkasso.db"].transaction() as session:
        for claim_id, priority, at in zip(ids, priorities, due, strict=True):
            claim = session.get(models.Claim, (creditor.id, claim_id))
            assert claim is not None
            claim.next_action_at = at
            if priority is not None:
                session.add(
                    models.ClaimScore(
                        creditor_id=creditor.id,
                        claim_id=claim_id,
                        livemode=False,
                        p_paid_30=0.1,
                        p_paid_90=0.2,
                        expected_90=priority,
                        currency="EUR",
                        priority=priority,
                        model_id=None,
                        scored_at=DUE,
                    )
                )
    return ids


def test_same_moment_highest_priority_first_and_earlier_moments_before_all(app: Flask) -> None:
    earlier = DUE - dt.timedelta(hours=1)
    ids = _claims(app, [100, None, 9_000, 500, 1], [DUE, DUE, DUE, DUE, earlier])
    leased = work_queue.lease(app.extensions["inkasso.db"], DUE, 10)
    assert [due.claim_id for due in leased] == [ids[4], ids[2], ids[3], ids[0], ids[1]]
    assert work_queue.lease(app.extensions["inkasso.db"], DUE, 10) == []  # leased: not handed out twice
    with app.extensions["inkasso.db"].transaction() as session:
        claim = session.get(models.Claim, (leased[0].creditor_id, ids[2]))
        assert claim is not None and claim.next_action_at == DUE + dunning.LEASE


def test_the_collection_round_takes_claims_in_queue_order(app: Flask) -> None:
    # Due after the first test's claims but before their lease runs out, so only these three are due.
    ids = _claims(app, [10, 20_000, 300], [DUE + dt.timedelta(minutes=1)] * 3)
    taken: list[str] = []

    def run(one: object, due: list[dunning.Due]) -> None:
        taken.extend(item.claim_id for item in due)

    links = LinkMaker(TEST_SECRET.encode(), "http://127.0.0.1")
    count = collect.dunning_round(
        app.extensions["inkasso.db"], lambda: DUE + dt.timedelta(minutes=2), 2, links, lambda c, m: {}, run=run
    )
    assert count == 2
    assert taken == [ids[1], ids[2]]
