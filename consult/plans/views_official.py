"""Officials' plan screens: draft a plan, edit it, keep its versions, move it along its lifecycle.

Officials of the territory change plans; analysts of the territory read them
(every change is a POST, refused to them with 403). A plan or consultation of
another territory is a 404. Every change goes through ``editing`` or
``lifecycle`` (each saves a version) and is committed here.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from consult.accounts.access import get_in_territory, has_role, territory_view
from consult.accounts.models import Locality, Territory
from consult.accounts.permissions import roles_for
from consult.extensions import db
from consult.i18n import LANGUAGE_NAMES, content_language
from consult.plans import bp, drafting, editing, forms, library, lifecycle, markdown, versions
from consult.plans.labels import (
    ACTION_STATUSES,
    EVIDENCE_KINDS,
    GENDER_MARKERS,
    PILLAR_SHORT,
    PILLARS,
    PLAN_STATUSES,
    SDG_TARGETS,
    SECTION_TITLES,
    UNGP_PRINCIPLES,
)
from consult.plans.models import EvidenceLink, LibraryAction, Pillar, Plan, PlanStatus
from consult.responses.models import Consultation, ConsultationState
from consult.surveys.labels import RIGHTS, SECTORS, STAKEHOLDER_GROUPS

READERS = roles_for("plans.read")
EDITORS = roles_for("plans.edit")
#: Consultation states from which a plan can be drafted or exists.
PLAN_STATES = (
    ConsultationState.ANALYSED,
    ConsultationState.PLAN_COMMENT,
    ConsultationState.PLAN_FINAL,
    ConsultationState.MONITORING,
)


@bp.app_context_processor
def _plan_link_helper() -> dict:
    # The responses room's consultation page asks what to say about the plan without importing this room.
    def action_plan_link(consultation, territory) -> str | None:
        """``"open"`` when the plan exists, ``"draft"`` when this person may draft it now, else None."""
        if consultation.state not in PLAN_STATES or not has_role(current_user, territory, READERS):
            return None
        if db.session.scalar(select(Plan.id).where(Plan.consultation_id == consultation.id)) is not None:
            return "open"
        if consultation.state == ConsultationState.ANALYSED and has_role(current_user, territory, EDITORS):
            return "draft"
        return None

    return {"action_plan_link": action_plan_link}


# --- helpers -----------------------------------------------------------------------------------------------------


def _plan_of(consultation: Consultation) -> Plan | None:
    return db.session.scalar(select(Plan).where(Plan.consultation_id == consultation.id))


def _plan(territory: Territory, plan_id: int) -> Plan:
    return get_in_territory(Plan, plan_id, territory)


def _lang(plan: Plan) -> str:
    """The language the plan is shown and edited in: ``?text=`` (or ``?lang=``) or the page's, if the plan
    is drafted in it.

    Links between the officials' plan pages carry ``text=``, not ``lang=``: ``?lang=`` also switches the
    person's interface language for the rest of the session, and an English-speaking official editing a
    Spanish plan should keep English screens.
    """
    for code in (request.args.get("text"), request.args.get("lang"), content_language()):
        if code and code in (plan.languages or []):
            return code
    return plan.language


def _is_editor(territory: Territory) -> bool:
    return has_role(current_user, territory, EDITORS)


def _to_plan(territory: Territory, plan: Plan, lang: str, anchor: str = ""):
    return redirect(url_for("plans.plan", territory=territory.slug, plan_id=plan.id, text=lang) + anchor)


def _linked(endpoint: str, **values) -> str | None:
    """The URL of another helper's page, only once that page exists."""
    if endpoint in current_app.view_functions:
        try:
            return url_for(endpoint, **values)
        except Exception:  # noqa: BLE001 — a page with other arguments than ours: no link rather than a 500
            return None
    return None


def _refused(error) -> None:
    flash(str(error.message), "error")


def _child(items, item_id: int):
    for item in items:
        if item.id == item_id:
            return item
    abort(404)


def _language_choices(codes) -> list[tuple[str, str]]:
    return [(code, LANGUAGE_NAMES.get(code, code)) for code in codes]


# --- list and plan home ------------------------------------------------------------------------------------------


