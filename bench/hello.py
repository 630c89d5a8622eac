"""The reference: a bare Starlette app answering "hello" (reliability.md §3.6, the ratio method).

Served by the same uvicorn (1 worker, uvloop, httptools) on the same core as Tunewise, so a route's rate divided by
this one's cancels most of the machine-to-machine and noisy-neighbour variance."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route


async def hello(_: Request) -> PlainTextResponse:
    """The smallest useful response."""
    return PlainTextResponse("hello")


app = Starlette(routes=[Route("/hello", hello)])
