"""What the shop keeps about each handed-over order, and which webhook deliveries it has applied."""

from __future__ import annotations

from django.db import models

from oscar_inkasso.money import display


class ClaimLink(models.Model):
    """One Oscar order and the inkasso claim it became.

    A row without `claim_id` is an order whose handover failed; `handover_error` says why and the next run
    of `inkasso_handover` tries again. The pay link is not kept: it is the debtor's, and the service sends it.
    """

    order = models.OneToOneField("order.Order", on_delete=models.CASCADE, related_name="inkasso_claim")
    claim_id = models.CharField(max_length=40, unique=True, null=True, blank=True)
    state = models.CharField(max_length=20, blank=True)
    outstanding = models.BigIntegerField(null=True, blank=True, help_text="In minor units of `currency`.")
    currency = models.CharField(max_length=3, blank=True)
    handed_over_at = models.DateTimeField(null=True, blank=True)
    handover_error = models.TextField(blank=True)
    last_event_id = models.CharField(max_length=40, blank=True)
    last_event_type = models.CharField(max_length=60, blank=True)
    last_event_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "inkasso claim"

    def __str__(self) -> str:
        return f"{self.claim_id or 'not handed over'} ({self.state or '-'})"

    @property
    def outstanding_display(self) -> str:
        if self.outstanding is None or not self.currency:
            return ""
        return display(self.outstanding, self.currency)


class ProcessedEvent(models.Model):
    """A webhook event applied once: stored in the same transaction as its order change, so a redelivery
    (at-least-once delivery) finds it and changes nothing."""

    event_id = models.CharField(max_length=40, primary_key=True)
    event_type = models.CharField(max_length=60)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "processed inkasso event"