@bp.route("/t/<territory>/plans")
@territory_view(*READERS)
def index(territory: Territory):
    """The territory's consultations with where their action plan stands."""
    consultations = list(
        db.session.scalars(
            select(Consultation).where(Consultation.territory_id == territory.id).order_by(Consultation.id.desc())
        )
    )
    plans = {p.consultation_id: p for p in db.session.scalars(select(Plan).where(Plan.territory_id == territory.id))}
    return render_template(
        "plans/official/index.html",
        territory=territory,
        consultations=consultations,
        plans=plans,
        statuses=PLAN_STATUSES,
        can_edit=_is_editor(territory),
        analysed=ConsultationState.ANALYSED,
    )


@bp.route("/t/<territory>/consultations/<int:cid>/plan", methods=["GET", "POST"])
@territory_view(*READERS)
def consultation_plan(territory: Territory, cid: int):
    """The plan of a consultation, or the form that drafts it (in one of the consultation's languages)."""
    consultation = get_in_territory(Consultation, cid, territory)
    if request.method == "POST" and not _is_editor(territory):
        abort(403)
    plan = _plan_of(consultation)
    if plan is not None:
        return redirect(url_for("plans.plan", territory=territory.slug, plan_id=plan.id))
    form = forms.GenerateForm()
    form.language.choices = _language_choices(consultation.languages)
    if request.method == "GET":
        form.language.data = consultation.fallback_language
    problem = None
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                plan = drafting.generate(consultation, form.language.data, current_user)
            except drafting.PlanError as error:
                db.session.rollback()
                problem = str(error.message)
            else:
                db.session.commit()
                flash(_("The draft plan has been generated. Read it through and edit what needs it."), "success")
                return redirect(url_for("plans.plan", territory=territory.slug, plan_id=plan.id))
    return render_template(
        "plans/official/generate.html",
        territory=territory,
        consultation=consultation,
        form=form,
        problem=problem,
        can_edit=_is_editor(territory),
        can_generate=consultation.state == ConsultationState.ANALYSED,
    )


@bp.route("/t/<territory>/plans/<int:plan_id>")
@territory_view(*READERS)
def plan(territory: Territory, plan_id: int):
    """The plan: sections, priorities and actions with their evidence, edit links, languages, lifecycle."""
    item = _plan(territory, plan_id)
    lang = _lang(item)
    editor = _is_editor(territory)
    actions = [a for a in item.actions if not a.is_dropped]
    by_pillar = {p.value: [a for a in actions if a.pillar == p] for p in Pillar}
    priorities = {p.id: p for p in item.priorities}
    other_languages = [c for c in item.consultation.languages if c not in (item.languages or [])]
    language_form = forms.LanguageForm()
    language_form.language.choices = _language_choices(other_languages)
    publish_form = forms.PublishForm()
    adopt_form = forms.AdoptForm()
    links = {
        # Comments exist only once the plan has been out for comment.
        "moderation": (
            _linked("plans.moderation", territory=territory.slug, plan_id=item.id)
            if item.status != PlanStatus.DRAFT
            else None
        ),
        "document": _linked("plans.document", territory=territory.slug, plan_id=item.id, fmt="html", lang=lang),
        "document_pdf": _linked("plans.document", territory=territory.slug, plan_id=item.id, fmt="pdf", lang=lang),
        "document_docx": _linked("plans.document", territory=territory.slug, plan_id=item.id, fmt="docx", lang=lang),
        "monitoring": (
            _linked("plans.monitoring", territory=territory.slug, plan_id=item.id)
            if item.status in editing.ADOPTED
            else None
        ),
        "public": (
            _linked("plans.public_plan", slug=item.consultation.slug) if item.status != PlanStatus.DRAFT else None
        ),
    }
    return render_template(
        "plans/official/plan.html",
        territory=territory,
        plan=item,
        lang=lang,
        editor=editor,
        can_change=editor and editing.can_edit(item),
        by_pillar=by_pillar,
        priorities=priorities,
        dropped_actions=[a for a in item.actions if a.is_dropped],
        pillars=PILLARS,
        pillar_short=PILLAR_SHORT,
        statuses=PLAN_STATUSES,
        action_statuses=ACTION_STATUSES,
        section_titles=SECTION_TITLES,
        rights=RIGHTS,
        sectors=SECTORS,
        kinds=EVIDENCE_KINDS,
        language_names=LANGUAGE_NAMES,
        language_form=language_form,
        other_languages=other_languages,
        publish_form=publish_form,
        adopt_form=adopt_form,
        links=links,
        md=markdown.to_html,
        comment_open=lifecycle.comment_is_open(item),
        comment_closed=lifecycle.comment_has_closed(item),
    )


