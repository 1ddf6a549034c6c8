"""The tidy table behind each figure, gathered from the training runs (or from theory).

Each function takes the paper's config block (`cfg`) and the folder of the runs, and
returns one DataFrame with the spec's columns; `paperfigs.common` writes it.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

import numpy as np
import pandas as pd

from paperfigs.iteration_head import runs as plan
from paperfigs.iteration_head.data import make_dataset
from paperfigs.iteration_head.metrics import head_cells, mean_attention
from paperfigs.iteration_head.theory import ideal_attention
from paperfigs.iteration_head.train import load_model

PEAK_COLUMNS = ["attn1_peak", "attn2_peak", "attn1_mass", "attn2_mass"]


def token_roles(L: int) -> list[str]:
    """BoS, x1..xL, EoI, s1..sL: the role of each position of a CoT sequence."""
    return ["BoS", *(f"x{t}" for t in range(1, L + 1)), "EoI",
            *(f"s{t}" for t in range(1, L + 1))]


def attention_rows(maps: np.ndarray, L: int) -> pd.DataFrame:
    """Causal cells (key <= query) of (layer, T, T) maps over positions 0..2L+1."""
    roles = token_roles(L)
    queries, keys = np.tril_indices(2 * L + 2)
    return pd.concat([pd.DataFrame({
        "layer": layer, "query_pos": queries, "key_pos": keys,
        "query_tok": [roles[q] for q in queries], "key_tok": [roles[k] for k in keys],
        "weight": maps[layer - 1][queries, keys]}) for layer in range(1, len(maps) + 1)],
        ignore_index=True)


def best_heads(maps: np.ndarray, L: int) -> np.ndarray:
    """(layer, head, T, T) -> (layer, T, T): per layer, the head with the most mass on that
    layer's ideal cells (the only head when n_head = 1)."""
    chosen = []
    for layer, per_head in enumerate(maps, start=1):
        queries, keys = head_cells(L)[min(layer, 2)]
        chosen.append(per_head[per_head[:, queries, keys].mean(axis=1).argmax()])
    return np.stack(chosen)


def run_dir(runs_dir, settings: dict) -> Path:
    return Path(runs_dir) / plan.run_id(settings)


def read_eval(runs_dir, settings: dict) -> pd.DataFrame:
    """A run's eval.csv, with the run's identifying settings as columns."""
    frame = pd.read_csv(run_dir(runs_dir, settings) / "eval.csv")
    keys = ("task", "condition", "cot", "n_layer", "d", "n_len", "seed", "pos")
    return frame.assign(**{k: settings[k] for k in keys}, run_id=plan.run_id(settings))


def final_rows(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["step"] == frame["step"].max()]


def tab1_table(logger: logging.Logger | None = None) -> pd.DataFrame:
    """Table 1: the direct answer to 8x8x3 vs the step-by-step one."""
    question = "8x8x3"
    direct, cot = 210, "8x8 = 64, 64x3 = 192"
    return pd.DataFrame({"question": [question, question], "mode": ["direct", "cot"],
                         "answer": [str(direct), cot],
                         "correct": [direct == 8 * 8 * 3, int(cot.split()[-1]) == 8 * 8 * 3]})


def fig1_table(cfg: dict, logger: logging.Logger | None = None) -> pd.DataFrame:
    """The ideal iteration-head pattern of a sequence of length L."""
    L = cfg["fig1"]["L"]
    return attention_rows(np.stack(ideal_attention(L)), L).assign(L=L)


def fig2_table(cfg: dict, runs_dir, logger: logging.Logger | None = None) -> pd.DataFrame:
    """Learned attention of the fig2 runs on the first n_seqs test sequences of length L."""
    block, frames = cfg["fig2"], []
    ideal = np.stack(ideal_attention(block["L"]))
    for settings in plan.fig2_runs(cfg):
        model, _ = load_model(run_dir(runs_dir, settings) / "model.pt")
        _, test = make_dataset(settings["task"], True, settings["n_len"], settings["n_per_len"],
                               settings["mod"], settings["seed"])
        tokens = test.tokens[test.lengths == block["L"]][:block["n_seqs"]]
        maps = best_heads(mean_attention(model, tokens, block["L"], "cpu"), block["L"])
        rows = attention_rows(maps, block["L"])
        rows["ideal"] = ideal[rows["layer"] - 1, rows["query_pos"], rows["key_pos"]].astype(int)
        frames.append(rows.assign(task=settings["task"], L=block["L"],
                                  n_len=settings["n_len"], d=settings["d"],
                                  seed=settings["seed"], n_seqs=len(tokens)))
    return pd.concat(frames, ignore_index=True)


