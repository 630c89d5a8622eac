"""Issue 15, items 7 and 13: production mode needs HTTPS (unless told, by name, that browsers use plain HTTP),
a real secret and a way to tell its own host; the server says which mode it runs in when it starts."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app.main import create_app
from app.settings import Settings

SECRET = "s" * 40


def test_production_without_https_is_refused() -> None:
    with pytest.raises(ValidationError, match="TUNEWISE_HTTPS=1 is required"):
        Settings(production=True, secret_key=SECRET, public_origin="https://tunewise.example.org")
    with pytest.raises(ValidationError, match="TUNEWISE_SECRET_KEY"):
        Settings(production=True, https=True, public_origin="https://tunewise.example.org")
    with pytest.raises(ValidationError, match="TUNEWISE_PUBLIC_ORIGIN"):
        Settings(production=True, secret_key=SECRET, https=True)
    assert Settings(production=True, secret_key=SECRET, https=True, public_origin="https://tunewise.example.org")
    assert Settings(production=True, secret_key=SECRET, allow_plain_http=True, allowed_hosts="intranet.example")


def test_a_public_origin_is_an_origin() -> None:
    for bad in ("tunewise.example.org", "https://tunewise.example.org/app", "ftp://x.example"):
        with pytest.raises(ValidationError, match="TUNEWISE_PUBLIC_ORIGIN"):
            Settings(public_origin=bad)


def test_the_mode_is_said_at_start_up(settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    plain = settings.model_copy(update={"production": True, "secret_key": SECRET, "allow_plain_http": True})
    with caplog.at_level(logging.INFO, logger="tunewise"):
        app = create_app(plain)
        with TestClient(app):
            pass
        app.state.db.dispose()
    said = "\n".join(r.getMessage() for r in caplog.records if r.name == "tunewise")
    assert "production mode, over plain HTTP: cookies without Secure, no HSTS (TUNEWISE_ALLOW_PLAIN_HTTP=1)" in said
    assert "Host must be one of testserver" in said and "X-Forwarded-For ignored" in said
    secure = Settings(production=True, secret_key=SECRET, https=True, public_origin="https://t.example.org")
    assert secure.startup_lines()[0] == ("Tunewise production mode, over HTTPS: Secure cookies with the __Host- "
                                         "prefix, HSTS")


def test_over_https_every_response_has_hsts_and_secure_cookies(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"https": True}))
    with TestClient(app, base_url="https://testserver") as client:
        response = client.get("/")
    app.state.db.dispose()
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")
    assert "; Secure" in response.headers["set-cookie"]
