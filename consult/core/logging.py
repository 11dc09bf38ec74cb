"""Logging that never writes who the person is, nor a code they hold.

Every server writes request lines: Werkzeug's development server begins each
one with the client address, gunicorn's access log has an address atom, and an
error log quotes the URI of the request that failed. Behind a reverse proxy the
address is the proxy's, which only hides that every line would carry one.

So a filter rewrites every record that passes through consult's loggers and
the servers' loggers (``scrub``):

- no IP address at all, in any form (IPv4, IPv6, IPv4-mapped IPv6, bracketed,
  with a port or a zone), loopback included; only the server's own listening
  URL (``http://127.0.0.1:5000``) is kept, because it is nobody's;
- no user agent;
- no code a person holds: the invitation token in ``/c/<slug>/i/<token>``, the
  export job token in ``/t/<territory>/exports/<token>``, the value of every
  query-string parameter but ``lang`` (a receipt or resume code typed into a
  GET form, a ``next`` address that carries a token), a receipt, resume or
  comment code in its printed shape (``K7M2-9QXD-4HTR``), and any long random
  URL-safe token.

``scrub_url`` does the same to one path with its query string; the gunicorn
logger of ``consult.core.serving`` uses it on the atoms of the access log.
Views never log answers or testimony text in the first place.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from urllib.parse import parse_qsl

from flask import Flask

ADDRESS = "[address]"
TOKEN = "[token]"
CODE = "[code]"
HIDDEN = "-"

# The server's own loopback listening URL (as in "Running on http://127.0.0.1:5000") is nobody's.
_OWN_URL = re.compile(r"(?P<keep>https?://(?:127\.0\.0\.1|localhost|\[::1\])(?::\d+)?)")
# Candidates; each is checked with ``ipaddress`` before it is replaced, so a
# time such as 10:00:00 or a date such as 2026:10:00:00 survives.
_BRACKETED = re.compile(r"\[(?P<inner>[0-9A-Fa-f:.]+(?:%[\w.-]+)?)\](?::\d{1,5})?")
_IPV6_RUN = re.compile(r"(?<![\w:.])(?P<run>[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)(?:%[\w.-]+)?(?![\w:])")
# Any dotted quad that is left (inside something that is not a valid address as a whole) goes too:
# three octets of an address are as telling as four.
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?(?!\w|\.\d)")
_USER_AGENT = re.compile(r"Mozilla/\d[^\"]*|User-Agent:[^\n]*", re.IGNORECASE)
# "<address> - <user> [date] ..." at the start of an access line: the first field goes, whatever it holds.
_ACCESS_PREFIX = re.compile(r"^(?P<ansi>(?:\x1b\[[0-9;]*m)?)\S+(?= - \S+ \[)")

# URL shapes that carry a secret in the path: the part before the secret, then the secret.
_SECRET_PATHS = (
    re.compile(r"(?P<keep>/c/[^/\s?#\"]+/i/)[^/\s?#\"]+"),
    re.compile(r"(?P<keep>/t/[^/\s?#\"]+/exports/)[^/\s?#\"]+"),
)
# A query string after a path: every value but ``lang`` is hidden.
_QUERY = re.compile(r"(?P<path>/[^\s?#\"']*)\?(?P<query>[^\s#\"']*)")
_KEPT_PARAMETERS = {"lang"}
# Codes people write down (consult.core.codes.new_code): Crockford base32 in groups of four.
_PRINTED_CODE = re.compile(r"(?<![\w-])[0-9A-HJKMNP-TV-Z]{4}(?:-[0-9A-HJKMNP-TV-Z]{4}){1,}(?![\w-])")
# Random URL-safe tokens (secrets.token_urlsafe): long, mixed case, with a digit, ``-`` or ``_``.
_URLSAFE_RUN = re.compile(r"(?<![\w-])[\w-]{24,}(?![\w-])")


def _token(match: re.Match[str]) -> str:
    run = match.group(0)
    has_lower = has_upper = has_other = False
    for ch in run:
        has_lower = has_lower or ch.islower()
        has_upper = has_upper or ch.isupper()
        has_other = has_other or ch.isdigit() or ch in "-_"
    return TOKEN if has_lower and has_upper and has_other else run


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False
    return True


def _ipv6_run(match: re.Match[str]) -> str:
    whole = match.group("run")
    # An IPv6 address has "::" or at least six colons (seven, or six before an embedded IPv4);
    # times and dates ("2026:15:00:00") are left without trying to parse them.
    if "::" not in whole and whole.count(":") < 6:
        return match.group(0)
    # A full stop or a colon after an address ("ip=::1: bad request") is punctuation: it stays.
    for end in (len(whole), len(whole.rstrip(".")), len(whole.rstrip(".")) - 1):
        run, tail = whole[:end], whole[end:]
        if tail.strip(".:") == "" and _is_ip(run):
            return ADDRESS + tail
        # An unbracketed IPv6 address followed by ":port".
        head, _, port = run.rpartition(":")
        if port.isdigit() and ":" in head and _is_ip(head):
            return ADDRESS + tail
    return match.group(0)


def scrub_addresses(text: str) -> str:
    """Replace every IP address in ``text`` (any form, loopback included) with ``[address]``."""
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group("keep"))
        return f"\x00{len(kept) - 1}\x00"

    text = _OWN_URL.sub(keep, text)
    text = _BRACKETED.sub(lambda m: ADDRESS if _is_ip(m.group("inner")) else m.group(0), text)
    text = _IPV6_RUN.sub(_ipv6_run, text)
    text = _IPV4.sub(ADDRESS, text)
    return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], text)


def _scrub_query(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    if not pairs:
        return HIDDEN if query else ""
    return "&".join(f"{name}={value if name in _KEPT_PARAMETERS else HIDDEN}" for name, value in pairs)


def scrub_codes(text: str) -> str:
    """Replace the codes people hold (in URL paths, query strings, printed codes, random tokens) in ``text``."""
    for pattern in _SECRET_PATHS:
        text = pattern.sub(lambda m: m.group("keep") + TOKEN, text)
    text = _QUERY.sub(lambda m: f"{m.group('path')}?{_scrub_query(m.group('query'))}", text)
    text = _PRINTED_CODE.sub(CODE, text)
    return _URLSAFE_RUN.sub(_token, text)


def scrub_url(url: str) -> str:
    """One request path (with its query string, if any) as it may be logged."""
    if not url:
        return url
    path, mark, query = url.partition("?")
    cleaned = scrub_codes(path)
    if mark:
        cleaned += "?" + _scrub_query(query)
    return scrub_addresses(cleaned)


def scrub(text: str) -> str:
    """``text`` without IP addresses, user agents or codes people hold."""
    text = _ACCESS_PREFIX.sub(lambda m: m.group("ansi") + HIDDEN, text)
    text = scrub_codes(text)
    text = scrub_addresses(text)
    return _USER_AGENT.sub("[agent]", text)


class PrivacyFilter(logging.Filter):
    """Rewrite a record's message (and exception text) so it holds no address, user agent or code."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = scrub(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            # Format the traceback now, so that the scrubbed text is what handlers print.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
            record.exc_info = None
        return True


