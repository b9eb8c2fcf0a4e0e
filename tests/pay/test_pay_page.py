"""The pay page over real HTTP: pay in full, instalments, requests, links, headers. Sandbox provider."""

from __future__ import annotations

import datetime as dt
import re

import httpx

from tests.factories import debtor
from tests.pay.conftest import PaySite, csrf, path_of


def open_page(client: httpx.Client, claim: dict[str, object], **params: str) -> httpx.Response:
    response = client.get(path_of(str(claim["pay_url"])), params=params)
    assert response.status_code == 200, response.text
    return response


def test_page_shows_breakdown_methods_bank_details_and_qr(pay_site: PaySite, browser_client: httpx.Client) -> None:
    claim = pay_site.claim(fees=[{"type": "reminder_fee", "amount": 500}])
    html = open_page(browser_client, claim).text
    assert '<html lang="de">' in html  # the debtor's language comes first
    assert "123,45\xa0€" in html and "128,45\xa0€" in html and "5,00\xa0€" in html
    assert "1. September 2026" in html  # the invoice date, in the debtor's locale
    for method in ("SEPA", "PayPal", "Klarna"):
        assert method in html
    assert "giropay" not in html.lower() and "sofort" not in html.lower()
    assert "DE89 3704 0044 0532 0130 00" in html
    assert re.search(r"RF\d\d [0-9A-Z ]+", html)
    assert "<svg" in html and 'role="img"' in html
    assert "style=" not in html, "inline styles would need 'unsafe-inline' in the CSP"


def test_swiss_claim_gets_a_qr_bill_code_and_swiss_formatting(pay_site: PaySite, browser_client: httpx.Client) -> None:
    html = open_page(browser_client, pay_site.swiss_claim()).text
    assert "CHF\xa0234.00" in html
    assert "TWINT" in html
    assert "CH93 0076 2011 6238 5295 7" in html
    assert "<svg" in html


def test_accept_language_and_switch(pay_site: PaySite, browser_client: httpx.Client) -> None:
    claim = pay_site.claim(debtor=debtor(language=None))
    with httpx.Client(base_url=pay_site.url, headers={"Accept-Language": "fr-FR,fr;q=0.9"}) as french:
        negotiated = french.get(path_of(claim["pay_url"]))
        assert '<html lang="fr">' in negotiated.text  # no language on the claim: Accept-Language decides
        switched = french.get(path_of(claim["pay_url"]), params={"lang": "nl"})
        assert '<html lang="nl">' in switched.text
        assert switched.cookies.get("inkasso_lang") == "nl"
        again = french.get(path_of(claim["pay_url"]))
        assert '<html lang="nl">' in again.text  # the choice is remembered


def test_pay_in_full_end_to_end_with_the_sandbox(pay_site: PaySite, browser_client: httpx.Client) -> None:
    claim = pay_site.claim()
    page = open_page(browser_client, claim)
    started = browser_client.post(
        path_of(claim["pay_url"]) + "/pay", data={"method": "card", "csrf_token": csrf(page.text)}
    )
    assert started.status_code == 303
    checkout_url = started.headers["location"]
    assert checkout_url.startswith(f"{pay_site.url}/sandbox/checkout/")
    checkout = browser_client.get(path_of(checkout_url))
    assert "123.45" in checkout.text or "€123.45" in checkout.text
    finished = browser_client.post(
        path_of(checkout_url), data={"outcome": "succeed", "csrf_token": csrf(checkout.text)}
    )
    assert finished.status_code == 303
    assert "/return?payment=pay_" in finished.headers["location"]
    assert pay_site.wait_for(lambda: pay_site.get_claim(claim["id"])["state"] == "paid")
    after = pay_site.get_claim(claim["id"])
    assert after["balance"]["paid"] == 12_345 and after["balance"]["outstanding"] == 0
    types = pay_site.event_types(claim["id"])
    assert types[-2:] == ["claim.payment_succeeded", "claim.paid"]
    assert "claim.viewed" in types
    returned = browser_client.get(path_of(finished.headers["location"]))
    assert 'data-payment-status="succeeded"' in returned.text
    assert "paid" in browser_client.get(path_of(claim["pay_url"])).text.lower()


def test_a_declined_payment_leaves_the_claim_open(pay_site: PaySite, browser_client: httpx.Client) -> None:
    claim = pay_site.claim()
    page = open_page(browser_client, claim)
    started = browser_client.post(
        path_of(claim["pay_url"]) + "/pay", data={"method": "card", "csrf_token": csrf(page.text)}
    )
    checkout = browser_client.get(path_of(started.headers["location"]))
    browser_client.post(
        path_of(started.headers["location"]), data={"outcome": "fail", "csrf_token": csrf(checkout.text)}
    )
    assert pay_site.wait_for(lambda: "claim.payment_failed" in pay_site.event_types(claim["id"]))
    assert pay_site.get_claim(claim["id"])["state"] == "open"


def test_forms_without_csrf_token_are_refused(pay_site: PaySite, browser_client: httpx.Client) -> None:
    claim = pay_site.claim()
    open_page(browser_client, claim)
    refused = browser_client.post(path_of(claim["pay_url"]) + "/pay", data={"method": "card"})
    assert refused.status_code == 400
    forged = browser_client.post(path_of(claim["pay_url"]) + "/pay", data={"method": "card", "csrf_token": "x" * 64})
    assert forged.status_code == 400
    assert pay_site.get_claim(claim["id"])["state"] == "open"


