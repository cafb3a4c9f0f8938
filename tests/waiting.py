"""Waiting in tests without sleeping for a fixed time: poll a condition, fail after a timeout."""

from __future__ import annotations

import asyncio


async def until(condition, timeout: float = 5.0):
    """`condition()`'s first truthy value, polled every 10 ms; TimeoutError after `timeout` seconds."""
    async def poll():
        while not (result := condition()):
            await asyncio.sleep(0.01)
        return result

    return await asyncio.wait_for(poll(), timeout)