_FILTER = PrivacyFilter()


def install_privacy_filter(logger: logging.Logger) -> None:
    """Attach the filter to ``logger`` and to each of its handlers (idempotent)."""
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
    for handler in logger.handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)


#: Loggers a server writes request lines or request URIs to.
SERVER_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")


def _scrubbing_factory(previous):
    def factory(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _FILTER.filter(record)
        return record

    factory.consult_privacy = True  # type: ignore[attr-defined]
    return factory


def install_record_factory() -> None:
    """Scrub every log record of the process when it is made (idempotent).

    Filters on loggers do not see records of child loggers, and a record of a
    logger without handlers reaches Python's last-resort handler unfiltered:
    the record factory is the one place every record passes.
    """
    current = logging.getLogRecordFactory()
    if not getattr(current, "consult_privacy", False):
        logging.setLogRecordFactory(_scrubbing_factory(current))


def init_app(app: Flask) -> None:
    """Set the log level; scrub every record of the process, and filter the servers' and root handlers too."""
    level = app.config.get("CONSULT_LOG_LEVEL", "INFO")
    app.logger.setLevel(level)
    install_record_factory()
    for logger in [app.logger, logging.getLogger()] + [logging.getLogger(name) for name in SERVER_LOGGERS]:
        install_privacy_filter(logger)
    # Werkzeug creates its handler lazily on the first request; a handler-level
    # filter on the root logger catches records wherever they end up.
    for handler in logging.getLogger().handlers:
        handler.addFilter(_FILTER)
