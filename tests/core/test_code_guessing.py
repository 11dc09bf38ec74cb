"""Guessing codes people hold is throttled per address (docs/security.md, "a seized phone" and "a campaign").

A receipt code, a resume code and a testimony's receipt code each open
something of one person's; look-ups with wrong codes are limited per client
address, and the refusal is the translated "too many attempts" page.
"""

from __future__ import annotations

import pytest


def _guesses(client, url: str, field: str, count: int) -> list[int]:
    token = client.csrf_token(url)
    return [
        client.post(url, data={"csrf_token": token, field: f"0000-1111-2222-{n:04d}"}).status_code for n in range(count)
    ]


@pytest.mark.parametrize(("path", "allowed"), [("receipt", 10), ("resume", 10)])
def test_wrong_receipt_and_resume_codes_are_throttled(client, routed_consultation, path, allowed):
    slug = routed_consultation.slug
    form = f"/c/{slug}/receipt?lang=en" if path == "receipt" else f"/c/{slug}/?lang=en"
    token = client.csrf_token(form)
    statuses = [
        client.post(f"/c/{slug}/{path}?lang=en", data={"csrf_token": token, "code": f"0000-1111-2222-{n:04d}"})
        for n in range(allowed + 1)
    ]
    assert all(response.status_code < 429 for response in statuses[:allowed])
    assert statuses[allowed].status_code == 429
    assert "Too many attempts" in statuses[allowed].get_data(as_text=True)


def test_wrong_testimony_receipt_codes_are_throttled(client):
    statuses = _guesses(client, "/testimony/follow-up?lang=en", "code", 21)
    assert all(status < 429 for status in statuses[:20]) and statuses[20] == 429
