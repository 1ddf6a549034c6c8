"""Algorithm 1 (generic iteration), the two tasks' updates, the ideal iteration-head circuit
and the baselines it is compared with. There are no closed forms for accuracy."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


def iterate(update: Callable[[int, int], int], s0: int, xs: Sequence[int]) -> list[int]:
    """Algorithm 1: s_t = F(s_{t-1}, x_t) for t = 1..L; returns [s_1, ..., s_L]."""
    states, state = [], s0
    for x in xs:
        state = update(state, x)
        states.append(state)
    return states


def polynomial_update(mod: int) -> Callable[[int, int], int]:
    """F(s, x) = s x + 1 mod p: not invariant under permutations of the inputs."""
    return lambda state, x: (state * x + 1) % mod


def polynomial_states(xs: Sequence[int], mod: int) -> list[int]:
    """Polynomial iteration (the authors' code): s_1 = x_1, then s_t = F(s_{t-1}, x_t)."""
    return [xs[0] % mod] + iterate(polynomial_update(mod), xs[0] % mod, xs[1:])


def parity_update(state: int, x: int) -> int:
    """F(s, x) = s + x mod 2."""
    return (state + x) % 2


def parity_states(xs: Sequence[int]) -> list[int]:
    """Parity: s_0 = 0, so s_1 = x_1."""
    return iterate(parity_update, 0, xs)


def ideal_attention(L: int) -> tuple[np.ndarray, np.ndarray]:
    """The ideal (layer 1, layer 2) attention of a CoT sequence of length L, as
    (2L+2) x (2L+2) query x key matrices over positions BoS, x_1..x_L, EoI, s_1..s_L.

    Layer 1: every CoT query L+2..2L+1 reads EoI at L+1. Layer 2, the iteration head: the
    query at L+t (which predicts s_t) reads x_t at position t, for t = 1..L."""
    size = 2 * L + 2
    layer1, layer2 = np.zeros((size, size)), np.zeros((size, size))
    layer1[L + 2: 2 * L + 2, L + 1] = 1.0
    t = np.arange(1, L + 1)
    layer2[L + t, t] = 1.0
    return layer1, layer2


def uniform_weight(query_pos) -> np.ndarray:
    """The weight uniform causal attention puts on any one key: 1 / (q + 1)."""
    return 1.0 / (np.asarray(query_pos, dtype=float) + 1.0)


def iteration_head_baseline(L: int) -> float:
    """Mean over t = 1..L of the uniform weight at the iteration-head cell (L+t, t)."""
    return float(np.mean(uniform_weight(L + np.arange(1, L + 1))))


def nocot_chance(mod: int) -> float:
    """The best constant guess of s_L is right about 1/(p-1) of the time (s_L is close to
    uniform over the p values, with 0 rare at short lengths)."""
    return 1.0 / (mod - 1)
