"""gunicorn settings for consult in production: `make serve`, or `gunicorn -c gunicorn.conf.py`.

Read by gunicorn at start; every value can be changed from the environment
without editing this file (see docs/deploy.md):

``CONSULT_BIND``      where to listen (``127.0.0.1:8000``: only the reverse proxy on the same
                      machine reaches it; ``0.0.0.0:8000`` when the proxy is on another machine)
``CONSULT_WORKERS``   worker processes (2 × CPUs)
``CONSULT_THREADS``   threads per worker (2)
``CONSULT_TIMEOUT``   seconds a request may take before its worker is restarted (60)

and the application's own ``CONSULT_*`` variables (config.py): production needs
``CONSULT_SECRET_KEY``, ``CONSULT_DATABASE_URL``, ``CONSULT_TESTIMONY_KEYS``, ``CONSULT_AUDIT_KEY``, and
with more than one process ``CONSULT_RATELIMIT_STORAGE_URL`` (Redis).
"""

import multiprocessing
import os
import sys

from consult.core.serving import ACCESS_LOG_FORMAT

wsgi_app = "consult:create_app()"
bind = os.environ.get("CONSULT_BIND", "127.0.0.1:8000").split(",")
workers = int(os.environ.get("CONSULT_WORKERS") or 2 * multiprocessing.cpu_count())
threads = int(os.environ.get("CONSULT_THREADS") or 2)
worker_class = "gthread"
timeout = int(os.environ.get("CONSULT_TIMEOUT") or 60)
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (with jitter, so they do not all restart at once).
max_requests = 10000
max_requests_jitter = 1000
# Each worker builds its own application: no database connection or thread crosses a fork.
preload_app = False

# Logs go to stderr (the service manager keeps them). No client address, user agent,
# referrer or code a person holds reaches them: see consult/core/serving.py.
accesslog = os.environ.get("CONSULT_ACCESS_LOG", "-")
errorlog = os.environ.get("CONSULT_ERROR_LOG", "-")
loglevel = os.environ.get("CONSULT_LOG_LEVEL", "info").lower()
logger_class = "consult.core.serving.PrivateGunicornLogger"
access_log_format = ACCESS_LOG_FORMAT
# The reverse proxy sets X-Forwarded-*; the app's ProxyFix (CONSULT_PROXY_HOPS) reads them, not gunicorn.
forwarded_allow_ips = "127.0.0.1,::1"
proxy_protocol = False
# No runtime control socket (gunicorn 25.1+): its default path is shared by every gunicorn of the account.
control_socket_disable = True


def on_starting(server):  # noqa: ANN001, ANN201
    """Warn when several processes would each keep their own rate-limit counters."""
    storage = os.environ.get("CONSULT_RATELIMIT_STORAGE_URL", "memory://")
    if workers > 1 and storage.startswith("memory://"):
        print(
            "consult: CONSULT_RATELIMIT_STORAGE_URL is memory://: each of the "
            f"{workers} workers counts attempts on its own. Set it to a Redis URL in production.",
            file=sys.stderr,
        )
