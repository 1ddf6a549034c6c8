"""Task generators and the shared token layout of polynomial iteration and parity.

A sequence of length L is [BoS_task, x_1..x_L, EoI, s_1..s_L] (with CoT) or
[BoS_task, x_1..x_L, EoI, s_L] (without), right-padded with EoS to T = 2 n_len + 3 tokens,
so x_t always sits at position t. Both tasks share one vocabulary and T, so a polynomial
model can be fine-tuned on parity without touching its embedding tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TASKS = ("polynomial", "parity")


@dataclass(frozen=True)
class Vocabulary:
    """Data values 0..mod-1, one BoS token per task, EoI and EoS."""

    mod: int

    def bos(self, task: str) -> int:
        return self.mod + TASKS.index(task)

    @property
    def eoi(self) -> int:
        return self.mod + 2

    @property
    def eos(self) -> int:
        return self.mod + 3

    @property
    def size(self) -> int:
        return self.mod + 4


def sequence_length(n_len: int) -> int:
    """T = 2 n_len + 3: the longest CoT sequence plus at least one EoS."""
    return 2 * n_len + 3


def draw_inputs(task: str, L: int, n: int, mod: int, rng: np.random.Generator) -> np.ndarray:
    """n input sequences x_1..x_L: uniform on {1..p-1} (polynomial) or Bernoulli(1/2)."""
    if task == "polynomial":
        return rng.integers(1, mod, size=(n, L))
    if task == "parity":
        return rng.integers(0, 2, size=(n, L))
    raise ValueError(f"unknown task {task!r} (known: {', '.join(TASKS)})")


def states(task: str, xs: np.ndarray, mod: int) -> np.ndarray:
    """s_1..s_L of each row of xs (vectorised theory.polynomial_states / parity_states)."""
    if task == "parity":
        return np.cumsum(xs, axis=1) % 2
    out = np.empty_like(xs)
    out[:, 0] = xs[:, 0] % mod
    for t in range(1, xs.shape[1]):
        out[:, t] = (out[:, t - 1] * xs[:, t] + 1) % mod
    return out


def encode(task: str, xs: np.ndarray, ss: np.ndarray, cot: bool, n_len: int,
           vocab: Vocabulary) -> np.ndarray:
    """Token rows [BoS, x, EoI, s_1..s_L or s_L], right-padded with EoS to T tokens."""
    n, L = xs.shape
    tokens = np.full((n, sequence_length(n_len)), vocab.eos, dtype=np.int64)
    tokens[:, 0] = vocab.bos(task)
    tokens[:, 1:L + 1] = xs
    tokens[:, L + 1] = vocab.eoi
    answer = ss if cot else ss[:, -1:]
    tokens[:, L + 2:L + 2 + answer.shape[1]] = answer
    return tokens


@dataclass(frozen=True)
class Split:
    tokens: np.ndarray  # (N, T) int64
    lengths: np.ndarray  # (N,) the L of each row


def make_dataset(task: str, cot: bool, n_len: int, n_per_len: int, mod: int,
                 seed: int) -> tuple[Split, Split]:
    """For each L = 1..n_len, 2 n_per_len i.i.d. sequences: the first half to train, the
    second to test. The data RNG is numpy's default_rng(seed)."""
    rng = np.random.default_rng(seed)
    vocab = Vocabulary(mod)
    parts = {"train": [], "test": []}
    for L in range(1, n_len + 1):
        xs = draw_inputs(task, L, 2 * n_per_len, mod, rng)
        tokens = encode(task, xs, states(task, xs, mod), cot, n_len, vocab)
        parts["train"].append(tokens[:n_per_len])
        parts["test"].append(tokens[n_per_len:])
    lengths = np.repeat(np.arange(1, n_len + 1), n_per_len)
    return tuple(Split(np.concatenate(parts[name]), lengths) for name in ("train", "test"))


def target_mask(lengths: np.ndarray, cot: bool, n_len: int) -> np.ndarray:
    """Which next-token targets count, as a (N, T-1) boolean array over targets tokens[:, 1:].

    Every target after EoI: s_1..s_L (or s_L alone without CoT) and the EoS that ends the
    answer. Target index i is predicted by the query at position i, so s_t is predicted at
    L+t. Targets up to and including EoI, and the later padding, are masked out."""
    lengths = np.asarray(lengths)[:, None]
    index = np.arange(sequence_length(n_len) - 1)[None, :]
    answer_tokens = lengths + 1 if cot else 2
    return (index >= lengths + 1) & (index < lengths + 1 + answer_tokens)
