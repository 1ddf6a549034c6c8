"""Each claim check passes on data that shows the claim and fails on data that does not."""

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from paperfigs.iteration_head import claims, tables, theory

ROOT = Path(__file__).resolve().parents[2]
CFG = yaml.safe_load((ROOT / "config/config.yaml").read_text())["iteration_head"]


def gating(checks):
    return [c for c in checks if not c.info]


def passes(checks) -> bool:
    return bool(gating(checks)) and all(c.passed for c in gating(checks))


def fig3_frame(cot=1.0, nocot=0.1, one_layer=0.1):
    rows = []
    for condition, acc in (("cot_2l", cot), ("nocot_2l", nocot), ("cot_1l", one_layer)):
        for d in (16, 64):
            for seed in (0, 1):
                for L in range(1, 9):
                    rows.append({"task": "polynomial", "condition": condition, "d": d,
                                 "n_len": 8, "L": L, "seed": seed,
                                 "acc": acc if d == 64 else 0.0})
    return pd.DataFrame(rows)


@pytest.mark.parametrize(("values", "ok"), [
    ({}, True), ({"cot": 0.6}, False), ({"nocot": 0.5}, False), ({"one_layer": 0.4}, False)])
def test_fig3_cot_vs_no_cot_vs_one_layer(values, ok):
    assert passes(claims.check_fig3(fig3_frame(**values), CFG)) is ok


def test_fig3_averages_over_seeds():
    frame = fig3_frame()
    frame.loc[(frame["condition"] == "cot_2l") & (frame["seed"] == 1), "acc"] = 0.4
    assert not passes(claims.check_fig3(frame, CFG))  # (1.0 + 0.4) / 2 < 0.8


def attention_frame(L=8, stripe=0.9):
    maps = np.stack([np.tril(np.ones((2 * L + 2,) * 2)) * 0.02] * 2)
    t = np.arange(1, L + 1)
    maps[1, L + t, t] = stripe
    rows = tables.attention_rows(maps, L)
    return rows.assign(task="polynomial", L=L)


def test_fig2_iteration_head_stripe():
    assert passes(claims.check_fig2(attention_frame(), CFG))
    assert not passes(claims.check_fig2(attention_frame(stripe=0.3), CFG))
    # uniform attention: the stripe at the baseline level fails the 4x test
    baseline = attention_frame(stripe=theory.iteration_head_baseline(8))
    assert not passes(claims.check_fig2(baseline, CFG))


def fig4_frame(solved_peak=0.95, failed_peak=0.1):
    rows = []
    for d, acc, peak in ((64, 1.0, solved_peak), (16, 0.0, failed_peak)):
        for L in range(1, 9):
            rows.append({"panel": "grid", "task": "polynomial", "condition": "cot_2l", "d": d,
                         "L": L, "seed": 0, "acc": acc, "attn2_peak": peak})
    return pd.DataFrame(rows)


def test_fig4_head_where_solved():
    assert passes(claims.check_fig4(fig4_frame(), CFG))
    assert not passes(claims.check_fig4(fig4_frame(solved_peak=0.5), CFG))
    # "only there" is info at laptop scale and gating in the paper profile
    flat = fig4_frame(failed_peak=0.9)
    assert passes(claims.check_fig4(flat, CFG))
    paper = copy.deepcopy(CFG)
    paper["fig4"]["only_there_gating"] = True
    assert not passes(claims.check_fig4(flat, paper))
    assert passes(claims.check_fig4(fig4_frame(), paper))


def curve(name, seed, steps, acc, peak, offset=0):
    return pd.DataFrame({"curve": name, "seed": seed, "curve_step": steps,
                         "step": np.asarray(steps) + offset, "train_acc": acc,
                         "test_acc": acc, "attn1_peak": 0.5, "attn2_peak": peak})


def fig6_frame(transfer_speed=1.0, pretrained=1.0):
    scratch = np.arange(0, 1501, 100)
    tune = np.arange(0, 601, 50)
    frames = []
    for seed in (0, 1):
        frames.append(curve("polynomial", seed, scratch,
                            np.clip((scratch - 600) / 300, 0, pretrained), 0.95))
        frames.append(curve("parity", seed, scratch, np.clip(scratch / 1600, 0, 1), 0.4))
        frames.append(curve("transfer", seed, tune,
                            np.clip(tune * transfer_speed / 50, 0, 1), 0.95, offset=1500))
    return pd.concat(frames, ignore_index=True)