# --- sections and priorities -------------------------------------------------------------------------------------


@bp.route("/t/<territory>/plans/<int:plan_id>/sections/<key>", methods=["GET", "POST"])
@territory_view(*EDITORS)
def edit_section(territory: Territory, plan_id: int, key: str):
    """Edit a section's title and Markdown text in one language."""
    item = _plan(territory, plan_id)
    lang = _lang(item)
    section = next((s for s in item.sections if s.key == key), None)
    if section is None:
        abort(404)
    form = forms.SectionForm()
    if request.method == "GET":
        form.title.data = item.text(section.title, lang) or str(SECTION_TITLES.get(key, key))
        form.body.data = (section.body or {}).get(lang) or ""
    problem = None
    if form.validate_on_submit():
        try:
            editing.edit_section(item, section, lang, form.title.data, form.body.data, current_user)
        except editing.EditError as error:
            db.session.rollback()
            problem = str(error.message)
        else:
            db.session.commit()
            flash(_("The section has been saved (version %(n)d).", n=item.version), "success")
            return _to_plan(territory, item, lang, f"#section-{key}")
    return render_template(
        "plans/official/edit_text.html",
        territory=territory,
        plan=item,
        lang=lang,
        form=form,
        problem=problem,
        heading=_("Edit the section: %(name)s", name=item.text(section.title, lang) or key),
        fields=("title", "body"),
        language_names=LANGUAGE_NAMES,
        editable=editing.can_edit(item),
        action_url=url_for("plans.edit_section", territory=territory.slug, plan_id=item.id, key=key, text=lang),
    )


@bp.route("/t/<territory>/plans/<int:plan_id>/priorities/<int:priority_id>", methods=["GET", "POST"])
@territory_view(*EDITORS)
def edit_priority(territory: Territory, plan_id: int, priority_id: int):
    """Edit a priority's title and justification in one language."""
    item = _plan(territory, plan_id)
    lang = _lang(item)
    priority = _child(item.priorities, priority_id)
    form = forms.PriorityForm()
    if request.method == "GET":
        form.title.data = item.text(priority.title, lang)
        form.justification.data = (priority.justification or {}).get(lang) or ""
    problem = None
    if form.validate_on_submit():
        try:
            editing.edit_priority(item, priority, lang, form.title.data, form.justification.data, current_user)
        except editing.EditError as error:
            db.session.rollback()
            problem = str(error.message)
        else:
            db.session.commit()
            flash(_("The priority has been saved (version %(n)d).", n=item.version), "success")
            return _to_plan(territory, item, lang, f"#priority-{priority.id}")
    return render_template(
        "plans/official/edit_text.html",
        territory=territory,
        plan=item,
        lang=lang,
        form=form,
        problem=problem,
        heading=_("Edit the priority: %(name)s", name=item.text(priority.title, lang)),
        fields=("title", "justification"),
        language_names=LANGUAGE_NAMES,
        editable=editing.can_edit(item),
        action_url=url_for(
            "plans.edit_priority", territory=territory.slug, plan_id=item.id, priority_id=priority.id, text=lang
        ),
    )


def _drop_page(territory, item, lang, thing, kind: str, drop, endpoint: str, **ids):
    form = forms.DropForm()
    problem = None
    if form.validate_on_submit():
        try:
            drop(item, thing, lang, form.reason.data, current_user)
        except editing.EditError as error:
            db.session.rollback()
            problem = str(error.message)
        else:
            db.session.commit()
            flash(_("Left out of the plan, with its reason (version %(n)d).", n=item.version), "success")
            return _to_plan(territory, item, lang, "#dropped")
    return render_template(
        "plans/official/drop.html",
        territory=territory,
        plan=item,
        lang=lang,
        form=form,
        problem=problem,
        name=item.text(thing.title, lang),
        kind=kind,
        editable=editing.can_edit(item),
        action_url=url_for(endpoint, territory=territory.slug, plan_id=item.id, text=lang, **ids),
    )


