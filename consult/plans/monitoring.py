"""Monitoring an adopted plan: officials record each action's status and indicator value on a date, with a note.

Each record is a ``MonitoringUpdate`` row (the history stays); the action keeps
the status and indicator value of its latest update by date (``as_of``, then
the order recorded), so an update dated in the past does not hide a newer one.
Every record is also a version of the plan (``versions.save``), like any change.

``progress`` sums the plan up per pillar (actions, how many in each status,
share done) and per action (latest status, baseline → current → target and the
share of the way covered, last update's date and note, the history).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _

from consult.core.db import utctoday
from consult.extensions import db
from consult.plans import versions
from consult.plans.labels import ACTION_STATUSES, PILLAR_SHORT, PILLARS
from consult.plans.models import ActionStatus, MonitoringUpdate, Pillar, Plan, PlanAction, PlanStatus

#: A plan's actions may be monitored once it is adopted.
MONITORED = frozenset({PlanStatus.FINAL, PlanStatus.MONITORING})
NOTE_MAX = 2000
#: Indicator values are kept within this magnitude (a typo of many digits is refused, not stored).
VALUE_MAX = 1e12


class MonitoringError(ValueError):
    """An update that cannot be recorded; ``message`` is translated, ``field`` names the form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def is_monitored(plan: Plan) -> bool:
    """True once the plan is adopted (final or being monitored): its actions' progress may be recorded and shown."""
    return plan.status in MONITORED


def _status(value) -> ActionStatus:
    try:
        return value if isinstance(value, ActionStatus) else ActionStatus(str(value))
    except ValueError:
        raise MonitoringError(_("Choose a status from the list."), "status") from None


def record(
    action: PlanAction, *, status, indicator_value: float | None, note: str, lang: str, as_of: date | None, user
) -> MonitoringUpdate:
    """Record an update of ``action``: its status and indicator value on ``as_of`` (default today), with a note.

    Refused (``MonitoringError``) unless the plan is adopted, for a dropped
    action, for a value that is not a finite number, a date in the future or a
    note over ``NOTE_MAX`` characters. Flushes; the caller commits.
    """
    plan = action.plan
    if not is_monitored(plan):
        raise MonitoringError(_("Progress can be recorded only once the plan has been adopted."))
    if action.is_dropped:
        raise MonitoringError(_("This action was dropped from the plan: there is no progress to record."))
    chosen = _status(status)
    if indicator_value is not None:
        try:
            indicator_value = float(indicator_value)
        except (TypeError, ValueError):
            raise MonitoringError(
                _("Write the indicator value as a number, for example 12 or 3.5."), "indicator_value"
            ) from None
        if not math.isfinite(indicator_value) or abs(indicator_value) > VALUE_MAX:
            raise MonitoringError(_("Write the indicator value as a number, for example 12 or 3.5."), "indicator_value")
    as_of = as_of or utctoday()
    if as_of > utctoday():
        raise MonitoringError(_("The date of an update cannot be in the future."), "as_of")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise MonitoringError(_("The note is too long: at most %(n)d characters.", n=NOTE_MAX), "note")
    update = MonitoringUpdate(
        action_id=action.id,
        as_of=as_of,
        status=chosen,
        indicator_value=indicator_value,
        note={lang: note} if note else {},
        recorded_by_id=getattr(user, "id", None),
    )
    db.session.add(update)
    db.session.flush()
    db.session.expire(action, ["updates"])
    latest = _latest(action.updates)
    action.status = latest.status
    values = [u for u in _ordered(action.updates) if u.indicator_value is not None]
    action.indicator_current = values[-1].indicator_value if values else None
    versions.save(plan, user, _("Progress recorded: %(action)s", action=plan.text(action.title, lang))[:300])
    return update


def _ordered(updates: list[MonitoringUpdate]) -> list[MonitoringUpdate]:
    return sorted(updates, key=lambda u: (u.as_of, u.id))


def _latest(updates: list[MonitoringUpdate]) -> MonitoringUpdate | None:
    ordered = _ordered(updates)
    return ordered[-1] if ordered else None


def way_covered(baseline: float | None, current: float | None, target: float | None) -> float | None:
    """How far from baseline to target the current value is, 0..1 (None when it cannot be said)."""
    if baseline is None or current is None or target is None or target == baseline:
        return None
    share = (current - baseline) / (target - baseline)
    return max(0.0, min(1.0, share))


@dataclass
class ActionProgress:
    """Where one action stands: latest status, indicator, last update and the history (newest first)."""

    action: PlanAction
    number: int
    title: str
    status: str
    baseline: float | None
    current: float | None
    target: float | None
    unit: str
    share: float | None
    last_date: date | None
    last_note: str
    history: list[MonitoringUpdate]

    @property
    def percent(self) -> str:
        """The share of the way covered as text ("40 %"), or empty."""
        return "" if self.share is None else f"{round(self.share * 100)}\u00a0%"


@dataclass
class PillarProgress:
    """The actions of one pillar: how many, how many in each status, the share done."""

    code: str
    label: str
    short: str
    actions: list[ActionProgress] = field(default_factory=list)
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        """Number of actions."""
        return len(self.actions)

    @property
    def done(self) -> int:
        """Number of actions done."""
        return self.by_status.get(ActionStatus.DONE.value, 0)

    @property
    def share_done(self) -> float | None:
        """Share of the pillar's actions that are done (None without actions)."""
        return self.done / self.count if self.count else None

    @property
    def percent_done(self) -> str:
        """``share_done`` as text ("50 %"), or empty."""
        return "" if self.share_done is None else f"{round(self.share_done * 100)}\u00a0%"


@dataclass
class Progress:
    """A plan's progress per pillar (I, II, III) and, within, per action."""

    pillars: list[PillarProgress]

    @property
    def actions(self) -> list[ActionProgress]:
        """Every action, pillar by pillar."""
        return [a for p in self.pillars for a in p.actions]


def note_text(update: MonitoringUpdate, plan: Plan, lang: str) -> str:
    """An update's note in ``lang``, else the plan's main language, else the language it was written in."""
    notes = update.note or {}
    return notes.get(lang) or notes.get(plan.language) or next(iter(notes.values()), "")


def progress(plan: Plan, lang: str | None = None) -> Progress:
    """Where each action of ``plan`` (dropped ones left out) stands, per pillar; texts in ``lang`` (default main)."""

    lang = lang or plan.language
    pillars = [
        PillarProgress(
            p.value, str(PILLARS[p.value]), str(PILLAR_SHORT[p.value]), by_status={s.value: 0 for s in ActionStatus}
        )
        for p in Pillar
    ]
    by_code = {p.code: p for p in pillars}
    number = 0
    for pillar in pillars:
        for action in plan.actions:
            if action.is_dropped or action.pillar.value != pillar.code:
                continue
            number += 1
            history = list(reversed(_ordered(action.updates)))
            last = history[0] if history else None
            entry = ActionProgress(
                action=action,
                number=number,
                title=plan.text(action.title, lang),
                status=str(ACTION_STATUSES.get(action.status.value, action.status.value)),
                baseline=action.indicator_baseline,
                current=action.indicator_current,
                target=action.indicator_target,
                unit=action.indicator_unit or "",
                share=way_covered(action.indicator_baseline, action.indicator_current, action.indicator_target),
                last_date=last.as_of if last else None,
                last_note=note_text(last, plan, lang) if last else "",
                history=history,
            )
            by_code[pillar.code].actions.append(entry)
            pillar.by_status[action.status.value] += 1
    return Progress(pillars)
