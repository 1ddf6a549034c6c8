"""Kernel ridge regression over generations on images (the paper's appendix, fig3).

Generation m draws T0 pool images, labels them f_{m-1}(x) + sigma0 noise (f_0 = the one-hot
truth) and fits KRR with ridge lam_gen; the downstream model fits T pool images labelled by
f_n plus sigma noise, for a whole grid of lam at once. Solves run in float64 torch, on CUDA
when there is one. Coefficients solve (K + T lam I) alpha = Y.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import torch

from paperfigs.common import rng_for

log = logging.getLogger(__name__)


def rbf_kernel(A, B, gamma):
    """exp(-gamma |a - b|^2) for every row pair."""
    squared = (A * A).sum(1)[:, None] + (B * B).sum(1)[None, :] - 2.0 * A @ B.T
    return torch.exp(-gamma * squared.clamp_min(0.0))


def scale_gamma(X) -> float:
    """sklearn's "scale" rule: 1 / (n_features * Var(X))."""
    return 1.0 / (X.shape[1] * float(X.var()))


class KernelRidge:
    """f(x) = K(x, X) alpha with (K + T lam I) alpha = Y."""

    def __init__(self, X, Y, lam, gamma):
        self.X, self.gamma = X, gamma
        K = rbf_kernel(X, X, gamma)
        K.diagonal().add_(len(X) * lam)
        self.alpha = torch.linalg.solve(K, Y)

    def __call__(self, X):
        return rbf_kernel(X, self.X, self.gamma) @ self.alpha


def ridge_path_test_errors(X, Y, X_test, Y_test, lams, gamma):
    """Test MSE of KRR fitted on (X, Y) for every lam, from one eigendecomposition of K."""
    eigenvalues, U = torch.linalg.eigh(rbf_kernel(X, X, gamma))
    projected = U.T @ Y
    K_test = rbf_kernel(X_test, X, gamma) @ U
    errors = []
    for lam in lams:
        prediction = K_test @ (projected / (eigenvalues + len(X) * lam)[:, None])
        errors.append(float(((prediction - Y_test) ** 2).sum(1).mean()))
    return errors


def krr_generations(X, labels, *, n_test, T0, T, n_values, sigma, sigma0, lam_gen, lam_min,
                    lam_max, n_lam, gamma, reps, device, logger=log) -> pd.DataFrame:
    """Test MSE of downstream KRR vs lam after n generations, one row per (n, lam, rep)."""
    classes = int(labels.max()) + 1
    if n_test + max(T0, T) > len(X):
        raise ValueError(f"n_test + max(T0, T) = {n_test + max(T0, T)} exceeds the "
                         f"{len(X)} images available")
    gamma = scale_gamma(X) if gamma is None else gamma
    lams = np.logspace(np.log10(lam_min), np.log10(lam_max), n_lam)
    data = torch.as_tensor(X, dtype=torch.float64, device=device)
    onehot = torch.nn.functional.one_hot(torch.as_tensor(labels, device=device),
                                         classes).double()
    records = []
    for rep in range(reps):
        rng = rng_for("fig3", "split", rep)
        order = torch.as_tensor(rng.permutation(len(X)), device=device)
        test, pool = order[:n_test], order[n_test:]
        noise = torch.Generator(device="cpu").manual_seed(int(rng.integers(2**31)))
        teacher = None  # f_0: the true one-hot labels

        def label(points, std, teacher, noise=noise):
            clean = onehot[points] if teacher is None else teacher(data[points])
            return clean + std * torch.randn(clean.shape, generator=noise,
                                             dtype=torch.float64).to(device)

        for n in range(max(n_values) + 1):
            if n in n_values:
                chosen = pool[torch.as_tensor(rng.choice(len(pool), T, replace=False),
                                              device=device)]
                errors = ridge_path_test_errors(data[chosen], label(chosen, sigma, teacher),
                                                data[test], onehot[test], lams, gamma)
                records += [(n, lam, rep, e) for lam, e in zip(lams, errors)]
                logger.info("fig3: rep %d generation %d done", rep, n)
            if n == max(n_values):
                break
            chosen = pool[torch.as_tensor(rng.choice(len(pool), T0, replace=False),
                                          device=device)]
            teacher = KernelRidge(data[chosen], label(chosen, sigma0, teacher), lam_gen, gamma)
    return pd.DataFrame.from_records(records, columns=["n", "lam", "seed", "test_error"])


def fig3_table(dataset, data_dir, device, logger=log, **settings) -> pd.DataFrame:
    """fig3's data: the 8x8 digits miniature or MNIST (train split) from `data_dir`."""
    from paperfigs.common import pick_device
    from paperfigs.common.datasets import load_digits_images, load_mnist_like

    if dataset == "digits":
        X, labels = load_digits_images()
    else:
        X, labels = load_mnist_like(data_dir, "MNIST", "train")
    device = pick_device(device)
    logger.info("fig3: %s, %d images, device %s", dataset, len(X), device)
    return krr_generations(X, labels, device=device, logger=logger, **settings)