def test_six_instalments_schedule_and_plan(pay_site: PaySite, browser_client: httpx.Client) -> None:
    claim = pay_site.claim(amount=60_000)
    preview = browser_client.get(path_of(claim["pay_url"]) + "/plan", params={"months": "6"})
    assert preview.status_code == 200
    rows = re.findall(r"<tr><td>(\d)</td><td>[^<]+</td><td>([\d.,]+)\xa0€</td></tr>", preview.text)
    assert [number for number, _ in rows] == ["1", "2", "3", "4", "5", "6"]
    assert {amount for _, amount in rows} == {"100,00"}
    started = browser_client.post(
        path_of(claim["pay_url"]) + "/plan",
        data={"months": "6", "method": "sepa_debit", "csrf_token": csrf(preview.text)},
    )
    assert started.status_code == 303, started.text
    after = pay_site.get_claim(claim["id"])
    assert after["state"] == "payment_plan"
    assert "claim.plan_created" in pay_site.event_types(claim["id"])
    checkout = browser_client.get(path_of(started.headers["location"]))
    assert "100.00" in checkout.text
    browser_client.post(
        path_of(started.headers["location"]), data={"outcome": "succeed", "csrf_token": csrf(checkout.text)}
    )
    assert pay_site.wait_for(lambda: pay_site.get_claim(claim["id"])["balance"]["paid"] == 10_000)
    assert pay_site.get_claim(claim["id"])["state"] == "payment_plan"


def test_a_plan_beyond_the_rules_is_refused(pay_site: PaySite, browser_client: httpx.Client) -> None:
    claim = pay_site.claim(amount=5_000)  # 50 EUR: at most 2 instalments of the 20 EUR minimum
    response = browser_client.get(path_of(claim["pay_url"]) + "/plan", params={"months": "6"})
    assert 'aria-invalid="true"' in response.text
    assert "<tr><td>1</td>" not in response.text


def test_requests_are_stored_and_reported(pay_site: PaySite, browser_client: httpx.Client) -> None:
    claim = pay_site.claim()
    base = path_of(claim["pay_url"])
    form = browser_client.get(base + "/already-paid")
    done = browser_client.post(
        base + "/already-paid",
        data={
            "paid_on": "2026-11-01",
            "amount": "123,45",
            "note": "Überweisung am 1.11.",
            "csrf_token": csrf(form.text),
        },
        files={"proof": ("beleg.pdf", b"%PDF-1.4 proof", "application/pdf")},
    )
    assert done.status_code == 200, done.text
    form = browser_client.get(base + "/contact")
    browser_client.post(base + "/contact", data={"message": "Bitte rufen Sie mich an.", "csrf_token": csrf(form.text)})
    form = browser_client.get(base + "/pause")
    browser_client.post(base + "/pause", data={"until": "2099-01-01", "csrf_token": csrf(form.text)})
    assert pay_site.get_claim(claim["id"])["state"] == "open", "a pause beyond the limit is refused"
    form = browser_client.get(base + "/pause")
    until = re.search(r'name="until"', form.text)
    assert until
    soon = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    paused = browser_client.post(
        base + "/pause", data={"until": soon, "reason": "Urlaub", "csrf_token": csrf(form.text)}
    )
    assert paused.status_code == 200
    assert pay_site.get_claim(claim["id"])["state"] == "paused"
    form = browser_client.get(base + "/dispute")
    browser_client.post(base + "/dispute", data={"reason": "Ware nie erhalten", "csrf_token": csrf(form.text)})
    assert pay_site.get_claim(claim["id"])["state"] == "disputed"
    types = pay_site.event_types(claim["id"])
    assert types.count("debtor.message_received") == 2
    assert "claim.paused" in types and "claim.disputed" in types


def test_uploads_are_checked_by_content(pay_site: PaySite, browser_client: httpx.Client) -> None:
    claim = pay_site.claim()
    base = path_of(claim["pay_url"])
    form = browser_client.get(base + "/already-paid")
    refused = browser_client.post(
        base + "/already-paid",
        data={"paid_on": "2026-11-01", "amount": "10", "csrf_token": csrf(form.text)},
        files={"proof": ("beleg.pdf", b"<script>alert(1)</script>", "application/pdf")},
    )
    assert refused.status_code == 400
    assert 'id="proof-error"' in refused.text
    assert "debtor.message_received" not in pay_site.event_types(claim["id"])


def test_invalid_links_look_the_same(pay_site: PaySite, browser_client: httpx.Client) -> None:
    claim = pay_site.claim()
    with pay_site.api() as api:
        api.post(f"/v1/claims/{claim['id']}/cancel", json={"reason": "test"})
    cancelled = browser_client.get(path_of(claim["pay_url"]))
    guessed = browser_client.get("/p/AAAAAAAAAAAAAAAAAAAAAA")
    short = browser_client.get("/p/x")
    assert cancelled.status_code == guessed.status_code == short.status_code == 404
    assert cancelled.text == guessed.text == short.text


def test_security_headers_and_embedding(pay_site: PaySite, browser_client: httpx.Client) -> None:
    claim = pay_site.claim()
    page = open_page(browser_client, claim)
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["x-frame-options"] == "DENY"
    cookie = page.headers.get("set-cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    embedded = open_page(browser_client, claim, embed="1")
    assert "frame-ancestors https://shop.example" in embedded.headers["content-security-policy"]
    assert "x-frame-options" not in embedded.headers
    assert 'class="embedded"' in embedded.text


def test_provider_hook_refuses_bad_signatures(pay_site: PaySite) -> None:
    response = httpx.post(
        f"{pay_site.url}/hooks/sandbox/{pay_site.creditor.id}",
        content=b'{"id":"x","type":"payment_succeeded"}',
        headers={"Sandbox-Signature": "t=1,v1=00", "Content-Type": "application/json"},
    )
    assert response.status_code == 400
