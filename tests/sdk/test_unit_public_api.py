"""The facade: `inkasso/__init__.py` exports exactly the public names, and they are the real objects."""

from __future__ import annotations

import inspect

import inkasso
from inkasso import _exceptions

EXCEPTIONS = {
    "InkassoError",
    "APIError",
    "APIStatusError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "UnprocessableEntityError",
    "RateLimitError",
    "InternalServerError",
    "APIConnectionError",
    "APITimeoutError",
    "WebhookVerificationError",
}


def test_all_names_exist_and_are_sorted_without_duplicates() -> None:
    assert len(set(inkasso.__all__)) == len(inkasso.__all__)
    for name in inkasso.__all__:
        assert hasattr(inkasso, name), name


def test_the_required_names_are_exported() -> None:
    assert {"Client", "AsyncClient", "types", "webhooks", "__version__"} | EXCEPTIONS <= set(inkasso.__all__)
    assert inkasso.types.Claim.__name__ == "Claim"
    assert inkasso.webhooks.verify.__module__ == "inkasso.webhooks"
    assert isinstance(inkasso.__version__, str)


def test_every_exception_class_of_the_module_is_exported() -> None:
    defined = {
        name
        for name, value in vars(_exceptions).items()
        if inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == _exceptions.__name__
    }
    assert defined == EXCEPTIONS
    for name in EXCEPTIONS:
        assert getattr(inkasso, name) is getattr(_exceptions, name)


def test_the_webhooks_module_exports_its_functions() -> None:
    assert set(inkasso.webhooks.__all__) == {
        "DEFAULT_TOLERANCE",
        "ID_HEADER",
        "SECRET_PREFIX",
        "SIGNATURE_HEADER",
        "TIMESTAMP_HEADER",
        "HeadersLike",
        "headers",
        "new_secret",
        "sign",
        "verify",
        "verify_signature",
    }
    for name in inkasso.webhooks.__all__:
        assert hasattr(inkasso.webhooks, name), name


def test_no_private_name_is_exported() -> None:
    assert [name for name in inkasso.__all__ if name.startswith("_") and name != "__version__"] == []
