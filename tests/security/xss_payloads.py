"""The stored-XSS corpus shared by the HTML checks (tests/security) and the browser checks (tests/browser).

Every payload sets ``window.__xss`` if it ever runs, so a browser test can tell by that flag (and by
dialogs) that nothing ran; ``assert_inert`` checks the HTML itself.
"""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser

#: Each payload sets ``window.__xss`` if it ever runs.
CORPUS = [
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=1">',
    "<svg onload=window.__xss=1>",
    '"><img src=x onerror=window.__xss=1>',
    "'><svg/onload=window.__xss=1>",
    "javascript:window.__xss=1",
    '<a href="javascript:window.__xss=1">x</a>',
    "[click](javascript:window.__xss=1)",
    "{{7*7}}",
    "</textarea><script>window.__xss=1</script>",
]
PAYLOAD = " ".join(CORPUS)

#: Markdown-shaped payloads for texts rendered as Markdown (plan sections and actions): links, images,
#: autolinks and reference links with script schemes, raw HTML blocks and inline HTML.
MARKDOWN_CORPUS = [
    "[link](javascript:window.__xss=1)",
    "[upper](JaVaScRiPt:window.__xss=1)",
    "[spaced]( javascript:window.__xss=1 )",
    "[entity](&#106;avascript:window.__xss=1)",
    "[data](data:text/html,<script>window.__xss=1</script>)",
    "[vb](vbscript:window.__xss=1)",
    "![image](javascript:window.__xss=1)",
    '![onerror](x" onerror="window.__xss=1)',
    "<javascript:window.__xss=1>",
    "[ref][r]\n\n[r]: javascript:window.__xss=1",
    '<div onmouseover="window.__xss=1">raw block</div>',
    "inline <img src=x onerror=window.__xss=1> html",
    "<script>window.__xss=1</script>",
    "<!-- x --><script>window.__xss=1</script>",
    "```\n</code></pre><script>window.__xss=1</script>\n```",
    "| a | b |\n|---|---|\n| <svg onload=window.__xss=1> | [t](javascript:window.__xss=1) |",
]
MARKDOWN_PAYLOAD = "\n\n".join(MARKDOWN_CORPUS + CORPUS)

#: Texts a spreadsheet would read as a formula: each must be written with a leading apostrophe.
FORMULAS = ["=1+2", '+HYPERLINK("http://x")', "-2+3", "@SUM(A1:A2)", '=cmd|" /C calc"!A0']

_SCHEMES = ("javascript:", "vbscript:", "data:")


class _Markup(HTMLParser):
    """Elements and attributes a payload would need to run: handlers, scripts, script-scheme links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script = False

    def handle_starttag(self, tag, attrs):
        self._script = tag == "script"
        for name, value in attrs:
            value = "".join((value or "").split()).lower()
            if name.startswith("on") and "__xss" in value:
                self.found.append(f"<{tag} {name}>")
            if name in ("href", "src", "action", "formaction", "xlink:href") and value.startswith(_SCHEMES):
                self.found.append(f"<{tag} {name}={value[:20]}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self._script = False

    def handle_data(self, data):
        if self._script and "__xss" in data:
            self.found.append("<script> with the payload")

    def handle_endtag(self, tag):
        self._script = False


def assert_inert(html: str, where: str) -> None:
    """No payload of the corpus is present as markup in ``html`` (escaped text is fine)."""
    for payload in CORPUS + MARKDOWN_CORPUS:
        if "<" in payload and "\n" not in payload:
            assert payload not in html, f"{where}: {payload!r} is in the HTML unescaped"
    parser = _Markup()
    parser.feed(html)
    assert not parser.found, f"{where}: {parser.found}"


def assert_cells_neutral(cells: list[str], where: str) -> None:
    """No cell text starts like a formula (``consult.core.cells``: such texts are written with a leading ``'``)."""
    from consult.core.cells import is_formula_like

    bad = [cell for cell in cells if isinstance(cell, str) and is_formula_like(cell)]
    assert not bad, f"{where}: cells a spreadsheet would run: {bad[:5]}"


def csv_cells(data: bytes) -> list[str]:
    """Every cell of a CSV file."""
    text = data.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def xlsx_cells(data: bytes) -> list:
    """Every cell value of every sheet of an XLSX file, and whether any cell is a formula."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    values = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                values.append(cell.value)
    return values
