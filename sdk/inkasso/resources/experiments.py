"""Experiments: champion against challenger, two whole dunning strategies (`/v1/experiments`).

New claims inside the experiment's segment get an arm at random, for good (the same claim always gets the
same arm). The report compares the arms: share of claims paid, recovery per currency, median time to
pay, the difference with a 95 % interval, and the stop rule's decision (fixed sample size per arm).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any, Literal

from inkasso._pagination import AsyncPaginator, SyncPaginator
from inkasso._response import async_to_raw_response_wrapper, to_raw_response_wrapper
from inkasso._serialize import body_of, path_segment
from inkasso.resources._resource import AsyncAPIResource, SyncAPIResource
from inkasso.types import Experiment, ExperimentArmParams, ExperimentSegmentParams, ListPage

__all__ = ["AsyncExperiments", "AsyncExperimentsWithRawResponse", "Experiments", "ExperimentsWithRawResponse"]

ArmLike = ExperimentArmParams | Mapping[str, Any]
"""`{"strategy": "nl"}` or `{"definition": {...}}`, as a dict or the typed model."""
SegmentLike = ExperimentSegmentParams | Mapping[str, Any]

_EXPERIMENTS = "/v1/experiments"


def _path(experiment_id: str, suffix: str = "") -> str:
    return f"{_EXPERIMENTS}/{path_segment(experiment_id)}{suffix}"


def _create_body(
    name: str,
    challenger: ArmLike,
    champion: ArmLike | None,
    segment: SegmentLike | None,
    challenger_percent: int | None,
    minimum_detectable_effect: float | None,
    baseline_rate: float | None,
    horizon_days: int | None,
) -> dict[str, Any]:
    return body_of(
        name=name,
        challenger=challenger,
        champion=champion,
        segment=segment,
        challenger_percent=challenger_percent,
        minimum_detectable_effect=minimum_detectable_effect,
        baseline_rate=baseline_rate,
        horizon_days=horizon_days,
    )


class Experiments(SyncAPIResource):
    """`client.experiments`: compare two strategies on your new claims and read the result."""

    def create(
        self,
        *,
        name: str,
        challenger: ArmLike,
        champion: ArmLike | None = None,
        segment: SegmentLike | None = None,
        challenger_percent: int | None = None,
        minimum_detectable_effect: float | None = None,
        baseline_rate: float | None = None,
        horizon_days: int | None = None,
        idempotency_key: str | None = None,
    ) -> Experiment:
        """Start an experiment (`POST /v1/experiments`).

        Without `champion` the challenger competes with the strategy claims get today. The sample size
        per arm follows from `minimum_detectable_effect` (default 0.05, absolute share of claims paid)
        and `baseline_rate` (default 0.5).

        ```python
        experiment = client.experiments.create(
            name="Dutch strategy for German consumers",
            challenger={"strategy": "nl"},
            segment={"countries": ["DE"], "debtor_types": ["person"]},
        )
        print(experiment.id, experiment.report.sample_size_per_arm)
        ```
        """
        body = _create_body(
            name,
            challenger,
            champion,
            segment,
            challenger_percent,
            minimum_detectable_effect,
            baseline_rate,
            horizon_days,
        )
        return self._client._request(
            "POST", _EXPERIMENTS, cast_to=Experiment, body=body, idempotency_key=idempotency_key
        )

    def get(self, id: str) -> Experiment:
        """Fetch an experiment with its report (`GET /v1/experiments/{id}`).

        ```python
        report = client.experiments.get("exp_01JBX4Q6Y8ZPA0M2W3E5R7T9VB").report
        print(report.decision, report.difference.share_paid, report.difference.share_paid_ci)
        ```
        """
        return self._client._request("GET", _path(id), cast_to=Experiment)

    def list(
        self, *, status: Literal["running", "stopped"] | None = None, limit: int | None = None
    ) -> SyncPaginator[Experiment]:
        """Experiments, newest first, without reports (`GET /v1/experiments`), page by page.

        ```python
        for experiment in client.experiments.list(status="running"):
            print(experiment.id, experiment.name)
        ```
        """

        def fetch(cursor: str | None) -> ListPage[Experiment]:
            params = {"status": status, "limit": limit, "cursor": cursor}
            return self._client._request("GET", _EXPERIMENTS, cast_to=ListPage[Experiment], params=params)

        return SyncPaginator(fetch)

    def stop(self, id: str, *, reason: str | None = None, idempotency_key: str | None = None) -> Experiment:
        """Stop an experiment (`POST /v1/experiments/{id}/stop`): no new claims join it; claims already in
        it finish on their arm's strategy.

        ```python
        client.experiments.stop("exp_01JBX4Q6Y8ZPA0M2W3E5R7T9VB", reason="challenger wins")
        ```
        """
        return self._client._request(
            "POST",
            _path(id, "/stop"),
            cast_to=Experiment,
            body=body_of(reason=reason),
            idempotency_key=idempotency_key,
        )

    @cached_property
    def with_raw_response(self) -> ExperimentsWithRawResponse:
        """The same methods, returning an `APIResponse` with the HTTP headers next to the parsed result."""
        return ExperimentsWithRawResponse(self)


class AsyncExperiments(AsyncAPIResource):
    """`client.experiments` of the `AsyncClient`."""

    async def create(
        self,
        *,
        name: str,
        challenger: ArmLike,
        champion: ArmLike | None = None,
        segment: SegmentLike | None = None,
        challenger_percent: int | None = None,
        minimum_detectable_effect: float | None = None,
        baseline_rate: float | None = None,
        horizon_days: int | None = None,
        idempotency_key: str | None = None,
    ) -> Experiment:
        """Start an experiment (`POST /v1/experiments`).

        ```python
        experiment = await client.experiments.create(name="NL flow", challenger={"strategy": "nl"})
        ```
        """
        body = _create_body(
            name,
            challenger,
            champion,
            segment,
            challenger_percent,
            minimum_detectable_effect,
            baseline_rate,
            horizon_days,
        )
        return await self._client._request(
            "POST", _EXPERIMENTS, cast_to=Experiment, body=body, idempotency_key=idempotency_key
        )

    async def get(self, id: str) -> Experiment:
        """Fetch an experiment with its report (`GET /v1/experiments/{id}`).

        ```python
        experiment = await client.experiments.get("exp_01JBX4Q6Y8ZPA0M2W3E5R7T9VB")
        ```
        """
        return await self._client._request("GET", _path(id), cast_to=Experiment)

    def list(
        self, *, status: Literal["running", "stopped"] | None = None, limit: int | None = None
    ) -> AsyncPaginator[Experiment]:
        """Experiments, newest first, page by page. Not a coroutine: iterate it with `async for`.

        ```python
        async for experiment in client.experiments.list():
            print(experiment.id)
        ```
        """

        async def fetch(cursor: str | None) -> ListPage[Experiment]:
            params = {"status": status, "limit": limit, "cursor": cursor}
            return await self._client._request("GET", _EXPERIMENTS, cast_to=ListPage[Experiment], params=params)

        return AsyncPaginator(fetch)

    async def stop(self, id: str, *, reason: str | None = None, idempotency_key: str | None = None) -> Experiment:
        """Stop an experiment (`POST /v1/experiments/{id}/stop`).

        ```python
        await client.experiments.stop("exp_01JBX4Q6Y8ZPA0M2W3E5R7T9VB")
        ```
        """
        return await self._client._request(
            "POST",
            _path(id, "/stop"),
            cast_to=Experiment,
            body=body_of(reason=reason),
            idempotency_key=idempotency_key,
        )

    @cached_property
    def with_raw_response(self) -> AsyncExperimentsWithRawResponse:
        """The same methods, returning an `APIResponse` with the HTTP headers next to the parsed result."""
        return AsyncExperimentsWithRawResponse(self)


class ExperimentsWithRawResponse:
    """`client.experiments.with_raw_response`: the single-request methods, returning `APIResponse`."""

    def __init__(self, experiments: Experiments) -> None:
        self.create = to_raw_response_wrapper(experiments.create)
        self.get = to_raw_response_wrapper(experiments.get)
        self.stop = to_raw_response_wrapper(experiments.stop)


class AsyncExperimentsWithRawResponse:
    """`client.experiments.with_raw_response` of the `AsyncClient`."""

    def __init__(self, experiments: AsyncExperiments) -> None:
        self.create = async_to_raw_response_wrapper(experiments.create)
        self.get = async_to_raw_response_wrapper(experiments.get)
        self.stop = async_to_raw_response_wrapper(experiments.stop)