@bp.route("/t/<territory>/plans/<int:plan_id>/priorities/<int:priority_id>/drop", methods=["GET", "POST"])
@territory_view(*EDITORS)
def drop_priority(territory: Territory, plan_id: int, priority_id: int):
    """Leave a priority out of the plan, with a reason."""
    item = _plan(territory, plan_id)
    priority = _child(item.priorities, priority_id)
    return _drop_page(
        territory,
        item,
        _lang(item),
        priority,
        "priority",
        editing.drop_priority,
        "plans.drop_priority",
        priority_id=priority.id,
    )


@bp.route("/t/<territory>/plans/<int:plan_id>/actions/<int:action_id>/drop", methods=["GET", "POST"])
@territory_view(*EDITORS)
def drop_action(territory: Territory, plan_id: int, action_id: int):
    """Leave an action out of the plan, with a reason."""
    item = _plan(territory, plan_id)
    action = _child(item.actions, action_id)
    return _drop_page(
        territory, item, _lang(item), action, "action", editing.drop_action, "plans.drop_action", action_id=action.id
    )


def _simple_change(territory, item, lang, change, success: str, anchor: str = ""):
    try:
        done = change()
    except editing.EditError as error:
        db.session.rollback()
        _refused(error)
    else:
        db.session.commit()
        if done is not False:
            flash(success, "success")
    return _to_plan(territory, item, lang, anchor)


@bp.route("/t/<territory>/plans/<int:plan_id>/priorities/<int:priority_id>/restore", methods=["POST"])
@territory_view(*EDITORS)
def restore_priority(territory: Territory, plan_id: int, priority_id: int):
    """Take a left-out priority back into the plan."""
    item = _plan(territory, plan_id)
    lang = _lang(item)
    priority = _child(item.priorities, priority_id)
    return _simple_change(
        territory,
        item,
        lang,
        lambda: editing.restore_priority(item, priority, lang, current_user),
        _("The priority is back in the plan."),
        f"#priority-{priority.id}",
    )


@bp.route("/t/<territory>/plans/<int:plan_id>/actions/<int:action_id>/restore", methods=["POST"])
@territory_view(*EDITORS)
def restore_action(territory: Territory, plan_id: int, action_id: int):
    """Take a left-out action back into the plan."""
    item = _plan(territory, plan_id)
    lang = _lang(item)
    action = _child(item.actions, action_id)
    return _simple_change(
        territory,
        item,
        lang,
        lambda: editing.restore_action(item, action, lang, current_user),
        _("The action is back in the plan."),
        f"#action-{action.id}",
    )


def _direction() -> str:
    direction = request.form.get("direction", "")
    if direction not in ("up", "down"):
        abort(400)
    return direction


@bp.route("/t/<territory>/plans/<int:plan_id>/priorities/<int:priority_id>/move", methods=["POST"])
@territory_view(*EDITORS)
def move_priority(territory: Territory, plan_id: int, priority_id: int):
    """Move a priority one place up or down."""
    item = _plan(territory, plan_id)
    lang = _lang(item)
    priority = _child(item.priorities, priority_id)
    direction = _direction()
    return _simple_change(
        territory,
        item,
        lang,
        lambda: editing.move_priority(item, priority, direction, lang, current_user),
        _("The priority has been moved."),
        f"#priority-{priority.id}",
    )


@bp.route("/t/<territory>/plans/<int:plan_id>/actions/<int:action_id>/move", methods=["POST"])
@territory_view(*EDITORS)
def move_action(territory: Territory, plan_id: int, action_id: int):
    """Move an action one place up or down within its pillar."""
    item = _plan(territory, plan_id)
    lang = _lang(item)
    action = _child(item.actions, action_id)
    direction = _direction()
    return _simple_change(
        territory,
        item,
        lang,
        lambda: editing.move_action(item, action, direction, lang, current_user),
        _("The action has been moved."),
        f"#action-{action.id}",
    )


