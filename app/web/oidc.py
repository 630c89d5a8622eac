"""Single sign-on with OpenID Connect (authlib): discovery, the authorization request, the code exchange, the ID token
check and who may be an admin. Every refusal is an OidcRefusal carrying its status and its reason in words."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError  # type: ignore[import-untyped]
from authlib.common.security import generate_token  # type: ignore[import-untyped]
from authlib.integrations.requests_client import OAuth2Session  # type: ignore[import-untyped]
from authlib.oidc.core import CodeIDToken  # type: ignore[import-untyped]
from fastapi import Request
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from app.settings import Settings
from app.store.passwords import normalise_email
from app.web.oidc_cookie import TTL_SECONDS, Pending

CALLBACK = "/admin/oidc/callback"
TIMEOUT = (3.05, 10)  # connect, read (seconds): a dead provider fails the click, it never hangs a worker
METADATA_TTL = 3600.0  # discovery and keys are refetched hourly, and keys at once when an unknown kid appears
LEEWAY = 60  # seconds of clock skew tolerated on exp/iat
REQUIRED_METADATA = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")


class OidcRefusal(Exception):
    """A sign-in that cannot go on: the HTTP status and the reason, in words, for the refusal page."""

    def __init__(self, status: int, reason: str, *, who: str = "") -> None:
        super().__init__(reason)
        self.status, self.reason, self.who = status, reason, who  # who: a verified email the provider vouched for


@dataclass(frozen=True)
class Identity:
    """A person the provider vouched for and this Tunewise admits: their email and how they matched."""

    email: str
    subject: str
    matched: str  # "email" (on TUNEWISE_OIDC_ADMIN_EMAILS) or "group" (TUNEWISE_OIDC_ADMIN_GROUP)


def unreachable(settings: Settings) -> OidcRefusal:
    """502: the provider did not answer (or answered nonsense)."""
    return OidcRefusal(502, f"The single sign-on provider ({settings.oidc_issuer}) did not answer properly. "
                            "Try again in a minute; if it keeps happening, tell whoever runs the provider.")


class OidcClient:
    """One provider's client: metadata and keys fetched on first use and cached for an hour (immutable
    per fetch, so several workers may each hold their own copy without disagreeing on anything that matters)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.redirect_uri = settings.origin + CALLBACK
        self._lock = threading.Lock()
        self._metadata: dict[str, Any] = {}
        self._keys: dict[str, Any] = {}
        self._fetched = 0.0

    def _get_json(self, url: str) -> dict[str, Any]:
        """GET a JSON object from the provider, or 502."""
        try:
            response = requests.get(url, timeout=TIMEOUT, allow_redirects=False)
            response.raise_for_status()
            body = response.json()
        except (requests.RequestException, ValueError):
            raise unreachable(self.settings) from None
        if not isinstance(body, dict):
            raise unreachable(self.settings)
        return body

    def metadata(self) -> dict[str, Any]:
        """The provider's discovery document, checked to name our issuer exactly."""
        with self._lock:
            if not self._metadata or time.monotonic() - self._fetched > METADATA_TTL:
                found = self._get_json(self.settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration")
                if any(not isinstance(found.get(k), str) for k in REQUIRED_METADATA):
                    raise unreachable(self.settings)
                if found["issuer"] != self.settings.oidc_issuer:
                    raise OidcRefusal(502, f"The provider calls itself {found['issuer']!r}, not "
                                           f"{self.settings.oidc_issuer!r}: check TUNEWISE_OIDC_ISSUER.")
                self._metadata, self._keys, self._fetched = found, {}, time.monotonic()
            return self._metadata

    def key_set(self, *, fresh: bool = False) -> KeySet:
        """The provider's signing keys (JWKS)."""
        metadata = self.metadata()
        with self._lock:
            if fresh or not self._keys:
                self._keys = self._get_json(metadata["jwks_uri"])
            keys = self._keys
        try:
            return KeySet.import_key_set(keys)  # type: ignore[arg-type]
        except (JoseError, ValueError, TypeError, KeyError):
            raise unreachable(self.settings) from None

    def _session(self) -> Any:
        """An authlib OAuth 2.0 session for this client (PKCE with S256)."""
        return OAuth2Session(self.settings.oidc_client_id, self.settings.oidc_client_secret,
                             scope=self.settings.oidc_scopes, redirect_uri=self.redirect_uri,
                             code_challenge_method="S256")

    def begin(self, next_: str, *, now: float) -> tuple[str, Pending]:
        """The provider's authorization URL and the pending sign-in to keep in this browser."""
        pending = Pending(state=generate_token(32), nonce=generate_token(32), verifier=generate_token(64),
                          next=next_, expires=int(now) + TTL_SECONDS)
        with self._session() as session:
            url, _ = session.create_authorization_url(self.metadata()["authorization_endpoint"], state=pending.state,
                                                      nonce=pending.nonce, code_verifier=pending.verifier)
        return str(url), pending

    def exchange(self, code: str, pending: Pending) -> dict[str, Any]:
        """The token response for an authorization code (the provider refuses a code used before)."""
        try:
            with self._session() as session:
                token = session.fetch_token(self.metadata()["token_endpoint"], grant_type="authorization_code",
                                            code=code, code_verifier=pending.verifier, timeout=TIMEOUT)
        except AuthlibBaseError as error:  # invalid_grant (a spent code, a wrong verifier) and the rest
            raise OidcRefusal(400, "The provider did not accept this sign-in code (it may have been used already, "
                                   f"or it expired): {printable(str(error.error))}. Start again.") from None
        except requests.RequestException:
            raise unreachable(self.settings) from None
        if not isinstance(token, Mapping) or not isinstance(token.get("id_token"), str):
            raise OidcRefusal(502, "The provider sent no ID token: is the 'openid' scope allowed for this client?")
        return dict(token)

    def claims(self, token: Mapping[str, Any], pending: Pending) -> dict[str, Any]:
        """The ID token's claims once its signature, issuer, audience, expiry and nonce are verified."""
        registry = JWSRegistry(algorithms=self.metadata().get("id_token_signing_alg_values_supported") or ["RS256"])
        try:
            try:
                decoded = jwt.decode(token["id_token"], self.key_set(), registry=registry)
            except InvalidKeyIdError:  # the provider rotated its keys since we fetched them
                decoded = jwt.decode(token["id_token"], self.key_set(fresh=True), registry=registry)
            options = {"iss": {"essential": True, "value": self.settings.oidc_issuer},
                       "aud": {"essential": True, "value": self.settings.oidc_client_id}}
            params = {"nonce": pending.nonce, "client_id": self.settings.oidc_client_id,
                      "access_token": token.get("access_token")}
            verified = CodeIDToken(decoded.claims, decoded.header, options, params)
            verified.validate(leeway=LEEWAY)
        except (JoseError, ValueError) as error:
            reason = f"{type(error).__name__}: {printable(str(error))}"
            raise OidcRefusal(400, f"The identity token from the provider did not verify ({reason}). "
                                   "Start again.") from None
        return dict(verified)

    def userinfo(self, token: Mapping[str, Any], subject: str) -> dict[str, Any]:
        """The provider's user info for this token's person ({} when it has no endpoint); it must name the same
        subject as the verified ID token, or it is not trusted."""
        endpoint = self.metadata().get("userinfo_endpoint")
        if not isinstance(endpoint, str) or not isinstance(token.get("access_token"), str):
            return {}
        try:
            response = requests.get(endpoint, headers={"Authorization": f"Bearer {token['access_token']}"},
                                    timeout=TIMEOUT, allow_redirects=False)
            response.raise_for_status()
            body = response.json()
        except (requests.RequestException, ValueError):
            raise unreachable(self.settings) from None
        if not isinstance(body, dict) or body.get("sub") != subject:
            raise OidcRefusal(502, "The provider's user info is about someone else than its ID token. Start again.")
        return body

    def identity(self, code: str, pending: Pending) -> Identity:
        """Exchange the code, verify the ID token and decide whether this person may be an admin."""
        token = self.exchange(code, pending)
        claims = self.claims(token, pending)
        wanted = ["email"] + ([self.settings.oidc_group_claim] if self.settings.oidc_admin_group else [])
        if any(name not in claims for name in wanted):
            # Strict providers put scope claims only in the user info when an access token is issued (OIDC Core
            # 5.4); the verified ID token's own claims still win.
            claims = {**self.userinfo(token, str(claims.get("sub", ""))), **claims}
        return admit(claims, self.settings)


def admit(claims: Mapping[str, Any], settings: Settings) -> Identity:
    """An Identity for a verified email on the allow-list or a member of the admin group, else 403."""
    email = normalise_email(str(claims.get("email") or ""))
    if not email:
        raise OidcRefusal(403, "The provider did not send an email address for this account, so it cannot be "
                               "matched to a Tunewise admin. Ask whoever runs the provider to release the email claim.")
    if claims.get("email_verified", True) not in (True, "true"):
        raise OidcRefusal(403, f"The provider says the email address {printable(email)} is not verified, so it "
                               "cannot be trusted to name an admin. Verify it at the provider, then try again.",
                          who=f"unverified: {printable(email, 64)}")
    subject = str(claims.get("sub", ""))
    if email in {normalise_email(allowed) for allowed in settings.oidc_admin_email_set}:
        return Identity(email, subject, "email")
    groups = claims.get(settings.oidc_group_claim) or []
    groups = [groups] if isinstance(groups, str) else groups
    if settings.oidc_admin_group and isinstance(groups, list) and settings.oidc_admin_group in groups:
        return Identity(email, subject, "group")
    raise OidcRefusal(403, f"{printable(email)} signed in at the provider but is not allowed to administer Tunewise. "
                           "Ask an existing admin to add you to the allow-list or the admin group.", who=email)


def printable(text: str, limit: int = 200) -> str:
    """Provider-supplied text fit for a page and the audit log: printable and bounded."""
    return "".join(c for c in text[:limit] if c.isprintable())


def client_of(request: Request) -> OidcClient:
    """The app's OIDC client, made on first use (discovery stays lazy: the app starts while the provider is down)."""
    state = request.app.state
    client: OidcClient | None = getattr(state, "oidc_client", None)
    if client is None or client.settings is not state.settings:
        client = state.oidc_client = OidcClient(state.settings)
    return client
