"""Rendered report pages, kept per worker: a report is an immutable snapshot, so its page is rendered once.

Every view link to a result shares one rendered page. The page is rendered with a per-process random slot where the
view token goes, and each request fills in its own token. The slot is 128 random bits chosen at start-up, so no text
a team typed can contain it (a fixed placeholder let a team name print the viewer's token)."""

from __future__ import annotations

import secrets

from app.web.cache import LRU
from app.web.qr import QrCodes

Key = tuple[int, bool, str | None, int, bool]  # result id, newer result exists, expiry, decision version, revisit due


class ReportPages:
    """Rendered pages up to `max_bytes` in all, least recently used out first."""

    def __init__(self, max_bytes: int) -> None:
        self.slot = f"view-{secrets.token_hex(16)}"
        self._pages = LRU[bytes](max_bytes, lambda _, page: len(page))
        self.qr = QrCodes()

    def get(self, key: Key, token: str) -> bytes | None:
        """The page for one view link, or None when it is not rendered yet."""
        page = self._pages.get(key)
        return None if page is None else self.fill(page, token)

    def fill(self, page: bytes, token: str) -> bytes:
        """A page rendered with `slot`, with one link's view token in its place (and the QR code of its address)."""
        return self.qr.fill(page.replace(self.slot.encode(), token.encode()))

    def put(self, key: Key, page: bytes) -> None:
        """Keep a page rendered with `slot` in place of the view token."""
        self._pages.put(key, page)

    def forget_result(self, result_id: int) -> None:
        """Drop every page of one result (a link was revoked)."""
        self._pages.drop(lambda key: isinstance(key, tuple) and key[0] == result_id)

    def clear(self) -> None:
        """Drop every page (an assessment was deleted)."""
        self._pages.clear()

    def __len__(self) -> int:
        return len(self._pages)

    @property
    def bytes(self) -> int:
        """What the kept pages weigh."""
        return self._pages.bytes
