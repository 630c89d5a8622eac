"""Price presets: validated new versions (append-only), the active preset, and what new results use."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlmodel import select

from app.engine.rules import Knowledge
from app.store.db import Database
from app.store.models import AuditEvent, PricePreset
from app.store.settings import current_preset

from ...conftest import csrf_of

KEY = "gpt-4.1-mini"
FIELD_RE = re.compile(r'name="((?:v_[a-z_0-9]+)|name|note|as_of|version)" value="([^"]*)"')


def edit_form(client: TestClient, key: str = KEY) -> dict[str, str]:
    page = client.get(f"/admin/prices/{key}").text
    fields = dict(FIELD_RE.findall(page))
    fields["provider"] = "openai"
    fields["csrf_token"] = csrf_of(page)
    return fields


def test_the_list_shows_every_toml_preset_and_the_active_one(signed_in: TestClient, knowledge: Knowledge) -> None:
    page = signed_in.get("/admin/prices").text
    for preset in knowledge.presets.values():
        assert preset.name in page
    assert "<strong>Active</strong>" in page


def test_saving_adds_a_dated_version_used_by_new_results(signed_in: TestClient, db: Database,
                                                         knowledge: Knowledge) -> None:
    form = edit_form(signed_in) | {"v_p_in": "0.55", "as_of": "2026-11-20", "name": "gpt-4.1-mini class (November)"}
    response = signed_in.post(f"/admin/prices/{KEY}", data=form, follow_redirects=False)
    assert response.status_code == 303
    with db.read() as session:
        preset, snapshot = current_preset(session, knowledge)
        rows = session.exec(select(PricePreset)).all()
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "prices.version_added")).one()
    assert preset.values["p_in"] == 0.55 and snapshot["version"] == 1 and snapshot["as_of"] == "2026-11-20"
    assert len(rows) == 1 and event.before["values"]["p_in"] == 0.4 and event.after["values"]["p_in"] == 0.55
    second = edit_form(signed_in) | {"v_p_in": "0.6"}
    assert signed_in.post(f"/admin/prices/{KEY}", data=second, follow_redirects=False).status_code == 303
    with db.read() as session:
        assert [r.params["p_in"]
                for r in session.exec(select(PricePreset).order_by(PricePreset.version))] == [0.55, 0.6]


def test_every_field_is_validated_with_per_field_errors(signed_in: TestClient, db: Database) -> None:
    form = edit_form(signed_in) | {"v_p_in": "-1", "v_p_out": "nan", "v_cache_hit": "1.5", "v_amortisation_months": "0",
                                   "v_materiality": "inf", "v_epochs": "lots", "as_of": "yesterday", "name": "",
                                   "provider": "acme"}
    response = signed_in.post(f"/admin/prices/{KEY}", data=form, follow_redirects=False)
    assert response.status_code == 422 and "<title>Error: " in response.text
    for field in ("v_p_in", "v_p_out", "v_cache_hit", "v_amortisation_months", "v_materiality", "v_epochs",
                  "as_of", "name", "provider"):
        assert f'id="q-{field}-error"' in response.text, field
    assert 'value="-1"' in response.text  # the submission is shown again
    with db.read() as session:
        assert session.exec(select(PricePreset)).all() == []


def test_a_stale_edit_gets_409(signed_in: TestClient) -> None:
    form = edit_form(signed_in)
    assert signed_in.post(f"/admin/prices/{KEY}", data=form, follow_redirects=False).status_code == 303
    assert signed_in.post(f"/admin/prices/{KEY}", data=form, follow_redirects=False).status_code == 409


def test_unknown_preset_is_404(signed_in: TestClient) -> None:
    assert signed_in.get("/admin/prices/nope").status_code == 404


def test_choosing_the_active_preset(signed_in: TestClient, db: Database, knowledge: Knowledge) -> None:
    token = csrf_of(signed_in.get("/admin/prices").text)
    data = {"csrf_token": token, "key": "vertex-gemini-2.0-flash", "pointer_version": "0"}
    assert signed_in.post("/admin/prices/activate", data=data, follow_redirects=False).status_code == 303
    with db.read() as session:
        preset, snapshot = current_preset(session, knowledge)
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "prices.activated")).one()
    assert preset.id == "vertex-gemini-2.0-flash" and snapshot["provider"] == "google-vertex"
    assert event.before == {"active": "gpt-4.1-mini"} and event.after == {"active": "vertex-gemini-2.0-flash"}
    assert signed_in.post("/admin/prices/activate", data=data, follow_redirects=False).status_code == 409
    bad = {"csrf_token": token, "key": "nope", "pointer_version": "1"}
    assert signed_in.post("/admin/prices/activate", data=bad, follow_redirects=False).status_code == 422
