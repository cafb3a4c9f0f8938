"""Detection quality on a labelled corpus: precision, recall and F1 per kind, and for nudges."""

from __future__ import annotations

from dataclasses import dataclass

from bot.models import Kind

KINDS = tuple(k.value for k in Kind)


@dataclass(frozen=True, slots=True)
class Score:
    precision: float
    recall: float
    f1: float
    support: int


def _score(tp: int, fp: int, fn: int) -> Score:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(round(precision, 3), round(recall, 3), round(f1, 3), tp + fn)


def should_nudge(kind: str, customer_rationale: bool | None) -> bool:
    return kind in ("decision", "approval_request") and customer_rationale is False


@dataclass(frozen=True)
class Report:
    total: int
    per_kind: dict[str, Score]
    macro_f1: float
    nudge: Score
    rationale_accuracy: float | None
    errors: list[dict]

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "per_kind": {k: vars_(s) for k, s in self.per_kind.items()},
            "macro_f1": self.macro_f1,
            "nudge": vars_(self.nudge),
            "customer_rationale_accuracy": self.rationale_accuracy,
        }

    def render(self) -> str:
        lines = [f"{'kind':<18}{'precision':>10}{'recall':>8}{'f1':>7}{'n':>6}"]
        for kind, s in self.per_kind.items():
            lines.append(f"{kind:<18}{s.precision:>10.3f}{s.recall:>8.3f}{s.f1:>7.3f}{s.support:>6}")
        lines.append(f"{'macro F1':<18}{'':>10}{'':>8}{self.macro_f1:>7.3f}{self.total:>6}")
        n = self.nudge
        lines.append(f"{'nudge':<18}{n.precision:>10.3f}{n.recall:>8.3f}{n.f1:>7.3f}{n.support:>6}")
        if self.rationale_accuracy is not None:
            lines.append(f"customer rationale accuracy on true decisions/requests: {self.rationale_accuracy:.3f}")
        return "\n".join(lines)


def vars_(score: Score) -> dict:
    return {"precision": score.precision, "recall": score.recall, "f1": score.f1, "support": score.support}


def evaluate(pairs: list[tuple[dict, dict]]) -> Report:
    """`pairs` holds (label, prediction) dicts with `kind` and `customer_rationale`."""
    per_kind = {}
    for kind in KINDS:
        tp = sum(1 for g, p in pairs if g["kind"] == kind and p["kind"] == kind)
        fp = sum(1 for g, p in pairs if g["kind"] != kind and p["kind"] == kind)
        fn = sum(1 for g, p in pairs if g["kind"] == kind and p["kind"] != kind)
        per_kind[kind] = _score(tp, fp, fn)
    # Macro-F1 over the three kinds the bot acts on; `other` is what is left.
    present = [s.f1 for k, s in per_kind.items() if s.support and k != "other"]
    macro = round(sum(present) / len(present), 3) if present else 0.0
    gold_nudge = [should_nudge(g["kind"], g.get("customer_rationale")) for g, _ in pairs]
    pred_nudge = [bool(p.get("nudge")) for _, p in pairs]
    tp = sum(1 for g, p in zip(gold_nudge, pred_nudge, strict=True) if g and p)
    fp = sum(1 for g, p in zip(gold_nudge, pred_nudge, strict=True) if not g and p)
    fn = sum(1 for g, p in zip(gold_nudge, pred_nudge, strict=True) if g and not p)
    rationale = [
        (g["customer_rationale"], p["customer_rationale"])
        for g, p in pairs
        if g["kind"] in ("decision", "approval_request") and p["kind"] == g["kind"]
    ]
    accuracy = round(sum(a == b for a, b in rationale) / len(rationale), 3) if rationale else None
    errors = [
        {"id": g.get("id"), "want": g["kind"], "got": p["kind"], "text": g.get("text", "")[:100]}
        for g, p in pairs
        if g["kind"] != p["kind"] or should_nudge(g["kind"], g.get("customer_rationale")) != bool(p["nudge"])
    ]
    return Report(len(pairs), per_kind, macro, _score(tp, fp, fn), accuracy, errors)
