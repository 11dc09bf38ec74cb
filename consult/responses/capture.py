"""Signals against capture: answers per link and organisation, near-identical batches, setting them aside.

A company or a political group can try to swamp a consultation: one link
passed round a workforce, one organisation filling in forms by the dozen.
Officials see where the answers came from and a flag on suspicious batches;
nothing is deleted automatically, and a flagged batch can be set aside from
analysis with a reason that is logged (and taken back the same way).

The rule (also explained on the page):

* A **batch** is the responses of one **source** on one **day**. A response
  keeps only the date it was sent (a time of day could identify a person in a
  meeting), so a day is the shortest time consult can tell. Sources: each
  invitation link, each organisation, the open public link (online answers
  without an invitation), and paper or assisted entry without an invitation.
* Two responses are **near-identical** when at least ``SIMILARITY`` (90 %) of
  the questions that either of them answered are answered the same way by
  both. An answer is compared as the set of its stored answer rows (part,
  option, number, and text without regard to case or spacing), so a multiple
  choice is the same only when the same options are ticked. Two empty
  responses are identical. Where people answered and as which group
  (territory and stakeholder-group questions) is left out: people of one
  meeting share it by nature.
* A batch is **flagged** when at least ``MIN_BATCH`` (5) of its responses are
  near-identical to the same response (the first of them, in the order they
  were stored).
* A batch is also flagged when at least ``MIN_BATCH`` of its responses
  **repeat** ``MIN_BATCH`` different responses stored before them (in any
  batch): the same group, the same locality and exactly the same answer rows,
  territory and group questions included, with at least ``MIN_REPEATED``
  answer rows. That is what a file imported twice (or typed in twice) leaves;
  one answer copied many times is the near-identical signal above.

The counting is SQL (responses grouped by source and day, keeping only days
with at least ``MIN_BATCH``); only the answer rows of those batches are read,
and the comparison is a little Python.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from consult.accounts.models import Organisation, User
from consult.extensions import db
from consult.responses.capture_models import (
    CaptureAction,
    CaptureDecision,
    FacilitatorTally,
    SourceKind,
    capture_decision_responses,
)
from consult.responses.models import Answer, Consultation, EntryMode, Invitation, Response
from consult.responses.services import ConsultationError
from consult.surveys.models import InstrumentVersion

logger = logging.getLogger(__name__)

MIN_BATCH = 5
#: A repeat counts only for responses with at least this many answer rows (short ones coincide by chance).
MIN_REPEATED = 3
SIMILARITY = 0.9
#: Questions whose answers people of one meeting share by nature: not compared.
SHARED_TYPES = frozenset({"territory", "stakeholder_group", "info"})

SOURCE_LABELS = {
    SourceKind.PUBLIC: _l("Open public link"),
    SourceKind.ENTRY: _l("Paper or assisted entry"),
}


@dataclass
class Flag:
    """A batch of near-identical responses from one source on one day."""

    kind: SourceKind
    source_id: int | None
    label: str
    day: date
    batch_size: int
    response_ids: list[int]
    similarity: float
    set_aside: int = 0
    #: ``near_identical`` (answers near-identical to one response) or ``repeats`` (copies of earlier responses).
    why: str = "near_identical"

    @property
    def seed(self) -> int:
        """The first response of the batch, which the others resemble."""
        return self.response_ids[0]

    @property
    def key(self) -> str:
        """A stable name for the flag, used in form ids."""
        prefix = "repeat-" if self.why == "repeats" else ""
        return f"{prefix}{self.kind.value}-{self.source_id or 0}-{self.day.isoformat()}-{self.seed}"

    @property
    def is_set_aside(self) -> bool:
        """Every response of the batch is set aside."""
        return self.set_aside == len(self.response_ids)


def _where(consultation: Consultation, kind: SourceKind):
    base = [Response.consultation_id == consultation.id]
    if kind == SourceKind.INVITATION:
        return base + [Response.invitation_id.is_not(None)], Response.invitation_id
    if kind == SourceKind.ORGANISATION:
        return base + [Response.organisation_id.is_not(None)], Response.organisation_id
    if kind == SourceKind.PUBLIC:
        return base + [Response.invitation_id.is_(None), Response.entry_mode == EntryMode.ONLINE], None
    return base + [Response.invitation_id.is_(None), Response.entry_mode != EntryMode.ONLINE], None


def _batches(consultation: Consultation, kind: SourceKind) -> list[tuple[int | None, date, int]]:
    """Sources and days with at least ``MIN_BATCH`` responses: ``(source id, day, count)``."""
    where, column = _where(consultation, kind)
    keys = [column, Response.submitted_on] if column is not None else [Response.submitted_on]
    rows = db.session.execute(
        select(*keys, func.count(Response.id))
        .where(*where)
        .group_by(*keys)
        .having(func.count(Response.id) >= MIN_BATCH)
    ).all()
    return [(row[0], row[1], row[2]) if column is not None else (None, row[0], row[1]) for row in rows]


def _shared_keys(version_ids: set[int]) -> dict[int, set[str]]:
    shared = {}
    for version in db.session.scalars(select(InstrumentVersion).where(InstrumentVersion.id.in_(version_ids))):
        shared[version.id] = {q.key for q in version.parsed().questions if q.type in SHARED_TYPES}
    return shared


def _signatures(responses: list[tuple[int, int]]) -> dict[int, dict[str, frozenset]]:
    """Each response's answers, question by question, as sets of comparable rows (shared questions left out)."""
    shared = _shared_keys({version_id for _id, version_id in responses})
    version_of = dict(responses)
    rows: dict[int, dict[str, set]] = {response_id: {} for response_id, _v in responses}
    ids = list(rows)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for answer in db.session.execute(
            select(
                Answer.response_id, Answer.question_key, Answer.part, Answer.option, Answer.number, Answer.text
            ).where(Answer.response_id.in_(chunk))
        ):
            if answer.question_key in shared.get(version_of[answer.response_id], ()):
                continue
            number = "" if answer.number is None else f"{answer.number:g}"
            text = " ".join((answer.text or "").casefold().split())
            rows[answer.response_id].setdefault(answer.question_key, set()).add(
                (answer.part or "", answer.option or "", number, text)
            )
    return {response_id: {k: frozenset(v) for k, v in found.items()} for response_id, found in rows.items()}