def fig3_table(cfg: dict, runs_dir, logger: logging.Logger | None = None) -> pd.DataFrame:
    """Final test accuracy per evaluated length L of every run of the grid."""
    frame = pd.concat([final_rows(read_eval(runs_dir, s)) for s in plan.fig3_runs(cfg)])
    frame = frame.rename(columns={"test_acc": "acc"})
    return frame[["task", "condition", "cot", "n_layer", "d", "n_len", "L", "seed", "step",
                  "acc"]].reset_index(drop=True)


def run_summaries(frame: pd.DataFrame, min_len: int) -> pd.DataFrame:
    """Per run: accuracy and peakiness averaged over L >= min_len, lengths weighted equally."""
    kept = frame[frame["L"] >= min_len]
    keys = ["run_id", "task", "condition", "d", "n_len", "seed"]
    return kept.groupby(keys)[["acc", *PEAK_COLUMNS]].mean().reset_index()


def fig4_table(cfg: dict, runs_dir, logger: logging.Logger | None = None) -> pd.DataFrame:
    """Peakiness next to accuracy for every run of the grid (panel "grid"), and the layer-2
    map of the least peaky solved run (panel "map", "another implementation")."""
    settings = plan.fig3_runs(cfg)
    grid = pd.concat([final_rows(read_eval(runs_dir, s)) for s in settings])
    grid = grid.rename(columns={"test_acc": "acc"})
    grid = grid[["run_id", "task", "condition", "d", "n_len", "L", "seed", "acc",
                 *PEAK_COLUMNS]].assign(panel="grid")
    summary = run_summaries(grid, cfg["common"]["min_len_metric"])
    solved = summary[(summary["condition"] == "cot_2l")
                     & (summary["acc"] >= cfg["fig4"]["solved_acc"])]
    if solved.empty:
        return grid.reset_index(drop=True)
    chosen = solved.sort_values(["attn2_peak", "run_id"]).iloc[0]
    by_id = {plan.run_id(s): s for s in settings}
    maps = _final_maps(runs_dir, by_id[chosen["run_id"]])
    L = int(chosen["n_len"])
    rows = attention_rows(maps, L).assign(
        panel="map", run_id=chosen["run_id"], task=chosen["task"], condition="cot_2l",
        d=chosen["d"], n_len=L, L=L, seed=chosen["seed"], acc=chosen["acc"],
        attn2_peak=chosen["attn2_peak"], n_solved=len(solved))
    return pd.concat([grid, rows], ignore_index=True)


def _final_maps(runs_dir, settings: dict) -> np.ndarray:
    """Mean test attention at L = n_len of a finished run, best head per layer."""
    L = settings["n_len"]
    with np.load(run_dir(runs_dir, settings) / "attn.npz") as saved:
        return best_heads(saved[f"L{L}"], L)


def fig5_table(cfg: dict, logger: logging.Logger | None = None) -> pd.DataFrame:
    """The hand-drawn circuit of Fig. 5 as an edge list (kind: how information moves)."""
    edges = [
        ("EoI position p(L+1)", "working space at L+t", "attention", "layer-1 attention"),
        ("position p(L+t)", "working space at L+t", "residual", "residual"),
        ("working space at L+t", "target index t", "mlp",
         "MLP-1: t = (L+t) - (L+1) + 1"),
        ("target index t", "x_t at position p(t)", "attention",
         "layer-2 attention queries p_t (iteration head)"),
        ("x_t at position p(t)", "working space (layer 2)", "attention", "fetches x_t"),
        ("s_t-1 (current token)", "working space (layer 2)", "residual", "residual"),
        ("working space (layer 2)", "prediction s_t", "readout",
         "MLP-2: s_t = F(s_t-1, x_t), next-token prediction"),
    ]
    return pd.DataFrame(edges, columns=["src", "dst", "kind", "label"])


def fig6_table(cfg: dict, runs_dir, logger: logging.Logger | None = None) -> pd.DataFrame:
    """Training curves (mean over L >= min_len) of the three fig6 curves."""
    block, min_len = cfg["fig6"], cfg["common"]["min_len_metric"]
    curves, frames = plan.fig6_runs(cfg), []
    switch = curves["polynomial"][0]["snapshot_step"]  # the fine-tunes start here
    for curve, settings_list in curves.items():
        for settings in settings_list:
            frame = read_eval(runs_dir, settings)
            frame = frame[frame["L"] >= min_len].groupby("step")[
                ["train_acc", "test_acc", "attn1_peak", "attn2_peak"]].mean().reset_index()
            offset = switch if curve == "transfer" else 0
            frames.append(frame.rename(columns={"step": "curve_step"}).assign(
                curve=curve, seed=settings["seed"], step=frame["step"] + offset,
                n_len=block["n_len"], d=block["d"]))
    columns = ["curve", "seed", "step", "curve_step", "train_acc", "test_acc", "attn1_peak",
               "attn2_peak", "n_len", "d"]
    return pd.concat(frames, ignore_index=True)[columns]


