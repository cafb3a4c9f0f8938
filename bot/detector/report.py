"""Cross-validation figures side by side — rules only, model only, and the hybrid (the model
with the rules as features) — overall, per sensitivity and per register; and the model card."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from bot.detect import detect
from bot.detector import train as T
from bot.detector.features import Featuriser
from bot.detector.model import LOG_THRESHOLD
from bot.evaluate import Report, evaluate
from bot.models import Sensitivity


@dataclass
class Variant:
    name: str
    overall: Report
    sensitivities: dict[Sensitivity, Report] = field(default_factory=dict)
    registers: dict[str, Report] = field(default_factory=dict)
    calibration_error: float | None = None


def _labels(examples: Sequence[T.Example]) -> list[dict]:
    return [{"kind": e.kind, "customer_rationale": e.customer_rationale} for e in examples]


def _by_register(examples, pairs) -> dict[str, Report]:
    out = {}
    for register in sorted({e.register for e in examples}):
        chosen = [p for e, p in zip(examples, pairs, strict=True) if e.register == register]
        out[register] = evaluate(chosen)
    return out


def rules_only(examples: Sequence[T.Example]) -> Variant:
    primary = [e for e in examples if e.primary]
    pairs = list(zip(_labels(primary), (detect(e.text).as_dict() for e in primary), strict=True))
    return Variant("rules only", evaluate(pairs), registers=_by_register(primary, pairs))


def learned(name: str, examples: Sequence[T.Example], featuriser: Featuriser):
    oof = T.out_of_fold(examples, featuriser)
    cal = T.calibrated(oof)
    labels = _labels(oof.examples)
    normal = list(zip(labels, T.predictions(cal, oof), strict=True))
    variant = Variant(name, evaluate(normal))
    for s in Sensitivity:
        variant.sensitivities[s] = evaluate(list(zip(labels, T.predictions(cal, oof, s), strict=True)))
    variant.registers = _by_register(oof.examples, normal)
    variant.calibration_error = T.calibration_error(cal, oof)
    return variant, oof, cal


def table(variants: Sequence[Variant]) -> str:
    """Markdown: one column per variant."""
    head = "| | " + " | ".join(v.name for v in variants) + " |"
    rule = "|---|" + "---:|" * len(variants)
    rows = [head, rule]

    def row(label, values):
        rows.append(f"| {label} | " + " | ".join(values) + " |")

    row("macro-F1 (3 kinds)", [f"{v.overall.macro_f1:.3f}" for v in variants])
    for kind in ("decision", "approval_request", "approval"):
        row(f"{kind} P / R / F1", [
            f"{v.overall.per_kind[kind].precision:.2f} / {v.overall.per_kind[kind].recall:.2f} / "
            f"{v.overall.per_kind[kind].f1:.2f}" for v in variants
        ])
    row("nudge P / R (normal)", [f"{v.overall.nudge.precision:.2f} / {v.overall.nudge.recall:.2f}" for v in variants])
    row("rationale accuracy", [
        f"{v.overall.rationale_accuracy:.3f}" if v.overall.rationale_accuracy is not None else "–" for v in variants
    ])
    row("calibration error", [f"{v.calibration_error:.3f}" if v.calibration_error is not None else "–"
                              for v in variants])
    registers = sorted({r for v in variants for r in v.registers})
    for register in registers:
        row(f"macro-F1, {register}", [
            f"{v.registers[register].macro_f1:.3f} (n {v.registers[register].total})" if register in v.registers
            else "–" for v in variants
        ])
    return "\n".join(rows)


def curve(variant: Variant) -> str:
    rows = ["| sensitivity | nudge precision | nudge recall | target precision |", "|---|---:|---:|---:|"]
    for s, report in variant.sensitivities.items():
        rows.append(f"| {s.value} | {report.nudge.precision:.3f} | {report.nudge.recall:.3f} | {T.TARGETS[s]:.2f} |")
    return "\n".join(rows)


def candidate_share(cal: T.Calibrated) -> float:
    """The share of the measured messages (out of fold) that would go to an LLM."""
    if cal.candidate is None:
        return 0.0
    sent = (cal.decided <= 1) | (cal.kinds[:, 0] + cal.kinds[:, 1] >= cal.candidate)
    return float(sent.mean())


def model_card(sources: Sequence[T.Source], variants: Sequence[Variant], shipped: Variant, thresholds,
               today: date, candidate: float | None = None, share: float | None = None) -> str:
    inputs = "\n".join(
        f"| `{s.path}` | {s.examples} | {'measured and trained' if s.primary else 'trained only'} | {s.weight:g} "
        f"| `{s.sha256}` |" for s in sources
    )
    lines = [
        "# Nudgebot detector — model card",
        "",
        f"Trained {today.isoformat()} by `nudgebot train` (seed {T.SEED}, {T.FOLDS}-fold cross-validation "
        "grouped by thread).",
        "",
        "Class-balanced logistic regressions over hashed words, word pairs, stems and affixes, the words of the",
        "first and last sentence, cue classes and the act of each clause (bot/detector/features.py): one per",
        "kind against the others, and one for whether to ask (a decision or request naming no customer), each",
        "over features scaled by how well they tell its two sides apart (NB log-count ratio), with one more",
        "for customer rationale on decisions and approval requests; probabilities calibrated on out-of-fold",
        "scores (temperature and shift). Only the features seen in at least"
        f" {T.MIN_GROUPS} threads of the training data are learned from.",
        "The hybrid adds the rules' own reading as features; it is measured beside"
        f" the model alone, and the {shipped.name} is shipped.",
        "English only: text the detector cannot read is never judged.",
        "",
        "## Inputs",
        "| file | examples | use | weight | sha256 |",
        "|---|---:|---|---:|---|",
        inputs,
        "",
        "## Cross-validation (out-of-fold; thresholds chosen on the other folds)",
        table(variants),
        "",
        f"## Sensitivity ({shipped.name})",
        curve(shipped),
        "",
        "Nudge-score thresholds shipped: " + ", ".join(f"{s.value} {t:.3f}" for s, t in thresholds.items()) + ".",
        f"A decision or request is logged (and can be asked about) only when P(decision or request) ≥"
        f" {LOG_THRESHOLD:g}; the figures above count what falls below as other.",
        "",
        f"The rationale model weighs the extra (train-only) files at {T.RATIONALE_EXTRA_WEIGHT:g}: they name the",
        "customers of other trades than the open-source threads of the measured file.",
        "",
    ]
    if candidate is not None:
        lines += [
            f"LLM candidates: a message the model calls a decision or request, or whose P(decision or request)"
            f" is at least {candidate:.3f}, goes to a configured LLM — {T.CANDIDATE_RECALL:.0%} of the real"
            f" decisions and requests reach that; {share:.1%} of the measured messages would be sent.",
            "",
        ]
    return "\n".join(lines)

