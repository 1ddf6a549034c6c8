"""The arithmetic of the posterior predictive and of the paper's metrics.

A method with posterior samples theta_1..theta_S predicts p(y|x) = (1/S) sum_s softmax(f_s(x));
its total uncertainty is the predictive entropy H[p], its epistemic uncertainty the mutual
information H[p] - (1/S) sum_s H[p_s]. Detection is scored by AUROC (Mann-Whitney),
rejection by selective accuracy.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from scipy.stats import rankdata


def log_predictive_mean(log_probs: torch.Tensor) -> torch.Tensor:
    """log p(c|x) from per-sample log-softmaxes (S, N, C), stably: logsumexp_s - log S."""
    return torch.logsumexp(log_probs, dim=0) - math.log(log_probs.shape[0])


def naive_log_predictive_mean(log_probs: torch.Tensor) -> torch.Tensor:
    """log of the float32 mean of softmaxes, which can saturate (fig5's ablation)."""
    return torch.log(torch.softmax(log_probs.float(), dim=-1).mean(dim=0))


def entropy(log_p: torch.Tensor) -> torch.Tensor:
    """H[p] = -sum_c p_c log p_c over the last axis (0 log 0 = 0)."""
    return -(log_p.exp() * log_p).nan_to_num(0.0).sum(dim=-1)


def mutual_information(log_probs: torch.Tensor) -> torch.Tensor:
    """H[p_mean] - mean_s H[p_s] from (S, N, C) log-softmaxes; clipped at 0 (rounding)."""
    total = entropy(log_predictive_mean(log_probs))
    return (total - entropy(log_probs).mean(dim=0)).clamp_min(0.0)


def auroc(positive, negative) -> float:
    """P(s_pos > s_neg) + P(s_pos = s_neg) / 2, from ranks (the Mann-Whitney statistic)."""
    positive, negative = np.asarray(positive, float), np.asarray(negative, float)
    if len(positive) == 0 or len(negative) == 0:
        return float("nan")
    ranks = rankdata(np.concatenate([positive, negative]))
    n_pos, n_neg = len(positive), len(negative)
    return float((ranks[:n_pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def selective_accuracy(correct, uncertainty, reject_fracs, tie_order) -> tuple[np.ndarray, ...]:
    """Accuracy after dropping the ceil(r |E|) most uncertain points, for each r.

    Ties in `uncertainty` are broken by `tie_order` (a fixed permutation's ranks).
    Returns (accuracy, number kept) per rejection fraction.
    """
    correct = np.asarray(correct, float)
    order = np.lexsort((tie_order, -np.asarray(uncertainty, float)))  # most uncertain first
    kept_correct = correct[order]
    accuracy, kept = [], []
    for fraction in reject_fracs:
        dropped = math.ceil(round(fraction * len(correct), 9))
        rest = kept_correct[dropped:]
        accuracy.append(rest.mean() if len(rest) else float("nan"))
        kept.append(len(rest))
    return np.array(accuracy), np.array(kept)


def worst_case_selective_accuracy(reject_fracs) -> np.ndarray:
    """A 50/50 clean/adversarial mix where every adversarial input is wrong and the least
    uncertain (clean inputs all right): (0.5 - r) / (1 - r) for r <= 0.5, 0 beyond."""
    r = np.asarray(reject_fracs, float)
    return np.clip((0.5 - r) / (1 - r), 0.0, None)


def expected_calibration_error(probs, labels, bins: int = 15) -> float:
    """Mean |accuracy - confidence| over equal-width confidence bins, weighted by size."""
    probs, labels = np.asarray(probs), np.asarray(labels)
    confidence, prediction = probs.max(axis=1), probs.argmax(axis=1)
    which = np.clip(np.ceil(confidence * bins) - 1, 0, bins - 1).astype(int)
    error = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            gap = (prediction[inside] == labels[inside]).mean() - confidence[inside].mean()
            error += inside.mean() * abs(gap)
    return float(error)
