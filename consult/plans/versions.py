"""Every save of a plan is a version: a JSON snapshot of the whole plan, any two of which can be compared.

``save`` is called by every operation that changes a plan (generation,
regeneration, an edit, a reorder, a drop, a lifecycle move); it flushes, the
view commits. ``compare`` lines two snapshots up item by item (sections, then
priorities, then actions) for a side-by-side view, field by field, in one language.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from consult.extensions import db
from consult.plans.models import Plan, PlanVersion

_ACTION_FIELDS = (
    "pillar",
    "title",
    "description",
    "ungp_principles",
    "rights",
    "sectors",
    "places",
    "target_groups",
    "lead_entity",
    "partners",
    "indicator_name",
    "indicator_unit",
    "indicator_baseline",
    "indicator_target",
    "indicator_source",
    "starts_on",
    "ends_on",
    "budget",
    "budget_currency",
    "sdg_targets",
    "gender_marker",
    "status",
    "is_dropped",
    "drop_reason",
)


def _plain(value):
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


def snapshot(plan: Plan) -> dict:
    """The whole plan as plain JSON: what a version keeps."""
    return {
        "status": plan.status.value,
        "languages": list(plan.languages or []),
        "title": dict(plan.title or {}),
        "sections": [{"key": s.key, "title": dict(s.title or {}), "body": dict(s.body or {})} for s in plan.sections],
        "priorities": [
            {
                "id": p.id,
                "right": p.right,
                "sector": p.sector,
                "place": p.place,
                "title": dict(p.title or {}),
                "justification": dict(p.justification or {}),
                "is_dropped": p.is_dropped,
                "drop_reason": dict(p.drop_reason or {}),
                "evidence": [dict(e.sentence or {}) for e in p.evidence],
            }
            for p in plan.priorities
        ],
        "actions": [
            {
                "id": a.id,
                **{name: _plain(getattr(a, name)) for name in _ACTION_FIELDS},
                "evidence": [dict(e.sentence or {}) for e in a.evidence],
            }
            for a in plan.actions
        ],
    }


def save(plan: Plan, user, note: str = "") -> PlanVersion:
    """Record the plan as it now stands as its next version."""
    db.session.flush()
    db.session.expire(plan, ["sections", "priorities", "actions"])
    plan.version = (plan.version or 0) + 1
    version = PlanVersion(
        plan_id=plan.id,
        number=plan.version,
        note=(note or "")[:300],
        snapshot=snapshot(plan),
        created_by_id=getattr(user, "id", None),
    )
    db.session.add(version)
    db.session.flush()
    return version


def versions_of(plan: Plan) -> list[PlanVersion]:
    """A plan's versions, newest first."""
    return list(
        db.session.scalars(
            select(PlanVersion).where(PlanVersion.plan_id == plan.id).order_by(PlanVersion.number.desc())
        )
    )


def get_version(plan: Plan, number: int) -> PlanVersion | None:
    """Version ``number`` of ``plan``, or None."""
    return db.session.scalar(select(PlanVersion).where(PlanVersion.plan_id == plan.id, PlanVersion.number == number))


@dataclass
class FieldChange:
    """One field of one item in two versions; ``changed`` when they differ."""

    name: str
    left: str
    right: str

    @property
    def changed(self) -> bool:
        return self.left != self.right

    def word_diff(self) -> list[tuple[str, str]]:
        """The right-hand text as (tag, words) pieces against the left: tag is ``same``, ``added`` or ``removed``."""
        a, b = self.left.split(), self.right.split()
        pieces: list[tuple[str, str]] = []
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
            if tag == "equal":
                pieces.append(("same", " ".join(a[i1:i2])))
            else:
                if i2 > i1:
                    pieces.append(("removed", " ".join(a[i1:i2])))
                if j2 > j1:
                    pieces.append(("added", " ".join(b[j1:j2])))
        return pieces


@dataclass
class ItemChange:
    """A section, priority or action in two versions (``left`` or ``right`` is None when only one has it)."""

    kind: str
    key: str
    label: str
    fields: list[FieldChange] = field(default_factory=list)
    only_left: bool = False
    only_right: bool = False

    @property
    def changed(self) -> bool:
        return self.only_left or self.only_right or any(f.changed for f in self.fields)


def _text(value, lang: str, fallback: str) -> str:
    if isinstance(value, dict):
        return str(value.get(lang) or value.get(fallback) or "")
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return "\n".join(_text(v, lang, fallback) for v in value)
        return ", ".join(str(v) for v in value)
    if value is None:
        return ""
    return str(value)


def _items(snap: dict) -> list[tuple[str, str, dict]]:
    items = [("section", s["key"], s) for s in snap.get("sections", [])]
    items += [("priority", str(p["id"]), p) for p in snap.get("priorities", [])]
    items += [("action", str(a["id"]), a) for a in snap.get("actions", [])]
    return items


def compare(left: dict, right: dict, lang: str, fallback: str) -> list[ItemChange]:
    """Item-by-item, field-by-field comparison of two snapshots in ``lang`` (``fallback`` for missing texts)."""
    left_items = {(k, key): item for k, key, item in _items(left)}
    right_items = {(k, key): item for k, key, item in _items(right)}
    order = [ident for ident in ((k, key) for k, key, _ in _items(right))]
    order += [ident for ident in ((k, key) for k, key, _ in _items(left)) if ident not in right_items]
    changes: list[ItemChange] = []
    for kind, key in order:
        a, b = left_items.get((kind, key)), right_items.get((kind, key))
        source = b or a
        label = _text(source.get("title"), lang, fallback) or key
        names = [n for n in source if n not in ("id", "key")]
        change = ItemChange(kind=kind, key=key, label=label, only_left=b is None, only_right=a is None)
        for name in names:
            change.fields.append(
                FieldChange(
                    name, _text((a or {}).get(name), lang, fallback), _text((b or {}).get(name), lang, fallback)
                )
            )
        changes.append(change)
    return changes


__all__ = ["snapshot", "save", "versions_of", "get_version", "compare", "FieldChange", "ItemChange"]
