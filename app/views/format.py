"""How numbers, money, shares and times read wherever a person sees them (pages, exports, charts)."""

from __future__ import annotations

from datetime import datetime


def number(value: float | int | None, digits: int = 0) -> str:
    """1234567 → '1,234,567'; None → '—'."""
    return "—" if value is None else f"{value:,.{digits}f}"


def money(value: float | None) -> str:
    """A monthly cost in dollars: '$1,234.56' (whole dollars from $10,000)."""
    if value is None:
        return "—"
    return f"${value:,.0f}" if abs(value) >= 10_000 else f"${value:,.2f}"


def percent(value: float | None) -> str:
    """0.853 → '85 %'."""
    return "—" if value is None else f"{value * 100:.0f} %"


def points(value: float | None) -> str:
    """A score on 0–100 with one decimal."""
    return "—" if value is None else f"{value:.1f}"


def utc(value: datetime | str | None) -> str:
    """A timestamp shown as 'YYYY-MM-DD HH:MM UTC'."""
    if value is None:
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.strftime("%Y-%m-%d %H:%M UTC")


NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")


def count_word(n: int) -> str:
    """How many, in words up to twelve ('seven'), in digits beyond: 'seven-axis comparison', '13-axis comparison'."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


def wrap_label(label: str, width: int = 12) -> list[str]:
    """An axis name on lines of at most `width` characters (a longer single word keeps its own line)."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [label]
