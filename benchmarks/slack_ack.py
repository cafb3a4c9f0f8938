"""Slack ack path: `nudgebot serve`'s Slack app against a bare Bolt app that only acks, side by side.

Both run in this process on 127.0.0.1, behind the same aiohttp adapter, with the same signing
secret, and call the same fake Slack Web API (tests/fakes/slack_api.py). N signed message events
(10% decisions, the rest everyday chat) are sent with a few requests in flight at once. For each
app: events/s, p50/p99 time to the HTTP 200, and the peak of memory allocated while serving
(tracemalloc); then the ratios. Afterwards the decision log is checked: every decision exactly
once, none lost, none doubled.

Usage: python benchmarks/slack_ack.py [--events 2000] [--concurrency 8] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from fakes.slack_api import FakeSlack  # noqa: E402
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request  # noqa: E402
from slack_bolt.async_app import AsyncApp  # noqa: E402
from slack_sdk.signature import SignatureVerifier  # noqa: E402
from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402

from bot.config import BUNDLED_PRINCIPLES, PROMPTS_DIR, load_settings  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.policy import Politeness  # noqa: E402
from bot.principles import load_principles  # noqa: E402
from bot.prompts import Prompts  # noqa: E402
from bot.server import create_app  # noqa: E402
from bot.store import Store  # noqa: E402

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"
DECISIONS = [
    "We decided to move the launch to next Friday.",
    "Going with Postgres for the new service.",
    "Decision: the offsite moves to Lisbon.",
]
CHAT = ["morning all", "deploying api to staging now", "PR is green, merging after lunch", "lol", "brb 10 min"]


def events(n: int) -> list[tuple[str, bool]]:
    out = []
    for i in range(n):
        decision = i % 10 == 0
        text = DECISIONS[i % len(DECISIONS)] if decision else CHAT[i % len(CHAT)]
        ts = f"1763460000.{i:06d}"
        body = {
            "token": "unused", "team_id": "T_ONE", "api_app_id": "A_BENCH", "type": "event_callback",
            "event_id": f"Ev{i:08d}", "event_time": 1763460000,
            "event": {"type": "message", "user": f"U{i % 50:03d}", "text": text, "channel": f"C{i % 20:03d}",
                      "channel_type": "channel", "ts": ts, "event_ts": ts},
        }
        out.append((json.dumps(body), decision))
    return out


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    return runner, f"http://127.0.0.1:{port}/slack/events"


def bare_bolt(fake: FakeSlack) -> web.Application:
    bolt = AsyncApp(signing_secret=SECRET, token=TOKEN, client=AsyncWebClient(token=TOKEN, base_url=fake.base_url))

    async def noop(event) -> None:
        return None

    bolt.event("message")(noop)

    async def handler(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    app = web.Application()
    app.router.add_post("/slack/events", handler)
    return app


async def load(url: str, bodies: list[str], concurrency: int) -> tuple[float, list[float]]:
    verifier = SignatureVerifier(SECRET)
    latencies: list[float] = []
    queue: asyncio.Queue[str] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)

    async def worker(session: aiohttp.ClientSession) -> None:
        while not queue.empty():
            body = queue.get_nowait()
            ts = str(int(time.time()))
            headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": ts,
                       "X-Slack-Signature": verifier.generate_signature(timestamp=ts, body=body)}
            start = time.perf_counter()
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                if response.status != 200:
                    raise SystemExit(f"{url} answered {response.status}")
            latencies.append(time.perf_counter() - start)

    start = time.perf_counter()
    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    return time.perf_counter() - start, latencies


def figures(elapsed: float, latencies: list[float], peak: int) -> dict:
    ordered = sorted(latencies)
    return {
        "events_per_s": round(len(latencies) / elapsed),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 2),
        "peak_alloc_kib": round(peak / 1024),
    }


async def run(n: int, concurrency: int) -> dict:
    fake = await FakeSlack().start()
    sent = events(n)
    bodies = [body for body, _ in sent]
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "bench.db")
        rules = Politeness(zone=ZoneInfo("UTC"), cooldown=timedelta(0), daily_cap=10_000)
        engine = Engine(store, load_principles(BUNDLED_PRINCIPLES), Prompts(PROMPTS_DIR), rules)
        settings = load_settings(env_file=None, slack_bot_token=TOKEN, slack_signing_secret=SECRET,
                                 slack_api_url=fake.base_url)
        for name, app in (("bare_bolt", bare_bolt(fake)), ("nudgebot", create_app(settings, engine))):
            runner, url = await serve(app)
            await load(url, bodies[:50], concurrency)  # warm up both the same way
            tracemalloc.start()
            elapsed, latencies = await load(url, bodies, concurrency)
            await asyncio.sleep(0.5)  # let the listeners that run after the ack finish
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            results[name] = figures(elapsed, latencies, peak)
            await runner.cleanup()
        rows = store.db.execute("SELECT count(*), count(DISTINCT ts) FROM decisions").fetchone()
        store.close()
    await fake.stop()
    expected = sum(1 for _, decision in sent if decision)
    ours, bare = results["nudgebot"], results["bare_bolt"]
    return {
        "events": n,
        "concurrency": concurrency,
        **{f"{app}_{key}": value for app, figs in results.items() for key, value in figs.items()},
        "p99_ratio": round(ours["p99_ms"] / bare["p99_ms"], 2),
        "throughput_ratio": round(ours["events_per_s"] / bare["events_per_s"], 2),
        "decisions_sent": expected,
        "decision_rows": rows[0],
        "distinct_decision_rows": rows[1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(run(args.events, args.concurrency))
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for app in ("bare_bolt", "nudgebot"):
        print(f"{app:>10}: {result[f'{app}_events_per_s']:>6} events/s  p50 {result[f'{app}_p50_ms']} ms  "
              f"p99 {result[f'{app}_p99_ms']} ms  peak alloc {result[f'{app}_peak_alloc_kib']} KiB")
    print(f"ratios (nudgebot / bare Bolt): p99 {result['p99_ratio']}x, throughput {result['throughput_ratio']}x")
    print(f"decisions sent {result['decisions_sent']}, logged {result['decision_rows']} "
          f"({result['distinct_decision_rows']} distinct)")


if __name__ == "__main__":
    main()
