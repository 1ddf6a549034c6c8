"""Data of A Tale of Tails: Zipf draws as counts, the tailed bigram language and its count
models, the memoriser's labelled items, GCD pairs, and the paper profile's Wikitext-103 and
Llama-2 folders (read from disk; nothing here downloads)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from paperfigs.common.datasets import MissingDatasetError
from paperfigs.tale_of_tails import theory


def size_grid(T_min, T_max, n_T) -> np.ndarray:
    """logspace(T_min, T_max, n_T) rounded to integers (int64, T up to 1e9)."""
    grid = np.logspace(np.log10(T_min), np.log10(T_max), int(n_T))
    return np.unique(np.round(grid).astype(np.int64))


def count_path(T_values, q: np.ndarray, rng: np.random.Generator):
    """Counts of T draws from q for each T of an increasing grid, as one growing sample
    (each T's counts are exactly Multinomial(T, q)); cost O(len(q)) per grid point."""
    counts = np.zeros(len(q), dtype=np.int64)
    support = np.flatnonzero(q)
    law = q[support] / q[support].sum()
    drawn = 0
    for T in T_values:
        counts[support] += rng.multinomial(int(T) - drawn, law)
        drawn = int(T)
        yield T, counts


# --- The tailed bigram language (Secs. 4 and 6) -----------------------------------------------

@dataclass(frozen=True)
class BigramLanguage:
    """N contexts with Zipf(beta) marginal; next token | context ~ Zipf(beta) over V tokens
    under the context's own random permutation."""

    context_probs: np.ndarray  # (N,)
    next_probs: np.ndarray  # (N, V): row i is pi(. | i)

    @classmethod
    def tailed(cls, beta: float, n_contexts: int, vocab: int, rng: np.random.Generator):
        ranks = theory.zipf(vocab, beta)
        permuted = np.stack([ranks[rng.permutation(vocab)] for _ in range(n_contexts)])
        return cls(theory.zipf(n_contexts, beta), permuted)


def sample_pairs(context_probs, next_probs, n_pairs: int, rng) -> np.ndarray:
    """Counts (N, V) of n_pairs (context, token) pairs: contexts ~ context_probs, tokens ~ the
    context's row of next_probs."""
    contexts = rng.multinomial(int(n_pairs), context_probs)
    return rng.multinomial(contexts, next_probs)


def conditional_estimate(pair_counts: np.ndarray) -> np.ndarray:
    """The count model's next-token law: empirical conditionals, uniform for unseen contexts."""
    totals = pair_counts.sum(axis=1, keepdims=True)
    uniform = np.full(pair_counts.shape, 1 / pair_counts.shape[1])
    return np.where(totals > 0, pair_counts / np.maximum(totals, 1), uniform)


def decode(next_probs: np.ndarray, decoding: str, top_p: float, temperature: float):
    """The law a model emits with: none, top_p (nucleus) or temperature."""
    if decoding == "none":
        return next_probs
    if decoding == "top_p":
        return theory.top_p_truncate(next_probs, top_p)
    if decoding == "temperature":
        return theory.temperature_law(next_probs, temperature)
    raise ValueError(f"decoding must be none, top_p or temperature, not {decoding!r}")


# --- Labelled items: the memoriser's stand-in for GCD (Sec. 6.1) ------------------------------

@dataclass(frozen=True)
class LabelledItems:
    """N items with Zipf(beta) frequencies and fixed random labels in C classes."""

    probs: np.ndarray
    labels: np.ndarray

    @classmethod
    def zipf(cls, n_items: int, n_classes: int, beta: float, rng: np.random.Generator):
        return cls(theory.zipf(n_items, beta), rng.integers(0, n_classes, n_items))


def gcd_pairs(count: int, max_int: int, rng: np.random.Generator):
    """Uniform operand pairs in [1, max_int] and their GCDs (the paper's Sec. 6.1 task)."""
    a = rng.integers(1, max_int + 1, count)
    b = rng.integers(1, max_int + 1, count)
    return a, b, np.gcd(a, b)


def encode_base(values: np.ndarray, base: int, digits: int) -> np.ndarray:
    """Integers as fixed-width digit sequences in `base`, most significant first."""
    powers = base ** np.arange(digits - 1, -1, -1, dtype=np.int64)
    return (np.asarray(values, np.int64)[:, None] // powers) % base


# --- Paper profile: Wikitext-103 and Llama-2 from disk ----------------------------------------

WIKITEXT_HOW = ("fetch it on a machine with internet: huggingface-cli download "
                "Salesforce/wikitext --repo-type dataset --include 'wikitext-103-raw-v1/*' "
                "--local-dir {path}")
LLAMA_HOW = ("fetch it (gated: accept the licence first) with huggingface-cli download "
             "meta-llama/Llama-2-7b-hf --local-dir {path}")


def wikitext_files(root) -> dict[str, Path]:
    """The raw Wikitext-103 splits under `root`: wiki.{train,valid,test}.raw files, or the
    parquet shards huggingface-cli leaves (wikitext-103-raw-v1/{split}-*.parquet)."""
    root = Path(root)
    found = {}
    for split in ("train", "valid", "test"):
        raw = sorted(root.rglob(f"wiki.{split}.raw"))
        shards = sorted(root.rglob(f"{'validation' if split == 'valid' else split}-*.parquet"))
        if raw or shards:
            found[split] = raw[0] if raw else shards
    if set(found) != {"train", "valid", "test"}:
        raise MissingDatasetError(
            f"Wikitext-103 not found in {root}: {WIKITEXT_HOW.format(path=root)}")
    return found


def read_wikitext(root, split: str) -> list[str]:
    """The non-empty lines of one Wikitext-103 split."""
    source = wikitext_files(root)[split]
    if isinstance(source, Path):
        lines = source.read_text(encoding="utf-8").splitlines()
    else:
        import pandas as pd

        lines = [line for shard in source for line in pd.read_parquet(shard)["text"]]
    return [line.strip() for line in lines if line.strip()]


def llama_dir(path) -> Path:
    """The Llama-2 weights folder; a missing one stops with how to get it."""
    path = Path(path)
    if not (path / "config.json").exists():
        raise MissingDatasetError(f"Llama-2 weights not found in {path}: "
                                  f"{LLAMA_HOW.format(path=path)}")
    return path