def similarity(a: dict[str, frozenset], b: dict[str, frozenset]) -> float:
    """Questions answered the same way by both ÷ questions answered by either (1.0 for two empty responses)."""
    asked = set(a) | set(b)
    if not asked:
        return 1.0
    return sum(1 for key in asked if a.get(key) == b.get(key)) / len(asked)


def _clusters(ids: list[int], signatures: dict[int, dict[str, frozenset]]) -> list[tuple[list[int], float]]:
    clusters: list[tuple[int, list[int], list[float]]] = []
    for response_id in sorted(ids):
        signature = signatures[response_id]
        best = None
        for seed, members, scores in clusters:
            score = similarity(signatures[seed], signature)
            if score >= SIMILARITY and (best is None or score > best[0]):
                best = (score, members, scores)
        if best is None:
            clusters.append((response_id, [response_id], [1.0]))
        else:
            best[1].append(response_id)
            best[2].append(best[0])
    return [(members, min(scores)) for _seed, members, scores in clusters if len(members) >= MIN_BATCH]


def _labels(consultation: Consultation, kind: SourceKind, source_ids: set[int]) -> dict[int | None, str]:
    if kind == SourceKind.INVITATION:
        invitations = db.session.scalars(select(Invitation).where(Invitation.id.in_(source_ids)))
        return {i.id: i.label or str(_l("Link %(n)d", n=i.id)) for i in invitations}
    if kind == SourceKind.ORGANISATION:
        return {o.id: o.name for o in db.session.scalars(select(Organisation).where(Organisation.id.in_(source_ids)))}
    return {None: str(SOURCE_LABELS[kind])}


def find_flags(consultation: Consultation) -> list[Flag]:
    """Every flagged batch of ``consultation`` (see the module docstring), newest day first."""
    flags: list[Flag] = []
    for kind in SourceKind:
        batches = _batches(consultation, kind)
        if not batches:
            continue
        labels = _labels(consultation, kind, {source for source, _day, _n in batches if source is not None})
        where, column = _where(consultation, kind)
        for source_id, day, count in batches:
            conditions = list(where) + [Response.submitted_on == day]
            if column is not None:
                conditions.append(column == source_id)
            members = db.session.execute(
                select(Response.id, Response.instrument_version_id, Response.is_set_aside).where(*conditions)
            ).all()
            signatures = _signatures([(m.id, m.instrument_version_id) for m in members])
            aside = {m.id for m in members if m.is_set_aside}
            for ids, lowest in _clusters([m.id for m in members], signatures):
                flags.append(
                    Flag(
                        kind,
                        source_id,
                        labels.get(source_id, ""),
                        day,
                        count,
                        ids,
                        lowest,
                        set_aside=len(aside & set(ids)),
                    )
                )
    flags.extend(_repeat_flags(consultation))
    flags.sort(key=lambda f: (f.day, f.batch_size), reverse=True)
    return flags