# --- actions -----------------------------------------------------------------------------------------------------


def _fill_action_choices(form: forms.ActionForm, item: Plan, territory: Territory, lang: str) -> None:
    form.pillar.choices = [(p, str(label)) for p, label in PILLARS.items()]
    form.ungp_principles.choices = [(code, str(label)) for code, label in UNGP_PRINCIPLES.items()]
    form.priority_ids.choices = [(str(p.id), item.text(p.title, lang) or p.right) for p in item.priorities]
    form.rights.choices = [(code, str(label)) for code, label in RIGHTS.items()]
    form.sectors.choices = [(code, str(label)) for code, label in SECTORS.items()]
    localities = db.session.scalars(
        select(Locality).where(Locality.territory_id == territory.id).order_by(Locality.name)
    )
    form.places.choices = [(loc.code, loc.name) for loc in localities]
    form.target_groups.choices = [(code, str(label)) for code, label in STAKEHOLDER_GROUPS.items()]
    form.sdg_targets.choices = [(code, str(label)) for code, label in SDG_TARGETS.items()]
    form.gender_marker.choices = [(str(code), str(label)) for code, label in GENDER_MARKERS.items()]
    form.status.choices = [(code, str(label)) for code, label in ACTION_STATUSES.items()]


def _keep_unknown(field, stored: list[str]) -> None:
    # A code stored earlier that is no longer offered (a locality removed) stays choosable, so saving keeps it.
    known = {value for value, *_ in field.choices}
    field.choices = list(field.choices) + [(code, code) for code in stored if code not in known]


@bp.route("/t/<territory>/plans/<int:plan_id>/actions/<int:action_id>", methods=["GET", "POST"])
@territory_view(*EDITORS)
def edit_action(territory: Territory, plan_id: int, action_id: int):
    """Edit every field of an action (texts in one language) and the evidence it cites."""
    item = _plan(territory, plan_id)
    lang = _lang(item)
    action = _child(item.actions, action_id)
    form = forms.ActionForm()
    _fill_action_choices(form, item, territory, lang)
    for name in ("places", "rights", "sectors", "target_groups"):
        _keep_unknown(getattr(form, name), getattr(action, name) or [])
    if request.method == "GET":
        for name in editing.ACTION_TEXTS:
            getattr(form, name).data = (getattr(action, name) or {}).get(lang) or ""
        form.pillar.data = action.pillar.value
        form.status.data = action.status.value
        form.gender_marker.data = str(action.gender_marker or 0)
        form.priority_ids.data = [str(pid) for pid in action.priority_ids or []]
        for name in ("ungp_principles", "rights", "sectors", "places", "target_groups", "sdg_targets"):
            getattr(form, name).data = list(getattr(action, name) or [])
        for name in (
            "indicator_unit",
            "indicator_baseline",
            "indicator_target",
            "starts_on",
            "ends_on",
            "budget",
            "budget_currency",
        ):
            getattr(form, name).data = getattr(action, name)
    problem = None
    if form.validate_on_submit():
        texts = {name: getattr(form, name).data for name in editing.ACTION_TEXTS}
        values = {
            "pillar": form.pillar.data,
            "status": form.status.data,
            "gender_marker": int(form.gender_marker.data),
            "priority_ids": [int(pid) for pid in form.priority_ids.data],
            "indicator_unit": form.indicator_unit.data or "",
            "indicator_baseline": form.indicator_baseline.data,
            "indicator_target": form.indicator_target.data,
            "starts_on": form.starts_on.data,
            "ends_on": form.ends_on.data,
            "budget": form.budget.data,
            "budget_currency": (form.budget_currency.data or "").strip(),
            **{
                name: list(getattr(form, name).data or [])
                for name in ("ungp_principles", "rights", "sectors", "places", "target_groups", "sdg_targets")
            },
        }
        try:
            editing.update_action(item, action, lang, texts, values, current_user)
        except editing.EditError as error:
            db.session.rollback()
            problem = str(error.message)
        else:
            db.session.commit()
            flash(_("The action has been saved (version %(n)d).", n=item.version), "success")
            return _to_plan(territory, item, lang, f"#action-{action.id}")
    cited = {(link.kind, str(link.ref)) for link in action.evidence}
    evidence_form = forms.EvidenceForm(formdata=None)
    evidence_form.evidence.choices = [
        (str(link.id), _sentence(link, lang, item))
        for link in editing.citable_evidence(item)
        if (link.kind, str(link.ref)) not in cited
    ]
    return render_template(
        "plans/official/edit_action.html",
        territory=territory,
        plan=item,
        lang=lang,
        form=form,
        action=action,
        problem=problem,
        evidence_form=evidence_form,
        language_names=LANGUAGE_NAMES,
        sentence=_sentence,
        editable=editing.can_edit(item),
    )


