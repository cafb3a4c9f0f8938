"""Training and grouped cross-validation of the detector. Needs scikit-learn (the `train` extra);
inference (bot/detector/model.py) does not.

Labelled examples come from JSON Lines files (`text`, `kind`, `customer_rationale`, and
`group`/`source` naming the thread). Primary files are trained on and measured; extra files
(our own tests/data, a workspace's answers) are only trained on, with a lower weight. Folds are
made by group, so one thread never sits on both sides of a split.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bot.detector.features import CUSTOMER_COLUMN, DIMENSIONS, Featuriser, customer_named
from bot.detector.model import KINDS, LOG_THRESHOLD, Model
from bot.detector.regression import logistic, one_vs_rest, scaled_logistic
from bot.errors import InputError
from bot.models import Sensitivity
from bot.text import normalise

SEED = 20261202
FOLDS = 5
EXTRA_WEIGHT = 0.02  # our own invented messages, another style than real chat: they barely count
# ...except for customer rationale: the real messages are mostly open-source threads whose customers are
# "users"; our own messages name nurses, parents, resellers, shoppers. Weighing them more for the
# rationale model costs about a point of rationale accuracy on the real messages and lets it
# recognise the customers of other trades.
RATIONALE_EXTRA_WEIGHT = 0.5
# Nudge precision each sensitivity must reach in cross-validation.
TARGETS = {Sensitivity.QUIET: 0.90, Sensitivity.NORMAL: 0.80, Sensitivity.EAGER: 0.65}
KIND_NAMES = tuple(k.value for k in KINDS)
# A line may weigh itself up or down against the rest of its file ("weight", default 1): our own
# everyday chat (tests/data/chat.jsonl) counts more than our other invented messages, since real
# threads hold hardly any greetings, banter or status lines for the model to learn "other" from.
MAX_LINE_WEIGHT = 50.0
# A feature is learned from only when it occurs in at least this many threads (groups) of the training
# part: one seen in a thread or two (a project's name, one thread's phrasing) lets the model remember
# those messages instead of learning what they do. Grouped CV over four fold seeds: macro-F1 0.684 ->
# 0.693 (2: 0.691, 4: 0.692), normal nudges 0.800 / 0.424 -> 0.803 / 0.431; chosen inside each fold's
# training part from 1-4 it is never 1 (0.692). At inference such a column simply has no weight.
MIN_GROUPS = 3


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    kind: str
    customer_rationale: bool | None
    group: str
    register: str = "unknown"
    weight: float = 1.0
    primary: bool = True

    @property
    def nudge(self) -> bool:
        return self.kind in ("decision", "approval_request") and self.customer_rationale is False


@dataclass(frozen=True, slots=True)
class Source:
    """One input file as the model card names it."""

    path: str
    sha256: str
    examples: int
    weight: float
    primary: bool


def read_examples(path: Path, *, weight: float = 1.0, primary: bool = True) -> tuple[list[Example], Source]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror}") from None
    examples = []
    for number, line in enumerate(raw.decode("utf-8", "replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}, line {number}: not valid JSON ({exc.msg})") from None
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            raise InputError(f"{path}, line {number}: expected an object with a \"text\" string")
        if obj.get("kind") not in KIND_NAMES:
            raise InputError(f"{path}, line {number}: \"kind\" must be one of {', '.join(KIND_NAMES)}")
        rationale = obj.get("customer_rationale")
        if obj["kind"] in ("decision", "approval_request") and not isinstance(rationale, bool):
            raise InputError(f"{path}, line {number}: a {obj['kind']} needs \"customer_rationale\" true or false")
        scale = obj.get("weight", 1.0)
        if isinstance(scale, bool) or not isinstance(scale, int | float) or not 0 < scale <= MAX_LINE_WEIGHT:
            raise InputError(
                f"{path}, line {number}: \"weight\" must be a number above 0 and at most {MAX_LINE_WEIGHT:g}"
            )
        group = obj.get("group") or obj.get("source") or f"{path.name}:{obj.get('id', number)}"
        if group == "original":  # our own corpus marks its invented messages so; each is its own thread
            group = f"{path.name}:{obj.get('id', number)}"
        examples.append(
            Example(
                text=obj["text"],
                kind=obj["kind"],
                customer_rationale=rationale if obj["kind"] in ("decision", "approval_request") else None,
                group=str(group),
                register=str(obj.get("register") or "unknown"),
                weight=weight * scale,
                primary=primary,
            )
        )
    if not examples:
        raise InputError(f"{path}: no labelled examples")
    source = Source(str(path), hashlib.sha256(raw).hexdigest(), len(examples), weight, primary)
    return examples, source


def matrix(featuriser: Featuriser, texts: Sequence[str]):
    from scipy import sparse

    rows, cols, vals = [], [], []
    for row, text in enumerate(texts):
        norm = normalise(text)
        indices, values = featuriser.vector(norm)
        if customer_named(norm):
            indices, values = np.append(indices, CUSTOMER_COLUMN), np.append(values, 1.0)
        rows.append(np.full(len(indices), row, dtype=np.int64))
        cols.append(indices)
        vals.append(values)
    return sparse.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(len(texts), DIMENSIONS + 1)
    )


@dataclass
class Fitted:
    """Raw logits of a fit, before calibration: what cross-validation collects per fold."""

    kind_weights: np.ndarray
    kind_bias: np.ndarray
    rationale_weights: np.ndarray
    rationale_bias: float
    nudge_weights: np.ndarray
    nudge_bias: float

    def logits(self, X) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """X: rows of `matrix`; the kind weights stop before its customer column, the others do not."""
        kinds = X[:, :DIMENSIONS] @ self.kind_weights + self.kind_bias
        return kinds, X @ self.rationale_weights + self.rationale_bias, X @ self.nudge_weights + self.nudge_bias


def common_columns(X, examples: Sequence[Example], min_groups: int = MIN_GROUPS) -> np.ndarray:
    """Whether each column of X occurs in at least `min_groups` distinct groups of `examples`."""
    from scipy import sparse

    names = {g: n for n, g in enumerate(sorted({e.group for e in examples}))}
    group_of = np.array([names[e.group] for e in examples])
    membership = sparse.csr_matrix((np.ones(len(examples)), (group_of, np.arange(len(examples)))),
                                   shape=(len(names), len(examples)))
    present = X.tocsr(copy=True)
    present.data = np.ones_like(present.data)
    return np.asarray(((membership @ present) > 0).sum(axis=0)).ravel() >= min_groups


def fit(X, examples: Sequence[Example]) -> Fitted:
    X = X.multiply(common_columns(X, examples).astype(float)[None, :]).tocsr()  # rare columns: no weight
    X.eliminate_zeros()
    missing = [k for k in KIND_NAMES if not any(e.kind == k for e in examples)]
    if missing:
        raise InputError(f"too few examples to train on: none of kind {', '.join(missing)}"
                         " (in cross-validation: in some fold's training part)")
    rationales = {e.customer_rationale for e in examples if e.kind in ("decision", "approval_request")}
    if rationales != {True, False}:
        raise InputError("too few examples to train on: decisions and requests need customer_rationale"
                         " both true and false (in cross-validation: in every fold's training part)")
    y = np.array([KIND_NAMES.index(e.kind) for e in examples])
    w = np.array([e.weight for e in examples])
    kind_w, kind_b = one_vs_rest(X[:, :DIMENSIONS], y, w, 4)
    asked = np.array([e.kind in ("decision", "approval_request") for e in examples])
    rat_y = np.array([bool(e.customer_rationale) for e in examples])[asked]
    rat_weights = np.array([1.0 if e.primary else RATIONALE_EXTRA_WEIGHT for e in examples])
    rat_w, rat_b = logistic(X[asked], rat_y, rat_weights[asked], 2)
    # Whether to ask, learned directly (a decision or request naming no customer, against everything
    # else): it ranks the questions better than the product of the other two.
    nudge_w, nudge_b = scaled_logistic(X, np.array([e.nudge for e in examples]), w)
    return Fitted(kind_w, kind_b, rat_w, float(rat_b[0]), nudge_w, nudge_b)


def group_folds(examples: Sequence[Example], k: int = FOLDS, seed: int = SEED) -> list[np.ndarray]:
    """Fold number of each primary example's group, groups shuffled with a fixed seed and dealt
    to folds largest first, so folds are about the same size."""
    groups: dict[str, list[int]] = {}
    for i, e in enumerate(examples):
        if e.primary:
            groups.setdefault(e.group, []).append(i)
    names = sorted(groups)
    rng = np.random.default_rng(seed)
    rng.shuffle(names)
    names.sort(key=lambda g: -len(groups[g]))
    sizes = [0] * k
    folds: list[list[int]] = [[] for _ in range(k)]
    for name in names:
        n = int(np.argmin(sizes))
        folds[n] += groups[name]
        sizes[n] += len(groups[name])
    return [np.array(sorted(f)) for f in folds]


# -- calibration and thresholds ---------------------------------------------------------------


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def calibrate_kinds(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Temperature and per-kind shift minimising the log loss of out-of-fold logits."""
    from scipy.optimize import minimize

    def loss(params):
        t, shift = np.exp(params[0]), np.concatenate([params[1:], [0.0]])
        p = _softmax((logits + shift) / t)
        return -np.mean(np.log(p[np.arange(len(y)), y] + 1e-12))

    result = minimize(loss, np.zeros(4), method="Nelder-Mead", options={"xatol": 1e-5, "fatol": 1e-7, "maxiter": 4000})
    return float(np.exp(result.x[0])), np.concatenate([result.x[1:], [0.0]])


