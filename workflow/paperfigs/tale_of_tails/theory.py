"""Closed forms of A Tale of Tails (arXiv 2402.07043): Zipf data, the Hutter LLM and its cut,
narrowed, mixed and capacity-limited variants, generations, and the tailed bigram model.

Items are ranks 1..N (index 0 is rank 1). A law is a probability vector over the ranks.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gamma, gammaln, zeta
from scipy.stats import binom


def zipf(N: int, beta: float) -> np.ndarray:
    """p_i = i^-beta / H_N(beta) on ranks 1..N."""
    weights = np.arange(1, int(N) + 1, dtype=float) ** -float(beta)
    return weights / weights.sum()


def unseen_probability(T, q: np.ndarray) -> np.ndarray:
    """(1 - q_i)^T as exp(T log1p(-q_i)), exact for large T; 1 where q_i = 0."""
    return np.exp(float(T) * np.log1p(-q))


def hutter_error(T_values, p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Eq. (9): E(T) = sum_i p_i (1 - q_i)^T, training draws from q, tests on p."""
    return np.array([p @ unseen_probability(T, q) for T in np.atleast_1d(T_values)])


def hutter_error_se(T_values, p: np.ndarray, q: np.ndarray, seeds: int) -> np.ndarray:
    """Standard error of a seed mean of the Hutter error, independent-items bound
    sqrt(sum_i p_i^2 u_i (1 - u_i) / seeds) with u_i = (1 - q_i)^T."""
    out = []
    for T in np.atleast_1d(T_values):
        u = unseen_probability(T, q)
        out.append(np.sqrt(np.sum(p**2 * u * (1 - u)) / seeds))
    return np.array(out)


def clean_asymptote(T, beta: float):
    """E ~ Gamma(1 - 1/beta) / (beta zeta(beta)^(1/beta)) T^-(1 - 1/beta) (Sec. 2)."""
    return gamma(1 - 1 / beta) / (beta * zeta(beta) ** (1 / beta)) * np.asarray(T, float) ** (
        -(1 - 1 / beta))


def cut_law(p: np.ndarray, k: int) -> np.ndarray:
    """Thm 2.1's tail-cut law q = p 1[i <= k] / P_k."""
    q = np.where(np.arange(len(p)) < k, p, 0.0)
    return q / q.sum()


def tail_mass(p: np.ndarray, k: int) -> float:
    """sum_{i > k} p_i: the floor of a learner trained on data cut at rank k (Thm 2.1)."""
    return float(p[int(k):].sum())


def tail_mass_asymptote(k, beta: float):
    """Thm 2.1: sum_{i > k} p_i ~ k^(1 - beta) / ((beta - 1) zeta(beta))."""
    return np.asarray(k, float) ** (1 - beta) / ((beta - 1) * zeta(beta))


def poisson_pgf_iterate(s, m: int):
    """phi_m(s), the m-fold iterate of phi(s) = e^(s - 1), Poisson(1)'s generating function."""
    s = np.asarray(s, float)
    for _ in range(m):
        s = np.exp(s - 1)
    return s


def known_fraction(n: int) -> float:
    """a_n = 1 - phi_{n-1}(0): chance that a rank survives n - 1 resamplings (a_1 = 1)."""
    return float(1 - poisson_pgf_iterate(0.0, n - 1))


def resampling_error(T_values, p: np.ndarray, T0: int, n: int) -> np.ndarray:
    """Generation n of the empirical-resampling chain (Sec. 2, multiple generations):
    E_n(T) = sum_i p_i (1 - p_i (1 - phi_{n-1}(e^(-T/T0))))^T0; n = 0 is the clean law."""
    if n == 0:
        return hutter_error(T_values, p, p)
    return np.array([p @ unseen_probability(T0, p * (1 - poisson_pgf_iterate(
        np.exp(-float(T) / T0), n - 1))) for T in np.atleast_1d(T_values)])


