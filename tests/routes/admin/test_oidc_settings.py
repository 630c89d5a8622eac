"""Single sign-on configuration: inconsistent settings fail at start-up with every problem named; without it the
routes are 404 and the login page shows the password form alone. The allow-list decision on claims."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app.settings import SECRET_SETTINGS, Settings
from app.web.oidc import OidcRefusal, admit

COMPLETE = {"oidc_issuer": "https://id.example.org", "oidc_client_id": "tunewise", "oidc_client_secret": "s3cret",
            "oidc_admin_emails": "Ada@Example.org, bob@example.org", "public_origin": "https://tw.example.org"}


def problems(**values: object) -> str:
    with pytest.raises(ValidationError) as raised:
        Settings(**values)  # type: ignore[arg-type]
    return str(raised.value)


def test_a_complete_configuration_is_accepted() -> None:
    settings = Settings(**COMPLETE)  # type: ignore[arg-type]
    assert settings.oidc_admin_email_set == {"ada@example.org", "bob@example.org"}
    assert "oidc_client_secret" in SECRET_SETTINGS  # TUNEWISE_OIDC_CLIENT_SECRET_FILE works


def test_an_issuer_alone_lists_every_missing_setting() -> None:
    text = problems(oidc_issuer="https://id.example.org")
    for expected in ("TUNEWISE_OIDC_CLIENT_ID must be set", "TUNEWISE_OIDC_CLIENT_SECRET (or _FILE) must be set",
                     "Set TUNEWISE_OIDC_ADMIN_EMAILS or TUNEWISE_OIDC_ADMIN_GROUP",
                     "TUNEWISE_PUBLIC_ORIGIN must be set for single sign-on"):
        assert expected in text


def test_client_settings_without_an_issuer_are_an_error() -> None:
    assert ("TUNEWISE_OIDC_CLIENT_ID, TUNEWISE_OIDC_CLIENT_SECRET set but TUNEWISE_OIDC_ISSUER is not"
            in problems(oidc_client_id="x", oidc_client_secret="y"))


@pytest.mark.parametrize(("change", "expected"), [
    ({"oidc_issuer": "http://id.example.org"}, "must be an https:// URL"),
    ({"oidc_scopes": "email profile"}, "must include openid"),
])
def test_unsafe_or_useless_provider_settings_are_refused(change: dict[str, str], expected: str) -> None:
    assert expected in problems(**{**COMPLETE, **change})


def test_password_sign_in_cannot_be_switched_off_without_single_sign_on() -> None:
    assert "TUNEWISE_PASSWORD_LOGIN=0 needs single sign-on" in problems(password_login=False)


def test_without_single_sign_on_the_routes_are_absent_and_the_form_is_plain(client: TestClient) -> None:
    page = client.get("/admin/login").text
    assert "single sign-on" not in page and 'type="password"' in page
    assert client.get("/admin/oidc/callback?code=x&state=y").status_code == 404


@pytest.mark.parametrize(("claims", "matched"), [
    ({"email": "ADA@example.org", "email_verified": True}, "email"),
    ({"email": "bob@example.org"}, "email"),  # a provider that does not send email_verified at all
    ({"email": "cy@example.org", "email_verified": True, "roles": ["tw-admins"]}, "group"),
    ({"email": "cy@example.org", "roles": "tw-admins"}, "group"),  # a single group as a string
])
def test_admit_by_verified_email_or_group(claims: dict[str, object], matched: str) -> None:
    settings = Settings(**{**COMPLETE, "oidc_admin_group": "tw-admins", "oidc_group_claim": "roles"})  # type: ignore[arg-type]
    assert admit(claims, settings).matched == matched


@pytest.mark.parametrize(("claims", "reason"), [
    ({"email": "eve@example.org", "email_verified": True, "roles": ["staff"]}, "not allowed to administer"),
    ({"email": "ada@example.org", "email_verified": False}, "is not verified"),
    ({"email": "ada@example.org", "email_verified": "false"}, "is not verified"),
    ({"sub": "123"}, "did not send an email address"),
])
def test_refuse_everyone_else(claims: dict[str, object], reason: str) -> None:
    settings = Settings(**{**COMPLETE, "oidc_admin_group": "tw-admins", "oidc_group_claim": "roles"})  # type: ignore[arg-type]
    with pytest.raises(OidcRefusal) as refused:
        admit(claims, settings)
    assert refused.value.status == 403 and reason in refused.value.reason
