"""Logging that never writes who the person is.

Werkzeug's development server begins each access line with the client address;
proxies add addresses to messages too. A filter removes IPv4 and IPv6
addresses from every record that passes through consult's handlers, so neither
IP addresses nor user agents reach a log file. Views never log answers or
testimony text in the first place.
"""

from __future__ import annotations

import logging
import re

from flask import Flask

_IPV4 = r"\b(?:\d{1,3}\.){3}\d{1,3}\b"
# Full (seven colons) or compressed (with "::") IPv6 forms; a time such as
# 10:00:00 is neither, so access-log timestamps survive.
_IPV6 = (
    r"(?<![\w:])(?:(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}"
    r"|(?:[0-9a-fA-F]{1,4}:){0,6}[0-9a-fA-F]{0,4}::(?:[0-9a-fA-F]{1,4}:){0,6}[0-9a-fA-F]{0,4})(?![\w:])"
)
_ADDRESS = re.compile(f"{_IPV4}|{_IPV6}")
# The server's own loopback address (as in "Running on http://127.0.0.1:5000") is nobody's.
_LOOPBACK = {"127.0.0.1", "::1"}
_USER_AGENT = re.compile(r"Mozilla/\d[^\"]*|User-Agent:[^\n]*", re.IGNORECASE)


def scrub(text: str) -> str:
    """Replace IP addresses and user-agent strings in ``text``."""
    without_addresses = _ADDRESS.sub(lambda m: m.group(0) if m.group(0) in _LOOPBACK else "[address]", text)
    return _USER_AGENT.sub("[agent]", without_addresses)


class PrivacyFilter(logging.Filter):
    """Rewrite a record's message so it holds no address or user agent."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = scrub(message)
        record.args = None
        return True


_FILTER = PrivacyFilter()


def install_privacy_filter(logger: logging.Logger) -> None:
    """Attach the filter to ``logger`` and to each of its handlers (idempotent)."""
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
    for handler in logger.handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)


def init_app(app: Flask) -> None:
    """Set the log level and filter consult's, Flask's and Werkzeug's loggers."""
    level = app.config.get("CONSULT_LOG_LEVEL", "INFO")
    app.logger.setLevel(level)
    for logger in (app.logger, logging.getLogger("werkzeug"), logging.getLogger()):
        install_privacy_filter(logger)
    # Werkzeug creates its handler lazily on the first request; a handler-level
    # filter on the root logger catches records wherever they end up.
    for handler in logging.getLogger().handlers:
        handler.addFilter(_FILTER)
