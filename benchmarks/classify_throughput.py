"""How fast the rules judge messages, measured against a baseline in the same run.

Two measurements, each with its own side-by-side baseline:

1. in process, on one core: `detect()` over the labelled corpus messages (repeated to N),
   against a baseline that only parses and re-serialises each JSON line — the work any
   classifier must do anyway. The ratio says how much the rules cost on top of that.
2. end to end: `nudgebot classify FILE` as a subprocess, against `python -c` doing the same
   JSON round trip over the same file (interpreter start-up included in both).

Beside them, the slowest single message: `detect()` on adversarial inputs as long as detection
reads (a decision followed by one customer noun or clause thousands of times, long text without
a sentence break, runs of question marks, emoji codes, possessives…). No message may take more
than JUDGE_BUDGET_MS; rules that re-scan the text for every match show up here first.

Usage: python benchmarks/classify_throughput.py [--messages 50000] [--corpus-share 1.0] [--json]
       python benchmarks/classify_throughput.py --adversarial-only
       python benchmarks/classify_throughput.py --breakdown --corpus-share 0.1   (µs per stage of a judgement)
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
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import BUNDLED_PRINCIPLES  # noqa: E402
from bot.detect import PrincipleMatcher, detect  # noqa: E402
from bot.principles import load_principles  # noqa: E402
from bot.text import DETECT_CHARS  # noqa: E402

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


# The longest any one message may take to judge.
JUDGE_BUDGET_MS = 20.0

# Every kind of word and clause the customer rules match (customers.py), each to be repeated.
_CUSTOMER_WORDS = """customers customer customer's customers' users user user's end-users clients buyers shoppers
patients subscribers members merchants sellers guests visitors readers viewers players students parents teachers
families travellers riders drivers hosts tenants accounts admins prospects signups charities ngos clerks cooks reps
devs pharmacists dispatchers integrators partners callers residents donors fans creators agents segments cohorts
personas audience community contributors downstream distros consumers operators newcomers beginners nps csat
churned churn cx accessibility a11y regulars surveys men kids adults owners folks staff employees teammates nurses
managers hosted userspace""".split()
_CUSTOMER_CLAUSES = [
    "end users", "new hires", "shop owners", "developers using", "employees who use", "companies that use",
    "people who", "people on", "they're a chain", "a lot of people", "all of them", "they told us", "folks who",
    "anyone who", "those running", "plugin authors", "maintainers of", "support tickets", "tickets from",
    "complaints from the", "on the waitlist", "their ops team", "buying from us", "who buy from us",
    "sam's nurses", "clinics we lost", "crew at the", "broke it for a user", "focus groups", "user research",
    "usability testing", "feedback from", "beta testers", "in the field", "so that they can", "our enterprise",
    "ops managers asked for", "cooks who use", "the ap team works", "customer call", "desktop client",
    "we will host", "give users", "to users", "for the nurses", "so nurses",
]
# How the repeated words follow the decision: a new sentence, the same sentence, a sentence with a reason.
_LEADS = ("We decided to ship it. ", "We decided to ship it, ", "We decided to ship it because it is easier, ")
# Text with no customer in it, before or after the decision.
_FILLERS = {
    "long unbroken text": "word ",
    "one long word": "a",
    "one long hyphenated word": "ab-",
    "question marks": "? ",
    "emoji codes": ":smile: ",
    "approval emoji": ":white_check_mark: ",
    "commas": ", ",
    "line breaks": "users\n",
    "decision words": "we decided ",
    "possessives": "x's ",
    "determiners": "the ",
    "broke": "broke ",
    "most of the": "most of the ",
    "accented letters": "é ",
    "a reason, no customer": "because it is easier ",
}


def adversarial_inputs() -> list[tuple[str, str]]:
    """(name, text) pairs, each as long as detection reads."""
    inputs = []
    for unit in _CUSTOMER_WORDS + _CUSTOMER_CLAUSES:
        for lead in _LEADS:
            times = DETECT_CHARS // (len(unit) + 1)
            inputs.append((f"{lead.strip()} + {unit!r} × {times}", (lead + (unit + " ") * times)[:DETECT_CHARS]))
    for name, unit in _FILLERS.items():
        body = unit * (DETECT_CHARS // len(unit))
        inputs.append((f"decision, then {name}", (_LEADS[0] + body)[:DETECT_CHARS]))
        inputs.append((f"{name}, then a decision", body[: DETECT_CHARS - 24] + " We decided to ship it."))
    return inputs


def slowest_judgement(judge: Callable[[str], object], runs: int = 3) -> tuple[float, str, int]:
    """The slowest adversarial input for `judge`: (best CPU seconds of `runs`, its name, how many inputs)."""
    inputs = adversarial_inputs()
    worst, worst_name = 0.0, ""
    for name, text in inputs:
        # A new copy each run: the detector keeps the verdict of the very same text object judged again.
        best = min(_judge_once((" " + text)[1:], judge) for _ in range(runs))
        if best > worst:
            worst, worst_name = best, name
    return worst, worst_name, len(inputs)


def _judge_once(text: str, judge: Callable[[str], object]) -> float:
    start = time.process_time()
    judge(text)
    return time.process_time() - start


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


def breakdown(learned, texts: list[str]) -> dict[str, float]:
    """CPU microseconds per message of each stage of a judgement, each timed alone over `texts` (the
    rules' per-message caches hold a few texts, so a stage timed over a stream of texts recomputes)."""
    import numpy as np

    from bot import detect as rules
    from bot import text
    from bot.detector import acts, features
    from bot.detector.readable import unreadable

    model = learned.model
    featuriser = model.featuriser
    readable = [t for t in texts if not unreadable(t)]
    norms = [text.normalise(t) for t in readable]
    columns = [featuriser.columns(n) for n in norms]
    logits = [model.raw_logits(*featuriser.vector(n)) for n in norms]

    def scored(found) -> None:
        idx, sizes = found
        model.raw_logits(np.fromiter(idx, dtype=np.int64, count=len(idx)), featuriser._values(tuple(sizes)))

    stages = {
        "unreadable check": (unreadable, texts),
        "normalise": (text._normalise, readable),
        "rules: classify": (rules._reading.__wrapped__, norms),
        "rules: find_customer": (rules.find_customer.__wrapped__, norms),
        "rules: whole reading (the two above, phrases, decline)": (features._rule_reading, norms),
        "clause acts": (acts.clause_acts, norms),
        "cue classes": (features._CUES, norms),
        "all features (the rules, acts and cues above; words, sentences)": (featuriser.columns, norms),
        "numpy: vector and logits": (scored, columns),
        "scores_from": (lambda x: model.scores_from(x[:4], x[4], x[5]), logits),
        "judge, all of it": (learned._judge, texts),
    }
    per_message = {}
    for name, (stage, items) in stages.items():
        seconds = best_of(3, lambda stage=stage, items=items: [stage(x) for x in items])
        per_message[name] = round(seconds / len(texts) * 1e6, 1)
    return per_message


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
    parser.add_argument(
        "--adversarial-only", action="store_true", help="only the slowest single message, not the throughput"
    )
    parser.add_argument(
        "--breakdown", action="store_true", help="only the CPU time of each stage of a judgement, per message"
    )
    args = parser.parse_args()
    from bot.detector.judge import Detector
    from bot.detector.model import shipped_model
    from bot.opinion import candidate

    principles = load_principles(BUNDLED_PRINCIPLES)
    matcher = PrincipleMatcher(principles)
    learned = Detector(principles, model=shipped_model())
    if args.breakdown:
        texts = [json.loads(line)["text"] for line in message_lines(args.messages, args.corpus_share)]
        stages = breakdown(learned, texts)
        if args.json:
            print(json.dumps(stages, indent=2))
            return
        print(f"{len(texts)} messages, {args.corpus_share:.0%} from the labelled corpus: CPU µs per message")
        for name, us in stages.items():
            print(f"{us:8.1f}  {name}")
        return
    worst_s, worst_name, adversarial_n = slowest_judgement(lambda text: detect(text, matcher))
    worst_model_s, worst_model_name, _ = slowest_judgement(learned.judge)
    slowest = {
        "adversarial_inputs": adversarial_n,
        "slowest_judge_ms": round(worst_s * 1000, 2),
        "slowest_input": worst_name,
        "slowest_model_judge_ms": round(worst_model_s * 1000, 2),
        "slowest_model_input": worst_model_name,
        "judge_budget_ms": JUDGE_BUDGET_MS,
    }

    def verdict(ms: float) -> str:
        return "" if ms <= JUDGE_BUDGET_MS else ", OVER"

    slowest_line = (
        f"slowest message of {adversarial_n} adversarial inputs (budget {JUDGE_BUDGET_MS:g} ms CPU): rules "
        f"{slowest['slowest_judge_ms']} ms{verdict(slowest['slowest_judge_ms'])} ({worst_name}); learned detector "
        f"{slowest['slowest_model_judge_ms']} ms{verdict(slowest['slowest_model_judge_ms'])} ({worst_model_name})"
    )
    if args.adversarial_only:
        print(json.dumps(slowest, indent=2) if args.json else slowest_line)
        return
    lines = message_lines(args.messages, args.corpus_share)

    def baseline() -> None:
        for line in lines:
            obj = json.loads(line)
            json.dumps({"id": obj["id"], "n": len(obj["text"])})

    def rules() -> None:
        for line in lines:
            obj = json.loads(line)
            json.dumps({"id": obj["id"], **detect(obj["text"], matcher).as_dict()})

    def model() -> None:
        for line in lines:
            obj = json.loads(line)
            json.dumps({"id": obj["id"], **learned.judge(obj["text"]).as_dict()})

    base_s = best_of(3, baseline)
    rules_s = best_of(3, rules)
    model_s = best_of(3, model)
    # The share of everyday chat (no corpus message) a configured LLM would be asked about.
    chat = [_CHAT[i % len(_CHAT)].format(n=i % 997) for i in range(len(_CHAT) * 20)]
    llm_share = sum(candidate(text, learned) is not None for text in chat) / len(chat)

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
        "model_msgs_per_s": round(n / model_s),
        "model_ratio": round(model_s / base_s, 2),
        "llm_share_of_everyday_chat": round(llm_share, 3),
        "cli_msgs_per_s": round(n / cli_s),
        "cli_baseline_msgs_per_s": round(n / base_cli_s),
        "cli_ratio": round(cli_s / base_cli_s, 2),
        **slowest,
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"{n} messages, {args.corpus_share:.0%} from the labelled corpus, the rest everyday chat")
    print(f"in process : rules {figures['in_process_msgs_per_s']:>9,} msg/s   "
          f"JSON-only baseline {figures['in_process_baseline_msgs_per_s']:>9,} msg/s   "
          f"time ratio {figures['in_process_ratio']}x")
    print(f"in process : learned detector {figures['model_msgs_per_s']:>9,} msg/s   "
          f"time ratio {figures['model_ratio']}x the baseline; "
          f"an LLM would see {figures['llm_share_of_everyday_chat']:.1%} of everyday chat")
    print(f"nudgebot classify: {figures['cli_msgs_per_s']:>9,} msg/s   "
          f"python JSON baseline {figures['cli_baseline_msgs_per_s']:>9,} msg/s   "
          f"time ratio {figures['cli_ratio']}x")
    print(slowest_line)


if __name__ == "__main__":
    main()
