"""A real HTTP webhook receiver on 127.0.0.1 for tests: scripted answers, every request recorded."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    started: float
    finished: float = 0.0


@dataclass
class Receiver:
    """`script(n, body)` gives (status, delay in seconds) for the n-th request (from 0); default 200 at once."""

    script: Callable[[int, bytes], tuple[int, float]] = lambda n, body: (200, 0.0)
    requests: list[Received] = field(default_factory=list)
    in_flight: dict[str, int] = field(default_factory=dict)
    overlaps: list[str] = field(default_factory=list)
    incomplete: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # One segment per answer: split header and body writes meet delayed ACKs (40 ms stalls).
            wbufsize = 65536
            disable_nagle_algorithm = True

            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                if len(body) < length:
                    # The sender died mid-request (a killed worker): nothing was delivered.
                    with receiver.lock:
                        receiver.incomplete += 1
                    self.close_connection = True
                    return
                record = Received({k.lower(): v for k, v in self.headers.items()}, body, time.monotonic())
                msg_id = self.headers.get("webhook-id", "")
                with receiver.lock:
                    number = len(receiver.requests)
                    receiver.requests.append(record)
                    if receiver.in_flight.get(msg_id):
                        receiver.overlaps.append(msg_id)
                    receiver.in_flight[msg_id] = receiver.in_flight.get(msg_id, 0) + 1
                status, delay = receiver.script(number, body)
                time.sleep(delay)
                with receiver.lock:
                    receiver.in_flight[msg_id] -= 1
                    record.finished = time.monotonic()
                payload = b'{"received": true}'
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender gave up (timeout): that is what a slow receiver test wants

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def ids(self) -> list[str]:
        with self.lock:
            return [r.headers.get("webhook-id", "") for r in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
