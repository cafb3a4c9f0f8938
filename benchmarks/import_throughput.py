"""How fast `nudgebot import` reads a Slack export, and whether its memory stays flat as the export grows.

For each size, a synthetic export is written to a temporary folder in Slack's layout (a zip by
default): 40 conversations (30 public channels, 6 private, 2 group DMs, 2 DMs) of 200 people,
about 50 messages per conversation and working day, the history growing by days. The messages
are what a workspace's history holds: everyday chat, threads and replies (a few broadcast to the
channel), decisions and approval requests from the labelled corpus with approvals and declines in
their threads, edits, file shares, /me messages, bot posts, joins, leaves and topic changes. The
generator writes one day file at a time, so it never holds the export in memory either.

Then, each as a child process: `nudgebot import` into a new SQLite log, and a baseline that only
unzips and parses every day file (the least any importer must do). For each: messages/s (every
entry of every day file) over the child's CPU time, so other load on the machine does not skew
it, and over wall-clock time; and peak resident memory (the child's ru_maxrss). The summary's
message count is checked against what was generated.

Usage: python benchmarks/import_throughput.py [--sizes 250000,1000000] [--folder] [--json]
Nothing here touches the network.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

from classify_throughput import _CHAT, corpus_texts  # noqa: E402

TEAM = "T0BENCH"
PEOPLE = [f"U{n:05d}" for n in range(200)]
PER_DAY = 50  # messages per conversation and working day, on average
CONVERSATIONS = (
    [("channels.json", f"C{n:04d}", f"team-{n}") for n in range(30)]
    + [("groups.json", f"G{n:04d}", f"private-{n}") for n in range(6)]
    + [("mpims.json", f"G9{n:03d}", f"mpdm-u00001--u00002--u{n:05d}-1") for n in range(2)]
    + [("dms.json", f"D{n:04d}", None) for n in range(2)]
)
APPROVALS = ["approved", "LGTM, approved", "Approved, go ahead.", "no, declined", "+1 approved"]
BASELINE = (
    "import json, sys, zipfile, pathlib\n"
    "p = pathlib.Path(sys.argv[1]); n = 0\n"
    "if p.is_dir():\n"
    "    files = sorted(f for f in p.glob('*/*.json'))\n"
    "    read = lambda f: f.read_bytes()\n"
    "else:\n"
    "    z = zipfile.ZipFile(p); files = [i for i in z.namelist() if i.count('/') == 1]\n"
    "    read = z.read\n"
    "for f in files:\n"
    "    n += len(json.loads(read(f)))\n"
    "print(n)\n"
)


class Writer:
    """Day files into a zip or a folder, one at a time."""

    def __init__(self, target: Path, as_folder: bool):
        self.target = target
        self.archive = None if as_folder else zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED)
        if as_folder:
            target.mkdir(parents=True)

    def write(self, name: str, data) -> None:
        raw = json.dumps(data, indent=4, ensure_ascii=False).encode("utf-8")
        if self.archive is not None:
            self.archive.writestr(name, raw)
            return
        path = self.target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()


class Channel:
    """One conversation's running state: recent threads to reply to, requests awaiting an answer."""

    def __init__(self, rng: random.Random, cid: str, name: str | None):
        self.cid, self.name = cid, name
        self.members = rng.sample(PEOPLE, 12 if name else 2)
        self.roots: list[tuple[str, str]] = []  # (ts, author) of recent top-level messages
        self.requests: list[tuple[str, str]] = []


