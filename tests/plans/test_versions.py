def test_hand_plan(hand_plan, db):
    from consult.plans import versions
    plan, official = hand_plan
    assert plan.version == 1
    plan.sections[0].body = {"es": "Otro texto de mandato."}
    versions.save(plan, official, "edit")
    db.session.commit()
    a, b = versions.get_version(plan, 1), versions.get_version(plan, 2)
    changes = versions.compare(a.snapshot, b.snapshot, "es", "es")
    changed = [c for c in changes if c.changed]
    assert [c.key for c in changed] == ["mandate"]
    body = [f for f in changed[0].fields if f.name == "body"][0]
    assert ("added", "Otro texto de mandato.") in body.word_diff() or any(t == "added" for t, _ in body.word_diff())
