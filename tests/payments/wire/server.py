"""A tiny threaded HTTP server on 127.0.0.1 that answers through a route function and records requests.

Each provider module gives it a route that speaks that provider's wire format; tests read `requests`
to see exactly what the official client library put on the wire.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    """Header names lower-cased."""
    body: bytes


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
        return cls(status, json.dumps(payload).encode(), {"Content-Type": "application/json", **(headers or {})})


Route = Callable[[Request], Response]


class WireServer:
    def __init__(self, route: Route) -> None:
        self.route = route
        self.requests: list[Request] = []
        self._scripted: list[Response] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return self._server.server_port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def answer_next(self, response: Response) -> None:
        """Answer the next request with `response` instead of the route (an outage, a refusal)."""
        with self._lock:
            self._scripted.append(response)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _respond(self, request: Request) -> Response:
        with self._lock:
            self.requests.append(request)
            scripted = self._scripted.pop(0) if self._scripted else None
        return scripted or self.route(request)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # One segment per answer: split header and body writes meet delayed ACKs (40 ms stalls).
            wbufsize = 65536
            disable_nagle_algorithm = True

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                request = Request(
                    method=self.command,
                    path=self.path,
                    headers={key.lower(): value for key, value in self.headers.items()},
                    body=self.rfile.read(length),
                )
                response = server._respond(request)
                self.send_response(response.status)
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                self.wfile.write(response.body)

            do_GET = do_POST = do_PATCH = do_DELETE = _handle  # noqa: N815 - the http.server API

            def log_message(self, *args: object) -> None:
                pass

        return Handler
