"""How long one week's digest takes to build from a large log.

A temporary SQLite log (migrated as `nudgebot` migrates it, digest indexes included) is filled with
synthetic decisions in one transaction: by default one million, across 40 workspaces (one of them
holding a quarter of all rows, the rest evenly), 60 conversations each (a tenth private channels,
a twentieth DMs), 200 people each, and the 104 weeks up to 2026-W47. Fifteen in a hundred are
approval requests, each with an approver (answered where approved); requests are still open only in
the last two weeks. Then, for the last week and the busiest workspace, the whole digest
(`digest_report.compose`: the week's figures and items, the twelve weeks' trend, the principles and
the approval bottlenecks) is built for each of its kinds of destination: a public channel's view of
the workspace, one private channel's own digest, and one author's DM. Each is timed cold (first
build, fresh connection) and warm (median of the runs after it). Rendering the text and drawing
the chart are timed apart: they do not depend on the log's size.

Usage: python benchmarks/digest_build.py [--decisions 1000000] [--runs 7] [--json]
Nothing here touches the network.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.approvals import ApprovalRules  # noqa: E402
from bot.chart import share_chart  # noqa: E402
from bot.config import BUNDLED_PRINCIPLES  # noqa: E402
from bot.digest import parse_week  # noqa: E402
from bot.digest_render import render_text  # noqa: E402
from bot.digest_report import Destination, compose  # noqa: E402
from bot.models import iso  # noqa: E402
from bot.principles import load_principles  # noqa: E402
from bot.store import Store  # noqa: E402
from bot.workhours import WorkingTime  # noqa: E402

ZONE = ZoneInfo("UTC")
WEEK = "2026-W47"
WEEKS = 104
WORKSPACES = 40
CHANNELS = 60
PEOPLE = 200
BIG = "T00"  # the busiest workspace
TEXTS = [
    "We decided to move the launch to next Friday.",
    "We decided to add CSV export because customers keep asking to get their data into Excel.",
    "Going with Postgres for the new billing service.",
    "<@U0001> can you approve the Q3 vendor contract?",
    "We will cut the onboarding survey to three questions so new users finish it.",
    "Decision: the mobile app drops support for Android 9 in March.",
]


def channel(n: int) -> tuple[str, str]:
    """A conversation id and its visibility: a tenth private channels, a twentieth DMs."""
    if n % 10 == 9:
        return f"G{n:04d}", "private"
    if n % 20 == 18:
        return f"D{n:04d}", "dm"
    return f"C{n:04d}", "public"


def seed(store: Store, total: int, rng: random.Random, principle_ids: list[str]) -> dict:
    end = parse_week(WEEK, ZONE).end
    start = end - timedelta(weeks=WEEKS)
    span = (end - start).total_seconds()
    recent = end - timedelta(weeks=2)
    big = total // 4
    rest = [f"T{n:02d}" for n in range(1, WORKSPACES)]
    db = store.db
    conn = db.conn
    rows, approvers = [], []
    columns = ("id", "platform", "workspace", "channel", "channel_name", "visibility", "thread", "ts", "author",
               "author_name", "text", "kind", "customer_rationale", "not_customer_facing_by", "principles",
               "permalink", "status", "approval_state", "resolved_at", "replies", "created_at", "updated_at")
    insert = f"INSERT INTO decisions ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
    conn.execute("BEGIN")
    for i in range(1, total + 1):
        workspace = BIG if i <= big else rest[i % len(rest)]
        ch, visibility = channel(rng.randrange(CHANNELS))
        when = start + timedelta(seconds=rng.random() * span)
        ts = f"{int(when.timestamp())}.{i:06d}"
        author = f"U{rng.randrange(PEOPLE):04d}"
        request = rng.random() < 0.15
        state = resolved = None
        if request:
            state = "open" if when >= recent and rng.random() < 0.4 else rng.choice(["approved"] * 7 + ["declined"])
            if state != "open":
                resolved = iso(when + timedelta(hours=rng.uniform(0.5, 60)))
            approvers.append((i, "slack", workspace, "user", f"U{rng.randrange(PEOPLE):04d}", iso(when),
                              "approve" if state == "approved" else None, resolved if state == "approved" else None))
        rationale = rng.random() < 0.4
        chosen = rng.sample(principle_ids, rng.choice([0, 1, 1, 2]))
        rows.append((i, "slack", workspace, ch, f"channel-{ch.lower()}", visibility, ts, ts, author, f"Person {author}",
                     rng.choice(TEXTS), "approval_request" if request else "decision", int(rationale),
                     "U0002" if not rationale and rng.random() < 0.05 else None, json.dumps(chosen),
                     f"https://example.slack.com/archives/{ch}/p{ts.replace('.', '')}", "active", state, resolved,
                     rng.choice([0, 0, 0, 1, 2, 3, 5, 8]), iso(when), iso(when)))
        if len(rows) == 50_000:
            conn.executemany(insert, rows)
            rows.clear()
    conn.executemany(insert, rows)
    conn.execute(
        "INSERT INTO approval_requests (decision_id, platform, workspace, channel, thread, requester, created_at) "
        "SELECT id, platform, workspace, channel, thread, author, created_at FROM decisions "
        "WHERE kind = 'approval_request'")
    conn.executemany(
        "INSERT INTO approval_approvers (request_id, platform, workspace, kind, approver, added_at, answer, "
        "answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", approvers)
    conn.execute("COMMIT")
    return {"decisions": total, "approval_requests": len(approvers)}


def timed(build, runs: int) -> dict:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        result = build()
        times.append(time.perf_counter() - began)
    return {"cold_s": round(times[0], 4), "warm_median_s": round(statistics.median(times[1:]), 4),
            "warm_max_s": round(max(times[1:]), 4), "result": result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rng = random.Random(47)
    principles = load_principles(BUNDLED_PRINCIPLES)
    rules = ApprovalRules(WorkingTime(ZONE))
    week = parse_week(WEEK, ZONE)
    now = week.end + timedelta(hours=9)
    report: dict = {"week": WEEK, "workspace": BIG}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        began = time.perf_counter()
        store = Store.open(path)
        report["seeded"] = seed(store, args.decisions, rng, [p.id for p in principles])
        report["seed_s"] = round(time.perf_counter() - began, 1)
        report["file_mb"] = round(path.stat().st_size / 2**20, 1)
        store.close()
        in_week = Store.open(path)
        report["rows_in_week"] = next(in_week.db.query(
            "SELECT count(*) AS n FROM decisions WHERE platform = 'slack' AND workspace = ? AND created_at >= ? "
            "AND created_at < ?", [BIG, iso(week.start), iso(week.end)]))["n"]
        in_week.close()
        busiest_author = "U0007"
        for label, destination in (
            ("workspace (a public channel's digest)", Destination("slack", BIG, "channel", channel=channel(0)[0])),
            ("single channel (a private channel's own digest)", Destination("slack", BIG, "channel",
                                                                               channel=channel(9)[0])),
            ("author's DM", Destination("slack", BIG, "dm", user=busiest_author)),
        ):
            store = Store.open(path)  # a fresh connection: the first build is cold

            def build(store=store, destination=destination):
                digest = compose(store, principles, rules, destination, week, ZONE, now, limit=10)
                return {"decisions": digest.figures.decisions, "lacking": len(digest.figures.items) +
                        digest.figures.more}

            report[label] = timed(build, args.runs)
            if destination.kind == "channel" and destination.channel == channel(0)[0]:
                sample = compose(store, principles, rules, destination, week, ZONE, now, limit=10)
            store.close()
        report["render_text_s"] = timed(lambda: len(render_text(sample)), args.runs)
        report["chart_png_s"] = timed(lambda: len(share_chart(sample.trend)), args.runs)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{report['seeded']['decisions']:,} decisions ({report['seeded']['approval_requests']:,} approval requests) "
          f"in {WORKSPACES} workspaces over {WEEKS} weeks; seeded in {report['seed_s']} s, {report['file_mb']} MB")
    print(f"Busiest workspace {BIG}: {report['rows_in_week']:,} rows in {WEEK}")
    for key, value in report.items():
        if isinstance(value, dict) and "cold_s" in value:
            cold, warm, worst = (value[k] * 1000 for k in ("cold_s", "warm_median_s", "warm_max_s"))
            print(f"  {key:50} cold {cold:7.1f} ms   warm median {warm:7.1f} ms   max {worst:7.1f} ms   "
                  f"{value['result']}")
    print(f"(measured at {datetime.now(UTC):%Y-%m-%d %H:%M} UTC)")


if __name__ == "__main__":
    main()
