"""The report's QR code: an SVG made on the server with segno, for the printed handout.

The cached report page carries a marker ``<!--qr ADDRESS-->`` (written by templates/report/_handout.html; team
text is escaped, so it can never write ``<!--``). Filling a page for one view link replaces the marker with the QR
code of that link's own address. Making one costs about 5 ms, so codes are kept per address."""

from __future__ import annotations

import re

import segno

from app.web.cache import LRU

MARKER = re.compile(rb"<!--qr (\S+)-->")


class QrCodes:
    """QR codes as inline SVG, the most recent `max_bytes` of them kept."""

    def __init__(self, max_bytes: int = 1 << 20) -> None:
        self._codes = LRU[bytes](max_bytes, lambda _, svg: len(svg))

    def svg(self, address: str) -> bytes:
        """The QR code of one address: a single path, dark on light, hidden from assistive technology (the
        address is printed next to it)."""
        code = self._codes.get(address)
        if code is None:
            svg = segno.make(address, error="m", micro=False).svg_inline(
                scale=1, border=2, omitsize=True, svgclass="qr-code", lineclass="qr-line", dark="#000", light="#fff")
            code = svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1).encode()
            self._codes.put(address, code)
        return code

    def fill(self, page: bytes) -> bytes:
        """The page with its QR marker (if any) replaced by the code of the address inside it."""
        found = MARKER.search(page)
        if found is None:
            return page
        return page[: found.start()] + self.svg(found.group(1).decode()) + page[found.end():]
