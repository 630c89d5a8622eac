"""Logs: request ids, the access record, and the logging set-up `tunewise serve` hands uvicorn (text or JSON lines).

Every process, workers included, applies the same dictConfig (uvicorn applies its log_config in each worker), so
the queue below exists once per process."""

from __future__ import annotations

import atexit
import json
import logging
import logging.handlers
import queue
import re
import secrets
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="")
WELL_FORMED_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
TEXT_FORMAT = "%(asctime)s %(name)s %(message)s"
# The access record's fields, in the order a JSON line shows them after time, level, logger and message.
ACCESS_FIELDS = ("request_id", "method", "route", "path", "status", "duration_ms", "client")


def request_id(sent: str | None) -> str:
    """The client's X-Request-ID when it is 1–128 characters of [A-Za-z0-9._-] (safe to log and echo), else a
    new random one."""
    if sent and WELL_FORMED_ID.fullmatch(sent):
        return sent
    return secrets.token_hex(8)


@dataclass(slots=True, frozen=True)
class Exchange:
    """One finished request, as the edge saw it: what the access log and the metrics record."""

    client: str
    method: str
    path: str  # already masked: capability tokens cut
    route: str  # the route template ("/a/{token}/{slug}"), "unmatched" when no route took it
    status: int
    seconds: float
    request_id: str


class AccessLog:
    """Writes one line per request: the classic text line, or structured fields the JSON formatter prints."""

    def __init__(self, logger: logging.Logger) -> None:
        self.logger = logger

    def __call__(self, done: Exchange) -> None:
        """Log one exchange (the formatting happens on the queue's thread, not in the request)."""
        self.logger.info('%s "%s %s" %s', done.client, done.method, done.path, done.status, extra={
            "request_id": done.request_id, "method": done.method, "route": done.route, "path": done.path,
            "status": done.status, "duration_ms": round(done.seconds * 1000, 3), "client": done.client,
        })


class RequestIdFilter(logging.Filter):
    """Stamps each record with the id of the request it was logged in (runs in the request's own context)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add request_id unless the record carries one; never drops a record."""
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get() or None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, request id and the access fields."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON (a traceback stays inside the message string)."""
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage(),
        }
        for field in ACCESS_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                line[field] = value
        if record.exc_info:
            line["message"] += "\n" + self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def json_line(logger: str, message: str) -> str:
    """One info line in the JSON format, for what the command line says before logging is set up."""
    return JsonFormatter().format(logging.makeLogRecord({"name": logger, "msg": message, "levelname": "INFO"}))


def queued_stderr(json_lines: bool = False) -> logging.Handler:
    """A handler that only enqueues: one background thread formats each record and writes stderr, so a slow or
    blocked stderr never stalls a request (the access log writes one record per request)."""
    records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    stderr = logging.StreamHandler()
    stderr.setFormatter(JsonFormatter() if json_lines else logging.Formatter(TEXT_FORMAT))
    listener = logging.handlers.QueueListener(records, stderr)
    enqueue = logging.handlers.QueueHandler(records)
    enqueue.setFormatter(logging.Formatter("%(message)s"))  # the listener's formatter adds time and the rest once
    enqueue.addFilter(RequestIdFilter())
    listener.start()
    atexit.register(listener.stop)  # flush what is queued when the process exits
    return enqueue


def logging_config(log_format: str) -> dict[str, Any]:
    """The dictConfig for uvicorn's log_config: every logger (uvicorn's too) through the queue, text or JSON."""
    return {
        "version": 1, "disable_existing_loggers": False,
        "formatters": {"default": {"format": TEXT_FORMAT}, "access": {"format": TEXT_FORMAT}},  # uvicorn reads these
        "handlers": {"queue": {"()": "app.web.logs.queued_stderr", "json_lines": log_format == "json"}},
        "root": {"level": "INFO", "handlers": ["queue"]},
        "loggers": {"uvicorn": {"level": "INFO", "handlers": [], "propagate": True},
                    "uvicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
                    "uvicorn.access": {"level": "WARNING", "handlers": [], "propagate": True}},
    }
