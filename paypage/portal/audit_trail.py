"""Portal actions into the audit log (`paypage.services.audit`), tolerating a build without that module."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

from sqlalchemy.orm import Session


def record(
    session: Session,
    *,
    creditor_id: str | None,
    actor: str,
    action: str,
    subject: str | None = None,
    detail: dict[str, Any] | None = None,
    now: dt.datetime,
) -> None:
    try:
        audit = importlib.import_module("paypage.services.audit")
    except ModuleNotFoundError:
        return
    audit.record(
        session, creditor_id=creditor_id, actor=actor, action=action, subject=subject, detail=detail or {}, now=now
    )
