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


def test_versions_page_and_compare_show_the_changed_words(client, hand_plan, db):
    plan, official = hand_plan
    base = f"/t/{plan.territory.slug}/plans/{plan.id}"
    client.login(official.email)
    client.submit(f"{base}/sections/mandate", {"title": "Mandate", "body": "El mandato viene de la ordenanza 12."})
    client.submit(f"{base}/sections/mandate", {"title": "Mandate", "body": "El mandato viene del decreto 40."})
    listing = client.get(f"{base}/versions?lang=en").get_data(as_text=True)
    for number in ("1", "2", "3"):
        assert f"<td>{number}</td>" in listing
    assert official.name in listing and "generated" in listing
    page = client.get(f"{base}/compare?a=2&b=3&lang=en").get_data(as_text=True)
    assert "<del>de la ordenanza 12.</del>" in page and "<ins>del decreto 40.</ins>" in page
    # Only what changed by default: the untouched sections are not listed; everything on demand.
    assert "Texto de governance." not in page
    assert "Texto de governance." in client.get(f"{base}/compare?a=2&b=3&lang=en&all=1").get_data(as_text=True)
    # Unknown or fuzzed version numbers are a 404, not a 500.
    for query in ("a=1&b=99", "a=x&b=2", "a=-1&b=2", "a=99999999999999999999&b=1", "a=%C2%B2&b=1"):
        assert client.get(f"{base}/compare?{query}").status_code == 404, query


def test_compare_marks_an_added_action(client, hand_plan, db):
    plan, official = hand_plan
    base = f"/t/{plan.territory.slug}/plans/{plan.id}"
    client.login(official.email)
    client.submit(f"{base}/actions/new", {"source": "blank", "pillar": "respect", "title": "Diálogo sectorial"})
    page = client.get(f"{base}/compare?a=1&b=2&lang=en").get_data(as_text=True)
    assert "Diálogo sectorial" in page and "Only in version 2." in page
