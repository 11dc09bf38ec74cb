"""Consultation set-up rules: texts and languages, groups and instruments, the lifecycle, invitation links."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from consult.core.codes import hash_token
from consult.responses import invitations, services
from consult.responses.models import ConsultationState, EntryMode, Invitation
from consult.responses.services import ConsultationError
from consult.responses.storage import NewResponse, store_response, unheld_keys
from consult.surveys.models import InstrumentVersion


def test_a_consultation_starts_as_a_draft_with_default_threshold(create_territory, db):
    territory = create_territory("salta", "Salta", "AR")
    consultation = services.create_consultation(
        territory, slug="Riesgos-2026", title={"es": "Riesgos", "qu": ""}, languages=["es", "qu"]
    )
    db.session.commit()
    assert consultation.slug == "riesgos-2026"
    assert consultation.state == ConsultationState.DRAFT
    assert consultation.small_cell_threshold == 5
    assert consultation.title == {"es": "Riesgos"}
    assert consultation.fallback_language == "es"
    assert not consultation.is_accepting
    assert consultation.title_in("qu") == "Riesgos"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"slug": "a"}, "slug"),
        ({"slug": "bad slug!"}, "slug"),
        ({"languages": ["es", "xx"]}, "languages"),
        ({"fallback_language": "pt"}, "fallback_language"),
        ({"title": {"en": "Only English"}}, "title_es"),
        ({"opens_on": date(2026, 5, 1), "closes_on": date(2026, 4, 1)}, "closes_on"),
        ({"small_cell_threshold": 0}, "small_cell_threshold"),
    ],
)
def test_bad_set_up_is_refused_next_to_its_field(create_territory, kwargs, field):
    territory = create_territory()
    values = {"slug": "ok-slug", "title": {"es": "Título"}, "languages": ["es", "en"], "fallback_language": "es"}
    values.update(kwargs)
    with pytest.raises(ConsultationError) as error:
        services.create_consultation(territory, **values)
    assert error.value.field == field


def test_the_short_name_is_unique(create_consultation, create_territory):
    create_consultation(slug="unica")
    with pytest.raises(ConsultationError, match="already uses"):
        services.create_consultation(create_territory(), slug="unica", title={"es": "Otra"})


def test_opening_needs_a_group_and_freezes_the_instruments(create_consultation, create_version, make_definition, db):
    empty = create_consultation(groups={}, state="draft")
    with pytest.raises(ConsultationError, match="at least one stakeholder group"):
        services.change_state(empty, ConsultationState.OPEN)
    version = create_version(
        make_definition([{"key": "Q1", "type": "short_text", "text": {"es": "¿?", "en": "?", "pt": "?"}}])
    )
    assert not version.is_frozen
    consultation = create_consultation(groups={"cso": version}, state="draft")
    services.change_state(consultation, ConsultationState.OPEN)
    db.session.commit()
    assert db.session.get(InstrumentVersion, version.id).is_frozen
    assert consultation.is_accepting


def test_the_lifecycle_moves_only_forward_except_reopening(create_consultation, db):
    consultation = create_consultation()
    with pytest.raises(ConsultationError):
        services.change_state(consultation, ConsultationState.PLAN_FINAL)
    services.change_state(consultation, ConsultationState.CLOSED)
    assert not consultation.is_accepting
    services.change_state(consultation, ConsultationState.OPEN)
    services.change_state(consultation, ConsultationState.CLOSED)
    # Nothing counted: there is no analysis to speak of yet.
    with pytest.raises(ConsultationError):
        services.change_state(consultation, ConsultationState.ANALYSED)
    group = consultation.groups[0]
    version = db.session.get(InstrumentVersion, group.instrument_version_id)
    submission_key, receipt_hash = unheld_keys()
    store_response(
        consultation,
        NewResponse(
            version=version,
            group_code=group.group_code,
            language="es",
            entry_mode=EntryMode.PAPER,
            answers={},
            submission_key=submission_key,
            receipt_code_hash=receipt_hash,
        ),
    )
    services.change_state(consultation, ConsultationState.ANALYSED)
    # No plan exists yet (the plans room brings it): no state may claim one.
    assert services.TRANSITIONS[consultation.state] == ()
    with pytest.raises(ConsultationError):
        services.change_state(consultation, ConsultationState.PLAN_COMMENT)


def test_answers_are_accepted_only_within_the_dates(create_consultation):
    today = date.today()
    early = create_consultation(opens_on=today + timedelta(days=1), closes_on=today + timedelta(days=5))
    late = create_consultation(opens_on=today - timedelta(days=9), closes_on=today)
    now = create_consultation(opens_on=today, closes_on=today)
    assert (early.is_accepting, late.is_accepting, now.is_accepting) == (False, True, True)
    late.closes_on = today - timedelta(days=1)
    assert not late.is_accepting
    with pytest.raises(ConsultationError, match="closing date has passed"):
        services.change_state(
            create_consultation(state="draft", closes_on=today - timedelta(days=1)), ConsultationState.OPEN
        )


def test_instruments_come_from_the_territory_or_the_library(
    create_territory, create_version, make_definition, create_consultation
):
    salta, antioquia = create_territory("salta"), create_territory("antioquia")
    definition = make_definition([{"key": "Q1", "type": "short_text", "text": {"es": "¿?", "en": "?", "pt": "?"}}])
    own, library, foreign = (
        create_version(definition, salta),
        create_version(definition),
        create_version(definition, antioquia),
    )
    available = {v.id for v in services.available_versions(salta)}
    assert own.id in available and library.id in available and foreign.id not in available
    consultation = create_consultation(salta, groups={}, state="draft")
    with pytest.raises(ConsultationError, match="not available"):
        services.set_group(consultation, "cso", foreign, 5)
    services.set_group(consultation, "cso", library, 5)
    with pytest.raises(ConsultationError, match="stakeholder group"):
        services.set_group(consultation, "aliens", library, 5)


def test_the_instrument_is_fixed_once_open_but_targets_may_change(create_consultation, create_version, make_definition):
    consultation = create_consultation()
    group = consultation.groups[0]
    other = create_version(
        make_definition([{"key": "Q9", "type": "short_text", "text": {"es": "¿?", "en": "?", "pt": "?"}}])
    )
    with pytest.raises(ConsultationError, match="cannot change once"):
        services.set_group(consultation, group.group_code, other, 10)
    services.set_group(consultation, group.group_code, None, 99)
    assert group.target == 99
    with pytest.raises(ConsultationError, match="draft"):
        services.set_group(consultation, "cso", other, 1)


def test_locality_targets_belong_to_the_territory(create_consultation, create_territory, db):
    from consult.accounts.services import import_localities

    salta, other = create_territory("salta"), create_territory("jujuy")
    import_localities(salta, "code,name,area\n66028,Cafayate,Valles\n")
    import_localities(other, "code,name\n38021,Humahuaca\n")
    db.session.commit()
    consultation = create_consultation(salta)
    target = services.set_locality_target(consultation, "rural_community", salta.localities[0], 12)
    assert (target.locality.name, target.target) == ("Cafayate", 12)
    with pytest.raises(ConsultationError, match="locality of this territory"):
        services.set_locality_target(consultation, "rural_community", other.localities[0], 3)
    with pytest.raises(ConsultationError, match="group"):
        services.set_locality_target(consultation, "cso", salta.localities[0], 3)


# -- invitation links -----------------------------------------------------------------------------


def test_an_invitation_keeps_only_the_hash_of_its_token(create_consultation, create_invitation, db):
    consultation = create_consultation()
    invitation, token = create_invitation(consultation, max_uses=2, label="Asamblea")
    stored = db.session.get(Invitation, invitation.id)
    assert stored.token_hash == hash_token(token) and token not in repr(stored.__dict__)
    assert invitations.find_invitation(consultation, token) is stored
    assert invitations.find_invitation(consultation, token + "x") is None
    assert invitations.refusal(stored) is None


def test_invitation_limits_expiry_and_revocation_hold(create_consultation, create_invitation, db):
    consultation = create_consultation()
    limited, _ = create_invitation(consultation, max_uses=2)
    assert invitations.claim_use(limited.id) and invitations.claim_use(limited.id)
    assert not invitations.claim_use(limited.id)
    db.session.commit()
    db.session.refresh(limited)
    assert limited.use_count == 2 and limited.is_used_up and "as many times" in str(invitations.refusal(limited))

    expiring, _ = create_invitation(consultation, expires_on=date.today())
    assert invitations.claim_use(expiring.id)
    expiring.expires_on = date.today() - timedelta(days=1)
    db.session.commit()
    assert not invitations.claim_use(expiring.id)
    assert "expired" in str(invitations.refusal(expiring))

    revoked, _ = create_invitation(consultation)
    invitations.revoke(revoked)
    assert not invitations.claim_use(revoked.id)
    assert "withdrawn" in str(invitations.refusal(revoked))
    with pytest.raises(ConsultationError):
        invitations.reissue(revoked)


def test_reissuing_gives_a_new_address_and_kills_the_old_one(create_consultation, create_invitation, db):
    consultation = create_consultation()
    invitation, old = create_invitation(consultation, max_uses=10)
    invitations.claim_use(invitation.id)
    new = invitations.reissue(invitation)
    db.session.commit()
    db.session.refresh(invitation)
    assert new != old
    assert invitations.find_invitation(consultation, old) is None
    assert invitations.find_invitation(consultation, new) is invitation
    assert invitation.use_count == 1


def test_invitations_are_for_the_consultations_groups(create_consultation, create_invitation):
    consultation = create_consultation()
    with pytest.raises(ConsultationError, match="groups of this consultation"):
        invitations.create_invitation(consultation, "company_large")
    with pytest.raises(ConsultationError, match="passed"):
        invitations.create_invitation(consultation, "rural_community", expires_on=date.today() - timedelta(days=1))


def test_the_qr_code_is_inline_svg_without_style_or_script(app):
    with app.test_request_context():
        svg = str(invitations.qr_svg("https://consult.example/c/x/i/abc", "QR"))
    assert svg.startswith("<svg") and 'role="img"' in svg and 'aria-label="QR"' in svg
    assert "style=" not in svg and "<script" not in svg
