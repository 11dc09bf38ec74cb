"""What consult knows of the network peer, kept to the minimum."""

from flask import request


def client_address() -> str:
    """The peer address, for rate-limit counters only (never stored or logged)."""
    return request.remote_addr or "unknown"
