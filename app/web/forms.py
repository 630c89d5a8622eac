"""Free-text input rules: NFC, no control characters, bounded length; stored verbatim, escaped on output."""

from __future__ import annotations

import unicodedata


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
