"""`client.experiments`, sync and async, against the real app in-process and over HTTP."""

from __future__ import annotations

import asyncio

import inkasso
import pytest
from flask import Flask
from inkasso.types import Experiment, ExperimentArmParams, ExperimentSegmentParams

from tests.factories import CreditorKeys, new_creditor
from tests.sdk.conftest import async_client

SMS_ONLY = {
    "id": "sms_only",
    "final_day": 40,
    "steps": [
        {"key": "sms", "day": 0, "channels": ["sms"], "template": "reminder", "tone": "friendly", "stage": "reminder"}
    ],
}


def test_create_get_list_and_stop(client: inkasso.Client) -> None:
    created = client.experiments.create(
        name="SMS only for small claims",
        challenger={"definition": SMS_ONLY},
        segment=ExperimentSegmentParams(amount_bands=["lt50"]),
        challenger_percent=20,
        minimum_detectable_effect=0.1,
    )
    assert isinstance(created, Experiment) and created.status == "running"
    assert created.challenger.definition == SMS_ONLY
    assert created.segment.amount_bands == ["lt50"] and created.challenger_percent == 20
    assert created.report is not None and created.report.decision == "continue"
    fetched = client.experiments.get(created.id)
    assert fetched.id == created.id and fetched.report is not None
    assert fetched.report.sample_size_per_arm == created.report.sample_size_per_arm
    assert created.id in [item.id for item in client.experiments.list(status="running", limit=1)]
    stopped = client.experiments.stop(created.id, reason="seen enough")
    assert stopped.status == "stopped" and stopped.stop_reason == "seen enough"
    assert created.id not in [item.id for item in client.experiments.list(status="running")]


def test_typed_arm_and_idempotent_replay(client: inkasso.Client) -> None:
    first = client.experiments.create(
        name="typed", challenger=ExperimentArmParams(strategy="nl"), idempotency_key="sdk-exp-typed"
    )
    raw = client.experiments.with_raw_response.create(
        name="typed", challenger={"strategy": "nl"}, idempotency_key="sdk-exp-typed"
    )
    assert raw.headers["Idempotent-Replayed"] == "true"
    assert raw.parse().id == first.id


def test_errors_map_to_the_error_tree(client: inkasso.Client, app: Flask) -> None:
    with pytest.raises(inkasso.BadRequestError) as bad:
        client.experiments.create(name="x", challenger={"strategy": "atlantis"})
    assert bad.value.param == "challenger.strategy"
    mine = client.experiments.create(name="mine", challenger={"strategy": "nl"})
    client.experiments.stop(mine.id)
    with pytest.raises(inkasso.ConflictError):
        client.experiments.stop(mine.id)
    other = client.with_options(api_key=new_creditor(app, "Stranger GmbH").test_key)
    with pytest.raises(inkasso.NotFoundError):
        other.experiments.get(mine.id)
    assert mine.id not in [item.id for item in other.experiments.list()]


def test_async_client(transport: str, app: Flask, creditor: CreditorKeys, base_url: str) -> None:
    async def scenario() -> tuple[Experiment, list[str], Experiment]:
        async with async_client(transport, app, creditor.test_key, base_url) as client:
            created = await client.experiments.create(name="async", challenger={"strategy": "ch"})
            listed = [item.id async for item in client.experiments.list(limit=1)]
            stopped = await client.experiments.stop(created.id)
            return created, listed, stopped

    created, listed, stopped = asyncio.run(scenario())
    assert created.challenger.strategy == "ch"
    assert created.id in listed
    assert stopped.status == "stopped"
