"""Issue 14, item 3: X-Request-ID honoured when well-formed and returned on every response; the access record
carries the request id, route template, status and duration; TUNEWISE_LOG_FORMAT=json prints one object a line."""

from __future__ import annotations

import json
import logging
import re

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from app.web.logs import REQUEST_ID, JsonFormatter, RequestIdFilter

from ..helpers import start

NEW_ID = re.compile(r"[0-9a-f]{16}")


@pytest.mark.parametrize("sent", ["abc-123", "trace.ID_7", "x" * 128, "0"])
def test_a_well_formed_request_id_is_returned(client: TestClient, sent: str) -> None:
    assert client.get("/", headers={"X-Request-ID": sent}).headers["x-request-id"] == sent


@pytest.mark.parametrize("sent", ["", "x" * 129, "has space", "<script>", "a/b", "a:b", "id;drop"])
def test_a_malformed_request_id_is_replaced(client: TestClient, sent: str) -> None:
    answered = client.get("/", headers={"X-Request-ID": sent}).headers["x-request-id"]
    assert NEW_ID.fullmatch(answered)


def test_every_response_has_one_even_refusals(client: TestClient) -> None:
    responses = [client.get("/"), client.get("/no/such/page"), client.get("/healthz"),
                 client.get("/", headers={"Host": "evil.example"}),  # refused by the Guard: 400
                 client.post("/assessments", content=b"x" * 100_000, headers={"Content-Type": "text/plain"})]
    assert [r.status_code for r in responses] == [200, 404, 200, 400, 413]
    ids = [r.headers["x-request-id"] for r in responses]
    assert all(NEW_ID.fullmatch(i) for i in ids) and len(set(ids)) == len(ids)


def test_the_access_record_has_the_fields_of_a_json_line(settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(settings.model_copy(update={"access_log": True}))
    with TestClient(app) as client, caplog.at_level("INFO", logger="tunewise.access"):
        edit = start(client)
        client.get(f"/a/{edit}/problem", headers={"X-Request-ID": "trace-42"})
    app.state.db.dispose()
    record = next(r for r in caplog.records if getattr(r, "request_id", None) == "trace-42")
    line = json.loads(JsonFormatter().format(record))
    assert line["time"].endswith("+00:00") and line["level"] == "info" and line["logger"] == "tunewise.access"
    assert (line["method"], line["route"], line["status"]) == ("GET", "/a/{token}/{slug}", 200)
    assert line["path"] == f"/a/{edit[:4]}…/problem" and edit not in json.dumps(line)
    assert isinstance(line["duration_ms"], float) and 0 < line["duration_ms"] < 10_000


def test_records_logged_during_a_request_carry_its_id() -> None:
    record = logging.LogRecord("tunewise.errors", logging.WARNING, __file__, 1, "database %s", ("busy",), None)
    token = REQUEST_ID.set("req-9")
    try:
        assert RequestIdFilter().filter(record)
    finally:
        REQUEST_ID.reset(token)
    line = json.loads(JsonFormatter().format(record))
    assert line == {"time": line["time"], "level": "warning", "logger": "tunewise.errors", "message": "database busy",
                    "request_id": "req-9"}
