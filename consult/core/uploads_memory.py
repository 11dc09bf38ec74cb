"""Requests whose uploads stay in memory, and the few pages that accept a recording's size.

Werkzeug spools an upload larger than 500 KB to a temporary file while it parses
the form. A recording of someone's voice (a testimony told aloud, an answer
given by voice) is sealed before it is stored; in between it must not sit on a
disk in clear, even briefly. ``MAX_CONTENT_LENGTH`` bounds what a request can
hold, so keeping every upload in memory is bounded too.

Recordings are larger than the files other forms take (ten minutes from a
phone's recorder is 5–15 MB), so the pages that accept one register their
endpoint here and get ``CONSULT_MAX_RECORDING_MB`` (32 MB by default) instead
of the general limit; the rest of the site keeps ``MAX_CONTENT_LENGTH``.
"""

from __future__ import annotations

import io
from typing import IO

from flask import Flask, current_app
from flask.wrappers import Request

#: Endpoints that accept a recording (filled by the rooms' ``init_app``).
_RECORDING_ENDPOINTS: set[str] = set()


def accept_recordings(*endpoints: str) -> None:
    """Let these endpoints receive requests up to the recording size limit."""
    _RECORDING_ENDPOINTS.update(endpoints)


class ConsultRequest(Request):
    """A request that parses uploads into memory and sizes its limit by endpoint."""

    def _get_file_stream(  # type: ignore[override]
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        return io.BytesIO()

    @property
    def max_content_length(self) -> int | None:  # type: ignore[override]
        """The recording limit for the endpoints that take one, else the app's ``MAX_CONTENT_LENGTH``."""
        if self._max_content_length is not None:
            return self._max_content_length
        if not current_app:
            return None
        config = current_app.config
        if self.url_rule is not None and self.url_rule.endpoint in _RECORDING_ENDPOINTS:
            return config.get("MAX_RECORDING_LENGTH") or config.get("MAX_CONTENT_LENGTH")
        return config.get("MAX_CONTENT_LENGTH")

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def init_app(app: Flask) -> None:
    """Use ``ConsultRequest`` for every request of ``app``."""
    app.request_class = ConsultRequest
