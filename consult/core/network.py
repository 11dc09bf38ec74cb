"""What consult knows of the network peer, kept to the minimum.

Behind a reverse proxy the peer is the proxy. ``CONSULT_PROXY_HOPS`` says how
many proxies stand in front of the app; werkzeug's ProxyFix then takes the
client's address (for rate-limit counters only) and the scheme (for secure
cookies and redirects) from that many X-Forwarded-* entries, and no more, so a
client cannot choose its own address by sending the header itself.
"""

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix


def client_address() -> str:
    """The peer address, for rate-limit counters only (never stored or logged)."""
    return request.remote_addr or "unknown"


def init_app(app: Flask) -> None:
    """Trust the forwarded headers of ``CONSULT_PROXY_HOPS`` reverse proxies (none by default)."""
    hops = int(app.config.get("CONSULT_PROXY_HOPS") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