def resampling_plateau(p: np.ndarray, T0: int, n: int) -> float:
    """E_n(infinity) = sum_i p_i (1 - a_n p_i)^T0; n = 1 gives E_clean(T0) (Cor. 2.2)."""
    return float(p @ unseen_probability(T0, known_fraction(n) * p))


def known_probability(p: np.ndarray, T0: int, g: int) -> np.ndarray:
    """Chance that the gen-g model (trained on T0 gen-g samples) knows rank i:
    1 - (1 - a_{g+1} p_i)^T0."""
    return 1 - unseen_probability(T0, known_fraction(g + 1) * p)


def mixed_law(p: np.ndarray, q: np.ndarray, pi: float) -> np.ndarray:
    """Thm 3.2: a fraction pi of real data mixed into synthetic data from q."""
    return pi * p + (1 - pi) * q


def window_law(p: np.ndarray, window_start: int) -> np.ndarray:
    """Sec. 3.1: w proportional to p on ranks >= window_start."""
    w = np.where(np.arange(1, len(p) + 1) >= window_start, p, 0.0)
    return w / w.sum()


def triplet_error(T_values, p: np.ndarray, d: int, k: int | None) -> np.ndarray:
    """Sec. 5 triplet law: sum_{i <= m} p_i (1 - q_i)^T + sum_{i > m} p_i, m = min(d, k),
    so E ~ T^-c + d^-(beta - 1) + k^-(beta - 1); k = None is uncut data."""
    q = p if k is None else cut_law(p, k)
    m = d if k is None else min(d, k)
    return np.array([p[:m] @ unseen_probability(T, q[:m]) for T in np.atleast_1d(T_values)]
                    ) + tail_mass(p, m)


def memoriser_mixing_error(T_values, p: np.ndarray, T0: int, pi: float,
                           n_classes: int) -> np.ndarray:
    """A memoriser on a mix of pi real and 1 - pi gen-1 AI data (generator trained on T0):
    (1 - 1/C) sum_i p_i e^(-T pi p_i) (1 - p_i (1 - e^(-T (1 - pi)/T0)))^T0 (Thm 3.2, item 9)."""
    out = []
    for T in np.atleast_1d(T_values):
        T = float(T)
        unseen_ai = unseen_probability(T0, p * (1 - np.exp(-T * (1 - pi) / T0)))
        out.append(p @ (np.exp(-T * pi * p) * unseen_ai))
    return (1 - 1 / n_classes) * np.array(out)


# --- Decoding: what top-p and temperature do to a next-token law -----------------------------

def top_p_count(probs: np.ndarray, top_p: float) -> int:
    """k*: the smallest number of most likely tokens whose mass reaches top_p (the token that
    crosses the threshold is kept)."""
    ordered = np.sort(probs)[::-1]
    crossing = np.cumsum(ordered) >= top_p * (1 - 1e-12)
    return int(np.argmax(crossing)) + 1 if crossing.any() else len(probs)


def top_p_truncate(probs: np.ndarray, top_p: float) -> np.ndarray:
    """Keep the k* most likely tokens (stable sort: ties go to the lower index), renormalise.
    Works along the last axis, one law per row."""
    probs = np.asarray(probs, float)
    order = np.argsort(-probs, axis=-1, kind="stable")
    ordered = np.take_along_axis(probs, order, axis=-1)
    totals = ordered.sum(axis=-1, keepdims=True)
    before = np.cumsum(ordered, axis=-1) - ordered  # mass of the more likely tokens
    keep_sorted = before < top_p * totals * (1 - 1e-12)
    keep = np.zeros_like(keep_sorted)
    np.put_along_axis(keep, order, keep_sorted, axis=-1)
    kept = np.where(keep, probs, 0.0)
    return kept / kept.sum(axis=-1, keepdims=True)


