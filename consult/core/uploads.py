"""Untrusted uploads read within bounds: the one check every zip and JSON entry point uses.

A file someone uploads may be a zip bomb (a few kilobytes that expand to
gigabytes), a JSON document nested ten thousand levels deep (Python's parser
and everything that walks the result recurse), or text holding NUL and other
control characters that forms refuse. These checks look at what is declared
or parsed before any real work starts, so a hostile file is refused at once
with a translated message instead of after seconds of work, or with a 500.

``check_zip`` reads only the zip's central directory (the sizes each entry
declares); ``load_json`` parses with the size checked first, turns the
parser's recursion error into a message, then walks the result once,
iteratively, for its depth, its number of values and its control characters.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l

MB = 1024 * 1024

#: A spreadsheet entry compresses about 10-30 times; a zip bomb thousands of times.
MAX_RATIO = 200
#: An .xlsx holds a few dozen entries; a zip with thousands is not a spreadsheet.
MAX_ENTRIES = 2000

#: JSON definitions: a large instrument is a few hundred kilobytes.
MAX_JSON_BYTES = 10 * MB
#: A definition nests about a dozen levels (sections, pages, questions, rules); 64 leaves room for rules.
MAX_JSON_DEPTH = 64
#: Values (objects, lists, strings, numbers) in one document.
MAX_JSON_VALUES = 2_000_000

#: Control characters no text of consult holds (tab, line feed and carriage return are text).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class UploadRefused(ValueError):
    """An upload refused before it is read; ``message`` says why, translated."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


def check_zip(
    data: bytes,
    *,
    max_bytes: int,
    max_expanded_bytes: int,
    required: Iterable[str] = ("xl/workbook.xml",),
    max_ratio: int = MAX_RATIO,
) -> list[zipfile.ZipInfo]:
    """The entries of a zip upload, refused early when it is too large, expands too much or lacks ``required``.

    Only the central directory is read: the sizes are those the zip declares, so a
    bomb is refused before a byte is expanded (a zip lying about its sizes fails
    later, when the reader finds the data longer than declared). Raises ``UploadRefused``.
    """
    if not data:
        raise UploadRefused(_l("The file is empty."))
    if len(data) > max_bytes:
        raise UploadRefused(_l("The file is larger than %(mb)d MB.", mb=max(1, max_bytes // MB)))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise UploadRefused(_l("The workbook is damaged and cannot be opened.")) from None
    names = {info.filename for info in infos}
    missing = [name for name in required if name not in names]
    if missing:
        raise UploadRefused(_l("This file is not an Excel workbook (.xlsx)."))
    expanded = sum(info.file_size for info in infos)
    bomb = any(info.file_size > max_ratio * max(info.compress_size, 1) + MB for info in infos)
    if len(infos) > MAX_ENTRIES or expanded > max_expanded_bytes or bomb:
        raise UploadRefused(
            _l(
                "The workbook expands to more than %(mb)d MB once unpacked; it cannot be read. Split it into "
                "smaller files.",
                mb=max(1, max_expanded_bytes // MB),
            )
        )
    return infos


def load_json(
    data: bytes | str,
    *,
    max_bytes: int = MAX_JSON_BYTES,
    max_depth: int = MAX_JSON_DEPTH,
    max_values: int = MAX_JSON_VALUES,
) -> Any:
    """A JSON upload parsed within bounds; ``UploadRefused`` with a translated message otherwise.

    Refused: more than ``max_bytes``, text that is not UTF-8, JSON that is not valid,
    nested deeper than ``max_depth``, more than ``max_values`` values, or a text
    (key or value) holding NUL or another control character.
    """
    if len(data) > max_bytes:
        raise UploadRefused(_l("The file is larger than %(mb)d MB.", mb=max(1, max_bytes // MB)))
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise UploadRefused(_l("The file is not UTF-8 text. Save it as UTF-8 JSON and try again.")) from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise UploadRefused(
            _l(
                "The file is not valid JSON: %(error)s (line %(line)d, column %(column)d).",
                error=error.msg,
                line=error.lineno,
                column=error.colno,
            )
        ) from None
    except RecursionError:
        raise UploadRefused(too_deep(max_depth)) from None
    check_value(value, max_depth=max_depth, max_values=max_values)
    return value


def too_deep(max_depth: int = MAX_JSON_DEPTH) -> Any:
    """The message for JSON nested deeper than ``max_depth``."""
    return _l("The JSON is nested more than %(n)d levels deep; it cannot be a definition.", n=max_depth)


def check_value(value: Any, *, max_depth: int = MAX_JSON_DEPTH, max_values: int = MAX_JSON_VALUES) -> None:
    """Refuse (``UploadRefused``) parsed JSON that is too deep, too large, or holds control characters.

    Walks iteratively, so a deep document cannot exhaust Python's stack here.
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    seen = 0
    while stack:
        item, depth = stack.pop()
        seen += 1
        if seen > max_values:
            raise UploadRefused(_l("The JSON holds more than %(n)d values; it cannot be a definition.", n=max_values))
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, dict | list):
            if depth >= max_depth and item:
                raise UploadRefused(too_deep(max_depth))
            if isinstance(item, dict):
                for key, child in item.items():
                    _check_text(key)
                    if isinstance(child, dict | list | str):
                        stack.append((child, depth + 1))
            else:
                stack.extend((child, depth + 1) for child in item if isinstance(child, dict | list | str))


def _check_text(text: str) -> None:
    found = CONTROL.search(text)
    if found:
        raise UploadRefused(
            _l(
                "The file holds a control character (%(code)s) in the text “%(text)s”; remove it and try again.",
                code=f"U+{ord(found.group()):04X}",
                text=CONTROL.sub("", text)[:60],
            )
        )