def calibrate_binary(logits: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    from scipy.optimize import minimize

    def loss(params):
        z = (logits + params[1]) / np.exp(params[0])
        p = 1.0 / (1.0 + np.exp(-z))
        return -np.mean(np.where(y, np.log(p + 1e-12), np.log(1 - p + 1e-12)))

    result = minimize(loss, np.zeros(2), method="Nelder-Mead", options={"xatol": 1e-5, "fatol": 1e-7})
    return float(np.exp(result.x[0])), float(result.x[1])


def threshold_for(scores: np.ndarray, gold: np.ndarray, precision: float) -> float:
    """The lowest score threshold at which the nudges at or above it are at least `precision`
    right (the most recall at that precision); 1.0 when no threshold reaches it."""
    order = np.argsort(-scores, kind="stable")
    hits = np.cumsum(gold[order])
    prec = hits / np.arange(1, len(order) + 1)
    ok = np.where((prec >= precision) & gold[order])[0]
    if not len(ok):
        return 1.0
    return float(scores[order][ok.max()])


# -- cross-validation -------------------------------------------------------------------------


@dataclass
class OutOfFold:
    """Each primary example's logits from the fold model that did not see its thread."""

    examples: list[Example]  # the primary examples, in input order
    kind_logits: np.ndarray
    rationale_logits: np.ndarray
    fold: np.ndarray
    nudge_logits: np.ndarray


def out_of_fold(examples: Sequence[Example], featuriser: Featuriser, k: int = FOLDS) -> OutOfFold:
    X = matrix(featuriser, [e.text for e in examples])
    folds = group_folds(examples, k)
    extra = np.array([i for i, e in enumerate(examples) if not e.primary], dtype=np.int64)
    primary = np.array([i for i, e in enumerate(examples) if e.primary], dtype=np.int64)
    position = {int(i): n for n, i in enumerate(primary)}
    kind_logits = np.zeros((len(primary), 4))
    rationale_logits = np.zeros(len(primary))
    nudge_logits = np.zeros(len(primary))
    fold_of = np.zeros(len(primary), dtype=np.int64)
    for n, test in enumerate(folds):
        train = np.setdiff1d(primary, test)
        train = np.concatenate([train, extra])
        fitted = fit(X[train], [examples[i] for i in train])
        kl, rl, nl = fitted.logits(X[test])
        rows = [position[int(i)] for i in test]
        kind_logits[rows] = kl
        rationale_logits[rows] = rl
        nudge_logits[rows] = nl
        fold_of[rows] = n
    return OutOfFold([examples[i] for i in primary], kind_logits, rationale_logits, fold_of, nudge_logits)


@dataclass
class Calibrated:
    """Out-of-fold scores after calibration, and the thresholds, each fold's chosen without it."""

    kinds: np.ndarray  # n × 4 calibrated probabilities
    decided: np.ndarray  # n kind indices (argmax of the balanced logits)
    rationale: np.ndarray  # n
    nudge: np.ndarray  # n nudge scores
    thresholds: dict[Sensitivity, float]  # chosen on all folds: what the shipped model uses
    fold_thresholds: list[dict[Sensitivity, float]] = field(default_factory=list)
    kind_calibration: tuple[float, np.ndarray] = (1.0, np.zeros(4))
    rationale_calibration: tuple[float, float] = (1.0, 0.0)
    nudge_calibration: tuple[float, float] = (1.0, 0.0)
    candidate: float | None = None  # P(decision or request) from which a message goes to the LLM


def calibrated(oof: OutOfFold) -> Calibrated:
    y = np.array([KIND_NAMES.index(e.kind) for e in oof.examples])
    asked = np.isin(y, (0, 1))
    rat_y = np.array([bool(e.customer_rationale) for e in oof.examples])
    gold = np.array([e.nudge for e in oof.examples])
    folds = sorted(set(oof.fold.tolist()))

    def scores(rows: np.ndarray, on: np.ndarray):
        t, shift = calibrate_kinds(oof.kind_logits[on], y[on])
        rt, rs = calibrate_binary(oof.rationale_logits[on & asked], rat_y[on & asked])
        nt, ns = calibrate_binary(oof.nudge_logits[on], gold[on])
        p = _softmax((oof.kind_logits[rows] + shift) / t)
        r = 1.0 / (1.0 + np.exp(-(oof.rationale_logits[rows] + rs) / rt))
        q = 1.0 / (1.0 + np.exp(-(oof.nudge_logits[rows] + ns) / nt))
        return p, r, q, (t, shift), (rt, rs), (nt, ns)

    everything = np.ones(len(y), dtype=bool)
    p, r, q, kcal, rcal, ncal = scores(np.arange(len(y)), everything)
    decided = oof.kind_logits.argmax(axis=1)
    nudge = _nudge_scores(q, _logged(p, decided))
    thresholds = {s: threshold_for(nudge, gold, target) for s, target in TARGETS.items()}
    candidate = candidate_threshold(p[:, 0] + p[:, 1], np.isin(decided, (0, 1)), asked)
    # Honest figures: each fold's calibration and thresholds come from the other folds only.
    fold_p, fold_r, fold_n = np.zeros_like(p), np.zeros_like(r), np.zeros_like(nudge)
    fold_thresholds = []
    for n in folds:
        held = oof.fold == n
        rest = ~held
        p_all, r_all, q_all, _, _, _ = scores(np.arange(len(y)), rest)
        n_all = _nudge_scores(q_all, _logged(p_all, decided))
        fold_thresholds.append({s: threshold_for(n_all[rest], gold[rest], t) for s, t in TARGETS.items()})
        fold_p[held], fold_r[held], fold_n[held] = p_all[held], r_all[held], n_all[held]
    return Calibrated(fold_p, decided, fold_r, fold_n, thresholds, fold_thresholds, kcal, rcal, ncal, candidate)


CANDIDATE_RECALL = 0.97


def candidate_threshold(logged: np.ndarray, decided_asked: np.ndarray, gold_asked: np.ndarray,
                        recall: float = CANDIDATE_RECALL) -> float:
    """The highest P(decision or request) such that the messages decided as one, together with those
    at or above it, hold `recall` of the real decisions and requests: what the LLM is asked about."""
    need = int(np.ceil(recall * gold_asked.sum())) - int((gold_asked & decided_asked).sum())
    if need <= 0:
        return 1.0
    rest = np.sort(logged[gold_asked & ~decided_asked])[::-1]
    return float(rest[need - 1]) if need <= len(rest) else 0.0


def _logged(p: np.ndarray, decided: np.ndarray) -> np.ndarray:
    """Whether each message is logged: decided a decision or request, and at least LOG_THRESHOLD likely one."""
    return np.isin(decided, (0, 1)) & (p[:, 0] + p[:, 1] >= LOG_THRESHOLD)


def _nudge_scores(q: np.ndarray, logged: np.ndarray) -> np.ndarray:
    """P(a decision or request naming no customer), and 0 where the message is not logged."""
    return np.where(logged, q, 0.0)


def predictions(cal: Calibrated, oof: OutOfFold, sensitivity: Sensitivity = Sensitivity.NORMAL) -> list[dict]:
    """Each example's out-of-fold verdict as `bot.evaluate` reads it."""
    out = []
    for i in range(len(oof.examples)):
        kind = KIND_NAMES[int(cal.decided[i])]
        if kind in ("decision", "approval_request") and cal.kinds[i, 0] + cal.kinds[i, 1] < LOG_THRESHOLD:
            kind = "other"  # below the logging threshold: not logged, not asked about
        asked = kind in ("decision", "approval_request")
        rationale = bool(cal.rationale[i] >= 0.5) if asked else None
        threshold = cal.fold_thresholds[int(oof.fold[i])][sensitivity] if cal.fold_thresholds else 0.0
        nudge = asked and rationale is False and cal.nudge[i] >= threshold
        out.append({"kind": kind, "customer_rationale": rationale, "nudge": nudge})
    return out


def calibration_error(cal: Calibrated, oof: OutOfFold, bins: int = 10) -> float:
    """Expected calibration error of every kind's probability (one-vs-rest, pooled), in 10 bins."""
    y = np.array([KIND_NAMES.index(e.kind) for e in oof.examples])
    probs = cal.kinds.ravel()
    hits = (np.arange(4)[None, :] == y[:, None]).ravel().astype(float)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(probs, edges) - 1, 0, bins - 1)
    error = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            error += inside.mean() * abs(probs[inside].mean() - hits[inside].mean())
    return round(float(error), 3)


