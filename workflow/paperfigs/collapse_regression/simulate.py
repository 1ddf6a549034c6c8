"""Monte Carlo of the generator chains and downstream ridge fits (Sec. 3 of the paper).

One `numpy.random.Generator` per (figure, panel, T, n, rep): the same keys give the same
numbers anywhere, and the same rep index gives the same truth w0 in every cell.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from paperfigs.collapse_regression import theory
from paperfigs.common import rng_for

log = logging.getLogger(__name__)
COLUMNS_FIG1 = ["panel", "T", "n", "lam", "seed", "kind", "test_error"]
COLUMNS_FIG4 = ["panel", "n", "lam", "T", "sigma0", "lam_rule", "seed", "kind", "test_error"]


def random_direction(d, norm, rng):
    """A uniformly random vector of length `norm`."""
    w = rng.standard_normal(d)
    return norm * w / np.linalg.norm(w)


def sample_features(count, sqrt_spectrum, rng):
    """Rows x ~ N(0, diag(spectrum))."""
    return rng.standard_normal((count, len(sqrt_spectrum))) * sqrt_spectrum


def fit_generator(X, y):
    """OLS when there are at least as many samples as features, else the min-norm interpolator."""
    T0, d = X.shape
    if T0 >= d:
        return np.linalg.solve(X.T @ X, X.T @ y)
    return X.T @ np.linalg.solve(X @ X.T, y)


def generator_chain(w0, generations, T0, sigma0, sqrt_spectrum, rng, record=False):
    """w_0 = w0; w_m = fit on T0 fresh samples labelled X w_{m-1} + sigma0 noise.

    Returns w_n, or every w_1..w_n when `record` is set.
    """
    w, history = w0, []
    for _ in range(generations):
        X = sample_features(T0, sqrt_spectrum, rng)
        w = fit_generator(X, X @ w + sigma0 * rng.standard_normal(T0))
        history.append(w)
    return history if record else w


def ridge_path_errors(teacher, w0, T, sigma, lams, spectrum, rng):
    """Fit ridge (X^T X/T + lam)^-1 X^T y/T on T samples labelled by `teacher`, for every lam
    at once (one eigendecomposition), and return (w - w0)^T Sigma (w - w0) for each lam."""
    sqrt_spectrum = np.sqrt(spectrum)
    X = sample_features(T, sqrt_spectrum, rng)
    y = X @ teacher + sigma * rng.standard_normal(T)
    eigenvalues, eigenvectors = np.linalg.eigh(X.T @ X / T)
    projected = eigenvectors.T @ (X.T @ y / T)
    lams = np.atleast_1d(np.asarray(lams, dtype=float))
    fits = eigenvectors @ (projected[:, None] / (eigenvalues[:, None] + lams[None, :]))
    residual = fits - w0[:, None]
    return np.sum(spectrum[:, None] * residual**2, axis=0)


def lambda_grid(lam_min, lam_max, n_lam):
    return np.logspace(np.log10(lam_min), np.log10(lam_max), n_lam)


def size_grid(T_min, T_max, n_T):
    """Integer sample sizes, log-spaced."""
    return np.unique(np.round(np.logspace(np.log10(T_min), np.log10(T_max), n_T)).astype(int))


def _rows(records, columns):
    return pd.DataFrame.from_records(records, columns=columns)


def simulate_fig1_iso(d, T0, T_values, n_values, sigma, sigma0, w0_norm, lam_min, lam_max,
                      n_lam, reps, logger=log) -> pd.DataFrame:
    """Panel (a): isotropic features, error vs lam for every (T, n); sims and Thm 4.1."""
    lams = lambda_grid(lam_min, lam_max, n_lam)
    ones = np.ones(d)
    records = []
    for T in T_values:
        for n in n_values:
            for rep in range(reps):
                w0 = random_direction(d, w0_norm, rng_for("fig1", "iso", "w0", rep))
                rng = rng_for("fig1", "iso", T, n, rep)
                teacher = generator_chain(w0, n, T0, sigma0, ones, rng)
                errors = ridge_path_errors(teacher, w0, T, sigma, lams, ones, rng)
                records += [("iso", T, n, lam, rep, "sim", e) for lam, e in zip(lams, errors)]
            curve = theory.iso_test_error(lams, T, n, d, T0, sigma, sigma0, w0_norm)
            records += [("iso", T, n, lam, None, "theory", e) for lam, e in zip(lams, curve)]
            logger.info("fig1 iso: T=%d n=%d done", T, n)
    return _rows(records, COLUMNS_FIG1)


def power_setup(d, beta, r, ell):
    spectrum = theory.power_law_spectrum(d, beta)
    ell = theory.critical_exponent(beta, r) if ell is None else ell
    return spectrum, ell


def generator_size(T0, T):
    """T0 is a number, or `same_as_T` (generators as large as the downstream sample)."""
    return T if T0 == "same_as_T" else T0


def simulate_fig1_power(d, beta, r, sigma, sigma0, T0, T_min, T_max, n_T, n_values, reps, ell,
                        logger=log) -> pd.DataFrame:
    """Panel (b): power-law spectrum, error vs T with lam = T^-ell; sims and Thm 5.1."""
    spectrum, ell = power_setup(d, beta, r, ell)
    sqrt_spectrum = np.sqrt(spectrum)
    magnitude = theory.power_law_truth(d, beta, r)
    records = []
    for T in size_grid(T_min, T_max, n_T):
        lam = float(T) ** (-ell)
        T0_here = generator_size(T0, T)
        for n in n_values:
            for rep in range(reps):
                signs = rng_for("fig1", "power", "w0", rep).choice([-1.0, 1.0], size=d)
                w0 = magnitude * signs
                rng = rng_for("fig1", "power", T, n, rep)
                teacher = generator_chain(w0, n, T0_here, sigma0, sqrt_spectrum, rng)
                (error,) = ridge_path_errors(teacher, w0, T, sigma, [lam], spectrum, rng)
                records.append(("power", T, n, lam, rep, "sim", error))
            curve = theory.deterministic_test_error(lam, T, n, T0_here, spectrum, magnitude,
                                                    sigma, sigma0)
            records.append(("power", T, n, lam, None, "theory", curve))
        logger.info("fig1 power: T=%d done", T)
    return _rows(records, COLUMNS_FIG1)


def simulate_fig4_linear(d, T0, T, lam_values, n_max, sigma, sigma0, w0_norm, reps,
                         logger=log) -> pd.DataFrame:
    """Panel (a): error vs generations n at fixed T, a few lam; sims and E(0) + n slope."""
    ones = np.ones(d)
    lams = np.asarray(lam_values, dtype=float)
    records = []
    for n in range(n_max + 1):
        for rep in range(reps):
            w0 = random_direction(d, w0_norm, rng_for("fig4", "linear", "w0", rep))
            rng = rng_for("fig4", "linear", T, n, rep)
            teacher = generator_chain(w0, n, T0, sigma0, ones, rng)
            errors = ridge_path_errors(teacher, w0, T, sigma, lams, ones, rng)
            records += [("linear", n, lam, T, sigma0, "fixed", rep, "sim", e)
                        for lam, e in zip(lams, errors)]
        curve = theory.iso_test_error(lams, T, n, d, T0, sigma, sigma0, w0_norm)
        records += [("linear", n, lam, T, sigma0, "fixed", None, "theory", e)
                    for lam, e in zip(lams, curve)]
        logger.info("fig4 linear: n=%d done", n)
    return _rows(records, COLUMNS_FIG4)


def simulate_fig4_overparam(d, T0, sigma0_values, n_max, w0_norm, reps,
                            logger=log) -> pd.DataFrame:
    """Panel (b): |w_n - w0|^2 for min-norm generators with T0 < d; sims and the recursion."""
    ones = np.ones(d)
    generations = np.arange(1, n_max + 1)
    records = []
    for sigma0 in sigma0_values:
        for rep in range(reps):
            w0 = random_direction(d, w0_norm, rng_for("fig4", "overparam", "w0", rep))
            rng = rng_for("fig4", "overparam", T0, sigma0, rep)
            chain = generator_chain(w0, n_max, T0, sigma0, ones, rng, record=True)
            records += [("overparam", n, np.nan, T0, sigma0, "none", rep, "sim",
                         float(np.sum((w - w0) ** 2))) for n, w in zip(generations, chain)]
        curve = theory.overparam_error(generations, d, T0, sigma0, w0_norm)
        records += [("overparam", n, np.nan, T0, sigma0, "none", None, "theory", e)
                    for n, e in zip(generations, curve)]
        logger.info("fig4 overparam: sigma0=%g done", sigma0)
    return _rows(records, COLUMNS_FIG4)


def theory_fig4_mitigation(power, T_min, T_max, n_T, n_values, logger=log) -> pd.DataFrame:
    """Panel (c), theory only: lam = T^-l_crit (critical) vs the per-T optimal lam (optimal),
    with fig1.power's spectrum, source, noise and generator size."""
    spectrum, ell = power_setup(power["d"], power["beta"], power["r"], power["ell"])
    w0 = theory.power_law_truth(power["d"], power["beta"], power["r"])
    sigma, sigma0 = power["sigma"], power["sigma0"]
    records = []
    for n in n_values:
        for T in size_grid(T_min, T_max, n_T):
            T0 = generator_size(power["T0"], T)
            lam = float(T) ** (-ell)
            critical = theory.deterministic_test_error(lam, T, n, T0, spectrum, w0, sigma,
                                                       sigma0)
            best, best_lam = theory.optimal_ridge_error(T, n, T0, spectrum, w0, sigma, sigma0)
            records.append(("mitigation", n, lam, T, sigma0, "critical", None, "theory",
                            critical))
            records.append(("mitigation", n, best_lam, T, sigma0, "optimal", None, "theory",
                            best))
        logger.info("fig4 mitigation: n=%d done", n)
    return _rows(records, COLUMNS_FIG4)


def pipeline_stages(n_show, iso, logger=log) -> pd.DataFrame:
    """The boxes of the fig2 schematic, labelled with fig1.iso's sizes: one row per box."""
    ridge_range = f"{iso['lam_min']:g}..{iso['lam_max']:g} (swept)"
    rows = [(0, "truth", np.nan, 0.0, "none")]
    rows += [(m, "generator", iso["T0"], iso["sigma0"], "0 (OLS)") for m in range(1, n_show + 1)]
    rows.append((n_show + 1, "downstream", max(iso["T_values"]), iso["sigma"], ridge_range))
    logger.info("fig2: %d boxes", len(rows))
    return pd.DataFrame(rows, columns=["stage", "role", "n_samples", "noise_std", "ridge"])
