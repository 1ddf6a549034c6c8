"""fig8's pos_dim sweep end to end on tiny runs: plan -> train -> table -> claims -> figure."""

import copy
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import yaml
from snakemake.utils import update_config

from paperfigs.iteration_head import claims, plots, runs, tables, train

matplotlib.use("Agg")
ROOT = Path(__file__).resolve().parents[2]


def tiny_cfg(pos_dim=None) -> dict:
    config = {}
    for name in ("config", "smoke"):
        update_config(config, yaml.safe_load((ROOT / f"config/{name}.yaml").read_text()))
    cfg = copy.deepcopy(config["iteration_head"])
    cfg["common"].update(steps=8, eval_every=4, n_per_len=8, train_eval_n=16)
    cfg["fig3"]["d"] = cfg["fig8"]["d"] = [8]
    cfg["fig8"]["pos_dim"] = pos_dim
    return cfg


def train_all(cfg, runs_dir):
    for settings in runs.fig8_runs(cfg):
        folder = Path(runs_dir) / runs.run_id(settings)
        if not (folder / "eval.csv").exists():
            train.train_run(settings, eval_csv=folder / "eval.csv", attn_npz=folder / "attn.npz",
                            model_pt=folder / "model.pt", work_dir=folder)


def test_without_the_sweep_the_table_keeps_the_spec_columns(tmp_path):
    cfg = tiny_cfg()
    train_all(cfg, tmp_path)
    frame = tables.fig8_table(cfg, tmp_path)
    assert list(frame.columns) == tables.FIG8_COLUMNS
    assert not [c for c in claims.check_fig8(frame, cfg) if "pos_dim" in c.name]
    plots.draw_fig8(frame, cfg, "smoke")


def test_sweep_rows_panels_and_info_check(tmp_path):
    cfg = tiny_cfg([2, 8])
    train_all(cfg, tmp_path)
    frame = tables.fig8_table(cfg, tmp_path)
    ablation = frame[frame["experiment"] == "ablation"]
    sweep = frame[frame["experiment"] == "pos_dim"]
    assert set(ablation["pos"]) == {"learned", "frozen"} and (ablation["pos_dim"] == 8).all()
    assert sorted(sweep["pos_dim"].unique()) == [2, 8]
    assert sorted(sweep["step"].unique()) == [0, 4, 8] and sweep["L"].isna().all()
    per_epoch = np.ceil(4 * 8 / cfg["common"]["batch"])
    np.testing.assert_allclose(sweep["epoch"], sweep["step"] / per_epoch)
    assert sweep[["acc", "attn2_peak"]].stack().between(0, 1).all()
    # the pos_dim = d curve is the learned ablation run's: same final accuracy (mean L >= 4)
    final = sweep[(sweep["pos_dim"] == 8) & (sweep["step"] == 8)]["acc"].item()
    learned = ablation[(ablation["pos"] == "learned") & (ablation["L"] >= 4)]["acc"].mean()
    assert final == learned
    checks = claims.check_fig8(frame, cfg)
    info = [c for c in checks if "pos_dim" in c.name]
    assert len(info) == 1 and info[0].info
    fig = plots.draw_fig8(frame, cfg, "smoke")
    assert len([ax for ax in fig.axes if ax.get_xlabel() == "epoch"]) == 2


def sweep_frame(solve_epoch):
    """Synthetic sweep curves: pos_dim p reaches accuracy 1 at solve_epoch[p]."""
    return pd.DataFrame([{"experiment": "pos_dim", "pos": "learned", "d": 32, "n_len": 8,
                          "L": np.nan, "seed": 0, "pos_dim": p, "step": e, "epoch": e,
                          "attn2_peak": 0.5, "acc": float(e >= solve_epoch[p])}
                         for p in solve_epoch for e in range(0, 100, 10)])


def test_pos_dim_info_check_direction():
    cfg = tiny_cfg()
    early_large = claims.check_fig8_pos_dim(sweep_frame({2: 90, 4: 50, 16: 20, 32: 10}), cfg)
    assert early_large[0].info and early_large[0].passed
    late_large = claims.check_fig8_pos_dim(sweep_frame({2: 10, 32: 1000}), cfg)
    assert not late_large[0].passed  # never solved: counted as the last epoch + 10
    assert "p32:100" in late_large[0].measured