def _message(rng, user: str, text: str, ts: str, **extra) -> dict:
    message = {
        "client_msg_id": f"{rng.getrandbits(64):016x}", "type": "message", "text": text, "user": user, "ts": ts,
        "team": TEAM, "user_team": TEAM, "source_team": TEAM,
        "user_profile": {"avatar_hash": f"{rng.getrandbits(32):08x}", "first_name": user.lower(),
                         "real_name": f"Person {user}", "display_name": user.lower(), "team": TEAM,
                         "name": user.lower(), "is_restricted": False, "is_ultra_restricted": False},
        "blocks": [{"type": "rich_text", "block_id": f"{rng.getrandbits(20):05x}",
                    "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}]}],
    }
    message.update(extra)
    return message


def day_entries(rng: random.Random, channel: Channel, day: date, texts: list[str], counts: dict) -> list[dict]:
    """One conversation's day: everyday chat, threads, decisions and requests, edits, bots and joins."""
    n = max(1, int(rng.gauss(PER_DAY, PER_DAY / 4)))
    start = int(datetime(day.year, day.month, day.day, 8, tzinfo=UTC).timestamp())
    seconds = sorted(rng.randrange(0, 10 * 3600) for _ in range(n))
    entries = []
    for i, offset in enumerate(seconds):
        ts = f"{start + offset}.{i:06d}"
        user = rng.choice(channel.members)
        roll = rng.random()
        if roll < 0.04:
            entries.append({"type": "message", "subtype": "bot_message", "bot_id": "B0DEPLOY", "username": "deploybot",
                            "text": f"Deploy #{rng.randrange(10_000)} finished on production", "ts": ts})
            continue
        if roll < 0.06:
            subtype = rng.choice(["channel_join", "channel_leave", "channel_topic"])
            entries.append({"type": "message", "subtype": subtype, "user": user, "ts": ts,
                            "text": f"<@{user}> {subtype.replace('channel_', '')} the channel"})
            continue
        counts["people"] += 1
        extra = {}
        if rng.random() < 0.05:
            extra["edited"] = {"user": user, "ts": f"{start + offset + 60}.000000"}
        if roll < 0.36 and channel.roots:
            root, author = rng.choice(channel.roots[-20:])
            pending = [r for r in channel.requests if r[0] == root]
            if pending and user != author and rng.random() < 0.6:
                text = rng.choice(APPROVALS)
                channel.requests.remove(pending[0])
            else:
                text = _CHAT[rng.randrange(len(_CHAT))].format(n=rng.randrange(997))
            if rng.random() < 0.05:
                extra["subtype"] = "thread_broadcast"
            entries.append(_message(rng, user, text, ts, thread_ts=root, parent_user_id=author, **extra))
            continue
        if rng.random() < 0.05:
            text = texts[rng.randrange(len(texts))]  # decisions and requests, as the corpus writes them
            if "approv" in text.lower() or "sign off" in text.lower():
                channel.requests.append((ts, user))
                channel.requests = channel.requests[-10:]
        else:
            text = _CHAT[rng.randrange(len(_CHAT))].format(n=rng.randrange(997))
        if rng.random() < 0.02:
            extra.update(subtype="file_share", files=[{"id": f"F{rng.getrandbits(32):08X}", "name": "spec.pdf"}])
        elif rng.random() < 0.01:
            extra["subtype"] = "me_message"
        channel.roots.append((ts, user))
        channel.roots = channel.roots[-40:]
        entries.append(_message(rng, user, text, ts, **extra))
    counts["entries"] += len(entries)
    return entries


def generate(target: Path, messages: int, as_folder: bool, seed: int = 7) -> dict:
    """Write an export of at least `messages` entries, in whole working days; returns what was written."""
    rng = random.Random(seed)
    texts = corpus_texts()
    first = date(2024, 1, 1)
    writer = Writer(target, as_folder)
    writer.write("users.json", [{"id": u, "team_id": TEAM, "name": u.lower(), "real_name": f"Person {u}",
                                 "profile": {"display_name": u.lower()}} for u in PEOPLE])
    channels = []
    for file in ("channels.json", "groups.json", "mpims.json", "dms.json"):
        listed = [(cid, name) for f, cid, name in CONVERSATIONS if f == file]
        channels += [Channel(rng, cid, name) for cid, name in listed]
        writer.write(file, [{"id": cid, "name": name, "created": 1700000000} if name else
                            {"id": cid, "created": 1700000000, "members": PEOPLE[:2]} for cid, name in listed])
    counts = {"entries": 0, "people": 0, "files": 0}
    day = first
    while counts["entries"] < messages:
        if day.weekday() < 5:
            for channel in channels:
                folder = channel.name or channel.cid
                writer.write(f"{folder}/{day.isoformat()}.json", day_entries(rng, channel, day, texts, counts))
                counts["files"] += 1
        day += timedelta(days=1)
    writer.close()
    return counts


def measure(command: list[str], env: dict, cwd: Path) -> dict:
    """Run a child process; its wall time, CPU time, peak resident memory and output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)  # the child's own rusage, ru_maxrss included
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        output, errors = out.read().decode(), err.read().decode()
    if child.returncode != 0:
        raise SystemExit(f"{command[1:4]} failed with exit {child.returncode}:\n{errors[-2000:]}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024,
            "out": output}


def run_size(size: int, as_folder: bool, tmp: Path) -> dict:
    target = tmp / (f"export-{size}" if as_folder else f"export-{size}.zip")
    started = time.perf_counter()
    counts = generate(target, size, as_folder)
    generated_s = time.perf_counter() - started
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NUDGEBOT_", "SLACK_", "OPENAI_"))}
    env.update(NUDGEBOT_DB=str(tmp / f"log-{size}.db"), NUDGEBOT_RETENTION_DAYS="0")
    baseline = measure([sys.executable, "-c", BASELINE, str(target)], env, tmp)
    imported = measure([sys.executable, "-m", "bot", "import", str(target)], env, tmp)
    found = re.search(r"([\d,]+) messages people wrote", imported["out"])
    total = re.search(r"^total\s+[\d,]+\s+(\d+)\s+.*?\s(\d+)\s+\S+( h)?$", imported["out"], re.M)
    if not found or int(found.group(1).replace(",", "")) != counts["people"]:
        raise SystemExit(f"the import read {found and found.group(1)} messages, {counts['people']} were written")
    if int(baseline["out"]) != counts["entries"]:
        raise SystemExit("the baseline did not read every entry")
    n = counts["entries"]
    return {
        "entries": n, "people_messages": counts["people"], "day_files": counts["files"],
        "export_mb": round(sum(p.stat().st_size for p in ([target] if target.is_file() else target.rglob("*")))
                           / 2**20, 1),
        "generated_s": round(generated_s, 1),
        "decisions_logged": int(total.group(1)), "approval_requests_logged": int(total.group(2)),
        "import_msgs_per_cpu_s": round(n / imported["cpu_s"]), "import_msgs_per_wall_s": round(n / imported["wall_s"]),
        "import_cpu_s": round(imported["cpu_s"], 1), "import_wall_s": round(imported["wall_s"], 1),
        "import_peak_mb": round(imported["peak_mb"], 1),
        "baseline_msgs_per_cpu_s": round(n / baseline["cpu_s"]), "baseline_peak_mb": round(baseline["peak_mb"], 1),
        "log_mb": round((tmp / f"log-{size}.db").stat().st_size / 2**20, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="250000,1000000", help="messages in each export, comma-separated")
    parser.add_argument("--folder", action="store_true", help="an unpacked export instead of the zip")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="nudgebot-import-bench-") as tmp:
        results = [run_size(size, args.folder, Path(tmp)) for size in sizes]
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"Slack export ({'folder' if args.folder else 'zip'}) → nudgebot import; baseline: unzip and parse only")
    for r in results:
        print(f"{r['entries']:>9,} messages ({r['people_messages']:,} by people) in {r['day_files']:,} day files, "
              f"{r['export_mb']} MB: import {r['import_msgs_per_cpu_s']:,} msg/s of CPU ({r['import_cpu_s']} s; "
              f"{r['import_msgs_per_wall_s']:,} msg/s over {r['import_wall_s']} s wall), peak "
              f"{r['import_peak_mb']} MB; baseline {r['baseline_msgs_per_cpu_s']:,} msg/s of CPU, peak "
              f"{r['baseline_peak_mb']} MB; {r['decisions_logged']:,} decisions and "
              f"{r['approval_requests_logged']:,} approval requests logged")
    if len(results) > 1:
        first, last = results[0], results[-1]
        print(f"{last['entries'] / first['entries']:.1f}x the messages: peak memory "
              f"{last['import_peak_mb'] / first['import_peak_mb']:.2f}x "
              f"(baseline {last['baseline_peak_mb'] / first['baseline_peak_mb']:.2f}x), "
              f"throughput {last['import_msgs_per_cpu_s'] / first['import_msgs_per_cpu_s']:.2f}x")


if __name__ == "__main__":
    main()
