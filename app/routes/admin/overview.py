"""The admin overview, the audit log and admin accounts."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from app.routes.admin.common import now, page
from app.store import admins as admin_repo
from app.store import settings as settings_store
from app.views import audit_log
from app.web import admin_guard as auth
from app.web.admin_guard import AdminDep
from app.web.deps import DbDep, KnowledgeDep
from app.web.forms import as_int, day_after, parse_day
from app.web.render import see_other

router = APIRouter(include_in_schema=False)


@router.get("/admin", response_class=HTMLResponse)
def overview(request: Request, db: DbDep, admin: AdminDep, knowledge: KnowledgeDep) -> HTMLResponse:
    """What new results use now, and the counts of what is stored."""
    with db.read() as session:
        weights, version = settings_store.current_weights(session, knowledge)
        preset, _ = settings_store.current_preset(session, knowledge)
        draft = settings_store.get_draft(session)
        counts = admin_repo.stored_counts(session)
        recent, _ = admin_repo.audit_page(session, where=admin_repo.AuditFilter(), page=1, size=5)
    context = {"weights": weights, "weights_version": version, "preset": preset, "counts": counts,
               "axes": knowledge.axes, "recent": recent,
               "unpublished": draft is not None and knowledge.complete_weights(draft.weights) != weights}
    return page(request, "admin/overview.html", admin, context)


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_log_page(request: Request, db: DbDep, admin: AdminDep, knowledge: KnowledgeDep, action: str = "",
                   actor: str = "", since: str = "", until: str = "", page_no: str = "1") -> HTMLResponse:
    """The append-only audit log, newest first, as sentences (the raw record behind each), filtered by action,
    actor and date."""
    where = admin_repo.AuditFilter(action[:40], actor[:254], parse_day(since), day_after(parse_day(until)))
    number = max(1, as_int(page_no, 1))
    with db.read() as session:
        events, total = admin_repo.audit_page(session, where=where, page=number)
        actions = admin_repo.audit_actions(session)
    filters = {"action": action[:40], "actor": actor[:254], "since": since[:10], "until": until[:10]}
    names = audit_log.Names({a.key: a.label for a in knowledge.axes}, knowledge.rules.labels,
                            {key: p.name for key, p in knowledge.presets.items()})
    said = [audit_log.sentence(e.action, e.actor, e.target, e.before, e.after, names) for e in events]
    context = {"events": list(zip(events, said)), "total": total, "page_no": number, "pages": max(1, -(-total // 50)),
               "actions": [(a, audit_log.action_name(a)) for a in actions], "filters": filters}
    return page(request, "admin/audit.html", admin, context)


@router.get("/admin/admins", response_class=HTMLResponse)
def admins(request: Request, db: DbDep, admin: AdminDep, done: str = "") -> HTMLResponse:
    """Every admin account; deactivate others from here."""
    return admins_page(request, db, admin, notice="The admin was deactivated and signed out." if done else "")


def admins_page(request: Request, db: DbDep, admin: auth.CurrentAdmin, *, notice: str = "", error: str = "",
                status_code: int = 200) -> HTMLResponse:
    """The admins list."""
    with db.read() as session:
        accounts = admin_repo.list_admins(session)
    context = {"accounts": accounts, "notice": notice, "error": error}
    return page(request, "admin/admins.html", admin, context, status_code=status_code)


@router.post("/admin/admins/{admin_id}/deactivate")
def deactivate(request: Request, admin_id: int, db: DbDep, admin: AdminDep) -> Response:
    """Deactivate another admin: they cannot sign in and their sessions end at once."""
    if admin_id == admin.id:
        return admins_page(request, db, admin, error="You cannot deactivate your own account.", status_code=422)
    when = now(request)
    with db.write() as session:
        found = admin_repo.deactivate_admin(session, admin_id=admin_id, now=when)
        if found is None:
            raise HTTPException(status_code=404)
        account, ended = found
        if ended is not None:
            admin_repo.audit(session, actor=admin.email, action="admin.deactivated", target=account.email, at=when,
                             before={"active": True}, after={"active": False, "sessions_ended": ended})
    return see_other(request, "/admin/admins?done=1")