def top_k_truncate(probs: np.ndarray, k: int) -> np.ndarray:
    """Keep the k most likely tokens of each row (stable), renormalise."""
    probs = np.asarray(probs, float)
    order = np.argsort(-probs, axis=-1, kind="stable")
    keep = np.zeros(probs.shape, dtype=bool)
    np.put_along_axis(keep, order[..., :k], True, axis=-1)
    kept = np.where(keep, probs, 0.0)
    return kept / kept.sum(axis=-1, keepdims=True)


def temperature_law(probs: np.ndarray, tau: float) -> np.ndarray:
    """Decoding at temperature tau: pi^(1/tau) / Z (narrowing: Zipf(beta) -> Zipf(beta/tau))."""
    with np.errstate(divide="ignore"):
        logits = np.where(probs > 0, np.log(probs), -np.inf) / tau
    logits -= logits.max(axis=-1, keepdims=True)
    weights = np.exp(logits)
    return weights / weights.sum(axis=-1, keepdims=True)


def total_variation(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """TV(a, b) = 1/2 sum_j |a_j - b_j|, along the last axis."""
    return 0.5 * np.abs(np.asarray(a) - np.asarray(b)).sum(axis=-1)


def truncation_rounds(probs: np.ndarray, top_p: float, rounds: int) -> list[int]:
    """k_g: tokens still kept after g = 1..rounds top-p truncations of the same law."""
    kept, law = [], probs
    for _ in range(rounds):
        law = top_p_truncate(law, top_p)
        kept.append(int(np.count_nonzero(law)))
    return kept


# --- The tailed bigram model (Sec. 4): exact expected TV of the count estimator -----------------

def mean_absolute_deviation(n, probs: np.ndarray) -> np.ndarray:
    """de Moivre: E|X - n pi| = 2 (m + 1) C(n, m + 1) pi^(m+1) (1 - pi)^(n - m), m = floor(n pi),
    for X ~ Bin(n, pi); arrays n (shape (..., 1)) and pi broadcast."""
    n = np.asarray(n, float)
    probs = np.clip(np.asarray(probs, float), 1e-300, 1 - 1e-16)
    m = np.floor(n * probs)
    log_value = (np.log(2 * (m + 1)) + gammaln(n + 1) - gammaln(m + 2) - gammaln(n - m)
                 + (m + 1) * np.log(probs) + (n - m) * np.log1p(-probs))
    return np.where(n > 0, np.exp(log_value), 0.0)


def expected_tv_given_count(n_values, probs: np.ndarray) -> np.ndarray:
    """h(n) = E TV(empirical law of n draws, pi); h(0) = TV(uniform, pi)."""
    n_values = np.asarray(n_values, float)
    deviation = mean_absolute_deviation(n_values[:, None], probs[None, :]).sum(axis=1)
    h = 0.5 * deviation / np.maximum(n_values, 1)
    return np.where(n_values == 0, total_variation(np.full(len(probs), 1 / len(probs)), probs),
                    h)


def bigram_expected_tv(T_values, context_probs: np.ndarray, next_probs: np.ndarray,
                       exact_below: int = 1000) -> np.ndarray:
    """Sec. 4: E[TV] = sum_i p_i sum_n Bin(n; T, p_i) h(n); contexts with T p_i >= exact_below
    use h(round(T p_i)) (the binomial is then concentrated)."""
    n_max = int(exact_below + 12 * np.sqrt(exact_below) + 10)
    table = expected_tv_given_count(np.arange(n_max + 1), next_probs)
    out = []
    for T in np.atleast_1d(T_values):
        T = int(T)
        mean_counts = T * context_probs
        many = mean_counts >= exact_below
        per_context = np.empty(len(context_probs))
        per_context[many] = expected_tv_given_count(np.round(mean_counts[many]), next_probs)
        n = np.arange(min(n_max, T) + 1)
        weights = binom.pmf(n[None, :], T, context_probs[~many, None])
        per_context[~many] = weights @ table[: len(n)]
        out.append(context_probs @ per_context)
    return np.array(out)
