"""Proof-of-payment uploads on the pay page: limited in size, typed by their content (never by what the
browser declares)."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from paypage.store import models
from tests.pay.conftest import PaySite, csrf, path_of

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
HTML = b"<html><script>alert(document.cookie)</script></html>"


def _send(pay_site: PaySite, client: httpx.Client, content: bytes, filename: str, declared: str) -> httpx.Response:
    claim = pay_site.claim()
    base = path_of(claim["pay_url"])
    form = client.get(base + "/already-paid")
    return client.post(
        base + "/already-paid",
        data={"paid_on": "2026-11-01", "amount": "10", "csrf_token": csrf(form.text)},
        files={"proof": (filename, content, declared)},
    )


def _stored_types(pay_site: PaySite) -> list[str]:
    with pay_site.app.extensions["inkasso.db"].transaction() as session:
        return list(
            session.scalars(
                select(models.Upload.content_type)
                .where(models.Upload.creditor_id == pay_site.creditor.id)
                .order_by(models.Upload.id)
            )
        )


def test_the_stored_type_comes_from_the_content(pay_site: PaySite, browser_client: httpx.Client) -> None:
    before = len(_stored_types(pay_site))
    accepted = _send(pay_site, browser_client, PNG + HTML, "proof.html", "text/html")
    assert accepted.status_code in (200, 303), accepted.text[:300]
    assert _stored_types(pay_site)[before:] == ["image/png"]  # a PNG that carries markup stays a PNG


def test_markup_declared_as_an_image_is_refused(pay_site: PaySite, browser_client: httpx.Client) -> None:
    before = len(_stored_types(pay_site))
    for filename, declared in (
        ("proof.png", "image/png"),
        ("proof.svg", "image/svg+xml"),
        ("p.pdf", "application/pdf"),
    ):
        refused = _send(pay_site, browser_client, HTML, filename, declared)
        assert refused.status_code == 400
        assert 'id="proof-error"' in refused.text
        assert "<script>alert(document.cookie)" not in refused.text
    assert len(_stored_types(pay_site)) == before


def test_an_upload_over_the_limit_is_refused_before_it_is_read(pay_site: PaySite, browser_client: httpx.Client) -> None:
    before = len(_stored_types(pay_site))
    limit = int(pay_site.app.config["MAX_CONTENT_LENGTH"])
    refused = _send(pay_site, browser_client, b"%PDF-" + b"0" * limit, "big.pdf", "application/pdf")
    assert refused.status_code == 413
    assert refused.headers["content-type"].startswith("text/html")
    assert "Traceback" not in refused.text
    assert len(_stored_types(pay_site)) == before
