"""The texts of a definition, addressed by stable paths, and their translation state.

Every text in a definition is an object ``{language: string}``. Its *text path* is
the engine's (``consult.surveys.engine.iter_text_nodes``): built from keys,
never positions (``title``, ``pages.P.questions.Q.options.V.label``), so the
same path finds the same text in every version, which is what lets a
translation file made from version 3 be applied to version 4.

A translation carries the hash of the source (fallback-language) text it was
made from, kept in ``InstrumentVersion.translation_review``; when the source
changes, the hash no longer matches and the translation *needs review*.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field
from typing import Any, Iterator

from flask_babel import gettext as _

from consult.surveys.engine import iter_text_nodes


@dataclass(frozen=True)
class TextEntry:
    """One text of a definition: its path, the section it sits in, and the text object itself."""

    path: str
    group: str
    text: dict[str, str]


def iter_texts(definition: dict[str, Any]) -> Iterator[TextEntry]:
    """Every text of ``definition`` in document order, with the engine's paths.

    The text objects are the definition's own dicts (callers copy first when
    they mean to change them). ``group`` is the key of the section the text is
    in, or ``""`` for the instrument's own title and description.
    """
    page_section: dict[str, str] = {}
    for section in definition.get("sections") or []:
        if isinstance(section, dict):
            for page in section.get("pages") or []:
                if isinstance(page, dict):
                    page_section[str(page.get("key"))] = str(section.get("key"))
    for path, text in iter_text_nodes(definition):
        if not isinstance(text, dict) or not all(isinstance(v, str) for v in text.values()):
            continue
        parts = path.split(".")
        group = ""
        if parts[0] == "sections" and len(parts) > 1:
            group = parts[1]
        elif parts[0] == "pages" and len(parts) > 1:
            group = page_section.get(parts[1], "")
        yield TextEntry(path, group, text)


def text_index(definition: dict[str, Any]) -> dict[str, TextEntry]:
    """The texts of ``definition`` by path."""
    return {entry.path: entry for entry in iter_texts(definition)}


def source_hash(text: str) -> str:
    """A short, stable fingerprint of a source text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def fallback_of(definition: dict[str, Any]) -> str:
    """The definition's fallback language."""
    languages = definition.get("languages") or ["es"]
    return definition.get("fallback_language") or languages[0]


def initial_review(
    definition: dict[str, Any],
    previous: dict[str, Any] | None = None,
    previous_review: dict[str, dict[str, str]] | None = None,
) -> dict[str, dict[str, str]]:
    """The review record of a new definition.

    Without a previous version every translation counts as made from today's
    source. With one, a translation left unchanged keeps the record it had, so
    a source text that changed in between leaves it needing review; a
    translation that changed counts as made from the new source.
    """
    fallback = fallback_of(definition)
    old_texts = text_index(previous) if previous else {}
    old_fallback = fallback_of(previous) if previous else fallback
    review: dict[str, dict[str, str]] = {}
    for entry in iter_texts(definition):
        source = entry.text.get(fallback) or ""
        for lang, value in entry.text.items():
            if lang == fallback or not value:
                continue
            record = source_hash(source)
            old = old_texts.get(entry.path)
            if old is not None and old.text.get(lang) == value:
                old_record = (previous_review or {}).get(lang, {}).get(entry.path)
                record = old_record or source_hash(old.text.get(old_fallback) or "")
            review.setdefault(lang, {})[entry.path] = record
    return review


def needs_review(entry: TextEntry, lang: str, fallback: str, review: dict[str, dict[str, str]]) -> bool:
    """True when ``entry`` has a translation in ``lang`` made from a source text that has since changed."""
    if lang == fallback or not entry.text.get(lang):
        return False
    record = (review or {}).get(lang, {}).get(entry.path)
    return record is not None and record != source_hash(entry.text.get(fallback) or "")


def text_status(entry: TextEntry, lang: str, fallback: str, review: dict[str, dict[str, str]]) -> str:
    """``missing``, ``needs_review`` or ``translated`` (stable codes, used in files too)."""
    if not (entry.text.get(lang) or "").strip():
        return "missing"
    if needs_review(entry, lang, fallback, review):
        return "needs_review"
    return "translated"


#: ``meta.draft_translations``: per language, the paths of machine or draft translations no speaker has
#: checked yet (``"*"`` for every text of that language). Shown as such to officials; a text saved again
#: through the texts screen or a translation file counts as checked and leaves the list.
DRAFT_KEY = "draft_translations"


def draft_paths(definition: dict[str, Any], lang: str) -> set[str]:
    """The paths whose text in ``lang`` is marked as a draft (machine or unchecked) translation."""
    marked = ((definition.get("meta") or {}).get(DRAFT_KEY) or {}).get(lang)
    if marked == "*":
        return {entry.path for entry in iter_texts(definition) if entry.text.get(lang)}
    if isinstance(marked, list):
        return {path for path in marked if isinstance(path, str)}
    return set()


