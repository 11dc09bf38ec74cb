"""gunicorn's logger, made to keep the privacy rules of ``consult.core.logging``.

``gunicorn.conf.py`` names ``PrivateGunicornLogger`` as ``logger_class``. Its
access log gets no client address (the ``h`` atom, and every address-bearing
header or environ atom, is ``-``), no user agent or referrer, and the request
line, path and query string scrubbed of the codes people hold. Its error log
(which quotes a failing request's URI, and an invalid request's peer address)
passes through the same filter as every other record.

Imported by gunicorn only: the application itself does not need gunicorn.
"""

from __future__ import annotations

from gunicorn.glogging import Logger

from consult.core.logging import HIDDEN, install_privacy_filter, install_record_factory, scrub, scrub_url

#: The access log line: time, request line, status, bytes, microseconds. No address, agent or referrer.
ACCESS_LOG_FORMAT = '%(t)s "%(r)s" %(s)s %(b)s %(D)sus'

# Atoms that hold who the person is or where they came from, whatever the format asks for.
_HIDDEN_ATOMS = ("h", "a", "f", "u")
_HIDDEN_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip", "user-agent", "referer", "cookie", "authorization")


class PrivateGunicornLogger(Logger):
    """gunicorn's ``Logger`` with scrubbed access-log atoms and filtered error and access loggers."""

    def setup(self, cfg) -> None:  # noqa: ANN001
        """gunicorn's set-up, then the privacy filter on both loggers and their handlers."""
        super().setup(cfg)
        install_record_factory()
        install_privacy_filter(self.error_log)
        install_privacy_filter(self.access_log)

    def atoms(self, resp, req, environ, request_time) -> dict:  # noqa: ANN001
        """The access-log atoms with addresses, agents and codes taken out."""
        atoms = super().atoms(resp, req, environ, request_time)
        for name in _HIDDEN_ATOMS:
            atoms[name] = HIDDEN
        for key in list(atoms):
            lowered = key.lower()
            if lowered.endswith("}e") or any(lowered == "{%s}i" % header for header in _HIDDEN_HEADERS):
                # Environ atoms include REMOTE_ADDR, RAW_URI and QUERY_STRING: none is needed in a log.
                atoms[key] = HIDDEN
        method = environ.get("REQUEST_METHOD", "-")
        protocol = environ.get("SERVER_PROTOCOL", "-")
        atoms["r"] = f"{method} {scrub_url(environ.get('RAW_URI') or environ.get('PATH_INFO') or '')} {protocol}"
        atoms["U"] = scrub_url(environ.get("PATH_INFO") or "")
        query = environ.get("QUERY_STRING") or ""
        atoms["q"] = scrub_url("/?" + query)[2:] if query else ""
        # Anything else the format might name (a custom header) is scrubbed as text.
        for key, value in list(atoms.items()):
            if isinstance(value, str) and key not in ("r", "U", "q", "t"):
                atoms[key] = scrub(value)
        return atoms
