"""Admin single sign-on with OpenID Connect: start at the provider, come back to the callback, get an admin session."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.routes.admin.common import now, page
from app.store import admins as admin_repo
from app.store import passwords, sessions
from app.store.db import Database
from app.store.tokens import new_token, token_hash
from app.web import admin_guard as auth
from app.web import csrf, oidc_cookie
from app.web.deps import DbDep, SettingsDep
from app.web.oidc import Identity, OidcRefusal, client_of, printable

router = APIRouter(include_in_schema=False)
HOW = "Signed in with single sign-on"
TITLES = {400: "This sign-in cannot be finished", 403: "Single sign-on refused",
          502: "The single sign-on provider is not answering"}


def refused(request: Request, refusal: OidcRefusal) -> HTMLResponse:
    """The refusal page: the reason in words, a link back to the sign-in page; the pending sign-in is ended."""
    title = TITLES.get(refusal.status, "Single sign-on did not work")
    response = page(request, "admin/oidc_refused.html", None, {"title": title, "reason": refusal.reason},
                    status_code=refusal.status)
    response.headers.append("set-cookie", oidc_cookie.clear_cookie(request.app.state.settings.https))
    return response


@router.get("/admin/oidc/start")
def start(request: Request, settings: SettingsDep, next: str = "/admin") -> Response:
    """Send the browser to the provider with a fresh state, nonce and PKCE challenge (kept in a signed cookie).
    A link, not a form: the page's CSP (form-action 'self') would stop a form's redirect to the provider, and
    starting a sign-in changes nothing but this browser's pending cookie."""
    if not settings.oidc_issuer:
        raise HTTPException(status_code=404)
    next_ = auth.safe_next(next)
    try:
        url, pending = client_of(request).begin(next_, now=now(request).timestamp())
    except OidcRefusal as refusal:
        return refused(request, refusal)
    response = RedirectResponse(url, status_code=303)
    response.headers.append("set-cookie", oidc_cookie.set_cookie(oidc_cookie.seal(pending, settings.secret_key),
                                                                  settings.https))
    return response


@router.get("/admin/oidc/callback", response_class=HTMLResponse)
def callback(request: Request, db: DbDep, settings: SettingsDep) -> Response:
    """Check the state against this browser's pending sign-in, exchange the code, verify the ID token, admit or
    refuse. The pending cookie is cleared whatever happens, so a state is never accepted twice."""
    if not settings.oidc_issuer:
        raise HTTPException(status_code=404)
    when = now(request)
    try:
        identity, next_ = verified_identity(request, settings.secret_key, when)
    except OidcRefusal as refusal:
        if refusal.who:  # a real person the provider vouched for was turned away: the admins should see it
            with db.write() as session:
                admin_repo.audit(session, actor=refusal.who, action="login.sso.refused", at=when,
                                 after={"how": HOW, "issuer": settings.oidc_issuer, "reason": refusal.reason})
        return refused(request, refusal)
    token = sign_in(db, identity, issuer=settings.oidc_issuer, old=auth.admin_cookie(request), when=when)
    if token is None:
        return refused(request, OidcRefusal(403, f"The admin account {identity.email} is deactivated. Ask another "
                                                 "admin to reactivate it."))
    # A 200 page that moves on by itself, not a 303: the admin cookie is SameSite=Strict, and a redirect that
    # continues the provider's cross-site navigation would not carry it, so /admin would ask to sign in again.
    response = page(request, "admin/oidc_done.html", None, {"next": next_, "email": identity.email})
    response.headers.append("set-cookie", oidc_cookie.clear_cookie(settings.https))
    response.headers.append("set-cookie", auth.session_cookie(token, settings.https))
    response.headers["Cache-Control"] = "no-store"
    csrf.rotate(request)
    return response


def verified_identity(request: Request, secret: str, when: datetime) -> tuple[Identity, str]:
    """The admitted person behind this callback and where they go next, or an OidcRefusal."""
    params = request.query_params
    pending = oidc_cookie.pending_of(request, secret, now=when.timestamp())
    if pending is None:
        raise OidcRefusal(400, "No single sign-on is in progress in this browser: it expired (after 10 minutes), "
                               "it was already used, or it was started in another browser. Start again.")
    if not csrf.same_token(params.get("state", ""), pending.state):
        raise OidcRefusal(400, "The answer from the provider does not belong to the sign-in this browser started "
                               "(the state does not match). Start again.")
    if params.get("iss", request.app.state.settings.oidc_issuer) != request.app.state.settings.oidc_issuer:
        raise OidcRefusal(400, "The answer names another provider than the one this sign-in went to (RFC 9207 "
                               "issuer check). Start again.")
    if params.get("error"):
        status = 403 if params["error"] in ("access_denied", "login_required", "consent_required") else 400
        detail = printable(params.get("error_description", "") or params["error"])
        raise OidcRefusal(status, f"The provider ended the sign-in: {detail}.")
    code = params.get("code", "")
    if not code or len(code) > 2048:
        raise OidcRefusal(400, "The provider sent no sign-in code. Start again.")
    return client_of(request).identity(code, pending), pending.next


def sign_in(db: Database, identity: Identity, *, issuer: str, old: str, when: datetime) -> str | None:
    """Start a new admin session for an admitted person (their account made on first sign-in); None if the
    account is deactivated. Audited either way, in the same transaction."""
    with db.read() as session:
        exists = admin_repo.find_admin(session, email=identity.email) is not None
    # An account made here has a password nobody knows: it signs in with single sign-on only (hashed outside
    # the writer lock, argon2 takes tens of milliseconds).
    placeholder = None if exists else passwords.hash_password(new_token())
    detail = {"how": HOW, "issuer": issuer, "matched": identity.matched}
    with db.write() as session:
        admin = admin_repo.find_admin(session, email=identity.email)
        if admin is None:
            admin = admin_repo.create_admin(session, email=identity.email,
                                            password_hash=placeholder or passwords.hash_password(new_token()), now=when)
            admin_repo.audit(session, actor="single sign-on", action="admin.created", target=identity.email, at=when,
                             after={"email": identity.email, **detail})
        if not admin.active:
            admin_repo.audit(session, actor=identity.email, action="login.sso.refused", at=when,
                             after={**detail, "reason": "account deactivated"})
            return None
        if old:
            sessions.end_session(session, token_sha=token_hash(old))  # fixation: never reuse a presented id
        token = sessions.start_session(session, admin=admin, now=when)
        admin_repo.audit(session, actor=admin.email, action="login.sso", at=when, after=detail)
    return token
