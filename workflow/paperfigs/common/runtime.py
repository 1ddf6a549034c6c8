"""Threads, devices and seeds: what makes a job fast on 2 cores and repeatable anywhere."""

from __future__ import annotations

import os
import random
import zlib

import numpy as np

THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


def limit_threads(threads: int = 1) -> None:
    """Run BLAS, OpenMP and torch with `threads` threads.

    Small solves and tiny models were measured 10-100x slower with two threads than with
    one on 2-core machines, so every job uses one unless its rule asks for more.
    """
    threads = max(1, int(threads))
    for name in THREAD_VARIABLES:
        os.environ[name] = str(threads)
    from threadpoolctl import threadpool_limits

    threadpool_limits(threads)
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(threads)
    if torch.get_num_interop_threads() != threads:
        try:
            torch.set_num_interop_threads(threads)
        except RuntimeError:  # only settable before the first parallel op
            pass


def pick_device(preference: str = "auto"):
    """CUDA when present (or asked for), else CPU. `preference`: auto | cpu | cuda."""
    import torch

    if preference not in {"auto", "cpu", "cuda"}:
        raise ValueError(f"device must be auto, cpu or cuda, not {preference!r}")
    if preference == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("device: cuda was asked for but torch sees no CUDA device")
    if preference == "cpu" or not torch.cuda.is_available():
        return torch.device("cpu")
    return torch.device("cuda")


def _seed_word(key) -> int:
    if isinstance(key, str):
        return zlib.crc32(key.encode())
    if isinstance(key, float):
        return zlib.crc32(repr(key).encode())
    return int(key)


def rng_for(*keys) -> np.random.Generator:
    """A numpy Generator determined by `keys` (ints, floats or strings), e.g.
    rng_for("fig1", "iso", T, n, rep). The same keys give the same stream on any machine."""
    return np.random.default_rng([_seed_word(k) for k in keys])


def seed_everything(seed: int) -> None:
    """Seed python, numpy's legacy global state and torch (CPU and CUDA)."""
    random.seed(seed)
    np.random.seed(seed % 2**32)  # noqa: NPY002 - for third-party code using the global state
    try:
        import torch
    except ImportError:
        return
    torch.manual_seed(seed)