def fig7_table(cfg: dict, runs_dir, logger: logging.Logger | None = None) -> pd.DataFrame:
    """Per-length learning curves of one run."""
    (settings,) = plan.fig7_runs(cfg)
    frame = read_eval(runs_dir, settings)
    lengths = cfg["fig7"]["lengths"]
    if lengths != "all":
        frame = frame[frame["L"].isin(plan.expand(lengths))]
    return frame[["task", "d", "n_len", "seed", "step", "L", "train_acc",
                  "test_acc"]].reset_index(drop=True)


FIG8_COLUMNS = ["pos", "d", "n_len", "L", "seed", "acc", "attn2_peak"]


def fig8_table(cfg: dict, runs_dir, logger: logging.Logger | None = None) -> pd.DataFrame:
    """Final accuracy and iteration-head peakiness, learned vs frozen positions. With the
    pos_dim sweep configured (`fig8.pos_dim`), also its learning curves: one row per
    (pos_dim, seed, eval step), accuracy and peakiness averaged over L >= min_len_metric (L
    is then empty), and the columns experiment (ablation | pos_dim), pos_dim, step, epoch."""
    frame = pd.concat([final_rows(read_eval(runs_dir, s))
                       for s in plan.fig8_ablation_runs(cfg)])
    ablation = frame.rename(columns={"test_acc": "acc"})[FIG8_COLUMNS].reset_index(drop=True)
    sweep = plan.fig8_pos_dim_runs(cfg)
    if not sweep:
        return ablation
    min_len, curves = cfg["common"]["min_len_metric"], []
    for settings in sweep:
        evals = read_eval(runs_dir, settings)
        curve = evals[evals["L"] >= min_len].groupby("step")[["test_acc", "attn2_peak"]]
        per_epoch = math.ceil(settings["n_len"] * settings["n_per_len"] / settings["batch"])
        curve = curve.mean().reset_index().rename(columns={"test_acc": "acc"})
        curves.append(curve.assign(
            experiment="pos_dim", pos=settings["pos"], d=settings["d"],
            n_len=settings["n_len"], L=np.nan, seed=settings["seed"],
            pos_dim=plan.pos_dim_of(settings), epoch=curve["step"] / per_epoch))
    ablation = ablation.assign(experiment="ablation", pos_dim=ablation["d"],
                               step=frame["step"].to_numpy(),
                               epoch=np.nan)
    columns = ["experiment", *FIG8_COLUMNS, "pos_dim", "step", "epoch"]
    return pd.concat([ablation[columns], *(c[columns] for c in curves)], ignore_index=True)


def fig9_table(cfg: dict, runs_dir, logger: logging.Logger | None = None) -> pd.DataFrame:
    """The final attention maps (L = n_len) of every solved cot_2l run of the grid, up to
    max_panels, most accurate first."""
    settings = {plan.run_id(s): s for s in plan.fig3_runs(cfg)}
    evals = pd.concat([final_rows(read_eval(runs_dir, s)) for s in settings.values()])
    summary = run_summaries(evals.rename(columns={"test_acc": "acc"}),
                            cfg["common"]["min_len_metric"])
    solved = summary[(summary["condition"] == "cot_2l")
                     & (summary["acc"] >= cfg["fig4"]["solved_acc"])]
    solved = solved.sort_values(["acc", "run_id"], ascending=[False, True])
    frames = []
    for _, run in solved.head(cfg["fig9"]["max_panels"]).iterrows():
        L = int(run["n_len"])
        rows = attention_rows(_final_maps(runs_dir, settings[run["run_id"]]), L)
        frames.append(rows.assign(run_id=run["run_id"], task=run["task"], d=run["d"],
                                  seed=run["seed"], n_len=L, acc=run["acc"],
                                  attn2_peak=run["attn2_peak"], n_solved=len(solved)))
    columns = ["run_id", "task", "d", "seed", "layer", "query_pos", "key_pos", "weight",
               "n_len", "acc", "attn2_peak", "n_solved"]
    return pd.concat(frames, ignore_index=True)[columns] if frames else \
        pd.DataFrame(columns=columns)
