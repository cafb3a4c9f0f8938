"""Slack ack path: `nudgebot serve` against a bare Bolt app that only acks, side by side in one run.

Each runs as its own server process on 127.0.0.1, as in production, and both call the same fake
Slack Web API (tests/fakes/slack_api.py), itself a separate process standing in for Slack. This
process sends signed `message` events (10% decisions, the rest everyday chat) the way Slack does:
at a fixed rate, whether or not earlier requests were answered (open loop), so latency is counted
from the moment each event was due, and a slow answer delays no later send. For each rate, the bare
app and Nudgebot take turns; for each: p50/p99 time to the HTTP 200. Then the most each can take
(8 requests always in flight), and the peak resident memory of each server process. Afterwards
the decision log is checked: every decision exactly once, none lost, none doubled.

Usage: python benchmarks/slack_ack.py [--events 2000] [--rates 50,200] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import re
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import aiohttp  # noqa: E402
from slack_sdk.signature import SignatureVerifier  # noqa: E402

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"
DECISIONS = [
    "We decided to move the launch to next Friday.",
    "Going with Postgres for the new service.",
    "Decision: the offsite moves to Lisbon.",
]
CHAT = ["morning all", "deploying api to staging now", "PR is green, merging after lunch", "lol", "brb 10 min"]
_serial = itertools.count()


# -- the two child servers (this file run with --role) -----------------------------------------

async def _run_fake() -> None:
    from fakes.slack_api import FakeSlack

    fake = await FakeSlack().start()
    print(f"PORT {fake.port}", flush=True)
    await _until_terminated()
    await fake.stop()


async def _run_bare(api_url: str) -> None:
    from aiohttp import web
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    bolt = AsyncApp(signing_secret=SECRET, client=AsyncWebClient(token=TOKEN, base_url=api_url))

    async def noop(event) -> None:
        return None

    bolt.event("message")(noop)

    async def handler(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    app = web.Application()
    app.router.add_post("/slack/events", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(f"PORT {site._server.sockets[0].getsockname()[1]}", flush=True)
    await _until_terminated()
    await runner.cleanup()


async def _until_terminated() -> None:
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await stop.wait()


# -- this process: start them, load them, read their memory --------------------------------------

class Child:
    def __init__(self, process: asyncio.subprocess.Process, port: int):
        self.process, self.port = process, port

    @classmethod
    async def start(cls, args: list[str], env: dict[str, str], pattern: str) -> Child:
        process = await asyncio.create_subprocess_exec(
            sys.executable, *args, env=env, cwd=env.get("BENCH_CWD"),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
        line = (await asyncio.wait_for(process.stdout.readline(), 60)).decode()
        match = re.search(pattern, line)
        if not match:
            raise SystemExit(f"{args} did not start: {line!r}")
        return cls(process, int(match.group(1)))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    def peak_rss_kib(self) -> int:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(self.process.wait(), 30)


def events(n: int) -> list[tuple[str, bool]]:
    """`n` new message events (never seen before by either app), every tenth a decision."""
    out = []
    for _ in range(n):
        i = next(_serial)
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


def signed(body: str, verifier: SignatureVerifier) -> dict:
    ts = str(int(time.time()))
    return {"Content-Type": "application/json", "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": verifier.generate_signature(timestamp=ts, body=body)}


async def post(session: aiohttp.ClientSession, url: str, body: str, verifier: SignatureVerifier) -> None:
    async with session.post(url, data=body, headers=signed(body, verifier)) as response:
        await response.read()
        if response.status != 200:
            raise SystemExit(f"{url} answered {response.status}")


async def at_rate(session, url: str, bodies: list[str], rate: float) -> list[float]:
    """Send one body every 1/rate seconds; each latency counts from when its send was due."""
    verifier = SignatureVerifier(SECRET)
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05
    latencies: list[float] = []

    async def one(i: int, body: str) -> None:
        due = start + i / rate
        await asyncio.sleep(max(0.0, due - loop.time()))
        await post(session, url, body, verifier)
        latencies.append(loop.time() - due)

    await asyncio.gather(*(one(i, body) for i, body in enumerate(bodies)))
    return latencies


async def flat_out(session, url: str, bodies: list[str], concurrency: int = 8) -> float:
    """Events per second with `concurrency` requests always in flight."""
    verifier = SignatureVerifier(SECRET)
    queue = list(reversed(bodies))

    async def worker() -> None:
        while queue:
            await post(session, url, queue.pop(), verifier)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return len(bodies) / (time.perf_counter() - start)


def percentiles(latencies: list[float]) -> dict:
    ordered = sorted(latencies)
    return {"p50_ms": round(statistics.median(ordered) * 1000, 2),
            "p99_ms": round(ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000, 2)}


async def run(n: int, rates: list[float]) -> dict:
    me = str(Path(__file__).resolve())
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "NUDGEBOT_"))}
    with tempfile.TemporaryDirectory() as tmp:
        fake = await Child.start([me, "--role", "fake"], base_env, r"PORT (\d+)")
        api = f"http://127.0.0.1:{fake.port}/api/"
        bare = await Child.start([me, "--role", "bare", "--api", api], base_env, r"PORT (\d+)")
        db = Path(tmp) / "bench.db"
        ours_env = {**base_env, "BENCH_CWD": tmp, "NUDGEBOT_DB": str(db), "SLACK_BOT_TOKEN": TOKEN,
                    "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": api, "NUDGEBOT_COOLDOWN_MINUTES": "0",
                    "NUDGEBOT_CHANNEL_DAILY_CAP": "100000"}
        ours = await Child.start(["-m", "bot", "serve", "--host", "127.0.0.1", "--port", "0"], ours_env,
                                 r"http://127\.0\.0\.1:(\d+)")
        apps = {"bare_bolt": bare, "nudgebot": ours}
        result: dict = {"events_per_rate": n, "rates": rates}
        decisions = 0
        try:
            async with aiohttp.ClientSession() as session:
                for child in apps.values():  # warm both up the same way
                    sent = events(100)
                    decisions += sum(d for _, d in sent if child is ours)
                    await flat_out(session, child.url, [b for b, _ in sent])
                for rate in rates:
                    for name, child in apps.items():
                        sent = events(n)
                        decisions += sum(d for _, d in sent if child is ours)
                        figures = percentiles(await at_rate(session, child.url, [b for b, _ in sent], rate))
                        result.update({f"{name}_{rate:g}_per_s_{k}": v for k, v in figures.items()})
                        await asyncio.sleep(1)  # let the work after the acks finish before the next turn
                    result[f"p99_ratio_{rate:g}_per_s"] = round(
                        result[f"nudgebot_{rate:g}_per_s_p99_ms"] / result[f"bare_bolt_{rate:g}_per_s_p99_ms"], 2)
                for name, child in apps.items():
                    sent = events(n)
                    decisions += sum(d for _, d in sent if child is ours)
                    result[f"{name}_max_events_per_s"] = round(await flat_out(session, child.url,
                                                                              [b for b, _ in sent]))
                await asyncio.sleep(2)
            for name, child in apps.items():
                result[f"{name}_peak_rss_kib"] = child.peak_rss_kib()
        finally:
            for child in (ours, bare, fake):
                await child.stop()
        result["max_throughput_ratio"] = round(result["nudgebot_max_events_per_s"]
                                               / result["bare_bolt_max_events_per_s"], 2)
        with sqlite3.connect(db) as conn:
            rows = conn.execute("SELECT count(*), count(DISTINCT ts) FROM decisions").fetchone()
        result.update(decisions_sent=decisions, decision_rows=rows[0], distinct_decision_rows=rows[1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000, help="events per rate and app")
    parser.add_argument("--rates", default="50,200", help="events per second, comma-separated")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--role", choices=("fake", "bare"), help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role == "fake":
        return asyncio.run(_run_fake())
    if args.role == "bare":
        return asyncio.run(_run_bare(args.api))
    rates = [float(r) for r in args.rates.split(",")]
    result = asyncio.run(run(args.events, rates))
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for rate in rates:
        for app in ("bare_bolt", "nudgebot"):
            key = f"{app}_{rate:g}_per_s"
            print(f"{rate:>5g} events/s {app:>10}: p50 {result[key + '_p50_ms']:>6} ms  "
                  f"p99 {result[key + '_p99_ms']:>6} ms")
        print(f"{rate:>5g} events/s p99 ratio (nudgebot / bare Bolt): {result[f'p99_ratio_{rate:g}_per_s']}x")
    for app in ("bare_bolt", "nudgebot"):
        print(f"{app:>10}: at most {result[f'{app}_max_events_per_s']} events/s (8 in flight), "
              f"peak RSS {result[f'{app}_peak_rss_kib']} KiB")
    print(f"max throughput ratio: {result['max_throughput_ratio']}x")
    print(f"decisions sent {result['decisions_sent']}, logged {result['decision_rows']} "
          f"({result['distinct_decision_rows']} distinct)")


if __name__ == "__main__":
    main()
