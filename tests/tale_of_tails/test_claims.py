"""Each claim passes on laptop-scale data made here, and each check fails on data that
contradicts it."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from paperfigs.common import limit_threads
from paperfigs.tale_of_tails import simulate, train
from paperfigs.tale_of_tails.claims import CLAIMS

CFG = yaml.safe_load((Path(__file__).parents[2] / "config" / "config.yaml").read_text())[
    "tale_of_tails"]


def memoriser_table(function, block, tmp_path):
    kwargs = {k: v for k, v in block.items() if k != "seeds"}
    return pd.concat([function(**kwargs, seed=s, device="cpu", checkpoint_dir=tmp_path / str(s))
                      for s in range(block["seeds"])], ignore_index=True)


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    limit_threads(1)  # tiny models and solves: one thread is many times faster
    tmp = tmp_path_factory.mktemp("memoriser")
    lm = simulate.simulate_fig4_lm(**CFG["fig4"]["lm"])
    gcd = memoriser_table(train.train_fig4_gcd, CFG["fig4"]["gcd"], tmp / "fig4")
    return {
        "fig1": simulate.simulate_fig1(**CFG["fig1"]),
        "fig2": simulate.simulate_fig2(**{k: v for k, v in CFG["fig2"].items()
                                          if k != "fit_range"}),
        "fig3": simulate.simulate_fig3(**CFG["fig3"]),
        "fig4": pd.concat([lm, gcd], ignore_index=True),
        "fig5": simulate.simulate_fig5(**CFG["fig5"]),
        "fig6": simulate.simulate_fig6(**CFG["fig6"]),
        "fig7": simulate.simulate_fig7(**CFG["fig7"]),
        "fig8": memoriser_table(train.train_fig8, CFG["fig8"], tmp / "fig8"),
    }


def failed(figure, frame):
    return {c.name for c in CLAIMS[figure].check(frame, CFG) if not c.passed and not c.info}


@pytest.mark.parametrize("figure", sorted(CLAIMS))
def test_claim_passes_at_laptop_scale(tables, figure):
    assert failed(figure, tables[figure]) == set()


def scale(frame, where, factor, column="test_error"):
    frame = frame.copy()
    frame.loc[where(frame), column] *= factor
    return frame


def sims(frame):
    return frame["kind"] == "sim"


def tilt(frame, where, power, column="test_error"):
    """Multiply by T^power: changes a log-log slope by `power`."""
    frame = frame.copy()
    rows = where(frame)
    frame.loc[rows, column] *= frame.loc[rows, "T"].astype(float) ** power
    return frame


CASES = {
    "fig1": [
        (lambda f: f.assign(freq=np.where((f["source"] == "top_p") & (f["rank"] == 20), 1e-4,
                                          f["freq"])), "largest rank"),
        (lambda f: scale(f, lambda f: f["source"] == "real", 1.1, "freq"), "frequencies"),
        (lambda f: scale(f, lambda f: f["source"] == "temperature", f["rank"] ** 0.2, "freq"),
         "temperature slope"),
        (lambda f: scale(f, lambda f: (f["source"] == "top_p") & (f["quantile"] == 0.99), 2,
                         "nll"), "0.99-quantile"),
        (lambda f: scale(f, lambda f: (f["source"] == "real") & (f["panel"] == "nll"), 0.5,
                         "nll"), "heaviest NLL tail"),
    ],
    "fig2": [
        (lambda f: scale(f, lambda f: sims(f) & (f["curve"] == "clean"), 1.3), "clean: worst"),
        (lambda f: tilt(f, lambda f: f["curve"] == "clean", 0.1), "clean slope"),
        (lambda f: scale(f, lambda f: sims(f) & (f["curve"] == "cut") & (f["T"] > 1e5), 0.8),
         "min sim / tail mass"),
        (lambda f: scale(f, lambda f: sims(f) & (f["curve"] == "cut") & (f["T"] == f["T"].max()),
                         1.2), "plateau at T_max"),
        (lambda f: tilt(f, lambda f: f["curve"] == "narrow", -0.1), "slope"),
    ],
    "fig3": [
        (lambda f: scale(f, lambda f: sims(f) & (f["n"] == 0), 1.3), "clean (n = 0)"),
        (lambda f: scale(f, lambda f: sims(f) & (f["n"] == 3), 1.5), "branching formula"),
        (lambda f: scale(f, lambda f: sims(f) & (f["n"] == 5), 0.8), "plateaus rise"),
        (lambda f: scale(f, lambda f: sims(f) & (f["n"] == 1), 0.85), "beating the teacher"),
    ],
    "fig4": [
        (lambda f: tilt(f, lambda f: sims(f) & (f["panel"] == "lm") & (f["gen"] == 0), 0.1),
         "clean slope"),
        (lambda f: scale(f, lambda f: sims(f) & (f["decoding"] == "top_p") & (f["gen"] == 1),
                         0.7), "top_p gen-1"),
        (lambda f: scale(f, lambda f: sims(f) & (f["decoding"] == "none") & (f["gen"] == 3),
                         0.8), "none: floors rise"),
        (lambda f: scale(f, lambda f: (f["decoding"] == "top_p") & (f["T"] == f["T"].max()),
                         0.3, "test_kl"), "KL"),
        (lambda f: scale(f, lambda f: f["panel"] == "gcd", 2.0, "teacher_error"),
         "generator errors vs"),
        (lambda f: scale(f, lambda f: (f["panel"] == "gcd") & (f["gen"] == 0), 1.3),
         "real-data students"),
        (lambda f: scale(f, lambda f: (f["panel"] == "gcd") & (f["gen"] == 2), 1.3),
         "students at T_max"),
        (lambda f: scale(f, lambda f: (f["panel"] == "gcd") & (f["gen"] == 3), 0.5,
                         "teacher_error"), "rise with g"),
    ],
    "fig5": [
        (lambda f: scale(f, lambda f: sims(f) & (f["panel"] == "mix"), 1.3), "mix: worst"),
        (lambda f: scale(f, lambda f: sims(f) & (f["panel"] == "tail"), 1.3), "tail: worst"),
        (lambda f: scale(f, lambda f: sims(f) & (f["pi"] == 0), 0.9), "pi = 0 stays"),
        (lambda f: scale(f, lambda f: sims(f) & (f["pi"] == 0.05) & (f["panel"] == "mix"), 5.0),
         "pi=0.05"),
        (lambda f: scale(f, lambda f: sims(f) & (f["pi"] == 0.2) & (f["panel"] == "mix"), 3.0),
         "decreases with pi"),
        (lambda f: scale(f, lambda f: sims(f) & (f["pi"] == 0.2) & (f["panel"] == "mix")
                         & (f["T"] < 3e7), 5.0), "grokking delay"),
        (lambda f: scale(f, lambda f: sims(f) & (f["window_start"] == 1000), 0.9), "too-deep"),
        (lambda f: scale(f, lambda f: sims(f) & (f["window_start"] == 101), 200.0),
         "just past the cut"),
    ],
    "fig6": [
        (lambda f: scale(f, lambda f: sims(f) & (f["curve"] == "clean"), 1.2, "test_tv"),
         "clean sim vs exact"),
        (lambda f: tilt(f, lambda f: sims(f) & (f["curve"] == "clean"), 0.05, "test_tv"),
         "clean slope"),
        (lambda f: scale(f, lambda f: sims(f) & (f["curve"] == "topk"), 0.9, "test_tv"),
         "topk k=5"),
        (lambda f: scale(f, lambda f: sims(f) & (f["curve"] == "topp") & (f["gen"] == 3), 0.5,
                         "test_tv"), "non-decreasing"),
    ],
    "fig7": [
        (lambda f: scale(f, lambda f: sims(f) & (f["d"] == 100), 1.1), "vs mass beyond"),
        (lambda f: scale(f, lambda f: sims(f) & (f["d"] == 1000) & (f["k"] == 0), 20.0),
         "fall with memory"),
        (lambda f: scale(f, lambda f: sims(f) & (f["d"] == 1000) & (f["k"] > 0), 0.8),
         "no gain"),
    ],
    "fig8": [
        (lambda f: scale(f, lambda f: (f["panel"] == "mix") & (f["T"] >= 1e4), 1.4),
         "(a) mixing"),
        (lambda f: scale(f, lambda f: (f["pi"] == 0.1) & (f["T"] == 1e6), 4.0),
         "decreases with pi"),
        (lambda f: f.assign(correct=np.where((f["gen"] == 3) & (f["skill"] > 20), 1,
                                             f["correct"])), "vs sum"),
        (lambda f: f.assign(correct=np.where((f["gen"] == 2) & (f["skill"] <= 120), 1,
                                             f["correct"])), "non-increasing"),
        (lambda f: f.assign(correct=np.where(f["gen"] == 3, (f["skill"] > 10).astype(int),
                                             f["correct"])), "mean rank"),
    ],
}


@pytest.mark.parametrize("figure, index", [(fig, i) for fig, cases in CASES.items()
                                           for i in range(len(cases))])
def test_each_check_fails_on_contrary_data(tables, figure, index):
    mutate, expected = CASES[figure][index]
    names = failed(figure, mutate(tables[figure]))
    assert any(expected in name for name in names), names
