"""Each plugin setting is checked, and a wrong one is named in the error."""

from __future__ import annotations

import os

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import override_settings

from oscar_inkasso.conf import plugin_settings


def test_the_test_shop_settings_are_read() -> None:
    config = plugin_settings()
    assert config.webhook_secrets == ("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",)
    assert (config.payment_terms_days, config.handover_after_days, config.batch_size) == (14, 10, 100)
    assert config.unpaid_statuses == ("Pending",)
    assert config.status_for_state["paid"] == "Paid"


def test_two_secrets_during_a_rotation() -> None:
    with override_settings(INKASSO_WEBHOOK_SECRET="whsec_a whsec_b"):
        assert plugin_settings().webhook_secrets == ("whsec_a", "whsec_b")


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("INKASSO_WEBHOOK_SECRET", "", "INKASSO_WEBHOOK_SECRET is not set"),
        ("INKASSO_HANDOVER_AFTER_DAYS", -1, "INKASSO_HANDOVER_AFTER_DAYS must be a whole number"),
        ("INKASSO_PAYMENT_TERMS_DAYS", "14", "INKASSO_PAYMENT_TERMS_DAYS must be a whole number"),
        ("INKASSO_UNPAID_STATUSES", "Pending", "INKASSO_UNPAID_STATUSES must be a list"),
        ("INKASSO_ORDER_STATUS_FOR_STATE", {"payed": "Paid"}, "unknown claim states \\['payed'\\]"),
        ("INKASSO_ORDER_STATUS_FOR_STATE", {"paid": ""}, "must map each claim state to an order status"),
        ("INKASSO_BATCH_SIZE", 1001, "INKASSO_BATCH_SIZE must be a number from 1 to 1000"),
        ("INKASSO_HANDED_OVER_STATUS", 3, "INKASSO_HANDED_OVER_STATUS must be a string"),
    ],
)
def test_a_wrong_setting_is_named(setting: str, value: object, message: str) -> None:
    with override_settings(**{setting: value}), pytest.raises(ImproperlyConfigured, match=message):
        plugin_settings()


def test_the_shop_runs_on_the_database_asked_for() -> None:
    asked = os.environ.get("OSCAR_INKASSO_SHOP_DATABASE", "sqlite")
    assert connection.vendor == asked
