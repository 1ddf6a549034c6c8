"""Each claim passes on data that shows it and fails on data that does not.

Good data: small simulations whose seeds are replaced by the theory itself (no noise), run
through the same functions as the workflow. Bad data: the same frames with the claimed
effect removed or reversed.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from paperfigs.collapse_regression import claims, simulate

CONFIG = {
    "fig1": {
        "iso": dict(d=20, T0=50, T_values=[60, 300], n_values=[0, 1, 2, 4], sigma=0.5,
                    sigma0=0.5, w0_norm=1.0, lam_min=1e-4, lam_max=100.0, n_lam=13, reps=2),
        "power": dict(d=40, beta=2.0, r=0.5, sigma=0.1, sigma0=0.1, T0=80, T_min=20,
                      T_max=20000, n_T=6, n_values=[0, 1, 2, 4], reps=2, ell=None),
    },
    "fig2": {"n_show": 3},
    "fig4": {
        "linear": dict(d=20, T0=50, T=300, lam_values=[1e-4, 0.1, 1.0], n_max=5, sigma=0.5,
                       sigma0=0.5, w0_norm=1.0, reps=2),
        "overparam": dict(d=40, T0=20, sigma0_values=[0.0, 0.3], n_max=6, w0_norm=1.0, reps=2),
        "mitigation": dict(T_min=20, T_max=100000, n_T=6, n_values=[0, 1, 4]),
    },
}


def noiseless(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Replace every simulated value by the theory at the same point (exactly on the line)."""
    frame = frame.copy()
    line = frame[frame["kind"] == "theory"].set_index(keys)["test_error"]
    sims = frame["kind"] == "sim"
    frame.loc[sims, "test_error"] = line.loc[
        pd.MultiIndex.from_frame(frame.loc[sims, keys])].to_numpy()
    return frame


def verdict(checks, name_part=None):
    chosen = [c for c in checks if name_part is None or name_part in c.name]
    assert chosen, [c.name for c in checks]
    return all(c.passed for c in chosen)


@pytest.fixture(scope="module")
def fig1_frame():
    iso = noiseless(simulate.simulate_fig1_iso(**CONFIG["fig1"]["iso"]), ["T", "n", "lam"])
    power = noiseless(simulate.simulate_fig1_power(**CONFIG["fig1"]["power"]), ["T", "n"])
    return pd.concat([iso, power], ignore_index=True)


@pytest.fixture(scope="module")
def fig4_frame():
    cfg = CONFIG["fig4"]
    linear = noiseless(simulate.simulate_fig4_linear(**cfg["linear"]), ["n", "lam"])
    overparam = noiseless(simulate.simulate_fig4_overparam(**cfg["overparam"]),
                          ["sigma0", "n"])
    mitigation = simulate.theory_fig4_mitigation(CONFIG["fig1"]["power"], **cfg["mitigation"])
    return pd.concat([linear, overparam, mitigation], ignore_index=True)


def test_fig1_passes_on_theory(fig1_frame):
    checks = claims.check_fig1(fig1_frame, CONFIG)
    assert verdict(checks), [c for c in checks if not c.passed]


def test_fig1_fails_when_growth_is_not_linear(fig1_frame):
    bad = fig1_frame.copy()
    sims = (bad["kind"] == "sim") & (bad["panel"] == "iso")
    bad.loc[sims, "test_error"] *= 1 + 0.1 * bad.loc[sims, "n"] ** 2
    assert not verdict(claims.check_fig1(bad, CONFIG), "C1 slope")


def test_fig1_fails_when_best_ridge_moves_down(fig1_frame):
    bad = fig1_frame.copy()
    iso = bad["panel"] == "iso"
    # Tilt large-n curves so that their minimum slides to small lambda.
    tilt = np.log10(bad.loc[iso, "lam"]) * bad.loc[iso, "n"]
    bad.loc[iso, "test_error"] *= np.exp(0.3 * tilt)
    assert not verdict(claims.check_fig1(bad, CONFIG), "lambda*(n) moves up")


def test_fig1_fails_when_generations_do_not_flatten_the_power_law(fig1_frame):
    bad = fig1_frame.copy()
    power = (bad["panel"] == "power") & (bad["kind"] == "sim")
    clean = bad[(bad["panel"] == "power") & (bad["n"] == 0) & (bad["kind"] == "sim")]
    by_T = clean.groupby("T")["test_error"].mean()
    bad.loc[power, "test_error"] = (by_T.loc[bad.loc[power, "T"]].to_numpy()
                                    * (1 + 0.01 * bad.loc[power, "n"].to_numpy()))
    checks = claims.check_fig1(bad, CONFIG)
    assert not verdict(checks, "slopes flatten")
    assert not verdict(checks, "deviation from theory")


def test_fig2_passes_and_fails():
    iso = CONFIG["fig1"]["iso"]
    stages = simulate.pipeline_stages(3, iso)
    assert verdict(claims.check_fig2(stages, CONFIG))
    assert not verdict(claims.check_fig2(stages.drop(index=2).reset_index(drop=True), CONFIG))
    wrong = copy.deepcopy(CONFIG)
    wrong["fig1"]["iso"]["T0"] = 999
    assert not verdict(claims.check_fig2(stages, wrong), "labels")


def krr_like(growth: float, shift: float) -> pd.DataFrame:
    """U-shaped curves in log lambda whose level rises by `growth` and minimum moves by
    `shift` decades per generation."""
    rows = []
    for n in range(4):
        for lam in np.logspace(-5, 0, 11):
            for seed in range(2):
                level = 0.1 + growth * n
                rows.append((n, lam, seed,
                             level + 0.02 * (np.log10(lam) + 3 - shift * n) ** 2))
    return pd.DataFrame(rows, columns=["n", "lam", "seed", "test_error"])


def test_fig3_passes_and_fails():
    assert verdict(claims.check_fig3(krr_like(0.1, 1.0), CONFIG))
    assert not verdict(claims.check_fig3(krr_like(0.0, 1.0), CONFIG), "C1")
    assert not verdict(claims.check_fig3(krr_like(0.1, -1.0), CONFIG), "C2")


def test_fig4_passes_on_theory(fig4_frame):
    checks = claims.check_fig4(fig4_frame, CONFIG)
    assert verdict(checks), [c for c in checks if not c.passed]


def test_fig4_fails_without_linear_growth_or_exponential_collapse(fig4_frame):
    bad = fig4_frame.copy()
    linear = (bad["panel"] == "linear") & (bad["kind"] == "sim")
    bad.loc[linear, "test_error"] *= np.sqrt(1 + bad.loc[linear, "n"])
    over = (bad["panel"] == "overparam") & (bad["kind"] == "sim") & (bad["sigma0"] == 0)
    bad.loc[over, "test_error"] = 1 - 0.9 * 0.8 ** bad.loc[over, "n"]
    checks = claims.check_fig4(bad, CONFIG)
    assert not verdict(checks, "(a) C1 slope")
    assert not verdict(checks, "C3 per-generation ratio")


def test_fig4_fails_when_optimal_ridge_is_not_optimal(fig4_frame):
    bad = fig4_frame.copy()
    optimal = bad["lam_rule"] == "optimal"
    bad.loc[optimal, "test_error"] *= 1 + np.log10(bad.loc[optimal, "T"]) / 10
    checks = claims.check_fig4(bad, CONFIG)
    assert not verdict(checks, "non-increasing")
    assert not verdict(checks, "min over a lambda grid")
