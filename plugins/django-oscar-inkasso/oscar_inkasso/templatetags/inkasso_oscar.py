"""`{% inkasso_claim order %}`: the order's claim panel, for shops that override the order pages themselves."""

from __future__ import annotations

from typing import Any

from django import template

from oscar_inkasso.models import ClaimLink

register = template.Library()

STATE_LABELS = {
    "open": "Open",
    "in_collection": "In collection",
    "payment_plan": "Payment plan",
    "paused": "Paused",
    "disputed": "Disputed",
    "paid": "Paid",
    "cancelled": "Cancelled",
    "escalated": "Escalated",
    "written_off": "Written off",
}


@register.inclusion_tag("oscar_inkasso/claim_panel.html")
def inkasso_claim(order: Any) -> dict[str, Any]:
    link = ClaimLink.objects.filter(order=order).first()
    return {"link": link, "state_label": STATE_LABELS.get(link.state, link.state) if link else ""}