def _sentence(link: EvidenceLink, lang: str, item: Plan) -> str:
    text = item.text(link.sentence, lang)
    if link.is_gone:
        return (
            _("This evidence no longer exists: %(sentence)s", sentence=text)
            if text
            else _("This evidence no longer exists.")
        )
    return text or str(EVIDENCE_KINDS.get(link.kind, link.kind))


@bp.route("/t/<territory>/plans/<int:plan_id>/actions/<int:action_id>/evidence", methods=["POST"])
@territory_view(*EDITORS)
def add_evidence(territory: Territory, plan_id: int, action_id: int):
    """Let an action cite one of the evidence links of the plan's priorities."""
    item = _plan(territory, plan_id)
    lang = _lang(item)
    action = _child(item.actions, action_id)
    raw = request.form.get("evidence", "")
    # A bounded id: PostgreSQL refuses integers beyond 32 bits with an error, not "no row".
    source = db.session.get(EvidenceLink, int(raw)) if raw.isascii() and raw.isdigit() and int(raw) < 2**31 else None
    back = redirect(
        url_for("plans.edit_action", territory=territory.slug, plan_id=item.id, action_id=action.id, text=lang)
        + "#cited-evidence"
    )
    if source is None or source.plan_id != item.id:
        flash(_("Choose evidence cited by one of the plan's priorities."), "error")
        return back
    try:
        editing.add_evidence(item, action, source, lang, current_user)
    except editing.EditError as error:
        db.session.rollback()
        _refused(error)
    else:
        db.session.commit()
        flash(_("The action now cites this evidence."), "success")
    return back


@bp.route("/t/<territory>/plans/<int:plan_id>/actions/<int:action_id>/evidence/<int:link_id>/remove", methods=["POST"])
@territory_view(*EDITORS)
def remove_evidence(territory: Territory, plan_id: int, action_id: int, link_id: int):
    """Stop an action citing one of its evidence links."""
    item = _plan(territory, plan_id)
    lang = _lang(item)
    action = _child(item.actions, action_id)
    link = _child(action.evidence, link_id)
    try:
        editing.remove_evidence(item, action, link, lang, current_user)
    except editing.EditError as error:
        db.session.rollback()
        _refused(error)
    else:
        db.session.commit()
        flash(_("The action no longer cites this evidence."), "success")
    return redirect(
        url_for("plans.edit_action", territory=territory.slug, plan_id=item.id, action_id=action.id, text=lang)
        + "#cited-evidence"
    )


def _library_entries() -> list[LibraryAction]:
    library.ensure_shipped()
    order = {p.value: n for n, p in enumerate(Pillar)}
    entries = db.session.scalars(select(LibraryAction).where(LibraryAction.is_active.is_(True)))
    return sorted(entries, key=lambda e: (order.get(e.pillar.value, 9), e.code))


def _library_label(entry: LibraryAction, lang: str) -> str:
    title = editing._library_text(entry, "title", lang) or entry.code
    return f"{PILLAR_SHORT[entry.pillar.value]} — {title}"