def _clear_drafts(definition: dict[str, Any], lang: str, paths: list[str]) -> None:
    """Unmark ``paths`` of ``lang`` as drafts (someone has just written or checked them)."""
    meta = definition.get("meta")
    if not isinstance(meta, dict) or not isinstance(meta.get(DRAFT_KEY), dict) or lang not in meta[DRAFT_KEY]:
        return
    remaining = sorted(draft_paths(definition, lang) - set(paths))
    drafts = dict(meta[DRAFT_KEY])
    if remaining:
        drafts[lang] = remaining
    else:
        drafts.pop(lang)
    definition["meta"] = {**meta, DRAFT_KEY: drafts}


@dataclass
class LanguageCompleteness:
    """How complete one language of a definition is."""

    language: str
    is_fallback: bool
    total: int
    missing: list[str] = field(default_factory=list)
    needs_review: list[str] = field(default_factory=list)
    #: Texts present but marked as machine or draft translations (see ``DRAFT_KEY``).
    drafts: list[str] = field(default_factory=list)

    @property
    def translated(self) -> int:
        """Texts present in the language (whether or not they need review)."""
        return self.total - len(self.missing)

    @property
    def percent(self) -> int:
        """Share of texts present, rounded down (100 only when none is missing)."""
        return 100 if not self.total else (100 * self.translated) // self.total

    @property
    def is_complete(self) -> bool:
        """Every text present and none needing review."""
        return not self.missing and not self.needs_review


def completeness(
    definition: dict[str, Any], review: dict[str, dict[str, str]], languages: list[str] | None = None
) -> list[LanguageCompleteness]:
    """The completeness of each declared language (or of ``languages``), fallback first."""
    fallback = fallback_of(definition)
    declared = list(languages or definition.get("languages") or [fallback])
    declared.sort(key=lambda code: code != fallback)
    entries = list(iter_texts(definition))
    reports = []
    for lang in declared:
        report = LanguageCompleteness(lang, lang == fallback, len(entries))
        drafts = draft_paths(definition, lang) if lang != fallback else set()
        for entry in entries:
            if entry.path in drafts and entry.text.get(lang):
                report.drafts.append(entry.path)
            status = text_status(entry, lang, fallback, review)
            if status == "missing":
                report.missing.append(entry.path)
            elif status == "needs_review":
                report.needs_review.append(entry.path)
        reports.append(report)
    return reports


def with_texts(
    definition: dict[str, Any], lang: str, values: dict[str, str]
) -> tuple[dict[str, Any], list[str], list[str]]:
    """A copy of ``definition`` with ``values`` (path → text) set in ``lang``.

    Returns the copy, the paths whose text changed, and the paths that do not exist.
    An empty value removes the language's text (never the fallback's: callers check).
    """
    result = copy.deepcopy(definition)
    index = text_index(result)
    changed, unknown = [], []
    for path, value in values.items():
        entry = index.get(path)
        if entry is None:
            unknown.append(path)
            continue
        value = (value or "").replace("\r\n", "\n").strip()
        if (entry.text.get(lang) or "") == value:
            continue
        if value:
            entry.text[lang] = value
        else:
            entry.text.pop(lang, None)
        changed.append(path)
    _clear_drafts(result, lang, changed)
    return result, changed, unknown


def describe_path(path: str) -> str:
    """What a text path names, in words for an official: "Question A1: option water"."""

    parts = path.split(".")
    if parts == ["title"]:
        return _("Title of the instrument")
    if parts == ["description"]:
        return _("Description of the instrument")
    if len(parts) == 3 and parts[0] == "sections" and parts[2] == "title":
        return _("Section %(key)s: title", key=parts[1])
    if len(parts) == 3 and parts[0] == "pages" and parts[2] == "title":
        return _("Page %(key)s: title", key=parts[1])
    if len(parts) >= 5 and parts[0] == "pages" and parts[2] == "questions":
        key, rest = parts[3], parts[4:]
        if rest == ["text"]:
            return _("Question %(key)s", key=key)
        if rest == ["help"]:
            return _("Question %(key)s: help", key=key)
        if rest == ["unit"]:
            return _("Question %(key)s: unit", key=key)
        if rest == ["other", "label"]:
            return _("Question %(key)s: the “other” option", key=key)
        if len(rest) == 3 and rest[0] == "options":
            return _("Question %(key)s: option %(value)s", key=key, value=rest[1])
        if len(rest) == 3 and rest[0] == "points":
            return _("Question %(key)s: scale point %(value)s", key=key, value=rest[1])
        if len(rest) == 2 and rest[0] == "messages":
            return _("Question %(key)s: message “%(name)s”", key=key, name=rest[1])
    return path
