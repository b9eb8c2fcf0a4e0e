"""Twenty threads with one Idempotency-Key over real HTTP create exactly one claim."""

from __future__ import annotations

import threading

import httpx

from tests.conftest import Served
from tests.factories import claim_body, new_creditor


def test_twenty_threads_one_key_one_claim(served: Served) -> None:
    creditor = new_creditor(served.server.app)  # type: ignore[attr-defined]
    body = claim_body()
    headers = {**creditor.headers(), "Idempotency-Key": "concurrent-4711"}
    barrier = threading.Barrier(20)
    answers: list[httpx.Response] = []
    lock = threading.Lock()

    def submit() -> None:
        with httpx.Client(base_url=served.url, timeout=30) as client:
            barrier.wait()
            response = client.post("/v1/claims", json=body, headers=headers)
        with lock:
            answers.append(response)

    threads = [threading.Thread(target=submit) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted({response.status_code for response in answers}) == [201]
    assert len({response.json()["id"] for response in answers}) == 1
    assert sum(1 for response in answers if "Idempotent-Replayed" not in response.headers) == 1
    listed = httpx.get(
        f"{served.url}/v1/claims", params={"external_reference": body["external_reference"]}, headers=creditor.headers()
    ).json()
    assert len(listed["data"]) == 1
