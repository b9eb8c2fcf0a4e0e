"""The pay site of tests/pay, for the provider-webhook fault tests."""

from tests.pay.conftest import pay_site  # noqa: F401
