"""Bulk import of answers from a spreadsheet (CSV or XLSX), one row per response, with a dry run.

The dry run (``check_file``) reads every row as if it were answered online:
the row's group decides its instrument; each question type parses the cells
that fill its fields, with its own validation and translated messages; only
the answers on the path count (answers the rules skip are counted as left
out); required questions on the path must be answered. Every invalid cell is
reported with its spreadsheet row, its column and why, and every column that
is not imported is listed with the reason (metadata of the collection tool,
computed, unknown name). Nothing is imported unless the whole file is valid,
or the official explicitly asks for the valid rows only (``import_file``);
the import is one transaction (the view commits once, after ``store_many``).

Columns are matched as ``import_columns`` explains; the files are read as
``import_files`` explains.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import unicodedata
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select

from consult.accounts.models import User
from consult.core.codes import hash_token
from consult.extensions import db
from consult.i18n.languages import code_for_name, normalise
from consult.responses.import_columns import ColumnMap, Target, column_kind
from consult.responses.import_files import ImportFileError, Table, read_table
from consult.responses.import_models import ImportedRow, ImportRecord
from consult.responses.import_report import ColumnNote, Defaults, ImportReport, Problem

__all__ = [
    "ColumnNote",
    "Defaults",
    "ImportReport",
    "Problem",
    "check_file",
    "file_digest",
    "group_codes",
    "import_file",
    "place_codes",
]
from consult.responses.models import Consultation, EntryMode, Response
from consult.responses.sending import missing_required
from consult.responses.storage import NewResponse, store_many, unheld_keys
from consult.responses.survey import localities_of
from consult.surveys.engine import Instrument
from consult.surveys.labels import STAKEHOLDER_GROUPS
from consult.surveys.models import InstrumentVersion
from consult.surveys.paths import on_path_answers
from consult.surveys.types import FieldContext, question_type

logger = logging.getLogger(__name__)

TRUE_CELLS = frozenset({"1", "true", "yes", "y", "x", "si", "sí", "sim", "verdadero"})
FALSE_CELLS = frozenset({"0", "false", "no", "n", "não", "nao", "falso"})
SHOWN_VALUE = 80
#: A problem report shows this many problems on the page; the CSV download has them all.
SHOWN_PROBLEMS = 1000
#: Columns of the collection tools that give the day a row was gathered (its date part enters the row's fingerprint).
DATE_COLUMNS = ("today", "start", "SubmissionDate", "_submission_time", "end", "date")


def file_digest(data: bytes) -> str:
    """The SHA-256 (hex) of a file's bytes: how a file imported before is recognised."""
    return hashlib.sha256(data).hexdigest()


def group_codes(consultation: Consultation) -> list[tuple[str, str]]:
    """The consultation's stakeholder group codes with their labels in the current language."""
    return [(g.group_code, str(STAKEHOLDER_GROUPS.get(g.group_code, g.group_code))) for g in consultation.groups]


def place_codes(consultation: Consultation) -> list[tuple[str, str, str]]:
    """The consultation's localities: ``(code, name, area)``, as a territory cell may name them."""
    return [(str(p["code"]), str(p["name"]), str(p.get("area") or "")) for p in localities_of(consultation)]


def _codes_text(consultation: Consultation) -> str:
    return "; ".join(f"{code} ({label})" for code, label in group_codes(consultation))


