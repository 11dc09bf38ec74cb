"""``flask surveys import-xlsform`` with forms people already have: --language for uncertain columns."""

from __future__ import annotations

from sqlalchemy import select

from consult.surveys.models import Instrument
from tests.fixtures.xlsforms.corpus import build


def test_an_uncertain_language_is_named_with_the_language_option(runner, db, create_territory, tmp_path):
    create_territory("salta", country="AR")
    path = tmp_path / "wichi.xlsx"
    path.write_bytes(build("uncertain_language_name"))
    args = ["surveys", "import-xlsform", str(path), "--territory", "salta"]

    asked = runner.invoke(args=args)
    assert asked.exit_code == 1 and '--language "Wichi=CODE"' in asked.output
    bad = runner.invoke(args=[*args, "--language", "Wichi"])
    assert bad.exit_code == 2 and "NAME=CODE" in bad.output

    done = runner.invoke(args=[*args, "--language", "Wichi=mzh"])
    assert done.exit_code == 0, done.output
    assert db.session.scalar(select(Instrument)).latest_version.definition["languages"] == ["es", "mzh"]
