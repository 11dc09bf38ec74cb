"""The catalogues are complete, compiled and in step with the code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ["es", "en", "pt"]


def _msgids(po) -> set[str]:
    return {e.msgid for e in po if not e.obsolete and e.msgid}


@pytest.fixture(scope="module")
def fresh_template(tmp_path_factory) -> polib.POFile:
    out = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--no-location",
            "--omit-header",
            "-o",
            str(out),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return polib.pofile(str(out))


def test_messages_pot_is_not_stale(fresh_template):
    committed = polib.pofile(str(ROOT / "translations" / "messages.pot"))
    missing = _msgids(fresh_template) - _msgids(committed)
    extra = _msgids(committed) - _msgids(fresh_template)
    assert not missing and not extra, f"run `make translations`: new {sorted(missing)[:10]}, gone {sorted(extra)[:10]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_is_complete(fresh_template, lang):
    po = polib.pofile(str(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po"))
    assert _msgids(po) == _msgids(fresh_template), f"{lang}: catalogue out of step, run `make translations`"
    untranslated = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert not untranslated, f"{lang}: {len(untranslated)} untranslated, e.g. {untranslated[:5]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_is_compiled(lang):
    folder = ROOT / "translations" / lang / "LC_MESSAGES"
    po = polib.pofile(str(folder / "messages.po"))
    mo_path = folder / "messages.mo"
    assert mo_path.exists(), f"{lang}: not compiled, run `make translations`"
    mo = polib.mofile(str(mo_path))
    compiled = {e.msgid: _forms(e) for e in mo if e.msgid}
    source = {e.msgid: _forms(e) for e in po if not e.obsolete and e.msgid}
    assert compiled == source, f"{lang}: messages.mo is stale, run `make translations`"


def _forms(entry) -> tuple[str, ...]:
    """An entry's translation: its one form, or every plural form in order."""
    if entry.msgid_plural:
        return tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural, key=int))
    return (entry.msgstr,)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_survive_translation(lang):
    import re

    po = polib.pofile(str(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po"))
    for entry in po:
        if entry.obsolete:
            continue
        wanted = sorted(re.findall(r"%\(\w+\)[sd]", entry.msgid))
        for form in _forms(entry):
            assert sorted(re.findall(r"%\(\w+\)[sd]", form)) == wanted, f"{lang}: {entry.msgid!r}"