def _source(row) -> tuple[SourceKind, int | None]:
    # One source per response for the repeat signal: the link first, then the organisation, then the channel.
    if row.invitation_id is not None:
        return SourceKind.INVITATION, row.invitation_id
    if row.organisation_id is not None:
        return SourceKind.ORGANISATION, row.organisation_id
    return (SourceKind.PUBLIC if row.entry_mode == EntryMode.ONLINE else SourceKind.ENTRY), None


def _repeat_flags(consultation: Consultation) -> list[Flag]:
    """Batches holding at least ``MIN_BATCH`` copies of different responses stored before (see the module docstring)."""
    members = db.session.execute(
        select(
            Response.id,
            Response.group_code,
            Response.locality_id,
            Response.submitted_on,
            Response.invitation_id,
            Response.organisation_id,
            Response.entry_mode,
            Response.is_set_aside,
        )
        .where(Response.consultation_id == consultation.id)
        .order_by(Response.id)
    ).all()
    if len(members) < 2 * MIN_BATCH:
        return []
    rows: dict[int, set] = {m.id: set() for m in members}
    ids = list(rows)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for answer in db.session.execute(
            select(
                Answer.response_id, Answer.question_key, Answer.part, Answer.option, Answer.number, Answer.text
            ).where(Answer.response_id.in_(chunk))
        ):
            number = "" if answer.number is None else f"{answer.number:g}"
            text = " ".join((answer.text or "").casefold().split())
            rows[answer.response_id].add((answer.question_key, answer.part or "", answer.option or "", number, text))
    first_of: dict[tuple, int] = {}
    batches: dict[tuple[SourceKind, int | None, date], dict] = {}
    for member in members:
        kind, source_id = _source(member)
        batch = batches.setdefault(
            (kind, source_id, member.submitted_on), {"count": 0, "copies": [], "originals": set(), "aside": 0}
        )
        batch["count"] += 1
        answers = rows[member.id]
        if len(answers) < MIN_REPEATED:
            continue
        signature = (member.group_code, member.locality_id, frozenset(answers))
        original = first_of.setdefault(signature, member.id)
        if original != member.id:
            batch["copies"].append(member.id)
            batch["originals"].add(original)
            batch["aside"] += 1 if member.is_set_aside else 0
    flags = []
    label_cache: dict[SourceKind, dict] = {}
    for (kind, source_id, day), batch in batches.items():
        if len(batch["originals"]) < MIN_BATCH:
            continue
        if kind not in label_cache:
            label_cache[kind] = _labels(consultation, kind, {s for k, s, _d in batches if k == kind and s is not None})
        source = label_cache[kind].get(source_id, "")
        label = str(_l("%(source)s: answers repeated from earlier responses", source=source))
        flags.append(
            Flag(
                kind,
                source_id,
                label,
                day,
                batch["count"],
                batch["copies"],
                1.0,
                set_aside=batch["aside"],
                why="repeats",
            )
        )
    return flags


def find_flag(consultation: Consultation, key: str) -> Flag | None:
    """The flag named ``key`` as the responses stand now."""
    return next((flag for flag in find_flags(consultation) if flag.key == key), None)


def set_aside(consultation: Consultation, flag: Flag, reason: str, user: User) -> CaptureDecision:
    """Set the flag's responses aside from analysis, logging who, when and why; flushes."""
    reason = (reason or "").strip()
    if not reason:
        raise ConsultationError(_l("Write the reason: it is kept in the log."), "reason")
    responses = list(db.session.scalars(select(Response).where(Response.id.in_(flag.response_ids))))
    decision = CaptureDecision(
        consultation_id=consultation.id,
        action=CaptureAction.SET_ASIDE,
        source_kind=flag.kind,
        source_id=flag.source_id,
        source_label=flag.label[:300],
        batch_on=flag.day,
        reason=reason[:2000],
        decided_by_id=user.id,
        decided_by_name=user.name[:200],
        responses=responses,
    )
    db.session.add(decision)
    for response in responses:
        response.is_set_aside = True
    db.session.flush()
    logger.info(
        "capture decision %s: %d responses of consultation %s set aside", decision.id, len(responses), consultation.id
    )
    return decision


