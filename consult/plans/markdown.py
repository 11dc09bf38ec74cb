"""Markdown that officials write, rendered to sanitised HTML.

markdown-it parses (raw HTML switched off, so a pasted ``<script>`` stays
text); nh3 (Ammonia) then keeps only the tags a plan needs, and links only
with http(s) or mailto schemes, ``rel="noopener noreferrer"`` added.
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_PARSER = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

#: Drafting marks generated parts of a text with HTML comments (``<!-- participation -->``) so it can
#: refresh them later; with raw HTML off they would print as text, so they are dropped before parsing.
_MARKER = re.compile(r"<!--.*?-->", re.S)

_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "blockquote",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "code",
    "pre",
    "hr",
}
_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def _demote(html: str) -> str:
    # A section already has its own h2; headings officials write start one level below.
    for level in (2, 1):
        html = html.replace(f"<h{level}>", f"<h{level + 2}>").replace(f"</h{level}>", f"</h{level + 2}>")
    return html


def to_html(text: str | None) -> Markup:
    """``text`` (Markdown) as safe HTML for templates."""
    if not text:
        return Markup("")
    html = _demote(_PARSER.render(_MARKER.sub("", text)))
    clean = nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return Markup(clean)


def to_blocks(text: str | None) -> list[tuple[str, str]]:
    """``text`` as plain ``(kind, text)`` blocks for formats without HTML (DOCX).

    ``kind`` is ``heading``, ``bullet``, ``number``, ``quote`` or ``paragraph``;
    inline marks are dropped, the words kept.
    """
    blocks: list[tuple[str, str]] = []
    kind_stack: list[str] = []
    for token in _PARSER.parse(_MARKER.sub("", text or "")):
        if token.type == "bullet_list_open":
            kind_stack.append("bullet")
        elif token.type == "ordered_list_open":
            kind_stack.append("number")
        elif token.type == "blockquote_open":
            kind_stack.append("quote")
        elif token.type in ("bullet_list_close", "ordered_list_close", "blockquote_close"):
            kind_stack.pop()
        elif token.type == "heading_open":
            kind_stack.append("heading")
        elif token.type == "heading_close":
            kind_stack.pop()
        elif token.type == "inline":
            words = "".join(child.content for child in token.children or [] if child.type in ("text", "code_inline"))
            if not words and token.children:
                words = " ".join(child.content for child in token.children if child.content)
            blocks.append((kind_stack[-1] if kind_stack else "paragraph", words))
    return blocks
