"""The pay site of tests/pay, for the upload checks."""

from tests.pay.conftest import browser_client, pay_site  # noqa: F401