@bp.route("/t/<territory>/plans/<int:plan_id>/actions/new", methods=["GET", "POST"])
@territory_view(*EDITORS)
def add_action(territory: Territory, plan_id: int):
    """Add an action: a blank one (pillar and title) or one copied from the library."""
    item = _plan(territory, plan_id)
    lang = _lang(item)
    source = request.form.get("source") if request.method == "POST" else None
    blank = forms.NewActionForm(formdata=request.form if source == "blank" else None)
    blank.pillar.choices = [(p, str(label)) for p, label in PILLARS.items()]
    from_library = forms.LibraryActionForm(formdata=request.form if source == "library" else None)
    entries = _library_entries()
    from_library.code.choices = [(e.code, _library_label(e, lang)) for e in entries]
    problem = None
    if request.method == "POST":
        form = blank if source == "blank" else from_library if source == "library" else None
        if form is None:
            abort(400)
        if form.validate():
            try:
                if form is blank:
                    action = editing.add_action(item, blank.pillar.data, lang, current_user, title=blank.title.data)
                else:
                    entry = next(e for e in entries if e.code == from_library.code.data)
                    action = editing.add_action(item, entry.pillar.value, lang, current_user, entry=entry)
            except editing.EditError as error:
                db.session.rollback()
                problem = str(error.message)
            else:
                db.session.commit()
                flash(_("The action has been added. Complete its fields."), "success")
                return redirect(
                    url_for(
                        "plans.edit_action", territory=territory.slug, plan_id=item.id, action_id=action.id, text=lang
                    )
                )
    return render_template(
        "plans/official/new_action.html",
        territory=territory,
        plan=item,
        lang=lang,
        blank=blank,
        from_library=from_library,
        problem=problem,
        editable=editing.can_edit(item),
    )


# --- drafting: regenerate, another language ----------------------------------------------------------------------


@bp.route("/t/<territory>/plans/<int:plan_id>/regenerate", methods=["POST"])
@territory_view(*EDITORS)
def regenerate(territory: Territory, plan_id: int):
    """Recompute the evidence and generated figures (texts officials edited are kept)."""
    item = _plan(territory, plan_id)
    lang = _lang(item)
    if not editing.can_edit(item):
        flash(_("The evidence of an adopted plan is no longer recomputed."), "error")
        return _to_plan(territory, item, lang)
    try:
        drafting.regenerate(item, current_user)
    except drafting.PlanError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("The evidence has been recomputed from the analysis (version %(n)d).", n=item.version), "success")
    return _to_plan(territory, item, lang)


@bp.route("/t/<territory>/plans/<int:plan_id>/languages", methods=["POST"])
@territory_view(*EDITORS)
def add_language(territory: Territory, plan_id: int):
    """Draft the plan in another of the consultation's languages."""
    item = _plan(territory, plan_id)
    lang = _lang(item)
    form = forms.LanguageForm()
    form.language.choices = _language_choices(
        [c for c in item.consultation.languages if c not in (item.languages or [])]
    )
    if not form.validate_on_submit():
        flash(_("Choose one of the consultation's languages the plan is not drafted in yet."), "error")
        return _to_plan(territory, item, lang)
    try:
        drafting.add_language(item, form.language.data, current_user)
    except drafting.PlanError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return _to_plan(territory, item, lang)
    db.session.commit()
    flash(
        _(
            "The plan has been drafted in %(language)s.",
            language=LANGUAGE_NAMES.get(form.language.data, form.language.data),
        ),
        "success",
    )
    return _to_plan(territory, item, form.language.data)


# --- lifecycle ---------------------------------------------------------------------------------------------------


@bp.route("/t/<territory>/plans/<int:plan_id>/publish", methods=["POST"])
@territory_view(*EDITORS)
def publish(territory: Territory, plan_id: int):
    """Publish the draft for public comment for a period."""
    item = _plan(territory, plan_id)
    lang = _lang(item)
    form = forms.PublishForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return _to_plan(territory, item, lang, "#lifecycle")
    try:
        lifecycle.publish_for_comment(item, form.opens_on.data, form.closes_on.data, current_user)
    except lifecycle.LifecycleError as error:
        db.session.rollback()
        _refused(error)
    else:
        db.session.commit()
        flash(
            _(
                "The draft is published for comment from %(opens)s to %(closes)s.",
                opens=item.comment_opens_on.isoformat(),
                closes=item.comment_closes_on.isoformat(),
            ),
            "success",
        )
    return _to_plan(territory, item, lang, "#lifecycle")


