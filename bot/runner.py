"""The engine's work, off the event loop: one thread runs the engine's calls, one at a time.

The engine is plain synchronous code over one SQLite connection. Run on the event loop, a slow
moment there (the log locked by another process, such as an import, for up to the busy timeout)
would hold up every HTTP answer the server owes, Slack's 3-second acks included. On its own
thread it can only make the bot's replies late, never the acks; and one thread means the
connection is never used by two calls at once.
"""

from __future__ import annotations

import asyncio
import functools
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


# How long a thread may hold the interpreter before another gets it. The engine's thread judges with
# the learned detector (pure-Python feature hashing); at Python's default 5 ms, an ack waiting on the
# event loop could wait that long behind each judgement.
SWITCH_INTERVAL = 0.0005


class EngineThread:
    def __init__(self) -> None:
        sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL))
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nudgebot-engine")

    async def __call__(self, call: Callable[..., T], *args, **kwargs) -> T:
        """`call(*args, **kwargs)` on the engine's thread; its result (or exception) here."""
        return await asyncio.get_running_loop().run_in_executor(
            self._pool, functools.partial(call, *args, **kwargs))

    def close(self) -> None:
        """Let the call under way finish, then stop the thread."""
        self._pool.shutdown(wait=True)
