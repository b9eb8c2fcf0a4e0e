"""The pay page: server time per view (p50, p99) and the bytes a first visit transfers, beside a bare Flask
app that serves the very same HTML, CSS and JS from a template, measured in one run.

    .venv/bin/python bench/paypage.py [--views 500]

Server time is the WSGI call in this process (no network), so it is the app's own cost: the token lookup,
the claim, the country rules, the QR code, the template. Bytes are what a first visit downloads: the
HTML (with the inline SVG QR code), the CSS and the JS, raw and gzip-compressed as a reverse proxy sends
them. The budget is 30 KB compressed.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import tempfile
import time
from pathlib import Path

from flask import Flask, render_template_string

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from paypage.api.ratelimit import RateLimiter  # noqa: E402
from paypage.extensions import database  # noqa: E402
from paypage.store import models  # noqa: E402
from tests.conftest import build_app  # noqa: E402
from tests.factories import claim_body, new_creditor  # noqa: E402
from tests.pay.conftest import SETTINGS  # noqa: E402

BUDGET = 30 * 1024


def timed(call: object, count: int) -> list[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        call()  # type: ignore[operator]
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--views", type=int, default=500)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as directory:
        app = build_app(f"sqlite:///{directory}/bench.sqlite3", Path(directory))
        creditor = new_creditor(app)
        with app.app_context(), database().transaction() as session:
            record = session.get(models.Creditor, creditor.id)
            assert record is not None
            record.settings = SETTINGS
        # The per-token limit protects real links; the benchmark views one link many times on purpose.
        unlimited = RateLimiter(1e9, 10**9)
        app.extensions["inkasso.pay_limits"] = (unlimited, unlimited)
        client = app.test_client()
        claim = client.post("/v1/claims", json=claim_body(), headers=creditor.headers()).json
        path = "/p/" + claim["pay_url"].rsplit("/p/", 1)[1]
        page = client.get(path, headers={"Accept-Language": "de"})
        assert page.status_code == 200
        html = page.get_data()
        css = client.get("/static/pay.css").get_data()
        js = client.get("/static/pay.js").get_data()

        bare = Flask("bare")
        source = html.decode()

        @bare.get("/page")
        def same_html() -> str:
            return render_template_string("{{ html|safe }}", html=source)

        bare_client = bare.test_client()
        for _ in range(20):  # warm both
            client.get(path)
            bare_client.get("/page")

        def view() -> None:
            assert client.get(path).status_code == 200

        ours = timed(view, args.views)
        plain = timed(lambda: bare_client.get("/page"), args.views)
        app.extensions["inkasso.db"].dispose()

    def quantiles(samples: list[float]) -> tuple[float, float]:
        cut = statistics.quantiles(samples, n=100)
        return cut[49], cut[98]

    ours_p50, ours_p99 = quantiles(ours)
    bare_p50, bare_p99 = quantiles(plain)
    parts = {"HTML (with QR SVG)": html, "CSS": css, "JS": js}
    raw_total = sum(len(p) for p in parts.values())
    zipped_total = sum(len(gzip.compress(p, 6)) for p in parts.values())
    print(f"{args.views} views of a German claim's pay page (SQLite, in-process WSGI)")
    print(f"pay page                p50 {ours_p50:6.2f} ms   p99 {ours_p99:6.2f} ms")
    print(f"bare Flask, same HTML   p50 {bare_p50:6.2f} ms   p99 {bare_p99:6.2f} ms", end="")
    print(f"   ratio p50 {ours_p50 / bare_p50:.1f}")
    print("first visit:")
    for name, content in parts.items():
        print(f"  {name:<20} {len(content):7d} B raw   {len(gzip.compress(content, 6)):6d} B gzip")
    verdict = "within" if zipped_total <= BUDGET else "OVER"
    print(f"  total                {raw_total:7d} B raw   {zipped_total:6d} B gzip   ({verdict} the 30 KB budget)")


if __name__ == "__main__":
    main()
