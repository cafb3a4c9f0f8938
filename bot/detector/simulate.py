"""Does learning from a workspace's answers work? A simulation on held-out threads.

The primary examples are split in two by thread (grouped, fixed seed). Each half in turn plays a
team: the model fitted on the other half (with the extra files) asks about the team's messages,
and the team answers — "Not a decision" to a question about a message that is no decision or
request (a false nudge), and adds a rationale where the question was right. Half of the team's
threads are its stream of answers, the other half are held back and never answered. After 10, 25
and 50 answers the team's correction is refitted (bot/detector/adapt.py, as the nightly job does),
and the false and right questions on the held-back messages are counted.

`by_register` does the same with each register (chat, lists and minutes, threads) as the team and
the model fitted on the others: a workspace whose way of writing the base data does not have.
`python -m bot.detector.simulate FILES --extra FILE…` prints both.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.detector import train as T
from bot.detector.adapt import AdaptedModel, Answer, adapt
from bot.detector.features import Featuriser
from bot.detector.model import ASKED, LOG_THRESHOLD, Model
from bot.models import Sensitivity
from bot.text import normalise

CHECKPOINTS = (0, 10, 25, 50)


@dataclass
class Point:
    answers: int
    false_nudges: int
    true_nudges: int
    held_back: int


def _asks(model, norm: str, threshold: float) -> bool:
    scores = model.scores(norm)
    if scores.kind not in ASKED or scores.logged < LOG_THRESHOLD or scores.rationale >= 0.5:
        return False
    return scores.nudge >= threshold


def _halves(examples: Sequence[T.Example], seed: int) -> tuple[list[int], list[int]]:
    folds = T.group_folds(examples, 2, seed)
    return [int(i) for i in folds[0]], [int(i) for i in folds[1]]


def simulate(examples: Sequence[T.Example], seed: int = T.SEED) -> list[list[Point]]:
    """One list of points per half that played the team."""
    primary = [e for e in examples if e.primary]
    extra = [e for e in examples if not e.primary]
    first, second = _halves(primary, seed)
    return [_team([primary[i] for i in team], [primary[i] for i in rest] + extra, seed)
            for team, rest in ((first, second), (second, first))]


def by_register(examples: Sequence[T.Example], seed: int = T.SEED, smallest: int = 300) -> dict[str, list[Point]]:
    """Each register of at least `smallest` messages plays a team whose way of writing the model has
    not seen: the model is fitted on the other registers (and the extra files)."""
    primary = [e for e in examples if e.primary]
    extra = [e for e in examples if not e.primary]
    registers = sorted({e.register for e in primary})
    return {
        register: _team([e for e in primary if e.register == register],
                        [e for e in primary if e.register != register] + extra, seed)
        for register in registers if sum(e.register == register for e in primary) >= smallest
    }


def _team(members: list[T.Example], training: list[T.Example], seed: int) -> list[Point]:
    base = T.train_model(training, Featuriser())
    threshold = base.thresholds[Sensitivity.NORMAL]
    stream_idx, held_idx = _halves(members, seed + 1)
    rng = np.random.default_rng(seed)
    stream = [members[i] for i in rng.permutation(stream_idx)]
    held = [members[i] for i in held_idx]
    return _play(base, threshold, stream, held)


def _play(base: Model, threshold: float, stream: Sequence[T.Example], held: Sequence[T.Example]) -> list[Point]:
    held_norms = [normalise(e.text) for e in held]

    def measure(model, answers: int) -> Point:
        false = true = 0
        for e, norm in zip(held, held_norms, strict=True):
            if _asks(model, norm, threshold):
                if e.nudge:
                    true += 1
                elif e.kind not in ("decision", "approval_request"):
                    false += 1
        return Point(answers, false, true, len(held))

    points = [measure(base, 0)]
    model = base
    answers: list[Answer] = []
    for goal in CHECKPOINTS[1:]:
        for e in stream[:]:
            if len(answers) >= goal:
                break
            stream = stream[1:]
            if not _asks(model, normalise(e.text), threshold):
                continue
            if e.kind not in ("decision", "approval_request"):
                answers.append(Answer(e.text, "other"))  # "Not a decision"
            elif e.customer_rationale is False:
                answers.append(Answer(e.text, e.kind, False))  # a rationale added: the question was right
        if len(answers) < goal:
            break
        model = AdaptedModel(base, adapt(base, answers))
        points.append(measure(model, len(answers)))
    return points


def render(runs: list[list[Point]]) -> str:
    rows = ["| answers | false questions on held-back messages | right questions | held-back messages |",
            "|---:|---:|---:|---:|"]
    for n in CHECKPOINTS:
        found = [p for run in runs for p in run if p.answers == n]
        if len(found) < len(runs):
            rows.append(f"| {n} | (only {len(found)} of {len(runs)} teams gave that many answers) | | |")
            if not found:
                continue
        rows.append(f"| {n} | {sum(p.false_nudges for p in found)} | {sum(p.true_nudges for p in found)} | "
                    f"{sum(p.held_back for p in found)} |")
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> None:
    """python -m bot.detector.simulate FILES [--extra FILE]...: both simulations, as tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", help="labelled JSON Lines, measured and trained on")
    parser.add_argument("--extra", action="append", default=[], help="trained on only (repeatable)")
    args = parser.parse_args(argv)
    examples: list[T.Example] = []
    for path in args.files:
        examples += T.read_examples(Path(path))[0]
    for path in args.extra:
        examples += T.read_examples(Path(path), weight=T.EXTRA_WEIGHT, primary=False)[0]
    print("Half of the threads as a team, the other half training the model:\n")
    print(render(simulate(examples)))
    teams = by_register(examples)
    print(f"\nEach register as a team ({', '.join(teams)}), the other registers training the model:\n")
    print(render(list(teams.values())))


if __name__ == "__main__":
    main()
