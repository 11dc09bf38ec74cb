"""URL converters bounded to what the database can hold.

Every id column of consult is an ``Integer``: a signed 32-bit number on
PostgreSQL. Werkzeug's ``int`` converter accepts any number of digits, and a
number at or beyond 2^63 cannot even be sent to PostgreSQL (psycopg passes it
as ``numeric``; an id compared with it, or written into an integer column,
fails with a database error, which was a 500). No row can have such an id, so
the route does not match and the answer is the ordinary 404.

Query strings carry ids too (``?version=``, ``?locality=``, ``?page=``); a
request whose query string holds a whole number beyond the same bound gets the
same 404 before any view parses it.
"""

from __future__ import annotations

import builtins
import re

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter, Map, ValidationError

#: The largest value of a signed 32-bit integer, PostgreSQL's ``integer``: no id can be larger.
MAX_ID = 2**31 - 1
_WHOLE_NUMBER = re.compile(r"\s*[+-]?\d+\s*")


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` that matches only numbers an id column can hold (a larger ``max=`` is lowered)."""

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = None,
        signed: bool = False,
    ) -> None:
        low = -MAX_ID - 1 if signed else 0
        super().__init__(
            map,
            fixed_digits=fixed_digits,
            min=low if min is None else builtins.max(min, low),
            max=MAX_ID if max is None else builtins.min(max, MAX_ID),
            signed=signed,
        )

    def to_python(self, value: str) -> int:
        """The number, or no match when it has more digits than any id (int() of a huge string is slow)."""
        if len(value.lstrip("+-").lstrip("0")) > len(str(MAX_ID)):
            raise ValidationError()
        return super().to_python(value)


def is_out_of_range(value: str) -> bool:
    """True when ``value`` is a whole number no id column can hold."""
    if not _WHOLE_NUMBER.fullmatch(value):
        return False
    digits = value.strip().lstrip("+-")
    # Compare lengths first: int() of a 100,000-digit string is slow.
    return len(digits.lstrip("0")) > len(str(MAX_ID)) or abs(int(value)) > MAX_ID


def _refuse_out_of_range_query_values() -> None:
    for values in request.args.listvalues():
        if any(is_out_of_range(value) for value in values):
            abort(404)


def install(app: Flask) -> None:
    """Replace the ``int`` converter app-wide; call before any route is added."""
    app.url_map.converters["int"] = BoundedIntConverter


def init_app(app: Flask) -> None:
    """Refuse query strings with out-of-range whole numbers (the converter is installed by ``install``)."""
    app.before_request(_refuse_out_of_range_query_values)
