"""The regressions the detector's heads are fitted with (scikit-learn, at training only)."""

from __future__ import annotations

import numpy as np

C = 16.0  # inverse regularisation strength: grouped cross-validation over 4 to 64 moves macro-F1 by < 0.01


def logistic(X, y, weights, classes: int):
    from sklearn.linear_model import LogisticRegression

    used = np.unique(X.indices)  # fit on the columns in use: the same solution, far less work
    # Classes balanced by their weight, not their count: a file of light extra examples must not
    # make its class count for less.
    y = np.asarray(y, dtype=np.int64)
    totals = np.bincount(y, weights=weights, minlength=max(classes, 2))
    balance = totals.sum() / (len(totals) * np.where(totals > 0, totals, 1.0))
    fit = LogisticRegression(C=C, max_iter=5000, solver="newton-cg", tol=1e-6)
    fit.fit(X[:, used], y, sample_weight=weights * balance[y])
    coef = np.zeros((X.shape[1], classes if classes > 2 else 1))
    coef[used] = fit.coef_.T
    return (coef if classes > 2 else coef.ravel()), fit.intercept_


# Smoothing of the feature counts behind the NB scale: one (weighted) example's worth.
NB_ALPHA = 1.0


def scaled_logistic(X, target: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, float]:
    """A logistic regression for `target` (bool per row) over features scaled by how much more often
    each is present in its rows than in the others (|log-count ratio|, as in NB-SVM): a feature seen
    in both alike starts out weak, one that tells them apart strong. The scale is folded into the
    weights it returns, so inference is the same dot product."""
    used = np.unique(X.indices)
    present = X[:, used].tocsr()
    present.data = np.ones_like(present.data)
    target = np.asarray(target, dtype=bool)
    p = NB_ALPHA + present.T @ (weights * target)
    q = NB_ALPHA + present.T @ (weights * ~target)
    scale = np.abs(np.log((p / p.sum()) / (q / q.sum()))) + 1e-3
    coef, bias = logistic(X[:, used].multiply(scale[None, :]).tocsr(), target.astype(np.int64), weights, 2)
    out = np.zeros(X.shape[1])
    out[used] = coef * scale
    return out, float(bias[0])


def one_vs_rest(X, y: np.ndarray, weights: np.ndarray, classes: int) -> tuple[np.ndarray, np.ndarray]:
    """One NB-scaled regression per kind, each against all the others (grouped cross-validation:
    macro-F1 0.670 -> 0.682 over four fold seeds, against one multinomial regression)."""
    fits = [scaled_logistic(X, y == k, weights) for k in range(classes)]
    return np.column_stack([c for c, _ in fits]), np.array([b for _, b in fits])