def test_fig6_transfer_is_fast_from_a_valid_checkpoint():
    assert passes(claims.check_fig6(fig6_frame(), CFG))
    slow = claims.check_fig6(fig6_frame(transfer_speed=1 / 32), CFG)  # as slow as parity
    assert not passes(slow)
    invalid = claims.check_fig6(fig6_frame(pretrained=0.5), CFG)
    assert not passes(invalid) and any("void" in c.name for c in invalid)


def test_fig6_cleaner_head():
    frame = fig6_frame()
    frame.loc[frame["curve"] == "parity", "attn2_peak"] = 0.9
    failed = [c.name for c in gating(claims.check_fig6(frame, CFG)) if not c.passed]
    assert failed and all("cleaner head" in name for name in failed)


def test_first_step_reaching_counts_never_as_one_interval_past_the_end():
    series = pd.Series([0.1, 0.5, 0.9], index=[0, 100, 200])
    assert claims.first_step_reaching(series, 0.8, 100) == 200
    assert claims.first_step_reaching(series, 0.95, 100) == 300


def fig7_frame(stuck_length=None):
    rows = []
    for step in range(0, 1501, 100):
        for L in range(1, 9):
            learned = step >= 600 + 20 * L and L != stuck_length
            rows.append({"step": step, "L": L, "train_acc": float(learned),
                         "test_acc": float(learned)})
    return pd.DataFrame(rows)


def test_fig7_every_length_learned():
    checks = claims.check_fig7(fig7_frame(), CFG)
    assert passes(checks) and all(c.passed for c in checks)
    assert not passes(claims.check_fig7(fig7_frame(stuck_length=6), CFG))


def fig8_frame(learned=1.0, frozen=0.9):
    return pd.DataFrame([{"pos": pos, "d": 64, "n_len": 8, "L": L, "seed": 0, "acc": acc,
                          "attn2_peak": 0.9}
                         for pos, acc in (("learned", learned), ("frozen", frozen))
                         for L in range(1, 9)])


def test_fig8_learned_positions_solve():
    assert passes(claims.check_fig8(fig8_frame(), CFG))
    assert not passes(claims.check_fig8(fig8_frame(learned=0.3), CFG))
    info = [c for c in claims.check_fig8(fig8_frame(learned=0.5, frozen=1.0), CFG) if c.info]
    assert info and not info[0].passed  # frozen better than learned is flagged


def test_construction_checks_tab1_fig1_fig5():
    assert passes(claims.check_tab1(tables.tab1_table(), CFG))
    wrong = tables.tab1_table().assign(correct=True)
    assert not passes(claims.check_tab1(wrong, CFG))
    ideal = tables.fig1_table(CFG)
    assert passes(claims.check_fig1(ideal, CFG))
    shifted = ideal.copy()
    shifted.loc[(shifted["layer"] == 2) & (shifted["query_pos"] == 10), "weight"] = 0.5
    assert not passes(claims.check_fig1(shifted, CFG))
    edges = tables.fig5_table(CFG)
    assert passes(claims.check_fig5(edges, CFG))
    assert not passes(claims.check_fig5(edges.iloc[1:], CFG))


def test_fig9_gallery_of_solved_runs():
    rows = pd.DataFrame({"run_id": ["a", "a", "b"], "acc": [1.0, 1.0, 0.95],
                         "n_solved": 2})
    assert passes(claims.check_fig9(rows, CFG))
    assert not passes(claims.check_fig9(rows.iloc[:2], CFG))  # one solved run missing
    assert not passes(claims.check_fig9(rows.iloc[:0], CFG))  # nothing solved


def test_tab1_answers():
    table = tables.tab1_table().set_index("mode")
    assert table.loc["cot", "answer"].endswith(str(8 * 8 * 3))
    assert table.loc["direct", "answer"] != str(8 * 8 * 3)
