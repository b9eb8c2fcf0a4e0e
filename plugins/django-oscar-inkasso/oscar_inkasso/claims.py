"""An Oscar order as the claim inkasso receives: debtor, amounts in minor units, invoice lines, dates.

The claim is checked with the SDK's own wire model before it is sent, so an order that cannot become a
valid claim (no way to reach the buyer, a price finer than the currency) is reported for that order alone
instead of failing the whole batch.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone
from inkasso.types import ClaimCreateParams
from pydantic import ValidationError

from oscar_inkasso.money import AmountError, minor_units

MAX_LINE_DESCRIPTION = 200


@dataclass(frozen=True)
class Built:
    order: Any
    claim: ClaimCreateParams | None
    error: str
    """Why the order is no valid claim; empty when `claim` is set."""


def dates(order: Any, payment_terms_days: int) -> tuple[dt.date, dt.date]:
    """Invoice date (the day the order was placed, in the shop's time zone) and due date (plus the terms)."""
    placed = timezone.localdate(order.date_placed)
    return placed, placed + dt.timedelta(days=payment_terms_days)


def build(order: Any, payment_terms_days: int) -> Built:
    try:
        body = claim_body(order, payment_terms_days)
        return Built(order, ClaimCreateParams.model_validate(body), "")
    except AmountError as exc:
        return Built(order, None, str(exc))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'claim'}: {e['msg']}" for e in exc.errors())
        return Built(order, None, problems)


def claim_body(order: Any, payment_terms_days: int) -> dict[str, Any]:
    currency = order.currency
    amount = minor_units(order.total_incl_tax, currency)
    invoice_date, due_date = dates(order, payment_terms_days)
    shop = getattr(settings, "OSCAR_SHOP_NAME", "") or "Order"
    body: dict[str, Any] = {
        # The order number, as the shop and the buyer know it; the service keeps it unique per creditor.
        "external_reference": order.number,
        "amount": amount,
        "currency": currency,
        "invoice_date": invoice_date,
        "due_date": due_date,
        "description": f"{shop} order {order.number}",
        "debtor": debtor(order),
        "metadata": {"oscar_order_number": order.number, "oscar_order_id": str(order.pk)},
    }
    lines = line_items(order, currency)
    if sum(line["quantity"] * line["unit_amount"] for line in lines) == amount:
        body["line_items"] = lines
    # Otherwise (an order-level discount Oscar did not spread over the lines) the claim goes without
    # lines: the service requires them to add up to the amount, and the amount is what is owed.
    return body


def line_items(order: Any, currency: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for line in order.lines.all():
        total = minor_units(line.line_price_incl_tax, currency)
        quantity = int(line.quantity)
        title = str(line.title or line.partner_sku or "Item")
        if quantity > 0 and total % quantity == 0:
            items.append(_line(title, quantity, total // quantity))
        else:
            # A discount that does not divide evenly over the units: one line for the whole.
            items.append(_line(f"{quantity} × {title}", 1, total))
    shipping = minor_units(order.shipping_incl_tax, currency)
    if shipping:
        items.append(_line(f"Shipping: {order.shipping_method or order.shipping_code or 'delivery'}", 1, shipping))
    for surcharge in order.surcharges.all():
        charge = minor_units(surcharge.incl_tax, currency)
        if charge:
            items.append(_line(str(surcharge.name), 1, charge))
    return items


def _line(description: str, quantity: int, unit_amount: int) -> dict[str, Any]:
    return {"description": description[:MAX_LINE_DESCRIPTION], "quantity": quantity, "unit_amount": unit_amount}


def debtor(order: Any) -> dict[str, Any]:
    """The buyer from the billing address (the shipping address when there is none) and the order's e-mail."""
    address = order.billing_address or order.shipping_address
    user = order.user
    name = ""
    if address is not None:
        name = " ".join(part for part in (address.first_name, address.last_name) if part).strip()
    if not name and user is not None:
        name = user.get_full_name().strip()
    result: dict[str, Any] = {"type": "person", "name": name or order.email}
    if order.email:
        result["email"] = order.email
    phone = getattr(order.shipping_address, "phone_number", None)
    if phone:
        result["phone"] = phone.as_e164
    if address is not None:
        result["country"] = address.country.iso_3166_1_a2
        postal = _postal(address)
        if postal:
            result["address"] = postal
    return result


def _postal(address: Any) -> dict[str, Any] | None:
    """The postal address, or None when it lacks a street, postcode or city (the e-mail then carries it)."""
    if not (address.line1 and address.postcode and address.line4):
        return None
    extra = ", ".join(part for part in (address.line2, address.line3) if part)
    return {
        "line1": address.line1,
        "line2": extra or None,
        "postal_code": address.postcode,
        "city": address.line4,
        "region": address.state or None,
        "country": address.country.iso_3166_1_a2,
    }
