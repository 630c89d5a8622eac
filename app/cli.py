"""The `tunewise` command: serve, migrate, score, eval, backup, create-admin."""

from __future__ import annotations

import argparse
import atexit
import getpass
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import uvicorn
from sqlalchemy.exc import SQLAlchemyError

from app.engine import evaluate
from app.engine.bank import BankError
from app.engine.cases import read_case_file
from app.engine.flow import check_answers
from app.engine.rules import load_knowledge
from app.engine.scoring import result_to_dict, score
from app.settings import ConfigError, get_settings
from app.store import admins as admin_repo
from app.store import migrate, sessions
from app.store.backup import BackupError, backup_sqlite
from app.store.db import Database
from app.store.models import utcnow
from app.store.passwords import normalise_email
from app.store.tokens import pseudonym
from app.web.logs import json_line, logging_config

Command = Callable[[argparse.Namespace], int]


def cmd_migrate(_: argparse.Namespace) -> int:
    """Upgrade the configured database to the newest migration."""
    migrate.upgrade(get_settings().database_url)
    print("database is at the newest migration")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the app with uvicorn (migrate first: the app refuses an outdated schema)."""
    settings = get_settings()
    workers = args.workers or settings.workers
    say = print_json_line if settings.log_format == "json" else print_line
    for line in settings.startup_lines():
        say(line)
    print_setup_link(settings.database_url, args.host or settings.host, args.port or settings.port, say=say)
    if settings.metrics:
        metrics_across_workers(workers)
    uvicorn.run(
        "app.main:create_app", factory=True, host=args.host or settings.host, port=args.port or settings.port,
        workers=workers, access_log=False, server_header=False, log_config=logging_config(settings.log_format),
        **proxy_options(settings.forwarded_allow_ips),
    )
    return 0


def proxy_options(trusted: str) -> dict[str, Any]:
    """uvicorn's proxy-header options: X-Forwarded-For/-Proto are read only from the listed proxy addresses
    (TUNEWISE_FORWARDED_ALLOW_IPS), and not at all when none is listed. uvicorn alone would trust 127.0.0.1, so a
    client on the same host could pick its own address for the throttles."""
    if not trusted.strip():
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": trusted.strip()}


def metrics_across_workers(workers: int) -> None:
    """Several workers each count their own requests: prometheus-client's multiprocess mode shares the counts
    through files in PROMETHEUS_MULTIPROC_DIR, which must be set before a worker imports it. Without one, a fresh
    directory is made (and removed at exit); a given one is emptied of a previous run's files."""
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if given:
        for stale in Path(given).glob("*.db"):  # counts of a previous run would be added to this one's
            stale.unlink()
        return
    if workers < 2:
        return
    made = tempfile.mkdtemp(prefix="tunewise-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = made
    atexit.register(shutil.rmtree, made, ignore_errors=True)


def print_line(text: str) -> None:
    """Say one line on standard output now."""
    print(text, flush=True)


def print_json_line(text: str) -> None:
    """Say one line on standard output as TUNEWISE_LOG_FORMAT=json writes log lines."""
    print(json_line("tunewise", text), flush=True)


def print_setup_link(database_url: str, host: str, port: int, say: Callable[[str], None] = print_line) -> None:
    """While no admin exists, print a one-time link (valid one hour) that creates the first one."""
    db = Database(database_url)
    try:
        link = admin_repo.setup_link(db, base_url=f"http://{host}:{port}", now=utcnow())
    except SQLAlchemyError:  # an unmigrated database: the app itself refuses to start and says why
        link = None
    finally:
        db.dispose()
    if link:
        say(f"No admin yet: open {link} within one hour to create the first admin account.")


def cmd_create_admin(args: argparse.Namespace) -> int:
    """Create an admin account; the password is asked for (or read from standard input when not a TTY)."""
    if sys.stdin.isatty():
        password = getpass.getpass("Password (at least 12 characters): ")
        if getpass.getpass("Repeat the password: ") != password:
            print("error: the two passwords are not the same", file=sys.stderr)
            return 2
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    db = Database(get_settings().database_url)
    try:
        problem = admin_repo.add_admin_account(
            db, email=args.email, password=password, actor="command line", now=utcnow()
        )
    finally:
        db.dispose()
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    print(f"admin {args.email.strip().lower()} created: sign in at /admin/login")
    return 0


def cmd_unlock_admin(args: argparse.Namespace) -> int:
    """Forget an admin account's failed sign-ins from every address, so a lockout ends now."""
    settings = get_settings()
    db = Database(settings.database_url)
    try:
        with db.write() as session:
            email = normalise_email(args.email)
            cleared = sessions.unlock(session, account=pseudonym(settings.secret_key, email))
            admin_repo.audit(session, actor="command line", action="admin.unlocked", target=email,
                             after={"failed_attempts_cleared": cleared}, at=utcnow())
    finally:
        db.dispose()
    print(f"{email}: {cleared} failed sign-in attempt{'' if cleared == 1 else 's'} cleared; it may sign in again")
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    """Print the result JSON for a file of answers: no server, no database, default weights and prices. As in the
    API, a question left out or answered "unknown" is unknown ("Not sure"); only gap_types is required."""
    raw: Any = json.loads(Path(args.file).read_text(encoding="utf-8"))
    answers = raw.get("answers", raw) if isinstance(raw, dict) else None
    if not isinstance(answers, dict):
        print("error: the file must hold a JSON object of answers (or {\"answers\": {...}})", file=sys.stderr)
        return 2
    knowledge = load_knowledge(get_settings().knowledge_dir)
    typed, errors = check_answers(knowledge.bank, answers)
    for error in errors:
        print(f"error: {error['field']}: {error['message']}", file=sys.stderr)
    if errors:
        return 2
    print(json.dumps(result_to_dict(score(knowledge, typed)), indent=2, ensure_ascii=False))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Score every case of the library (or of FILE) and print how often the advice is acceptable (engine/evaluate)."""
    try:
        knowledge = load_knowledge(get_settings().knowledge_dir)
        cases = read_case_file(Path(args.file), knowledge.bank) if args.file else knowledge.cases
    except BankError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    facts = evaluate.figures(evaluate.run_cases(knowledge, cases), args.min_acceptable, args.min_high)
    print(json.dumps(facts, indent=2, ensure_ascii=False) if args.json else evaluate.render(facts))
    for failure in facts["failures"]:
        print(f"FAIL: {failure}", file=sys.stderr)
    return 0 if facts["passed"] else 1


def fraction(text: str) -> float:
    """A share from 0 to 1 (0.90 means 90 %)."""
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text} is not a share from 0 to 1 (0.90 means 90 %)")
    return value


def cmd_backup(args: argparse.Namespace) -> int:
    """Write a checked copy of the SQLite database to PATH (safe while the server runs)."""
    try:
        path = backup_sqlite(get_settings().database_url, Path(args.path))
    except BackupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"backup written to {path} (integrity_check ok)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one subcommand per verb."""
    parser = argparse.ArgumentParser(prog="tunewise", description="Decide how to adapt an LLM to a task.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the web app")
    serve.add_argument("--host", default="", help="address to bind (default TUNEWISE_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, default=0, help="port (default TUNEWISE_PORT or 8000)")
    serve.add_argument("--workers", type=int, default=0, help="worker processes (default TUNEWISE_WORKERS or 1)")
    serve.set_defaults(func=cmd_serve)
    sub.add_parser("migrate", help="upgrade the database schema").set_defaults(func=cmd_migrate)
    scorer = sub.add_parser("score", help="print the result JSON for a file of answers (no server needed)")
    scorer.add_argument("file", help="JSON file: {question_id: answer} or a fixture line's {\"answers\": {...}}; "
                                     "a question left out or given as \"unknown\" is unknown")
    scorer.set_defaults(func=cmd_score)
    evaluator = sub.add_parser("eval", help="score the case library (or FILE) and check the advice against it")
    evaluator.add_argument("file", nargs="?", help="JSONL cases (the library's or the fixtures' format); default: "
                           "the whole case library")
    evaluator.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    evaluator.add_argument("--min-acceptable", type=fraction, default=0.90, metavar="SHARE",
                           help="exit 1 below this share of acceptable primaries (default 0.90)")
    evaluator.add_argument("--min-high", type=fraction, default=0.95, metavar="SHARE",
                           help="exit 1 below this share of acceptable primaries among High (default 0.95)")
    evaluator.set_defaults(func=cmd_eval)
    backup = sub.add_parser("backup", help="copy the SQLite database to PATH (VACUUM INTO, checked)")
    backup.add_argument("path", help="the new file to write")
    backup.set_defaults(func=cmd_backup)
    creator = sub.add_parser("create-admin", help="create an admin account (password from the prompt or stdin)")
    creator.add_argument("email", help="the admin's email address")
    creator.set_defaults(func=cmd_create_admin)
    unlocker = sub.add_parser("unlock-admin", help="end a sign-in lockout of an admin account (every address)")
    unlocker.add_argument("email", help="the admin's email address")
    unlocker.set_defaults(func=cmd_unlock_admin)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `tunewise` script."""
    args = build_parser().parse_args(argv)
    func: Command = args.func
    try:
        return func(args)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
