"""Helpers for the interface catalogues, used by ``make translations``.

python scripts/translate.py copy-source en      # English msgstr = msgid (source language)
python scripts/translate.py fill es strings.json  # set msgstr from a {msgid: msgstr} JSON file
python scripts/translate.py missing es            # list untranslated msgids as JSON
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent / "translations"


def _catalogue(lang: str) -> polib.POFile:
    return polib.pofile(str(ROOT / lang / "LC_MESSAGES" / "messages.po"), wrapwidth=0)


def _save(po: polib.POFile, lang: str) -> None:
    # pybabel marks a new catalogue's header fuzzy, and then refuses to compile it.
    po.metadata_is_fuzzy = False
    po.save(str(ROOT / lang / "LC_MESSAGES" / "messages.po"))


def copy_source(lang: str) -> int:
    """Fill every entry of ``lang`` with its msgid (for the source language)."""
    po = _catalogue(lang)
    changed = 0
    for entry in po:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            if not all(entry.msgstr_plural.values()):
                entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
                changed += 1
        elif entry.msgstr != entry.msgid:
            entry.msgstr = entry.msgid
            changed += 1
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    _save(po, lang)
    return changed


def fill(lang: str, path: str) -> int:
    """Set translations of ``lang`` from a JSON object {msgid: msgstr or [singular, plural]}."""
    strings = json.loads(Path(path).read_text(encoding="utf-8"))
    po = _catalogue(lang)
    changed = 0
    for entry in po:
        if entry.obsolete or entry.msgid not in strings:
            continue
        value = strings[entry.msgid]
        if entry.msgid_plural:
            forms = value if isinstance(value, list) else [value, value]
            entry.msgstr_plural = {i: form for i, form in enumerate(forms)}
        else:
            entry.msgstr = value
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        changed += 1
    _save(po, lang)
    return changed


def missing(lang: str) -> list[str]:
    """The msgids of ``lang`` that have no translation (or a fuzzy one)."""
    po = _catalogue(lang)
    return [
        e.msgid
        for e in po
        if not e.obsolete
        and ("fuzzy" in e.flags or (not e.msgstr if not e.msgid_plural else not all(e.msgstr_plural.values())))
    ]


def main(argv: list[str]) -> int:
    """Command-line entry."""
    if len(argv) >= 2 and argv[0] == "copy-source":
        print(f"{copy_source(argv[1])} entries copied")
    elif len(argv) == 3 and argv[0] == "fill":
        print(f"{fill(argv[1], argv[2])} entries filled")
    elif len(argv) == 2 and argv[0] == "missing":
        print(json.dumps(missing(argv[1]), ensure_ascii=False, indent=1))
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
