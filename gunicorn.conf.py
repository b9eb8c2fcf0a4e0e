"""gunicorn settings for the hosted service: `gunicorn -c gunicorn.conf.py "paypage:create_app()"`.

Every value comes from the environment so one image serves every deployment:

- `INKASSO_BIND` (default `127.0.0.1:8000`; `0.0.0.0:8000` in a container)
- `WEB_CONCURRENCY` workers (default 2 x cores + 1, at most 8)
- `INKASSO_ACCESS_LOG` `1` to enable gunicorn's access log: off by default because paths carry pay tokens
- `FORWARDED_ALLOW_IPS` addresses of the proxies whose X-Forwarded-* headers are trusted (default 127.0.0.1)
- `INKASSO_GRACEFUL_TIMEOUT` seconds a worker gets to finish its requests on SIGTERM (default 30)
"""

from __future__ import annotations

import multiprocessing
import os


def _workers() -> int:
    raw = os.environ.get("WEB_CONCURRENCY", "").strip()
    if raw:
        return max(1, int(raw))
    return min(2 * multiprocessing.cpu_count() + 1, 8)


bind = [os.environ.get("INKASSO_BIND", "127.0.0.1:8000")]
workers = _workers()
worker_class = "sync"
threads = 1
# Each worker builds its own app (and database pool) after the fork: no connections shared across processes.
preload_app = False
timeout = 60
graceful_timeout = int(os.environ.get("INKASSO_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
max_requests = 10_000
max_requests_jitter = 1_000
# Pay links are /p/<token>: an access log line would store a bearer credential for the debtor's claim.
accesslog = "-" if os.environ.get("INKASSO_ACCESS_LOG") == "1" else None
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'  # the path without its query string
errorlog = "-"
loglevel = os.environ.get("INKASSO_LOG_LEVEL", "info").lower()
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
limit_request_line = 8190
limit_request_fields = 100
