"""The open data package of every demo consultation: valid for the ``frictionless`` library, suppressed, typed."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from frictionless import validate

from consult.analysis.suppression import is_small
from consult.core.cells import is_formula_like
from consult.exports.datapackage import HIDDEN_VALUE, LICENCE
from tests.exports.test_summary import FORMULA_THEME, exported, seeded  # noqa: F401  (the fixture)


def test_the_data_package_of_every_demo_consultation_is_valid_and_suppressed(seeded, tmp_path):  # noqa: F811
    for consultation in seeded:
        data, steps = exported(consultation, "datapackage", "pt")
        assert steps[-1] == (7, 7)
        folder = tmp_path / consultation.slug
        zipfile.ZipFile(io.BytesIO(data)).extractall(folder)
        descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))

        report = validate(str(folder / "datapackage.json"))
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]

        assert descriptor["name"] == f"{consultation.slug}-summary-pt"
        assert descriptor["licenses"] == [LICENCE] and descriptor["languages"] == ["pt"]
        assert consultation.title_in("pt") in descriptor["title"] and descriptor["created"].endswith("Z")
        assert descriptor["small_cell_threshold"] == consultation.small_cell_threshold
        k = consultation.small_cell_threshold
        hidden_cells = 0
        for resource in descriptor["resources"]:
            fields = resource["schema"]["fields"]
            assert resource["schema"]["missingValues"] == ["", HIDDEN_VALUE]
            assert all(f["title"] and f["type"] in ("string", "integer", "number") for f in fields)
            raw = (folder / resource["path"]).read_bytes()
            assert not raw.startswith(b"\xef\xbb\xbf")  # plain UTF-8, as declared
            rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
            assert rows[0] == [f["name"] for f in fields]
            for row in rows[1:]:
                for field, value in zip(fields, row):
                    assert not is_formula_like(value), (resource["name"], field["name"], value)
                    if "constraints" in field and value not in ("", HIDDEN_VALUE):  # a count of people or reports
                        assert not is_small(int(value), k), (resource["name"], field["name"], row)
                    hidden_cells += value == HIDDEN_VALUE
        assert hidden_cells > 0
        themes = list(csv.reader(io.StringIO((folder / "data" / "themes.csv").read_text(encoding="utf-8"))))
        assert ["formula_name", "'" + FORMULA_THEME] in [row[:2] for row in themes]
        participation = {
            r[0]: r
            for r in csv.reader(io.StringIO((folder / "data" / "participation.csv").read_text(encoding="utf-8")))
        }
        assert participation["__all__"][2] not in ("", HIDDEN_VALUE)
