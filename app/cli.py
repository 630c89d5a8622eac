"""The `tunewise` command: serve, migrate (more subcommands join as features land)."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Callable, Sequence

from . import migrate
from .settings import get_settings

Command = Callable[[argparse.Namespace], int]


def cmd_migrate(_: argparse.Namespace) -> int:
    """Upgrade the configured database to the newest migration."""
    migrate.upgrade(get_settings().database_url)
    print("database is at the newest migration")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the app with uvicorn (migrate first: the app refuses an outdated schema)."""
    import uvicorn  # the engine-only commands (score) must not need the server stack

    settings = get_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    uvicorn.run(
        "app.main:create_app", factory=True, host=args.host or settings.host, port=args.port or settings.port,
        workers=args.workers, access_log=False, proxy_headers=True, server_header=False,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one subcommand per verb."""
    parser = argparse.ArgumentParser(prog="tunewise", description="Decide how to adapt an LLM to a task.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the web app")
    serve.add_argument("--host", default="", help="address to bind (default TUNEWISE_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, default=0, help="port (default TUNEWISE_PORT or 8000)")
    serve.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    serve.set_defaults(func=cmd_serve)
    sub.add_parser("migrate", help="upgrade the database schema").set_defaults(func=cmd_migrate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `tunewise` script."""
    args = build_parser().parse_args(argv)
    func: Command = args.func
    return func(args)


if __name__ == "__main__":
    sys.exit(main())