def train_model(
    examples: Sequence[Example], featuriser: Featuriser | None = None, cal: Calibrated | None = None
) -> Model:
    """Fit on everything, with calibration and thresholds from cross-validation (`cal`, when the
    caller already has it for this featuriser)."""
    featuriser = featuriser or Featuriser()
    if cal is None:
        cal = calibrated(out_of_fold(examples, featuriser))
    fitted = fit(matrix(featuriser, [e.text for e in examples]), list(examples))
    model = Model(
        kind_weights=fitted.kind_weights.astype(np.float32),
        kind_bias=np.asarray(fitted.kind_bias, dtype=np.float64),
        rationale_weights=fitted.rationale_weights[:DIMENSIONS].astype(np.float32),
        rationale_bias=fitted.rationale_bias,
        rationale_customer=float(fitted.rationale_weights[CUSTOMER_COLUMN]),
        nudge_weights=fitted.nudge_weights[:DIMENSIONS].astype(np.float32),
        nudge_bias=fitted.nudge_bias,
        nudge_customer=float(fitted.nudge_weights[CUSTOMER_COLUMN]),
        nudge_temperature=cal.nudge_calibration[0],
        nudge_shift=cal.nudge_calibration[1],
        kind_temperature=cal.kind_calibration[0],
        kind_shift=cal.kind_calibration[1],
        rationale_temperature=cal.rationale_calibration[0],
        rationale_shift=cal.rationale_calibration[1],
        thresholds=cal.thresholds,
        candidate=cal.candidate,
        weights=featuriser.weights,
        use_rules=featuriser.use_rules,
        known_words=known_words(e.text for e in examples),
    )
    return model


def known_words(texts) -> np.ndarray:
    """The sorted hashes of every word in the training texts (features.word_keys)."""
    from bot.detector.features import word_keys

    keys: set[int] = set()
    for text in texts:
        keys |= word_keys(normalise(text))
    return np.array(sorted(keys), dtype=np.uint32)
