"""Closed forms of Model Collapse Demystified (arXiv 2402.07712).

Conventions: ridge  w = (X^T X / T + lam I)^-1 X^T y / T  (lam per sample); test error
E = (w - w0)^T Sigma (w - w0), measured against the true w0 (no sigma^2 added). Generators are
OLS fits on T0 samples with label noise sigma0 (T0 >= d + 2), or minimum-norm interpolators
when T0 < d.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq, minimize_scalar


# ----------------------------------------------------------------------------------------
# Isotropic features, Sigma = I: Marchenko-Pastur closed forms (Thm 4.1, proportional limit)
# ----------------------------------------------------------------------------------------
def mp_resolvent_moments(lam, phi):
    """m = int dmu(x)/(x+lam) and g = int dmu(x)/(x+lam)^2 for the MP law of ratio phi=d/T."""
    lam = np.asarray(lam, dtype=float)
    b = 1.0 - phi + lam
    m = (-b + np.sqrt(b**2 + 4.0 * phi * lam)) / (2.0 * phi * lam)
    g = (phi * m**2 + m) / (2.0 * phi * lam * m + b)
    return m, g


def iso_error_terms(lam, T, d, w0_norm, sigma):
    """(Bias, Var, C) of ridge with Sigma = I; lam <= 0 gives the exact OLS values.

    Bias = lam^2 g |w0|^2,  Var = sigma^2 phi (m - lam g),  C = d (1 - 2 lam m + lam^2 g),
    where C = E tr[A A^T] with A = (Sigma_hat + lam)^-1 Sigma_hat multiplies the collapse term.
    """
    lam = np.atleast_1d(np.asarray(lam, dtype=float))
    phi = d / T
    bias = np.zeros_like(lam)
    var = np.full_like(lam, sigma**2 * d / (T - d - 1) if T > d + 1 else np.inf)
    collapse = np.full_like(lam, float(d))
    ridge = lam > 0
    if ridge.any():
        m, g = mp_resolvent_moments(lam[ridge], phi)
        bias[ridge] = lam[ridge] ** 2 * g * w0_norm**2
        var[ridge] = sigma**2 * phi * (m - lam[ridge] * g)
        collapse[ridge] = d * (1.0 - 2.0 * lam[ridge] * m + lam[ridge] ** 2 * g)
    return bias, var, collapse


def collapse_slope(collapse_factor, T0, d, sigma0):
    """Extra test error per generation: sigma0^2 C / (T0 - d - 1) (Thm 4.1; inverse Wishart)."""
    if T0 < d + 2:
        raise ValueError(f"OLS generators need T0 >= d + 2 (got T0={T0}, d={d})")
    return sigma0**2 * np.asarray(collapse_factor) / (T0 - d - 1)


def iso_test_error(lam, T, n, d, T0, sigma, sigma0, w0_norm):
    """E = Bias + Var + n sigma0^2 C / (T0 - d - 1) for Sigma = I (Thm 4.1)."""
    bias, var, collapse = iso_error_terms(lam, T, d, w0_norm, sigma)
    return bias + var + n * collapse_slope(collapse, T0, d, sigma0)


def ols_test_error(T, n, d, T0, sigma, sigma0):
    """Exact OLS downstream: E = sigma^2 d/(T-d-1) + n sigma0^2 d/(T0-d-1)."""
    return sigma**2 * d / (T - d - 1) + n * sigma0**2 * d / (T0 - d - 1)


# ----------------------------------------------------------------------------------------
# Any spectrum: deterministic equivalents (Thm 5.1 and the theory lines of fig1b, fig4c)
# ----------------------------------------------------------------------------------------
def degrees_of_freedom(kappa, spectrum):
    """df1 = tr Sigma (Sigma + kappa)^-1 and df2 = tr Sigma^2 (Sigma + kappa)^-2."""
    ratio = spectrum / (spectrum + kappa)
    return ratio.sum(), (ratio**2).sum()


def effective_ridge(lam, T, spectrum):
    """kappa > lam solving lam = kappa (1 - df1(kappa)/T)."""
    spectrum = np.asarray(spectrum, dtype=float)

    def gap(kappa):
        return kappa * (1.0 - degrees_of_freedom(kappa, spectrum)[0] / T) - lam

    upper = lam + 2.0 * spectrum.sum() / T + 1.0
    while gap(upper) < 0:
        upper *= 2.0
    return brentq(gap, lam, upper, xtol=1e-14 * max(lam, 1e-300), rtol=1e-12, maxiter=500)


def deterministic_error_terms(lam, T, spectrum, w0, sigma):
    """(Bias, Var, C) of ridge with covariance diag(spectrum), as deterministic equivalents.

    Bias = kappa^2 w0^T Sigma (Sigma+kappa)^-2 w0 T/(T-df2);  Var = sigma^2 df2/(T-df2);
    C = df2 + kappa^2 tr (Sigma+kappa)^-2 df2/(T-df2).
    """
    spectrum = np.asarray(spectrum, dtype=float)
    kappa = effective_ridge(lam, T, spectrum)
    _, df2 = degrees_of_freedom(kappa, spectrum)
    inflation = T / (T - df2)
    bias = kappa**2 * np.sum(spectrum * w0**2 / (spectrum + kappa) ** 2) * inflation
    var = sigma**2 * df2 / (T - df2)
    collapse = df2 + kappa**2 * np.sum(1.0 / (spectrum + kappa) ** 2) * df2 / (T - df2)
    return bias, var, collapse


def deterministic_test_error(lam, T, n, T0, spectrum, w0, sigma, sigma0):
    """Test error after n generations of OLS generators on T0 samples, any spectrum."""
    d = len(spectrum)
    bias, var, collapse = deterministic_error_terms(lam, T, spectrum, w0, sigma)
    return bias + var + n * collapse_slope(collapse, T0, d, sigma0)


# ----------------------------------------------------------------------------------------
# Power laws (Sec. 5)
# ----------------------------------------------------------------------------------------
def power_law_spectrum(d, beta):
    """Eigenvalues lambda_i = i^-beta, i = 1..d."""
    return np.arange(1, d + 1, dtype=float) ** (-beta)


def power_law_truth(d, beta, r, signs=None):
    """Source condition lambda_i w0_i^2 = i^(-1-2 beta r): w0_i = +-i^((beta-1-2 beta r)/2)."""
    magnitude = np.arange(1, d + 1, dtype=float) ** ((beta - 1.0 - 2.0 * beta * r) / 2.0)
    return magnitude if signs is None else magnitude * signs


def critical_exponent(beta, r):
    """l_crit = beta / (2 beta r + 1): the ridge schedule lam = T^-l that balances bias/var."""
    return beta / (2.0 * beta * r + 1.0)


def optimal_ridge_error(T, n, T0, spectrum, w0, sigma, sigma0, log_lam_range=(-10.0, 2.0)):
    """min over lam of the deterministic test error, and the minimiser (fig4c's optimal rule).

    A coarse log-grid locates the basin, a bounded scalar minimiser in log10 lam refines it.
    """
    def error(log_lam):
        return deterministic_test_error(10.0**log_lam, T, n, T0, spectrum, w0, sigma, sigma0)

    grid = np.linspace(*log_lam_range, 61)
    values = np.array([error(x) for x in grid])
    best = int(np.argmin(values))
    lo, hi = grid[max(best - 1, 0)], grid[min(best + 1, len(grid) - 1)]
    result = minimize_scalar(error, bounds=(lo, hi), method="bounded",
                             options={"xatol": 1e-6})
    if result.fun <= values[best]:
        return float(result.fun), float(10.0**result.x)
    return float(values[best]), float(10.0 ** grid[best])


# ----------------------------------------------------------------------------------------
# Over-parameterised generators (T0 < d), Sigma = I (fig4b)
# ----------------------------------------------------------------------------------------
def overparam_error(n, d, T0, sigma0, w0_norm):
    """E|w_n - w0|^2 = |w0|^2 (1 - rho^n) + sigma0^2 T0/(d-T0-1) (1 - rho^n)/(1 - rho), rho=T0/d.

    From E<w_m, w0> = rho E<w_{m-1}, w0> and E|w_m|^2 = rho E|w_{m-1}|^2 + sigma0^2 T0/(d-T0-1).
    """
    if T0 > d - 2:
        raise ValueError(f"the over-parameterised recursion needs T0 <= d - 2 (T0={T0}, d={d})")
    rho = T0 / d
    n = np.asarray(n, dtype=float)
    decay = 1.0 - rho**n
    return w0_norm**2 * decay + sigma0**2 * T0 / (d - T0 - 1) * decay / (1.0 - rho)
