"""How fast the rules judge messages, measured against a baseline in the same run.

Two measurements, each with its own side-by-side baseline:

1. in process, on one core: `detect()` over the labelled corpus messages (repeated to N),
   against a baseline that only parses and re-serialises each JSON line — the work any
   classifier must do anyway. The ratio says how much the rules cost on top of that.
2. end to end: `nudgebot classify FILE` as a subprocess, against `python -c` doing the same
   JSON round trip over the same file (interpreter start-up included in both).

Usage: python benchmarks/classify_throughput.py [--messages 50000] [--corpus-share 1.0] [--json]
Times are CPU seconds (best of a few runs), so other load on the machine does not skew them.
Nothing here touches the network.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import BUNDLED_PRINCIPLES  # noqa: E402
from bot.detect import PrincipleMatcher, detect  # noqa: E402
from bot.principles import load_principles  # noqa: E402

BASELINE = (
    "import json,sys\n"
    "out=sys.stdout\n"
    "for line in open(sys.argv[1]):\n"
    "    o=json.loads(line); out.write(json.dumps({'id': o.get('id'), 'n': len(o['text'])})+'\\n')\n"
)


# Everyday chat around the decisions: most of a channel's traffic looks like this.
_CHAT = [
    "morning all :wave:", "deploying api to staging now", "PR #{n} is green, merging after lunch",
    "anyone seen the flaky checkout test? failed twice on main", "brb 10 min", "thanks <@U0{n}>!",
    "standup notes are in <https://docs.example.com/{n}|the doc>", "lol", "+1 to what Sam said about naming",
    "```\nTraceback (most recent call last):\n  File \"app.py\", line {n}\n```\nany idea?",
    "the build cache is cold again, first run takes ~{n} min", "on call this week, ping me for prod stuff",
    "can someone pair with me on the migration script later?", "retro moved to room 4",
    "the dashboard shows p99 at {n}ms since the last deploy", "ooo tomorrow, back Thursday",
]


def corpus_texts() -> list[str]:
    texts = []
    for name in ("tune.jsonl", "dev.jsonl", "heldout.jsonl"):
        path = ROOT / "tests" / "data" / name
        if path.exists():
            texts += [json.loads(line)["text"] for line in path.read_text().splitlines() if line.strip()]
    if not texts:
        raise SystemExit("tests/data/*.jsonl not found")
    return texts


def message_lines(count: int, corpus_share: float) -> list[str]:
    """`corpus_share` of the messages are labelled-corpus texts (dense with decision words); the
    rest are everyday chat lines."""
    texts = corpus_texts()
    every = max(1, round(1 / corpus_share)) if corpus_share > 0 else 0
    lines = []
    for i in range(count):
        if every and i % every == 0:
            text = texts[(i // every) % len(texts)]
        else:
            text = _CHAT[i % len(_CHAT)].format(n=i % 997)
        lines.append(json.dumps({"id": i, "text": text}))
    return lines


def best_of(runs: int, fn) -> float:
    """Best CPU time (this process and its children) of `runs` runs: other load on the machine
    slows the wall clock, not the work done."""
    times = []
    for _ in range(runs):
        start = _cpu()
        fn()
        times.append(_cpu() - start)
    return min(times)


def _cpu() -> float:
    own = time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument(
        "--corpus-share", type=float, default=1.0,
        help="share of messages taken from the labelled corpus (1.0 = worst case; 0.1 = a busy channel)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    lines = message_lines(args.messages, args.corpus_share)
    matcher = PrincipleMatcher(load_principles(BUNDLED_PRINCIPLES))

    def baseline() -> None:
        for line in lines:
            obj = json.loads(line)
            json.dumps({"id": obj["id"], "n": len(obj["text"])})

    def rules() -> None:
        for line in lines:
            obj = json.loads(line)
            json.dumps({"id": obj["id"], **detect(obj["text"], matcher).as_dict()})

    base_s = best_of(3, baseline)
    rules_s = best_of(3, rules)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "messages.jsonl"
        path.write_text("\n".join(lines) + "\n")
        env_python = sys.executable
        cli_s = best_of(
            2,
            lambda: subprocess.run(
                [env_python, "-m", "bot", "classify", str(path)],
                cwd=tmp, check=True, stdout=subprocess.DEVNULL,
            ),
        )
        base_cli_s = best_of(
            2,
            lambda: subprocess.run([env_python, "-c", BASELINE, str(path)], check=True, stdout=subprocess.DEVNULL),
        )

    n = len(lines)
    figures = {
        "messages": n,
        "corpus_share": args.corpus_share,
        "in_process_msgs_per_s": round(n / rules_s),
        "in_process_baseline_msgs_per_s": round(n / base_s),
        "in_process_ratio": round(rules_s / base_s, 2),
        "cli_msgs_per_s": round(n / cli_s),
        "cli_baseline_msgs_per_s": round(n / base_cli_s),
        "cli_ratio": round(cli_s / base_cli_s, 2),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"{n} messages, {args.corpus_share:.0%} from the labelled corpus, the rest everyday chat")
    print(f"in process : rules {figures['in_process_msgs_per_s']:>9,} msg/s   "
          f"JSON-only baseline {figures['in_process_baseline_msgs_per_s']:>9,} msg/s   "
          f"time ratio {figures['in_process_ratio']}x")
    print(f"nudgebot classify: {figures['cli_msgs_per_s']:>9,} msg/s   "
          f"python JSON baseline {figures['cli_baseline_msgs_per_s']:>9,} msg/s   "
          f"time ratio {figures['cli_ratio']}x")


if __name__ == "__main__":
    main()