def _normalised(value: Any) -> Any:
    # Answers compared as a person would: without case or extra spaces, options in any order.
    if isinstance(value, dict):
        return {str(k): _normalised(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return sorted((_normalised(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True, default=str))
    if isinstance(value, str):
        return " ".join(value.casefold().split())
    return value


def row_fingerprint(
    consultation_id: int, group_code: str, answers: dict[str, Any], day: str = "", key: str | None = None
) -> str:
    """The fingerprint of an imported row: of its submission key when the file has one, else of its content.

    The content is the group, the normalised answers (the place is one of
    them) and the day the file gives the row, if any.
    """
    if key:
        return hashlib.sha256(f"key\n{consultation_id}\n{key}".encode()).hexdigest()
    content = json.dumps(_normalised(answers), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(f"row\n{consultation_id}\n{group_code}\n{day}\n{content}".encode()).hexdigest()


def _fold(text: str) -> str:
    """Text compared without case or accents."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c)).strip()


def _shown(text: str) -> str:
    return text if len(text) <= SHOWN_VALUE else text[: SHOWN_VALUE - 1] + "…"


class _Checker:
    """Reads the rows of one file for one consultation; collects problems and the responses to store."""

    def __init__(
        self, consultation: Consultation, table: Table, defaults: Defaults, interface_lang: str, batch: str
    ) -> None:
        self.consultation = consultation
        self.batch = batch
        self.table = table
        self.defaults = defaults
        self.interface_lang = interface_lang
        self.localities = localities_of(consultation)
        self.areas = {_fold(str(p["area"])): str(p["area"]) for p in self.localities if p.get("area")}
        self.versions: dict[int, InstrumentVersion] = {}
        self.instruments: dict[int, Instrument] = {}
        self.maps: dict[int, dict[int, Target]] = {}
        self.namers: dict[int, ColumnMap] = {}
        self.duplicate_columns: set[int] = set()
        self.used_columns: set[int] = set()
        self.headers = table.headers
        self.kinds = {i: column_kind(h) for i, h in enumerate(self.headers)}
        self.special = {h.strip().lower(): i for i, h in enumerate(self.headers) if self.kinds[i] == "special"}
        self.submission_column = next((i for i, k in self.kinds.items() if k == "submission_id"), None)
        named = {h.strip(): i for i, h in reversed(list(enumerate(self.headers)))}
        self.date_column = next((named[name] for name in DATE_COLUMNS if name in named), None)
        self.group_names = self._group_names()

    def _group_names(self) -> dict[str, str]:

        names = {}
        for group in self.consultation.groups:
            names[_fold(group.group_code)] = group.group_code
            for lang in ("es", "en", "pt"):
                with force_locale(lang):
                    names[_fold(str(STAKEHOLDER_GROUPS.get(group.group_code, group.group_code)))] = group.group_code
        return names

    def version(self, group_code: str) -> InstrumentVersion:
        group = self.consultation.group(group_code)
        if group.instrument_version_id not in self.versions:
            self.versions[group.instrument_version_id] = db.session.get(InstrumentVersion, group.instrument_version_id)
        return self.versions[group.instrument_version_id]

    def instrument(self, version: InstrumentVersion) -> Instrument:
        # Parsing a definition copies and freezes it: once per version, not once per row.
        if version.id not in self.instruments:
            self.instruments[version.id] = version.parsed()
        return self.instruments[version.id]

    def column_map(self, version: InstrumentVersion) -> dict[int, Target]:
        if version.id not in self.maps:
            names = ColumnMap(self.instrument(version))
            self.namers[version.id] = names
            seen: set[tuple[str, str, str | None]] = set()
            found = {}
            for index, header in enumerate(self.headers):
                target = names.target(header)
                if target is None or self.kinds[index] == "special":
                    continue
                identity = (target.field, target.how, target.option)
                if identity in seen and target.how != "computed":
                    self.duplicate_columns.add(index)  # the same field twice: the first column wins
                    continue
                seen.add(identity)
                found[index] = target
            self.maps[version.id] = found
        return self.maps[version.id]

    # -- one row -------------------------------------------------------------------------------
    def cell(self, cells: list[str], index: int | None) -> str:
        return cells[index].strip() if index is not None and index < len(cells) else ""

    def row_group(self, number: int, cells: list[str], problems: list[Problem]) -> str | None:
        column = self.special.get("group")
        given = self.cell(cells, column)
        if given:
            code = self.group_names.get(_fold(given))
            if code is None:
                problems.append(
                    Problem(
                        number,
                        self.headers[column],
                        _shown(given),
                        str(
                            _l(
                                "“%(value)s” is not a group of this consultation. Use one of these codes: %(codes)s.",
                                value=_shown(given),
                                codes=_codes_text(self.consultation),
                            )
                        ),
                    )
                )
            return code
        if self.defaults.group_code:
            return self.defaults.group_code
        if len(self.consultation.groups) == 1:
            return self.consultation.groups[0].group_code
        for group in self.consultation.groups:
            version = self.version(group.group_code)
            instrument = self.instrument(version)
            for index, target in self.column_map(version).items():
                question = instrument.question(target.question_key)
                if question.type == "stakeholder_group" and self.cell(cells, index).lower() == group.group_code:
                    return group.group_code
        problems.append(
            Problem(
                number,
                "group",
                "",
                str(
                    _l(
                        "No stakeholder group: add a “group” column, answer the group question, or choose a group "
                        "for rows "
                        "without one. The group codes are: %(codes)s.",
                        codes=_codes_text(self.consultation),
                    )
                ),
            )
        )
        return None

    def row_language(self, number: int, cells: list[str], problems: list[Problem]) -> str:
        column = self.special.get("language")
        given = self.cell(cells, column)
        if not given:
            return self.defaults.language
        code = normalise(given) or code_for_name(given)
        if code is not None and code not in self.consultation.languages:
            code = code.split("-")[0]  # es-CO, pt-BR: the language the consultation holds content in
        if code not in self.consultation.languages:
            problems.append(
                Problem(
                    number,
                    self.headers[column],
                    _shown(given),
                    str(
                        _l(
                            "This consultation is not offered in “%(value)s”. Use one of: %(codes)s.",
                            value=_shown(given),
                            codes=", ".join(self.consultation.languages),
                        )
                    ),
                )
            )
            return self.defaults.language
        return code

    def row_mode(self, number: int, cells: list[str], problems: list[Problem]) -> EntryMode:
        column = self.special.get("entry_mode")
        given = self.cell(cells, column).lower()
        if not given:
            return self.defaults.entry_mode
        try:
            return EntryMode(given)
        except ValueError:
            problems.append(
                Problem(number, self.headers[column], _shown(given), str(_l("Write online, assisted or paper.")))
            )
            return self.defaults.entry_mode

    def place(self, text: str, target: Target) -> tuple[str, str] | None:
        """The field name and value a place cell fills: a locality by code or name, else an area by name."""
        for place in self.localities:
            if str(place["code"]) == text:
                return target.field + "-locality", str(place["code"])
        folded = _fold(text)
        named = [p for p in self.localities if _fold(str(p["name"])) == folded]
        if len(named) == 1:
            return target.field + "-locality", str(named[0]["code"])
        if folded in self.areas:
            return target.field + "-area", self.areas[folded]
        return None

    def row_answers(
        self, number: int, cells: list[str], instrument: Instrument, version: InstrumentVersion, problems: list[Problem]
    ) -> dict[str, Any]:
        data: dict[str, dict[str, Any]] = {}
        source: dict[str, int] = {}
        for index, target in self.column_map(version).items():
            self.used_columns.add(index)
            text = self.cell(cells, index)
            if not text or target.how == "computed":
                continue
            fields = data.setdefault(target.question_key, {})
            source.setdefault(target.field, index)
            if target.how == "flag":
                if text.lower() in TRUE_CELLS:
                    fields.setdefault(target.field, []).append(target.option)
                elif text.lower() not in FALSE_CELLS:
                    problems.append(
                        Problem(
                            number, self.headers[index], _shown(text), str(_l("Write 1 (chosen) or 0 (not chosen)."))
                        )
                    )
            elif target.how == "list":
                namer = self.namers[version.id]
                whole = namer.code(target.question_key, text)  # one label, as a Kobo "labels" export writes it
                given = (
                    [whole]
                    if whole != text
                    else [namer.code(target.question_key, c) for c in re.split(r"[\s,;]+", text)]
                )
                fields.setdefault(target.field, []).extend(c.lower() for c in given if c)
            elif target.how == "place":
                found = self.place(text, target)
                if found is None:
                    problems.append(
                        Problem(
                            number,
                            self.headers[index],
                            _shown(text),
                            str(
                                _l(
                                    "“%(value)s” is not a locality or area of %(territory)s. Use its code or its name.",
                                    value=_shown(text),
                                    territory=self.consultation.territory.name,
                                )
                            ),
                        )
                    )
                else:
                    source.setdefault(found[0], index)
                    fields[found[0]] = found[1]
            elif target.field.endswith("-area"):
                fields[target.field] = self.areas.get(_fold(text), text)
            else:
                fields[target.field] = (
                    self.namers[version.id].code(target.question_key, text).lower() if target.is_code else text
                )
        content_lang = (
            self.interface_lang if self.interface_lang in instrument.languages else instrument.fallback_language
        )
        context = FieldContext(instrument, content_lang, self.interface_lang, self.localities)
        answers: dict[str, Any] = {}
        for question in instrument.questions:
            if question.key not in data:
                continue
            fields = data[question.key]
            for name, value in list(fields.items()):
                if isinstance(value, list):
                    fields[name] = list(dict.fromkeys(value))
            parsed = question_type(question.type).parse(question, fields, context)
            required = context.message(question, "required")
            for name, messages in parsed.errors.items():
                messages = [m for m in messages if m != required]
                if messages:
                    index = source.get(name, source.get(next(iter(fields), ""), None))
                    header = self.headers[index] if index is not None else question.key
                    shown = _shown(self.cell(cells, index)) if index is not None else ""
                    problems.append(Problem(number, header, shown, " ".join(messages)))
            if parsed.value is not None and not parsed.errors:
                answers[question.key] = parsed.value
        for missing in missing_required(instrument, answers):
            problems.append(Problem(number, missing.question.key, "", context.message(missing.question, "required")))
        return answers

    def submission_key(self, number: int, cells: list[str], problems: list[Problem], seen: dict[str, int]) -> str:
        """The row's submission key: from the tool's submission id when there is one, else from the upload and row.

        The upload's ``batch`` is a random value of the form the file was sent
        with, so a double click or a resent request finds its rows imported
        already, while choosing the file again on a new page imports it again.
        """
        given = self.cell(cells, self.submission_column)
        if not given:
            return hash_token(f"import:{self.consultation.id}:{self.batch}:{number}")
        key = hash_token(f"import:{self.consultation.id}:{given}")
        if key in seen:
            problems.append(
                Problem(
                    number,
                    self.headers[self.submission_column],
                    _shown(given),
                    str(_l("The same submission is already in row %(row)d.", row=seen[key])),
                )
            )
        seen.setdefault(key, number)
        return key

    # -- the file ------------------------------------------------------------------------------
    def check(self, report: ImportReport) -> list[NewResponse]:
        items: list[tuple[int, NewResponse]] = []
        seen: dict[str, int] = {}
        for number, cells in self.table.rows:
            problems: list[Problem] = []
            group_code = self.row_group(number, cells, problems)
            language = self.row_language(number, cells, problems)
            mode = self.row_mode(number, cells, problems)
            key = self.submission_key(number, cells, problems, seen)
            if group_code is not None:
                version = self.version(group_code)
                instrument = self.instrument(version)
                answers = self.row_answers(number, cells, instrument, version, problems)
                counted = on_path_answers(instrument, answers)
                report.left_out += len(answers) - len(counted)
                if not counted and not problems:
                    problems.append(Problem(number, "", "", str(_l("This row answers no question."))))
                if not problems:
                    given_key = self.cell(cells, self.submission_column) if self.submission_column is not None else ""
                    report.fingerprints[number] = row_fingerprint(
                        self.consultation.id,
                        group_code,
                        counted,
                        self.cell(cells, self.date_column)[:10],
                        key=given_key or None,
                    )
                    receipt_hash = unheld_keys()[1]
                    items.append(
                        (
                            number,
                            NewResponse(
                                version=version,
                                group_code=group_code,
                                language=language,
                                entry_mode=mode,
                                answers=counted,
                                submission_key=key,
                                receipt_code_hash=receipt_hash,
                                instrument=instrument,
                            ),
                        )
                    )
            report.problems.extend(problems)
        already = self._already_imported([item.submission_key for _number, item in items])
        kept = []
        for number, item in items:
            if item.submission_key in already:
                column = self.headers[self.submission_column] if self.submission_column is not None else ""
                report.problems.append(Problem(number, column, "", str(_l("This row was imported before."))))
                report.fingerprints.pop(number, None)
            else:
                kept.append(item)
        report.rows = len(self.table.rows)
        report.valid_rows = len(kept)
        report.notes = self.notes()
        return kept

    def _already_imported(self, keys: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            found.update(db.session.scalars(select(Response.submission_key).where(Response.submission_key.in_(chunk))))
        return found

    def notes(self) -> list[ColumnNote]:
        reasons = {
            "meta": _l("Information of the collection tool (time, device, server): not imported."),
            "submission_id": _l("Used only to refuse importing the same submission twice."),
            "computed": _l("Calculated from other columns: not imported."),
        }
        notes = []
        for index, header in enumerate(self.headers):
            kind = self.kinds[index]
            if not header.strip():
                notes.append(ColumnNote(_l("(no name)"), _l("A column without a name: not imported.")))
            elif kind == "special":
                pass
            elif index in self.used_columns or any(index in m for m in self.maps.values()):
                if any(m.get(index) and m[index].how == "computed" for m in self.maps.values()):
                    notes.append(ColumnNote(header, reasons["computed"]))
            elif index in self.duplicate_columns:
                notes.append(ColumnNote(header, _l("Another column has the same meaning: only the first is read.")))
            elif kind in reasons:
                notes.append(ColumnNote(header, reasons[kind]))
            else:
                notes.append(ColumnNote(header, _l("No question of this consultation has this name: not imported.")))
        return notes


def _read(data: bytes, filename: str, report: ImportReport) -> Table | None:
    try:
        return read_table(data, filename)
    except ImportFileError as error:
        report.file_error = error.message
        return None


def earlier_imports(consultation: Consultation, digest: str) -> list[ImportRecord]:
    """The imports of the file with SHA-256 ``digest`` into ``consultation``, oldest first."""
    return list(
        db.session.scalars(
            select(ImportRecord)
            .where(ImportRecord.consultation_id == consultation.id, ImportRecord.file_sha256 == digest)
            .order_by(ImportRecord.imported_at, ImportRecord.id)
        )
    )


def repeated_rows(consultation: Consultation, fingerprints: dict[int, str]) -> list[int]:
    """The row numbers whose fingerprint an earlier import of ``consultation`` recorded."""
    wanted = list(set(fingerprints.values()))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(
            db.session.scalars(
                select(ImportedRow.fingerprint).where(
                    ImportedRow.consultation_id == consultation.id, ImportedRow.fingerprint.in_(chunk)
                )
            )
        )
    return sorted(number for number, fingerprint in fingerprints.items() if fingerprint in found)


def check_file(
    consultation: Consultation,
    data: bytes,
    filename: str,
    defaults: Defaults,
    *,
    batch: str,
    interface_lang: str = "es",
) -> tuple[ImportReport, list[NewResponse]]:
    """The dry run: every problem of the file, and the responses its valid rows would become (nothing stored).

    ``batch`` is the random value of the upload form (see ``_Checker.submission_key``).
    The report also says whether the file (``earlier``) or some of its valid
    rows (``repeated_rows``) were imported into the consultation before.
    """
    report = ImportReport(filename=filename, digest=file_digest(data))
    table = _read(data, filename, report)
    if table is None:
        return report, []
    items = _Checker(consultation, table, defaults, interface_lang, batch).check(report)
    report.earlier = earlier_imports(consultation, report.digest)
    report.repeated_rows = repeated_rows(consultation, report.fingerprints)
    return report, items


def import_file(
    consultation: Consultation,
    data: bytes,
    filename: str,
    defaults: Defaults,
    *,
    batch: str,
    valid_rows_only: bool = False,
    interface_lang: str = "es",
    again: bool = False,
    user: User | None = None,
) -> ImportReport:
    """Check the file, then store its rows: all of them when all are valid, or the valid ones when asked; flushes.

    A file imported before, or a file with rows imported before, is held back
    (``report.needs_confirmation``) unless ``again`` says the official saw that
    and wants it imported anyway. Each import is recorded in the history
    (``ImportRecord``, with ``user``'s name, and the rows' fingerprints).
    """
    if not consultation.is_accepting:
        report = ImportReport(filename=filename)
        report.file_error = _l("This consultation is not accepting answers.")
        return report
    report, items = check_file(consultation, data, filename, defaults, batch=batch, interface_lang=interface_lang)
    if report.file_error is not None or (report.problems and not valid_rows_only):
        return report
    if report.imported_before and not again and items:
        report.needs_confirmation = True
        return report
    report.imported = store_many(consultation, items)
    if report.imported:
        record = ImportRecord(
            consultation_id=consultation.id,
            file_sha256=report.digest,
            filename=(filename or "")[:255],
            rows=report.rows,
            imported=report.imported,
            imported_by_id=user.id if user is not None else None,
            imported_by_name=(user.name if user is not None else "")[:200],
        )
        db.session.add(record)
        db.session.flush()
        rows = [
            {"import_id": record.id, "consultation_id": consultation.id, "fingerprint": fingerprint}
            for fingerprint in dict.fromkeys(report.fingerprints.values())
        ]
        if rows:
            db.session.execute(insert(ImportedRow), rows)
        # Who imported is in the history table; the log says what happened, never from where.
        logger.info(
            "import %s: %d responses into consultation %s%s",
            record.id,
            report.imported,
            consultation.id,
            " (imported again after a confirmation)" if report.imported_before else "",
        )
    return report
