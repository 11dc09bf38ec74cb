"""The PDF report of the demo consultations: a PDF, in the chosen language, with the method and the groups."""

from __future__ import annotations

import re
import subprocess

from flask_babel import force_locale

from consult.exports.summary import method_paragraphs
from consult.surveys.labels import STAKEHOLDER_GROUPS
from tests.exports.test_summary import exported, hidden_mark, seeded  # noqa: F401  (the fixture)


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_the_report_of_each_demo_consultation_reads_in_its_language(seeded, tmp_path):  # noqa: F811
    for consultation, lang in zip(seeded, ("en", "pt", "es")):
        data, steps = exported(consultation, "pdf", lang)
        assert data.startswith(b"%PDF") and steps[-1] == (7, 7)
        path = tmp_path / f"{consultation.slug}-{lang}.pdf"
        path.write_bytes(data)
        text = _words(
            subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
        )
        plain = _words(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout)
        assert consultation.title_in(lang) in plain
        with force_locale(lang):
            method = method_paragraphs(consultation.small_cell_threshold, hidden_mark(lang))
            groups = [str(STAKEHOLDER_GROUPS[g.group_code]) for g in consultation.groups]
        assert _words(method[0]) in plain and _words(method[2]) in plain
        for group in groups:
            assert group in text or group in plain, group
        pages = int(
            re.search(
                r"Pages:\s+(\d+)",
                subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout,
            ).group(1)
        )
        assert pages > 3 and f"1 / {pages}" in plain  # page numbers
        # The pages render to images (looked at by hand while writing the report's layout)
        subprocess.run(
            ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "2", str(path), str(tmp_path / "page")], check=True
        )
        assert len(list(tmp_path.glob("page-*.png"))) >= 2
        for png in tmp_path.glob("page-*.png"):
            png.unlink()