def restore(consultation: Consultation, decision: CaptureDecision, reason: str, user: User) -> CaptureDecision:
    """Take a set-aside batch back into analysis, logging who, when and why; flushes.

    A response stays aside while another decision still sets it aside.
    """
    if decision.consultation_id != consultation.id or not decision.is_active:
        raise ConsultationError(_l("This batch is not set aside."))
    reason = (reason or "").strip()
    if not reason:
        raise ConsultationError(_l("Write the reason: it is kept in the log."), "reason")
    undo = CaptureDecision(
        consultation_id=consultation.id,
        action=CaptureAction.RESTORE,
        source_kind=decision.source_kind,
        source_id=decision.source_id,
        source_label=decision.source_label,
        batch_on=decision.batch_on,
        reason=reason[:2000],
        decided_by_id=user.id,
        decided_by_name=user.name[:200],
        undoes_id=decision.id,
        responses=list(decision.responses),
    )
    db.session.add(undo)
    db.session.flush()
    decision.undone_by_id = undo.id
    db.session.flush()
    still_aside = set(
        db.session.scalars(
            select(capture_decision_responses.c.response_id)
            .join(CaptureDecision, CaptureDecision.id == capture_decision_responses.c.decision_id)
            .where(
                CaptureDecision.consultation_id == consultation.id,
                CaptureDecision.action == CaptureAction.SET_ASIDE,
                CaptureDecision.undone_by_id.is_(None),
            )
        )
    )
    for response in decision.responses:
        response.is_set_aside = response.id in still_aside
    db.session.flush()
    logger.info("capture decision %s undoes %s in consultation %s", undo.id, decision.id, consultation.id)
    return undo


def decisions(consultation: Consultation) -> list[CaptureDecision]:
    """The log of capture decisions, newest first."""
    return list(
        db.session.scalars(
            select(CaptureDecision)
            .where(CaptureDecision.consultation_id == consultation.id)
            .order_by(CaptureDecision.id.desc())
        )
    )


@dataclass
class SourceRow:
    """Answers that came through one source: how many, how many set aside, the last day."""

    label: str
    responses: int
    set_aside: int
    last_on: date | None
    group_code: str | None = None
    detail: str = ""


@dataclass
class Overview:
    """Answers per invitation link, per organisation, per channel, and entries per facilitator."""

    invitations: list[SourceRow] = field(default_factory=list)
    channels: list[SourceRow] = field(default_factory=list)
    organisations: list[SourceRow] = field(default_factory=list)
    facilitators: list[tuple[str, EntryMode, int]] = field(default_factory=list)


def _grouped(consultation: Consultation, column, *where) -> dict:
    counts = (
        select(
            column,
            func.count(Response.id),
            func.sum(case((Response.is_set_aside.is_(True), 1), else_=0)),
            func.max(Response.submitted_on),
        )
        .where(Response.consultation_id == consultation.id, *where)
        .group_by(column)
    )
    return {row[0]: (row[1], int(row[2] or 0), row[3]) for row in db.session.execute(counts)}


def overview(consultation: Consultation) -> Overview:
    """Where the consultation's answers came from."""
    result = Overview()
    by_invitation = _grouped(consultation, Response.invitation_id)
    for invitation in consultation.invitations:
        count, aside, last = by_invitation.get(invitation.id, (0, 0, None))
        uses = f"{invitation.use_count}/{invitation.max_uses}" if invitation.max_uses else str(invitation.use_count)
        result.invitations.append(
            SourceRow(
                invitation.label or str(_l("Link %(n)d", n=invitation.id)),
                count,
                aside,
                last,
                invitation.group_code,
                uses,
            )
        )
    by_mode = _grouped(consultation, Response.entry_mode, Response.invitation_id.is_(None))
    for mode in EntryMode:
        count, aside, last = by_mode.get(mode, (0, 0, None))
        label = SOURCE_LABELS[SourceKind.PUBLIC] if mode == EntryMode.ONLINE else mode.label
        result.channels.append(SourceRow(str(label), count, aside, last))
    by_organisation = _grouped(consultation, Response.organisation_id, Response.organisation_id.is_not(None))
    names = {
        o.id: o.name for o in db.session.scalars(select(Organisation).where(Organisation.id.in_(list(by_organisation))))
    }
    for organisation_id, (count, aside, last) in sorted(by_organisation.items(), key=lambda item: -item[1][0]):
        result.organisations.append(SourceRow(names.get(organisation_id, ""), count, aside, last))
    tallies = db.session.execute(
        select(User.name, FacilitatorTally.entry_mode, FacilitatorTally.count)
        .join(User, User.id == FacilitatorTally.user_id)
        .where(FacilitatorTally.consultation_id == consultation.id)
        .order_by(FacilitatorTally.count.desc())
    )
    result.facilitators = [(name, mode, count) for name, mode, count in tallies]
    return result
