"""`{% inkasso_claim order %}` (the dashboard's claim panel) and `{% inkasso_claim_for_customer order %}` (the
customer's view of it), for shops that override Oscar's order pages themselves."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from oscar_inkasso.models import ClaimLink

register = template.Library()

STATE_LABELS = {
    "open": _("Open"),
    "in_collection": _("In collection"),
    "payment_plan": _("Payment plan"),
    "paused": _("Paused"),
    "disputed": _("Disputed"),
    "paid": _("Paid"),
    "cancelled": _("Cancelled"),
    "escalated": _("Escalated"),
    "written_off": _("Written off"),
}


@register.inclusion_tag("oscar_inkasso/claim_panel.html")
def inkasso_claim(order: Any) -> dict[str, Any]:
    link = ClaimLink.objects.filter(order=order).first()
    return {"link": link, "state_label": STATE_LABELS.get(link.state, link.state) if link else ""}


@register.inclusion_tag("oscar_inkasso/customer_claim.html")
def inkasso_claim_for_customer(order: Any) -> dict[str, Any]:
    return {"link": ClaimLink.objects.filter(order=order, claim_id__isnull=False).first()}
