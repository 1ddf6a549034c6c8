"""Monte Carlo of A Tale of Tails' count models, one tidy table per figure.

Training sets are drawn as counts (never token lists), so a Hutter learner costs O(N) at any
T; along a T grid one growing sample is drawn (`data.count_path`). Every draw comes from a
generator keyed by (figure, curve, generation, seed).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from paperfigs.common import rng_for
from paperfigs.tale_of_tails import theory
from paperfigs.tale_of_tails.data import (
    BigramLanguage,
    conditional_estimate,
    count_path,
    decode,
    sample_pairs,
    size_grid,
)

log = logging.getLogger(__name__)


def hutter_curve(labels: dict, p, q, T_values, seeds: int, keys: tuple) -> list[dict]:
    """Theory rows (exact eq. 9 sum and the seed-mean s.e.) and one sim row per (seed, T) of a
    Hutter learner trained on draws from q and tested on p."""
    rows = [{**labels, "T": int(T), "seed": None, "kind": "theory", "test_error": error,
             "mc_se": se}
            for T, error, se in zip(T_values, theory.hutter_error(T_values, p, q),
                                    theory.hutter_error_se(T_values, p, q, seeds))]
    for seed in range(seeds):
        for T, counts in count_path(T_values, q, rng_for(*keys, seed)):
            rows.append({**labels, "T": int(T), "seed": seed, "kind": "sim",
                         "test_error": float(p[counts == 0].sum())})
    return rows


def mass_quantile(masses, quantile: float) -> int:
    """The first index at which the cumulative mass reaches `quantile`."""
    return min(int(np.searchsorted(np.cumsum(masses), quantile)), len(masses) - 1)


def simulate_fig1(beta, n_contexts, vocab, top_p, temperature, n_pairs, quantiles, seed,
                  logger=log) -> pd.DataFrame:
    """Rank-frequency and NLL quantiles of a real corpus and of top-p / temperature decodings of
    the true tailed-bigram model."""
    language = BigramLanguage.tailed(beta, n_contexts, vocab, rng_for("fig1", "language", seed))
    by_rank = theory.zipf(vocab, beta)  # every conditional is this law, permuted
    token_nll = -np.log(by_rank)
    rank_of = np.argsort(np.argsort(-language.next_probs, axis=1, kind="stable"), axis=1,
                         kind="stable")
    rows = []
    for source, decoding in (("real", "none"), ("top_p", "top_p"),
                             ("temperature", "temperature")):
        law = decode(language.next_probs, decoding, top_p, temperature)
        counts = sample_pairs(language.context_probs, law, n_pairs,
                              rng_for("fig1", source, seed))
        freq = np.bincount(rank_of.ravel(), weights=counts.ravel(), minlength=vocab) / n_pairs
        freq_theory = decode(by_rank[None, :], decoding, top_p, temperature)[0]
        rows += [{"panel": "rank", "source": source, "rank": r + 1, "freq": freq[r],
                  "freq_theory": freq_theory[r], "token_nll": token_nll[r], "seed": seed}
                 for r in range(vocab)]
        for quantile in quantiles:  # NLL is increasing in rank: quantiles by cumulative mass
            rows.append({"panel": "nll", "source": source, "quantile": quantile, "seed": seed,
                         "nll": token_nll[mass_quantile(freq, quantile)],
                         "nll_theory": token_nll[mass_quantile(freq_theory, quantile)]})
        logger.info("fig1 %s: %d pairs, largest rank emitted %d", source, counts.sum(),
                    np.flatnonzero(freq).max() + 1)
    return pd.DataFrame(rows)


def simulate_fig2(beta, N, T_min, T_max, n_T, k_values, beta_narrow, seeds,
                  logger=log) -> pd.DataFrame:
    """Hutter LLM on clean, tail-cut (Thm 2.1) and tail-narrowed (Zipf(beta'')) data."""
    p, T_values = theory.zipf(N, beta), size_grid(T_min, T_max, n_T)
    curves = [({"curve": "clean"}, p)]
    curves += [({"curve": "cut", "k": k}, theory.cut_law(p, k)) for k in k_values]
    curves += [({"curve": "narrow", "beta_narrow": b}, theory.zipf(N, b)) for b in beta_narrow]
    rows = []
    for labels, q in curves:
        rows += hutter_curve(labels, p, q, T_values, seeds, ("fig2", *labels.values()))
        logger.info("fig2 %s done", labels)
    return pd.DataFrame(rows)


def simulate_fig3(beta, N, T0, n_gen, T_min, T_max, n_T, seeds, logger=log) -> pd.DataFrame:
    """Hutter students of generation n of the empirical-resampling chain: generator m is the
    empirical law of T0 draws from generator m - 1 (generator 0 = p)."""
    p, T_values = theory.zipf(N, beta), size_grid(T_min, T_max, n_T)
    rows = [{"n": 0, "T": int(T), "seed": None, "kind": "theory", "test_error": e, "mc_se": se}
            for T, e, se in zip(T_values, theory.hutter_error(T_values, p, p),
                                theory.hutter_error_se(T_values, p, p, seeds))]
    rows += [{"n": n, "T": int(T), "seed": None, "kind": "theory", "test_error": e}
             for n in range(1, n_gen + 1)
             for T, e in zip(T_values, theory.resampling_error(T_values, p, T0, n))]
    for seed in range(seeds):
        law, chain = p, rng_for("fig3", "chain", seed)
        for n in range(n_gen + 1):
            if n >= 1:
                law = chain.multinomial(T0, law) / T0
            for T, counts in count_path(T_values, law, rng_for("fig3", "student", n, seed)):
                rows.append({"n": n, "T": int(T), "seed": seed, "kind": "sim",
                             "test_error": float(p[counts == 0].sum())})
        logger.info("fig3 seed %d done", seed)
    return pd.DataFrame(rows)


def simulate_fig5(beta, N, k, pis, T_min, T_max, n_T, seeds, tail_pi, deep_factor,
                  logger=log) -> pd.DataFrame:
    """Thm 3.2: AI data cut at k mixed with a fraction pi of real data (panel mix), or with a
    fraction tail_pi of data from p restricted to ranks >= window_start (Sec. 3.1, panel tail)."""
    p, T_values = theory.zipf(N, beta), size_grid(T_min, T_max, n_T)
    cut = theory.cut_law(p, k)
    rows = []
    for pi in pis:
        labels = {"panel": "mix", "pi": pi, "k": k}
        rows += hutter_curve(labels, p, theory.mixed_law(p, cut, pi), T_values, seeds,
                             ("fig5", "mix", pi))
    for window_start in (k + 1, deep_factor * k):
        labels = {"panel": "tail", "pi": tail_pi, "window_start": window_start, "k": k}
        q = theory.mixed_law(theory.window_law(p, window_start), cut, tail_pi)
        rows += hutter_curve(labels, p, q, T_values, seeds, ("fig5", "tail", window_start))
    logger.info("fig5: %d rows", len(rows))
    return pd.DataFrame(rows)


def bigram_tv(context_probs, next_probs, estimate) -> float:
    """Test TV of a bigram model: sum_i p_i TV(q_hat(. | i), pi(. | i))."""
    return float(context_probs @ theory.total_variation(estimate, next_probs))


def simulate_fig6(beta, n_contexts, vocab, T_min, T_max, n_T, topk_values, top_p, n_trunc_gen,
                  seeds, logger=log) -> pd.DataFrame:
    """Tailed bigram count model trained on clean, top-k truncated and g-times top-p truncated
    conditionals (the context marginal stays real)."""
    language = BigramLanguage.tailed(beta, n_contexts, vocab, rng_for("fig6", "language"))
    ctx, true = language.context_probs, language.next_probs
    T_values = size_grid(T_min, T_max, n_T)
    by_rank = theory.zipf(vocab, beta)
    clean = theory.bigram_expected_tv(T_values, ctx, by_rank)
    rows = [{"curve": "clean", "T": int(T), "seed": None, "kind": "theory", "test_tv": tv}
            for T, tv in zip(T_values, clean)]
    curves = [({"curve": "clean"}, true)]
    for k in topk_values:
        curves.append(({"curve": "topk", "k": k}, theory.top_k_truncate(true, k)))
        rows += [{"curve": "topk", "k": k, "T": int(T), "seed": None, "kind": "theory",
                  "test_tv": float(by_rank[k:].sum())} for T in T_values]
    law = true
    for gen, kept in enumerate(theory.truncation_rounds(by_rank, top_p, n_trunc_gen), start=1):
        law = theory.top_p_truncate(law, top_p)
        curves.append(({"curve": "topp", "gen": gen}, law))
        rows += [{"curve": "topp", "gen": gen, "k": kept, "T": int(T), "seed": None,
                  "kind": "theory", "test_tv": float(by_rank[kept:].sum())} for T in T_values]
    for labels, law in curves:
        for seed in range(seeds):
            rng, counts, drawn = rng_for("fig6", *labels.values(), seed), 0, 0
            for T in T_values:
                counts = counts + sample_pairs(ctx, law, T - drawn, rng)
                drawn = T
                rows.append({**labels, "T": int(T), "seed": seed, "kind": "sim",
                             "test_tv": bigram_tv(ctx, true, conditional_estimate(counts))})
        logger.info("fig6 %s done", labels)
    return pd.DataFrame(rows)


def capped_memory_error(p, counts, d: int) -> float:
    """Error of a Hutter memory that keeps only the d seen items with the largest training
    counts (ties: lower rank first): the p-mass of the items it does not store."""
    seen = np.flatnonzero(counts)
    stored = seen[np.argsort(-counts[seen], kind="stable")[:d]]
    return float(1 - p[stored].sum())


def simulate_fig7(beta, N, d_values, k_cut, T_min, T_max, n_T, seeds, memory,
                  logger=log) -> pd.DataFrame:
    """Sec. 5 triplet scaling: a memory of d facts trained on clean (k = 0) or cut data."""
    if memory != "capped":
        raise ValueError(f"fig7.memory must be 'capped', not {memory!r}")
    p, T_values = theory.zipf(N, beta), size_grid(T_min, T_max, n_T)
    rows = []
    for k in (0, k_cut):
        q = p if k == 0 else theory.cut_law(p, k)
        for d in d_values:
            rows += [{"d": d, "k": k, "T": int(T), "seed": None, "kind": "theory",
                      "test_error": e}
                     for T, e in zip(T_values, theory.triplet_error(T_values, p, d, k or None))]
        for seed in range(seeds):
            for T, counts in count_path(T_values, q, rng_for("fig7", k, seed)):
                rows += [{"d": d, "k": k, "T": int(T), "seed": seed, "kind": "sim",
                          "test_error": capped_memory_error(p, counts, d)} for d in d_values]
        logger.info("fig7 k=%d done", k)
    return pd.DataFrame(rows)


def smoothed_kl(true, counts, alpha: float) -> np.ndarray:
    """KL(pi(. | i) || add-alpha estimate) per context: the test cross-entropy minus entropy."""
    estimate = (counts + alpha) / (counts.sum(axis=1, keepdims=True) + alpha * counts.shape[1])
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(true > 0, true * np.log(true / estimate), 0.0)
    return terms.sum(axis=1)


def simulate_fig4_lm(beta, n_contexts, vocab, T0, decodings, top_p, temperature, n_gen,
                     T_values, kl_alpha, seeds, model, logger=log) -> pd.DataFrame:
    """Sec. 6 miniature of the Llama-2 experiment: count bigram models, each generation fit on
    T0 pairs its predecessor emitted with the chosen decoding; students of each generation's
    data are scored on the real conditionals (TV and smoothed KL)."""
    if model != "count":
        raise ValueError(f"fig4.lm.model {model!r} is not run by this job (count only)")
    language = BigramLanguage.tailed(beta, n_contexts, vocab, rng_for("fig4", "lm", "language"))
    ctx, true = language.context_probs, language.next_probs
    T_values = np.asarray(T_values, dtype=np.int64)
    by_rank = theory.zipf(vocab, beta)
    floors = {"top_p": float(by_rank[theory.top_p_count(by_rank, top_p):].sum()),
              "temperature": float(theory.total_variation(
                  by_rank, theory.temperature_law(by_rank, temperature))),
              "none": 0.0}
    rows = [{"panel": "lm", "decoding": "none", "gen": 0, "T": int(T), "kind": "theory",
             "test_error": tv}
            for T, tv in zip(T_values, theory.bigram_expected_tv(T_values, ctx, by_rank))]
    rows += [{"panel": "lm", "decoding": decoding, "gen": 1, "T": int(T), "kind": "theory",
              "test_error": floors[decoding]} for decoding in decodings for T in T_values]

    def students(source_ctx, source_next, labels, seed):
        rng, counts, drawn = rng_for("fig4", "lm", *labels.values(), seed), 0, 0
        for T in T_values:
            counts = counts + sample_pairs(source_ctx, source_next, T - drawn, rng)
            drawn = T
            rows.append({"panel": "lm", **labels, "T": int(T), "seed": seed, "kind": "sim",
                         "test_error": bigram_tv(ctx, true, conditional_estimate(counts)),
                         "test_kl": float(ctx @ smoothed_kl(true, counts, kl_alpha))})

    for seed in range(seeds):
        students(ctx, true, {"decoding": "none", "gen": 0}, seed)
        for decoding in decodings:
            chain = rng_for("fig4", "lm", "chain", decoding, seed)
            source_ctx, source_next = ctx, true
            for gen in range(1, n_gen + 1):
                pairs = sample_pairs(source_ctx, source_next, T0, chain)
                source_ctx = pairs.sum(axis=1) / T0
                source_next = decode(conditional_estimate(pairs), decoding, top_p, temperature)
                students(source_ctx, source_next, {"decoding": decoding, "gen": gen}, seed)
        logger.info("fig4 lm seed %d done", seed)
    return pd.DataFrame(rows)
