"""Reading form fields: the url-encoded fields the guard parsed, free text, integers, days and the form's version.

Free text is NFC-normalised, free of control characters and bounded in length; it is stored verbatim and escaped
on output."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from fastapi import Request

Fields = dict[str, list[str]]


def form_fields(request: Request) -> Fields:
    """The url-encoded fields of this request (parsed once by the Guard middleware), name → values."""
    fields: Fields = {}
    for name, value in getattr(request.state, "form", []):
        fields.setdefault(name, []).append(value)
    return fields


def clean_text(raw: str, limit: int, label: str) -> tuple[str, str]:
    """The cleaned value and '' when valid, else the value as given and the reason it was refused."""
    value = unicodedata.normalize("NFC", raw).strip()
    if not value:
        return value, f"Enter a {label}."
    if len(value) > limit:
        return value, f"The {label} must be {limit} characters or fewer (it has {len(value)})."
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in value):
        return value, f"The {label} contains control characters; type it again without them."
    return value, ""


def first(fields: Mapping[str, list[str]], name: str, limit: int = 2000) -> str:
    """The first value of a form field, cut to a sane length ('' when absent)."""
    return fields.get(name, [""])[0][:limit]


def as_int(raw: str, default: int = -1) -> int:
    """A non-negative integer from a form or query value, else default."""
    raw = raw.strip()
    return int(raw) if raw.isdigit() and len(raw) < 12 else default


def form_version(fields: Mapping[str, list[str]]) -> int:
    """The version a form was rendered with (-1 when missing or garbled: always a conflict)."""
    return as_int(first(fields, "version"), -1)


def parse_day(raw: str) -> datetime | None:
    """'YYYY-MM-DD' as midnight UTC (None when empty or not a date)."""
    try:
        return datetime.strptime(raw.strip(), "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None


def day_after(day: datetime | None) -> datetime | None:
    """The exclusive upper bound for an inclusive 'until' day."""
    return day + timedelta(days=1) if day else None