@bp.route("/t/<territory>/plans/<int:plan_id>/adopt", methods=["POST"])
@territory_view(*EDITORS)
def adopt(territory: Territory, plan_id: int):
    """Adopt the plan (confirming an early close of the comment period if it still runs)."""
    item = _plan(territory, plan_id)
    lang = _lang(item)
    form = forms.AdoptForm()
    if form.validate_on_submit():
        try:
            lifecycle.adopt(item, current_user, close_early=bool(form.close_early.data))
        except lifecycle.LifecycleError as error:
            db.session.rollback()
            _refused(error)
        else:
            db.session.commit()
            flash(_("The plan has been adopted."), "success")
    return _to_plan(territory, item, lang, "#lifecycle")


@bp.route("/t/<territory>/plans/<int:plan_id>/monitor", methods=["POST"])
@territory_view(*EDITORS)
def start_monitoring(territory: Territory, plan_id: int):
    """Start monitoring the adopted plan."""
    item = _plan(territory, plan_id)
    lang = _lang(item)
    try:
        lifecycle.start_monitoring(item, current_user)
    except lifecycle.LifecycleError as error:
        db.session.rollback()
        _refused(error)
    else:
        db.session.commit()
        flash(_("Monitoring of the plan has started."), "success")
    return _to_plan(territory, item, lang, "#lifecycle")


# --- versions ----------------------------------------------------------------------------------------------------


@bp.route("/t/<territory>/plans/<int:plan_id>/versions", endpoint="versions")
@territory_view(*READERS)
def plan_versions(territory: Territory, plan_id: int):
    """Every saved version of the plan: number, date, who, what changed."""
    item = _plan(territory, plan_id)
    return render_template(
        "plans/official/versions.html",
        territory=territory,
        plan=item,
        lang=_lang(item),
        versions=versions.versions_of(item),
    )


def _version_number(name: str, default: int) -> int:
    raw = request.args.get(name, "")
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        abort(404)
    return int(raw)


@bp.route("/t/<territory>/plans/<int:plan_id>/compare")
@territory_view(*READERS)
def compare(territory: Territory, plan_id: int):
    """Two versions side by side, word-level changes marked; only changed items unless ``all=1``."""
    item = _plan(territory, plan_id)
    lang = _lang(item)
    latest = item.version or 1
    a = _version_number("a", max(latest - 1, 1))
    b = _version_number("b", latest)
    left, right = versions.get_version(item, a), versions.get_version(item, b)
    if left is None or right is None:
        abort(404)
    show_all = request.args.get("all") == "1"
    changes = versions.compare(left.snapshot, right.snapshot, lang, item.language)
    shown = changes if show_all else [c for c in changes if c.changed]
    return render_template(
        "plans/official/compare.html",
        territory=territory,
        plan=item,
        lang=lang,
        left=left,
        right=right,
        changes=shown,
        show_all=show_all,
        all_versions=versions.versions_of(item),
        field_labels=_field_labels(),
        kind_labels={"section": _("Section"), "priority": _("Priority"), "action": _("Action")},
        language_names=LANGUAGE_NAMES,
    )


def _field_labels() -> dict:
    return {
        "title": _("Title"),
        "body": _("Text"),
        "justification": _("Justification"),
        "right": _("Right"),
        "sector": _("Sector"),
        "place": _("Place"),
        "is_dropped": _("Left out"),
        "drop_reason": _("Reason for leaving it out"),
        "evidence": _("Evidence"),
        "pillar": _("Pillar"),
        "description": _("Description"),
        "ungp_principles": _("UN Guiding Principles"),
        "rights": _("Rights"),
        "sectors": _("Sectors"),
        "places": _("Places"),
        "target_groups": _("Target groups"),
        "lead_entity": _("Lead entity"),
        "partners": _("Partners"),
        "indicator_name": _("Indicator"),
        "indicator_unit": _("Unit of the indicator"),
        "indicator_baseline": _("Baseline value"),
        "indicator_target": _("Target value"),
        "indicator_source": _("Source of the indicator"),
        "starts_on": _("Start date"),
        "ends_on": _("End date"),
        "budget": _("Budget"),
        "budget_currency": _("Currency"),
        "sdg_targets": _("SDG targets"),
        "gender_marker": _("Gender marker"),
        "status": _("Status"),
    }
