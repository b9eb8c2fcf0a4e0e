"""A Swiss creditor collecting on a QR-IBAN: claims carry a QR reference, shown, encoded and matched."""

from __future__ import annotations

import httpx

from paypage.payments.bank_transfer.qr_reference import is_valid_qr_reference
from paypage.store import models
from tests.factories import claim_body, debtor, new_creditor
from tests.pay.conftest import PaySite, path_of

QR_IBAN = "CH4431999123000889012"


def test_qr_iban_claims_get_a_qr_reference_that_is_shown_and_matched(pay_site: PaySite) -> None:
    creditor = new_creditor(pay_site.app, "Bergbahn AG")
    with pay_site.app.extensions["inkasso.db"].transaction() as session:
        record = session.get(models.Creditor, creditor.id)
        assert record is not None
        record.settings = {
            "bank_accounts": {
                "CHF": {
                    "holder": "Bergbahn AG",
                    "iban": QR_IBAN,
                    "address": {
                        "street": "Dorfstrasse",
                        "house_num": "5",
                        "pcode": "3920",
                        "city": "Zermatt",
                        "country": "CH",
                    },
                }
            }
        }
    swiss = debtor(
        country="CH",
        language="de",
        address={"line1": "Seestrasse 2", "postal_code": "8002", "city": "Zürich", "country": "CH"},
    )
    with httpx.Client(base_url=pay_site.url, headers=creditor.headers()) as api:
        claim = api.post("/v1/claims", json=claim_body(currency="CHF", amount=23_400, debtor=swiss)).json()
        reference = claim["transfer_reference"]
        assert is_valid_qr_reference(reference) and len(reference) == 27
        page = httpx.get(f"{pay_site.url}{path_of(claim['pay_url'])}").text
        grouped = " ".join([reference[:2]] + [reference[i : i + 5] for i in range(2, 27, 5)])
        assert grouped in page
        assert "CH44 3199 9123 0008 8901 2" in page and "<svg" in page
        booked = api.post(
            "/v1/bank_transactions",
            json={
                "amount": 23_400,
                "currency": "CHF",
                "bank_reference": "CH-1",
                "reference": grouped,
                "booking_date": "2026-11-20",
            },
        ).json()
    assert (booked["status"], booked["claim_id"]) == ("booked", claim["id"])
