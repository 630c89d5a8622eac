"""Admin single sign-on over HTTP against a real OpenID provider (oidc-provider from npm, started once here):
the flow, the allow-list, state, nonce and code replay, the refusal pages and the audit log. The browser version
is tests/e2e/test_oidc_browser.py."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from app.store import admins as admin_repo
from app.store.db import Database
from app.web import oidc_cookie
from app.web.oidc import OidcClient, OidcRefusal

from ...e2e.oidc.server import (
    ALLOWED_EMAIL,
    GROUP_MEMBER,
    OUTSIDER,
    UNVERIFIED,
    Provider,
    sign_in_at_provider,
)
from ...live import free_port

ORIGIN = "http://testserver"
CALLBACK = ORIGIN + "/admin/oidc/callback"


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    server = Provider(CALLBACK, log=tmp_path_factory.mktemp("oidc") / "provider.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def settings(database_url: str, provider: Provider) -> Settings:
    return Settings(database_url=database_url, strict_templates=True, access_log=False,
                    rate_limit_per_minute=10_000, **provider.settings(ORIGIN))


def start(client: TestClient) -> str:
    """Press "Sign in with single sign-on"; the provider's authorization URL."""
    page = client.get("/admin/login")
    assert "Sign in with single sign-on" in page.text
    answer = client.get("/admin/oidc/start", params={"next": "/admin/audit"}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


def provider_callback(client: TestClient, login: str) -> str:
    """Start, sign in at the provider as `login`; the callback URL it sends the browser to."""
    return sign_in_at_provider(start(client), login, CALLBACK)


def replace_cookie(client: TestClient, value: str) -> None:
    """Put `value` in the browser's pending sign-in cookie (same domain and path, so it is the only one sent)."""
    domain = next((c.domain for c in client.cookies.jar if c.name == "oidc"), "testserver.local")
    client.cookies.delete("oidc")
    client.cookies.set("oidc", value, domain=domain, path="/")


def audit_actions(db: Database) -> list[tuple[str, str, Any]]:
    with db.read() as session:
        events, _ = admin_repo.audit_page(session, where=admin_repo.AuditFilter(), page=1)
    return [(e.actor, e.action, e.after) for e in events]


def test_start_sends_pkce_s256_state_and_nonce_and_a_signed_lax_cookie(client: TestClient,
                                                                       provider: Provider) -> None:
    assert 'href="/admin/oidc/start?next=/admin"' in client.get("/admin/login").text
    answer = client.get("/admin/oidc/start", params={"next": "https://evil.example/"}, follow_redirects=False)
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert answer.headers["location"].startswith(provider.issuer + "/auth?")
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["redirect_uri"] == [CALLBACK] and query["response_type"] == ["code"]
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("oidc=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    pending = oidc_cookie.unseal(client.cookies["oidc"], "dev-insecure-secret-change-me", now=0)
    assert pending is not None and query["state"] == [pending.state] and query["nonce"] == [pending.nonce]
    assert pending.verifier not in answer.headers["location"]  # only its S256 challenge travels
    assert pending.next == "/admin"  # never an open redirect


def test_allowed_email_signs_in_once_with_an_account_made_and_audited(client: TestClient, db: Database) -> None:
    done = client.get(provider_callback(client, "ada"))
    assert done.status_code == 200 and 'http-equiv="refresh" content="0; url=/admin/audit"' in done.text
    assert "oidc=;" in done.headers["set-cookie"]  # the pending sign-in is used up
    audit = client.get("/admin/audit", follow_redirects=False)
    assert audit.status_code == 200 and f"Signed in as {ALLOWED_EMAIL}" in audit.text
    assert ("single sign-on", "admin.created") in [(a, b) for a, b, _ in audit_actions(db)]
    actor, action, after = audit_actions(db)[0]
    assert (actor, action, after["how"], after["matched"]) == (ALLOWED_EMAIL, "login.sso",
                                                               "Signed in with single sign-on", "email")


def test_group_member_signs_in(client: TestClient, db: Database) -> None:
    assert client.get(provider_callback(client, GROUP_MEMBER)).status_code == 200
    assert client.get("/admin", follow_redirects=False).status_code == 200
    assert audit_actions(db)[0][2]["matched"] == "group"


@pytest.mark.parametrize(("login", "reason"), [
    (OUTSIDER, "mallory@example.test signed in at the provider but is not allowed to administer Tunewise"),
    (UNVERIFIED, "is not verified"),
])
def test_people_outside_the_allow_list_are_refused_with_a_page(client: TestClient, db: Database, login: str,
                                                               reason: str) -> None:
    refused = client.get(provider_callback(client, login))
    assert refused.status_code == 403 and reason in refused.text and 'href="/admin/login"' in refused.text
    assert "Traceback" not in refused.text
    assert client.get("/admin", follow_redirects=False).status_code == 303
    assert audit_actions(db)[0][1] == "login.sso.refused"


def test_tampered_state_is_refused_and_ends_the_pending_sign_in(client: TestClient) -> None:
    callback = provider_callback(client, "ada")
    state = parse_qs(urlsplit(callback).query)["state"][0]
    tampered = client.get(callback.replace(state, "x" + state[1:]))
    assert tampered.status_code == 400 and "the state does not match" in tampered.text
    again = client.get(callback)  # the real answer, after the tampered one: the pending sign-in is gone
    assert again.status_code == 400 and "No single sign-on is in progress" in again.text
    assert client.get("/admin", follow_redirects=False).status_code == 303


def test_an_answer_naming_another_issuer_is_refused(client: TestClient, provider: Provider) -> None:
    callback = provider_callback(client, "ada")
    assert callback.endswith("&iss=" + quote(provider.issuer, safe=""))  # RFC 9207: the provider names itself
    refused = client.get(callback.split("&iss=")[0] + "&iss=" + quote("https://mix-up.example", safe=""))
    assert refused.status_code == 400 and "another provider" in refused.text


def test_replayed_code_is_refused_by_the_provider(client: TestClient) -> None:
    callback = provider_callback(client, "ada")
    pending_cookie = client.cookies["oidc"]
    assert client.get(callback).status_code == 200
    assert client.get(callback).status_code == 400  # this browser's pending sign-in is used up
    replace_cookie(client, pending_cookie)  # an attacker who kept the cookie too: the code is spent
    replayed = client.get(callback)
    assert replayed.status_code == 400 and "did not accept this sign-in code" in replayed.text


def test_a_different_nonce_fails_the_id_token_check(client: TestClient, settings: Settings) -> None:
    callback = provider_callback(client, "ada")
    pending = oidc_cookie.unseal(client.cookies["oidc"], settings.secret_key, now=0)
    assert pending is not None
    replace_cookie(client, oidc_cookie.seal(dataclasses.replace(pending, nonce="n" * 43), settings.secret_key))
    refused = client.get(callback)
    assert refused.status_code == 400 and "did not verify" in refused.text and "nonce" in refused.text


def test_a_wrong_pkce_verifier_is_refused(client: TestClient, settings: Settings) -> None:
    callback = provider_callback(client, "ada")
    pending = oidc_cookie.unseal(client.cookies["oidc"], settings.secret_key, now=0)
    assert pending is not None
    replace_cookie(client, oidc_cookie.seal(dataclasses.replace(pending, verifier="v" * 64), settings.secret_key))
    assert client.get(callback).status_code == 400


def test_a_forged_cookie_is_no_sign_in(client: TestClient) -> None:
    callback = provider_callback(client, "ada")
    body, _, mac = client.cookies["oidc"].partition(".")
    replace_cookie(client, f"{body}.{'0' * len(mac)}")
    refused = client.get(callback)
    assert refused.status_code == 400 and "No single sign-on is in progress" in refused.text


def test_a_provider_error_is_shown_in_words(client: TestClient) -> None:
    authorization = start(client)
    state = parse_qs(urlsplit(authorization).query)["state"][0]
    refused = client.get("/admin/oidc/callback", params={"state": state, "error": "access_denied",
                                                         "error_description": "End-User aborted interaction"})
    assert refused.status_code == 403 and "The provider ended the sign-in: End-User aborted interaction" in refused.text


def test_claims_only_in_the_user_info_are_read_from_there(database_url: str, tmp_path: Path) -> None:
    strict = Provider(CALLBACK, log=tmp_path / "strict.log", claims_in_id_token=False)
    strict.start()
    try:
        app = create_app(Settings(database_url=database_url, strict_templates=True, access_log=False,
                                  **strict.settings(ORIGIN)))
        with TestClient(app, base_url=ORIGIN) as client:
            done = client.get(sign_in_at_provider(start(client), GROUP_MEMBER, CALLBACK))
            assert done.status_code == 200, done.text
            assert client.get("/admin", follow_redirects=False).status_code == 200
        app.state.db.dispose()
    finally:
        strict.stop()


def test_an_unreachable_provider_gets_a_clear_page(database_url: str, provider: Provider) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    app = create_app(Settings(database_url=database_url, strict_templates=True, access_log=False,
                              **{**provider.settings(ORIGIN), "oidc_issuer": dead}))
    with TestClient(app, base_url=ORIGIN) as client:
        down = client.get("/admin/oidc/start")
    app.state.db.dispose()
    assert down.status_code == 502 and f"provider ({dead}) did not answer" in down.text


def test_password_sign_in_switched_off(database_url: str, provider: Provider, tmp_path: Path) -> None:
    app = create_app(Settings(database_url=database_url, strict_templates=True, access_log=False,
                              password_login=False, **provider.settings(ORIGIN)))
    with TestClient(app, base_url=ORIGIN) as client:
        page = client.get("/admin/login")
        assert 'type="password"' not in page.text and "Sign in with single sign-on" in page.text
        token = client.cookies["csrftoken"]  # the page has no form to carry it: a hand-made POST
        posted = client.post("/admin/login", data={"csrf_token": token, "email": ALLOWED_EMAIL,
                                                   "password": "whatever it is"}, follow_redirects=False)
    app.state.db.dispose()
    assert posted.status_code == 403 and "Password sign-in is switched off" in posted.text


def test_the_id_token_is_checked_for_signature_audience_and_issuer(settings: Settings) -> None:
    client = OidcClient(settings)
    url, pending = client.begin("/admin", now=time.time())
    code = parse_qs(urlsplit(sign_in_at_provider(url, "ada", CALLBACK)).query)["code"][0]
    token = client.exchange(code, pending)
    assert client.claims(token, pending)["email"] == ALLOWED_EMAIL
    head, body, signature = token["id_token"].split(".")
    forged = {**token, "id_token": f"{head}.{body}.{signature[:-4]}AAAA"}
    for wrong, expected in ((client, "BadSignatureError"),
                            (borrowing(client, settings, oidc_client_id="another-client"), "aud"),
                            (borrowing(client, settings, oidc_issuer="https://elsewhere.example"), "iss")):
        with pytest.raises(OidcRefusal) as refused:
            wrong.claims(forged if wrong is client else token, pending)
        assert refused.value.status == 400 and expected in refused.value.reason


def borrowing(client: OidcClient, settings: Settings, **change: str) -> OidcClient:
    """A client configured differently that uses the real provider's metadata and keys (already fetched)."""
    other = OidcClient(settings.model_copy(update=change))
    other._metadata, other._keys, other._fetched = client.metadata(), client._keys, time.monotonic()
    return other
