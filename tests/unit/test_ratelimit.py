from __future__ import annotations

from paypage.api.ratelimit import RateLimiter


def test_bucket_refills_at_the_rate() -> None:
    now = [0.0]
    limiter = RateLimiter(rate=2, burst=2, clock=lambda: now[0])
    assert [limiter.acquire("k") for _ in range(2)] == [0.0, 0.0]
    assert limiter.acquire("k") == 0.5
    now[0] += 0.5
    assert limiter.acquire("k") == 0.0
    assert limiter.acquire("other") == 0.0
    assert RateLimiter.retry_after(0.2) == "1"
    assert RateLimiter.retry_after(2.1) == "3"
