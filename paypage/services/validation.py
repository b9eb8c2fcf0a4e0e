"""Turn pydantic validation errors into one clear message that names the field."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from paypage.services.errors import RequestError

M = TypeVar("M", bound=BaseModel)

_CODES = {"missing": "parameter_missing", "extra_forbidden": "parameter_unknown"}


def describe(error: ErrorDetails, prefix: str = "") -> tuple[str, str | None, str]:
    """(code, param, message) for one pydantic error."""
    loc = [str(part) for part in error["loc"]]
    param = ".".join([prefix, *loc] if prefix else loc) or None
    text = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        text = "is not a known field"
    elif error["type"] == "missing":
        text = "is required"
    message = f"{param}: {text}" if param else text
    return _CODES.get(error["type"], "parameter_invalid"), param, message


def first_error(exc: ValidationError, prefix: str = "") -> RequestError:
    code, param, message = describe(exc.errors()[0], prefix)
    extra = len(exc.errors()) - 1
    if extra:
        message += f" (and {extra} more problem{'s' if extra > 1 else ''})"
    return RequestError(400, code, message, param=param)


def parse(model: type[M], body: Any) -> M:
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise first_error(exc) from None
