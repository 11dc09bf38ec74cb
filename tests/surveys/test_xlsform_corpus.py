"""The corpus of XLSForms in tests/fixtures/xlsforms: each converted by pyxform, then imported into consult.

The rule checked: a form pyxform converts without error imports into consult (unless it has no
question consult can show), and the report says what was left out. What each form gave is the
table in docs/xlsform-corpus.md; the test compares it with what it finds (set
``CONSULT_WRITE_XLSFORM_CORPUS=1`` to rewrite the table after an intended change).
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

from pyxform.errors import PyXFormError
from pyxform.xls2xform import convert

from consult.surveys.xlsform import import_xlsform
from consult.surveys.xlsform.kobo import kobo_definition, parse_asset
from tests.fixtures.xlsforms.corpus import FORMS, HERE, build

DOC = Path(__file__).parents[2] / "docs" / "xlsform-corpus.md"
HEADER = (
    "| Form | pyxform | consult | Languages | Questions imported | Rows left out or changed (warnings) | Refusals |\n"
    "|---|---|---|---|---|---|---|\n"
)
BEGIN, END = "<!-- corpus table: begin -->", "<!-- corpus table: end -->"


def _pyxform(source) -> str:
    try:
        convert(xlsform=source)
    except PyXFormError as error:
        return "refused: " + str(error).splitlines()[0][:80].replace("|", "/")
    return "converts"


def _questions(definition) -> int:
    return sum(len(page["questions"]) for section in definition["sections"] for page in section["pages"])


def _line(name: str, pyxform: str, result) -> str:
    definition = result.definition
    imported = "imports" if definition is not None else "refused"
    languages = ", ".join(definition["languages"]) if definition else "—"
    questions = _questions(definition) if definition else 0
    refusals = "; ".join(str(e.message) for e in result.errors)[:120].replace("|", "/") or "—"
    return f"| {name} | {pyxform} | {imported} | {languages} | {questions} | {len(result.warnings)} | {refusals} |"


_RESULTS: list = []


def _corpus():
    """Each form's name, pyxform's verdict and consult's import (computed once: the long form takes seconds)."""
    if not _RESULTS:
        _RESULTS.extend(_convert_all())
    return _RESULTS


def _convert_all():
    for name, form in FORMS.items():
        data = build(name)
        yield name, _pyxform(data), import_xlsform(data, filename=f"{name}.xlsx", languages=form.get("languages"))
    asset = (HERE / "kobo_asset.json").read_bytes()
    definition = dataclasses.asdict(kobo_definition(parse_asset(asset)))
    yield "kobo_asset.json", _pyxform(definition), import_xlsform(asset, filename="kobo_asset.json")


def test_every_form_pyxform_converts_imports_and_the_table_records_what_was_left_out(app):
    lines = []
    for name, pyxform, result in _corpus():
        if pyxform == "converts":
            assert result.definition is not None, (name, [str(e) for e in result.errors])
        lines.append(_line(name, pyxform, result))
    table = HEADER + "\n".join(lines) + "\n"
    text = DOC.read_text(encoding="utf-8")
    before, _, rest = text.partition(BEGIN)
    _, _, after = rest.partition(END)
    if os.environ.get("CONSULT_WRITE_XLSFORM_CORPUS"):
        DOC.write_text(f"{before}{BEGIN}\n{table}{END}{after}", encoding="utf-8")
        return
    assert f"{BEGIN}\n{table}{END}" in text


def test_the_corpus_forms_import_what_their_authors_meant(app):
    results = {name: result for name, _, result in _corpus()}

    odk = results["odk_one_colon_languages"].definition
    assert odk["languages"] == ["en", "fr"] and odk["fallback_language"] == "en"
    kobo = results["kobo_named_languages"].definition
    assert kobo["languages"] == ["en", "es", "zh"]
    crop = kobo["sections"][0]["pages"][0]["questions"][0]
    assert crop["text"]["zh"] == "主要作物" and "other" in crop
    older = results["pyxform_older_select_spellings"].definition
    kinds = [q["type"] for s in older["sections"] for p in s["pages"] for q in p["questions"]]
    assert kinds == ["single_choice", "multiple_choice", "multiple_choice", "single_choice", "single_choice"] + [
        "single_choice"
    ]
    assert _questions(results["biomass_long_form"].definition) == 1 + 102 * 48
    colours = results["duplicate_choices_allowed"]
    options = colours.definition["sections"][0]["pages"][0]["questions"][0]["options"]
    assert [o["value"] for o in options] == ["red", "blue"]
    assert any("again (first in row 2)" in str(w.message) for w in colours.warnings)
    assert results["duplicate_choices_refused"].definition is None
    wichi = results["uncertain_language_name"].definition
    assert wichi["languages"] == ["es", "mzh"]
    asset = results["kobo_asset.json"].definition
    assert asset["key"] == "consulta_agua" and asset["languages"] == ["es", "en"]


def test_the_kobo_asset_is_read_like_its_workbook(app):
    content = json.loads((HERE / "kobo_asset.json").read_text(encoding="utf-8"))["content"]
    result = import_xlsform(json.dumps({"content": content}).encode(), filename="asset.json")

    questions = [q for s in result.definition["sections"] for p in s["pages"] for q in p["questions"]]
    assert [q["key"] for q in questions] == ["agua", "horas", "usos", "comentario"]
    assert questions[1]["when"] and questions[1]["help"] == {"en": "0 to 24", "es": "De 0 a 24"}
    left_out = " ".join(str(w) for w in result.warnings)
    assert "geopoint (lugar) is not imported" in left_out and "start (start) is not imported" in left_out
