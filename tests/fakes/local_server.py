"""Serving an aiohttp application on 127.0.0.1 at a port the system picks, for fakes and the real server."""

from __future__ import annotations

import contextlib

from aiohttp import web


async def start(app: web.Application) -> tuple[web.AppRunner, int]:
    """`app` listening on 127.0.0.1; its runner (to clean up) and port."""
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]


@contextlib.asynccontextmanager
async def serving(app: web.Application):
    """`app` listening on 127.0.0.1 for the block; yields its base URL and stops it afterwards."""
    runner, port = await start(app)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()
