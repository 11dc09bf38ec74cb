"""Every answering page of the community survey, with its stylesheet, weighs less than 50 KB.

Run with ``-s`` to see the table of weights (bytes of HTML, uncompressed, plus the stylesheet).
"""

from __future__ import annotations

import re

LIMIT = 50 * 1024

# Answers that put every conditional page of the community survey on the path.
FULL_PATH = {
    "p_place": {"q-A1-locality": "66028"},
    "p_business": {"q-B1": ["mining", "agro_industry"]},
    "p_rights": {"q-C1": ["working_conditions", "water_sanitation", "land_housing"]},
    "p_main_harm": {"q-C2": "water_sanitation"},
    "p_severity": {"q-C3-scale": "4", "q-C3-scope": "3", "q-C3-irremediability": "4", "q-C3-likelihood": "5"},
    "p_forced_labour": {"q-C4": ["deception"]},
    "p_who_harmed": {"q-C5": ["women", "children"]},
    "p_consulted": {"q-D1": "no"},
    "p_defenders": {"q-D2": "yes"},
    "p_defenders_safe": {"q-D4": ["threats"]},
}


def test_every_answering_page_weighs_less_than_50_kb(client, community_consultation, capsys):
    slug = community_consultation.slug
    stylesheet = client.get("/static/consult.css")
    css = len(stylesheet.get_data())
    stylesheet.close()
    weights: list[tuple[str, int]] = []

    def weigh(name: str, response) -> str:
        assert response.status_code == 200, name
        body = response.get_data()
        weights.append((name, len(body)))
        return body.decode()

    weigh("landing", client.get(f"/c/{slug}/"))
    client.submit(f"/c/{slug}/start", form_url=f"/c/{slug}/")
    weigh("group", client.get(f"/c/{slug}/group"))
    location = client.submit(f"/c/{slug}/group", {"group_code": "rural_community"}).headers["Location"]
    visited = []
    while "/p/" in location:
        key = location.rsplit("/", 1)[1]
        weigh(key, client.get(location))
        response = client.submit(location, {**FULL_PATH.get(key, {}), "action": "next"})
        location = response.headers["Location"]
        visited.append(key)
    # Every conditional page was reached (so every page of the survey was weighed), then the review.
    assert set(FULL_PATH) <= set(visited) and location.endswith("/review")
    review = weigh("review", client.get(location))
    token = re.search(r'name="submission_token" value="([^"]+)"', review).group(1)
    client.submit(f"/c/{slug}/send", {"submission_token": token}, form_url=location)
    sent = weigh("sent", client.get(f"/c/{slug}/sent"))
    code = re.sub(r"<[^>]+>", "", re.search(r'class="code receipt">(.*?)</p>', sent).group(1))
    weigh("receipt", client.submit(f"/c/{slug}/receipt", {"code": code}))
    with capsys.disabled():
        print(f"\n{'page':<20}{'HTML bytes':>12}{'with CSS':>12}")
        for name, size in weights:
            print(f"{name:<20}{size:>12}{size + css:>12}")
        print(f"{'stylesheet':<20}{css:>12}")
    too_heavy = [(name, size + css) for name, size in weights if size + css >= LIMIT]
    assert not too_heavy, too_heavy
