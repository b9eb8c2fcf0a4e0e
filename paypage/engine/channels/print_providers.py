"""Print providers without a vendor API of their own: a folder, and a generic HTTP print service.

`DirectoryPrintProvider` writes `<reference>.pdf` into a folder: the demo, and operators who print and
post their letters themselves. `HttpPrintProvider` POSTs the PDF as multipart/form-data to a URL with a
bearer token, for a print service (or an in-house gateway) that accepts that; Pingen has its own adapter.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import httpx

from paypage.engine.channels.http_client import http_client
from paypage.engine.channels.letter import PrintRejected
from paypage.engine.channels.protocol import ChannelUnavailable, PostalAddress

SAFE_REFERENCE = re.compile(r"[A-Za-z0-9_.-]{1,120}")


def check_reference(reference: str) -> str:
    """A reference is our message id: also a file name and a header value, so nothing else gets in."""
    if not SAFE_REFERENCE.fullmatch(reference) or reference.startswith("."):
        raise ValueError("a letter reference is 1-120 letters, digits, '_', '.' or '-'")
    return reference


class DirectoryPrintProvider:
    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    def submit(self, pdf: bytes, recipient: PostalAddress, reference: str) -> str:
        name = f"{check_reference(reference)}.pdf"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            # Written under a temporary name and renamed: whoever collects the folder never sees half a
            # letter. Readable by the owner only, since a letter is personal data.
            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".part")
            try:
                with os.fdopen(handle, "wb") as file:
                    file.write(pdf)
                os.replace(temporary, self.directory / name)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise ChannelUnavailable(f"cannot write the letter to {self.directory}: {type(exc).__name__}") from None
        return name


class HttpPrintProvider:
    """POST {url}: multipart `file` (application/pdf), `reference`, `country`; answer JSON {"id": ...}.

    The reference is also sent as `Idempotency-Key`, so a retried submission prints once.
    """

    def __init__(self, url: str, token: str, *, timeout: float = 30, http: httpx.Client | None = None) -> None:
        self.url = url
        self._token = token
        self.timeout = timeout
        self._http = http

    def submit(self, pdf: bytes, recipient: PostalAddress, reference: str) -> str:
        reference = check_reference(reference)
        try:
            with http_client(self._http, self.timeout) as client:
                response = client.post(
                    self.url,
                    files={"file": (f"{reference}.pdf", pdf, "application/pdf")},
                    data={"reference": reference, "country": recipient.country},
                    headers={"Authorization": f"Bearer {self._token}", "Idempotency-Key": reference},
                )
        except httpx.TransportError as exc:
            raise ChannelUnavailable(f"print service not reachable: {type(exc).__name__}") from None
        raise_if_unavailable("print service", response)
        if not response.is_success:
            raise PrintRejected(f"the print service refused the letter (HTTP {response.status_code})")
        try:
            job_id = response.json()["id"]
        except (ValueError, KeyError, TypeError):
            raise ChannelUnavailable("the print service answered without a job id") from None
        return str(job_id)


def raise_if_unavailable(service: str, response: httpx.Response) -> None:
    """Credentials refused, rate limited or down: try again later rather than fail the letter."""
    status = response.status_code
    if status in (401, 403):
        raise ChannelUnavailable(f"{service} refused our credentials (HTTP {status})")
    if status in (408, 429) or status >= 500:
        raise ChannelUnavailable(f"{service} unavailable (HTTP {status})")
