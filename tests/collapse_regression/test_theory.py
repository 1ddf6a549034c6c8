"""The paper's closed forms against Monte Carlo of the same chains."""

from __future__ import annotations

import numpy as np
import pytest

from paperfigs.collapse_regression import simulate, theory
from paperfigs.common import rng_for


def monte_carlo_error(d, T0, T, n, lams, sigma, sigma0, spectrum, w0, reps, key):
    errors = []
    sqrt_spectrum = np.sqrt(spectrum)
    for rep in range(reps):
        rng = rng_for("test", key, rep)
        teacher = simulate.generator_chain(w0, n, T0, sigma0, sqrt_spectrum, rng)
        errors.append(simulate.ridge_path_errors(teacher, w0, T, sigma, lams, spectrum, rng))
    errors = np.array(errors)
    return errors.mean(0), errors.std(0, ddof=1) / np.sqrt(reps)


def test_marchenko_pastur_moments_match_numerical_integral():
    phi, lam = 0.4, 0.3
    lower, upper = (1 - np.sqrt(phi)) ** 2, (1 + np.sqrt(phi)) ** 2
    x = np.linspace(lower, upper, 200001)
    density = np.sqrt(np.clip((upper - x) * (x - lower), 0, None)) / (2 * np.pi * phi * x)
    m, g = theory.mp_resolvent_moments(lam, phi)
    assert m == pytest.approx(np.trapezoid(density / (x + lam), x), rel=1e-4)
    assert g == pytest.approx(np.trapezoid(density / (x + lam) ** 2, x), rel=1e-4)


@pytest.mark.parametrize("n", [0, 3])
def test_isotropic_closed_form_matches_simulation(n):
    d, T0, T, sigma, sigma0 = 60, 150, 240, 0.5, 0.5
    lams = np.array([1e-4, 0.05, 0.5, 5.0])
    w0 = simulate.random_direction(d, 1.0, rng_for("test", "w0"))
    mean, sem = monte_carlo_error(d, T0, T, n, lams, sigma, sigma0, np.ones(d), w0, 400,
                                  f"iso{n}")
    predicted = theory.iso_test_error(lams, T, n, d, T0, sigma, sigma0, 1.0)
    assert np.all(np.abs(mean - predicted) < np.maximum(0.05 * predicted, 4 * sem))


def test_exact_ols_formula_matches_simulation():
    d, T0, T, n, sigma, sigma0 = 20, 40, 60, 2, 0.7, 0.4
    w0 = simulate.random_direction(d, 1.0, rng_for("test", "w0"))
    mean, sem = monte_carlo_error(d, T0, T, n, [0.0], sigma, sigma0, np.ones(d), w0, 3000,
                                  "ols")
    exact = theory.ols_test_error(T, n, d, T0, sigma, sigma0)
    assert abs(mean[0] - exact) < 4 * sem[0]
    assert theory.iso_test_error(0.0, T, n, d, T0, sigma, sigma0, 1.0)[0] == pytest.approx(exact)


def test_collapse_term_is_linear_in_generations():
    args = dict(lam=0.1, T=500, d=50, T0=120, sigma=0.3, sigma0=0.6, w0_norm=1.0)
    errors = [theory.iso_test_error(n=n, **args)[0] for n in range(6)]
    assert np.allclose(np.diff(errors, 2), 0.0, atol=1e-12)
    _, _, collapse = theory.iso_error_terms(0.1, 500, 50, 1.0, 0.3)
    assert errors[1] - errors[0] == pytest.approx(0.36 * collapse[0] / (120 - 50 - 1))


def test_deterministic_equivalent_reduces_to_isotropic_closed_form():
    d, T = 100, 300
    for lam in (0.01, 0.3, 2.0):
        bias, var, collapse = theory.deterministic_error_terms(lam, T, np.ones(d),
                                                               np.full(d, 0.1), 0.5)
        iso_bias, iso_var, iso_collapse = theory.iso_error_terms(lam, T, d, 1.0, 0.5)
        assert bias == pytest.approx(iso_bias[0], rel=1e-6)
        assert var == pytest.approx(iso_var[0], rel=1e-6)
        assert collapse == pytest.approx(iso_collapse[0], rel=1e-6)


def test_effective_ridge_solves_its_fixed_point():
    spectrum = theory.power_law_spectrum(200, 2.0)
    for lam, T in ((1e-4, 50), (1e-2, 1000), (1.0, 10)):
        kappa = theory.effective_ridge(lam, T, spectrum)
        df1, _ = theory.degrees_of_freedom(kappa, spectrum)
        assert kappa > lam
        assert kappa * (1 - df1 / T) == pytest.approx(lam, rel=1e-8)


def test_power_law_deterministic_equivalent_matches_simulation():
    d, beta, r, T0, T, n, sigma, sigma0 = 100, 2.0, 0.5, 220, 400, 2, 0.1, 0.1
    spectrum = theory.power_law_spectrum(d, beta)
    w0 = theory.power_law_truth(d, beta, r)
    lam = T ** -theory.critical_exponent(beta, r)
    mean, sem = monte_carlo_error(d, T0, T, n, [lam], sigma, sigma0, spectrum, w0, 300, "pow")
    predicted = theory.deterministic_test_error(lam, T, n, T0, spectrum, w0, sigma, sigma0)
    assert abs(mean[0] - predicted) < max(0.06 * predicted, 4 * sem[0])


def test_power_law_truth_satisfies_source_condition():
    d, beta, r = 50, 2.0, 0.5
    w0 = theory.power_law_truth(d, beta, r)
    i = np.arange(1, d + 1)
    assert np.allclose(theory.power_law_spectrum(d, beta) * w0**2, i ** (-1 - 2 * beta * r))
    assert theory.critical_exponent(beta, r) == pytest.approx(2 / 3)


@pytest.mark.parametrize("sigma0", [0.0, 0.3])
def test_overparameterised_recursion_matches_simulation(sigma0):
    d, T0, n_max, reps = 60, 24, 6, 400
    generations = np.arange(1, n_max + 1)
    errors = []
    for rep in range(reps):
        rng = rng_for("test", "over", sigma0, rep)
        w0 = simulate.random_direction(d, 1.0, rng)
        chain = simulate.generator_chain(w0, n_max, T0, sigma0, np.ones(d), rng, record=True)
        errors.append([np.sum((w - w0) ** 2) for w in chain])
    errors = np.array(errors)
    mean, sem = errors.mean(0), errors.std(0, ddof=1) / np.sqrt(reps)
    predicted = theory.overparam_error(generations, d, T0, sigma0, 1.0)
    assert np.all(np.abs(mean - predicted) < np.maximum(0.03 * predicted, 4 * sem))


def test_optimal_ridge_beats_every_grid_point():
    spectrum = theory.power_law_spectrum(80, 2.0)
    w0 = theory.power_law_truth(80, 2.0, 0.5)
    best, best_lam = theory.optimal_ridge_error(2000, 2, 200, spectrum, w0, 0.1, 0.1)
    grid = [theory.deterministic_test_error(lam, 2000, 2, 200, spectrum, w0, 0.1, 0.1)
            for lam in np.logspace(-8, 1, 91)]
    assert best <= min(grid) * (1 + 1e-9)
    assert 1e-8 < best_lam < 10


def test_generator_regimes_are_guarded():
    with pytest.raises(ValueError, match="T0 >= d \\+ 2"):
        theory.collapse_slope(10.0, 11, 10, 0.5)
    with pytest.raises(ValueError, match="T0 <= d - 2"):
        theory.overparam_error(1, 10, 9, 0.1, 1.0)
