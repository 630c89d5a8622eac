"""Issue 12 item 7: the report names the provider its cost assumes. Stored results (the default preset: OpenAI, which
takes no new tuning customers) served by the real application: the page's answer block and cost section, the JSON
export (against app/data/result.schema.json) and the next steps say where the tuned approaches are costed and
trained, and none of them rests on OpenAI."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from fastapi.testclient import TestClient

from app.engine.rules import Knowledge
from app.settings import ROOT
from app.store.db import Database
from app.store.results import add_share_link

from .routes.admin.conftest import login, make_admin
from .routes.admin.test_prices import edit_form
from .stored import scenarios, seed_results
from .views.test_exports import validate

FIREWORKS = "Fireworks AI (Llama 3.1 70B Instruct, serverless LoRA, prices of 2026-12-05)"
SCHEMA = json.loads((ROOT / "app" / "data" / "result.schema.json").read_text(encoding="utf-8"))


def served(client: TestClient, db: Database, knowledge: Knowledge, name: str) -> tuple[str, str, dict[str, Any]]:
    """One stored fixture result: its page's HTML, the page as text, and its JSON document."""
    ids = dict(zip((c["id"] for c in scenarios()), seed_results(db, knowledge)))
    with db.write() as session:
        token = add_share_link(session, result_id=ids[name], days=None)
    page, doc = client.get(f"/r/{token}"), client.get(f"/r/{token}.json")
    assert page.status_code == doc.status_code == 200
    return page.text, " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.text)).split()), doc.json()


def test_a_hosted_lora_names_its_provider_everywhere(client: TestClient, db: Database, knowledge: Knowledge) -> None:
    """S01 (LoRA, 60,000 calls a month): hosted on Fireworks AI, said in the answer block, the cost section, the
    assumptions, the break-even sentences, the caveats, the next steps and the JSON."""
    page, text, doc = served(client, db, knowledge, "S01")
    tuned = doc["result"]["cost"]["tuned"]
    assert doc["result"]["primary"] == "LORA" and tuned["approaches"]["LORA"] == {
        "mode": "hosted", "provider": "fireworks", "provider_name": "Fireworks AI", "text": f"hosted on {FIREWORKS}"}
    assert tuned["provider_closed"] is True and tuned["host"]["prices"]["p_train"] == 3.00
    assert validate(doc, SCHEMA, SCHEMA) == []
    headline = re.search(r'<p class="small answer-cost-host">(.*?)</p>', page, re.DOTALL)
    assert headline and f"LoRA / PEFT fine-tuning is costed hosted on {FIREWORKS}." in html.unescape(headline.group(1))
    cost = text[text.index("Recurring cost"):]
    assert f"LoRA / PEFT fine-tuning is costed hosted on {FIREWORKS}." in cost
    assert "Fine-tuned model input / output (Fireworks AI) $0.90 per 1M tokens / $0.90 per 1M tokens" in cost
    assert "Training (Fireworks AI) $3.00 per 1M tokens" in cost
    assert "a fine-tune hosted on Fireworks AI $0.000630" in cost
    assert ("OpenAI no longer accepts new fine-tuning customers: the tuned approaches are costed on Fireworks AI"
            " (Llama 3.1 70B Instruct, serverless LoRA, prices of 2026-12-05) instead, a different model") in cost
    pilot = "Run a pilot on Fireworks AI (Llama 3.1 70B Instruct, serverless LoRA): train an adapter"
    assert any(step.startswith(pilot) for step in doc["result"]["next_steps"]) and pilot in text
    assert "$0.80 per 1M tokens / $3.20 per 1M tokens" not in cost  # OpenAI's closed tuned prices are not shown


def test_a_self_hosted_lora_says_so(client: TestClient, db: Database, knowledge: Knowledge) -> None:
    """S02 (LoRA at 40,000 calls a month, costed self-hosted): trained on the team's own or rented GPUs."""
    page, text, doc = served(client, db, knowledge, "S02")
    tuned = doc["result"]["cost"]["tuned"]
    assert doc["result"]["primary"] == "LORA" and tuned["approaches"]["LORA"]["mode"] == "self_host"
    assert "LoRA / PEFT fine-tuning is costed self-hosted on your own or rented GPUs." in text
    assert any(s.startswith("Run a pilot on your own or rented GPUs: train an adapter")
               for s in doc["result"]["next_steps"])
    assert "OpenAI" not in " ".join(doc["result"]["next_steps"])
    assert validate(doc, SCHEMA, SCHEMA) == []


def test_an_admins_version_of_the_default_still_tunes_on_the_open_provider(client: TestClient, db: Database) -> None:
    """An admin saves a new dated version of the OpenAI preset (stored without tuned_on); the new presets are listed;
    a result made afterwards is costed with the admin's prices and still tunes on Fireworks AI, never OpenAI."""
    make_admin(db)
    assert login(client).status_code == 303
    listing = client.get("/admin/prices").text
    for name in ("Llama 3.1 70B Instruct, serverless LoRA", "Llama 3.1 8B Instruct, serverless LoRA",
                 "Qwen3 8B, LoRA training and sampling"):
        assert name in listing
    form = edit_form(client) | {"v_p_in": "0.55", "as_of": "2026-12-01", "name": "gpt-4.1-mini class (December)"}
    assert client.post("/admin/prices/gpt-4.1-mini", data=form, follow_redirects=False).status_code == 303
    s01 = next(c for c in scenarios() if c["id"] == "S01")
    body = client.post("/api/assessments", json={"team": "T", "title": "S01", "answers": s01["answers"]}).json()
    cost = body["result"]["cost"]
    assert cost["preset"]["name"] == "gpt-4.1-mini class (December)"
    assert cost["assumptions"]["parameters"]["p_in"] == 0.55
    assert cost["tuned"]["approaches"]["LORA"]["provider"] == "fireworks" and cost["tuned"]["host"]["id"] == (
        "fireworks-llama-3.1-70b")
