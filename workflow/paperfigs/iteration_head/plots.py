"""Figure layouts of the iteration-head paper: heat maps of attention and accuracy, training
curves (mean +- 1 sd over seeds), and two schematics. Layout only: the numbers come from
each figure's tidy CSV."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

from paperfigs.common import plotting
from paperfigs.iteration_head.runs import CONDITIONS
from paperfigs.iteration_head.tables import token_roles
from paperfigs.iteration_head.theory import nocot_chance

CONDITION_TITLES = {"cot_2l": "CoT, 2 layers", "nocot_2l": "Without CoT",
                    "cot_1l": "With one layer"}
CURVE_COLORS = {"polynomial": "tab:blue", "parity": "tab:orange", "transfer": "tab:green"}
CURVE_LABELS = {"polynomial": "polynomial (scratch)", "parity": "parity (scratch)",
                "transfer": "polynomial → parity"}


def scale_note(run: str, cfg: dict) -> str:
    """What the run's sizes are, for the caption."""
    common = cfg["common"]
    steps = common.get("steps") or f"{common.get('epochs')} epochs of"
    return plotting.scale_note(
        run, f"miniature: {steps} Adam steps, lr {common['lr']:g}, batch {common['batch']}, "
        f"{common['n_per_len']} train sequences per length",
        "Paper profile (the authors' sizes, from their code)")


def _attention_map(ax, cells: pd.DataFrame, L: int, *, outline: float | None = None,
                   ideal: pd.DataFrame | None = None, labels: bool = True):
    size = 2 * L + 2
    grid = np.full((size, size), np.nan)
    grid[cells["query_pos"].astype(int), cells["key_pos"].astype(int)] = cells["weight"]
    image = ax.imshow(grid, cmap="viridis", vmin=0, vmax=1, interpolation="nearest")
    if outline is not None:
        for q, k in zip(*np.nonzero(np.nan_to_num(grid) > outline)):
            ax.add_patch(Rectangle((k - 0.5, q - 0.5), 1, 1, fill=False, edgecolor="red",
                                   linewidth=0.8))
    if ideal is not None:
        ax.plot(ideal["key_pos"], ideal["query_pos"], "o", color="white", markersize=1.6)
    roles = token_roles(L)
    ticks = np.arange(size) if labels else []
    ax.set_xticks(ticks, [roles[i] for i in ticks], rotation=90, fontsize=5)
    ax.set_yticks(ticks, [roles[i] for i in ticks], fontsize=5)
    ax.set_xlabel("key")
    ax.set_ylabel("query")
    ax.grid(False)
    return image


def _ideal(frame: pd.DataFrame, layer: int) -> pd.DataFrame:
    return frame[(frame["layer"] == layer) & (frame["weight"] > 0.5)]


def draw_tab1(frame: pd.DataFrame, cfg: dict, run: str) -> str:
    lines = ["**Table 1.** A question answered directly and with a chain of thought.", "",
             "| question | mode | answer | correct |", "|---|---|---|---|"]
    lines += [f"| {r.question} | {r.mode} | {r.answer} | {'yes' if r.correct else 'no'} |"
              for r in frame.itertuples()]
    return "\n".join(lines) + "\n"


def draw_fig1(frame: pd.DataFrame, cfg: dict, run: str):
    L = int(frame["L"].iloc[0])
    fig, axes = plotting.new_figure(ncols=2, panel_height=3.3)
    notes = {1: ("every CoT query reads EoI", (L + 1, L + 2)),
             2: (r"$s_{t}$'s query reads $x_t$", (L // 2, L + L // 2))}
    for layer, ax in zip((1, 2), axes[0]):
        cells = frame[frame["layer"] == layer]
        image = _attention_map(ax, cells, L)
        text, (key, query) = notes[layer]
        ax.annotate(text, xy=(key, query), xytext=(0.5, 2 * L + 0.4), color="white",
                    fontsize=7, arrowprops={"arrowstyle": "->", "color": "white"})
        ax.set_title(f"Layer {layer}: " + ("EoI head" if layer == 1 else "iteration head"))
    fig.colorbar(image, ax=axes[0, 1], shrink=0.8, label="attention weight")
    plotting.add_caption(fig, f"Ideal attention of the iteration-head circuit for a sequence of "
                              f"length L = {L} (theory, no training).")
    return fig


def draw_fig2(frame: pd.DataFrame, cfg: dict, run: str):
    tasks = list(dict.fromkeys(frame["task"]))
    fig, axes = plotting.new_figure(ncols=2, nrows=len(tasks), panel_height=3.2)
    for row, task in enumerate(tasks):
        rows = frame[frame["task"] == task]
        L = int(rows["L"].iloc[0])
        for col, layer in enumerate((1, 2)):
            cells = rows[rows["layer"] == layer]
            image = _attention_map(axes[row, col], cells, L,
                                   outline=0.5 if layer == 2 else None,
                                   ideal=cells[cells["ideal"] == 1])
            axes[row, col].set_title(f"{task}, layer {layer}")
    fig.colorbar(image, ax=axes[:, 1], shrink=0.6, label="attention weight")
    first = frame.iloc[0]
    plotting.add_caption(fig, (
        f"{scale_note(run, cfg)}. CoT, 2 layers, d = {first['d']}, trained on lengths ≤ "
        f"{first['n_len']}; mean attention over {first['n_seqs']} test sequences of length "
        f"{first['L']}. Red squares: weight > 0.5; white dots: the ideal cells of Fig. 1."))
    return fig


def _heatmap(ax, table: pd.DataFrame, *, cmap: str, vmin=0.0, vmax=1.0, annotate=None):
    """Filled heat map of a (d x x-axis) pivot table, d upwards."""
    image = ax.imshow(table.to_numpy(float), cmap=cmap, vmin=vmin, vmax=vmax, origin="lower",
                      aspect="auto", interpolation="nearest")
    ax.set_xticks(range(len(table.columns)), table.columns)
    step = max(1, len(table.index) // 8)
    ax.set_yticks(range(0, len(table.index), step), table.index[::step])
    ax.grid(False)
    if annotate if annotate is not None else table.size <= 80:
        for (i, j), value in np.ndenumerate(table.to_numpy(float)):
            if np.isfinite(value):
                ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=5.5,
                        color="white" if abs(value - (vmin + vmax) / 2) > 0.3 else "black")
    return image


def _grid_table(frame: pd.DataFrame, value: str, x_axis: str, min_len: int) -> pd.DataFrame:
    """d x (L or n_len) table of `value`, averaged over seeds (and over L >= min_len when
    the x axis is the training length)."""
    if x_axis == "train_len":
        frame = frame[frame["L"] >= min_len].groupby(["d", "n_len", "seed"])[value].mean()
        frame = frame.reset_index()
    column = "L" if x_axis == "eval_len" else "n_len"
    return frame.groupby(["d", column])[value].mean().unstack(column).sort_index()


def _x_label(x_axis: str) -> str:
    return "evaluated length L" if x_axis == "eval_len" else "maximal training length"


def draw_fig3(frame: pd.DataFrame, cfg: dict, run: str):
    block, min_len = cfg["fig3"], cfg["common"]["min_len_metric"]
    tasks = [t for t in ("polynomial", "parity") if t in set(frame["task"])]
    columns = [c for c in CONDITIONS if c in set(frame["condition"])]
    fig, axes = plotting.new_figure(ncols=len(columns), nrows=len(tasks), panel_height=2.0)
    for row, task in enumerate(tasks):
        for col, condition in enumerate(columns):
            ax = axes[row, col]
            cells = frame[(frame["task"] == task) & (frame["condition"] == condition)]
            if cells.empty:
                ax.set_axis_off()
                continue
            image = _heatmap(ax, _grid_table(cells, "acc", block["x_axis"], min_len),
                             cmap="RdBu_r")
            ax.set_title(f"{CONDITION_TITLES[condition]} ({task})")
            ax.set_xlabel(_x_label(block["x_axis"]))
            ax.set_ylabel("embedding dimension d")
    fig.colorbar(image, ax=axes, shrink=0.7, label="test accuracy")
    n_seeds = frame.groupby(["task", "condition", "d"])["seed"].nunique()
    how = (f"accuracy per evaluated length of one model trained on lengths ≤ "
           f"{frame['n_len'].max()}" if block["x_axis"] == "eval_len"
           else f"accuracy averaged over L ≥ {min_len}")
    plotting.add_caption(fig, (
        f"{scale_note(run, cfg)}; {how}; colour = mean over {n_seeds.min()}-{n_seeds.max()} "
        f"seeds. Chance without CoT ≈ 1/(p-1) = {nocot_chance(cfg['common']['mod']):.2f}."))
    return fig


def draw_fig4(frame: pd.DataFrame, cfg: dict, run: str):
    block, min_len = cfg["fig3"], cfg["common"]["min_len_metric"]
    grid = frame[(frame["panel"] == "grid") & (frame["condition"] == "cot_2l")]
    tasks = [t for t in ("polynomial", "parity") if t in set(grid["task"])]
    fig, axes = plotting.new_figure(ncols=3, nrows=max(len(tasks), 2), panel_height=2.3)
    for row, task in enumerate(tasks):
        for col, value in enumerate(("attn1_peak", "attn2_peak")):
            ax = axes[row, col]
            cells = grid[grid["task"] == task]
            image = _heatmap(ax, _grid_table(cells, value, block["x_axis"], min_len),
                             cmap="viridis")
            ax.set_title(f"{task}: layer {value[4]} " +
                         ("(EoI head)" if value == "attn1_peak" else "(iteration head)"))
            ax.set_xlabel(_x_label(block["x_axis"]))
            ax.set_ylabel("embedding dimension d")
    for row in range(len(tasks), axes.shape[0]):
        for col in range(2):
            axes[row, col].set_axis_off()
    fig.colorbar(image, ax=axes[:, 1], shrink=0.7, label="peakiness (share of weights > 0.5)")
    chosen = frame[frame["panel"] == "map"]
    if chosen.empty:
        for ax in axes[:, 2]:
            ax.set_axis_off()
        axes[0, 2].text(0.5, 0.5, "no solved run", ha="center", transform=axes[0, 2].transAxes)
    else:
        first = chosen.iloc[0]
        L = int(first["n_len"])
        for row, layer in enumerate((2, 1)):
            _attention_map(axes[row, 2], chosen[chosen["layer"] == layer], L, outline=0.5,
                           labels=False)
            axes[row, 2].set_title(f"layer {layer}" + (", another implementation?"
                                                       if layer == 2 else ""))
        axes[0, 2].set_xlabel(f"key ({first['task']}, d = {first['d']}, seed {first['seed']})")
    caption = f"{scale_note(run, cfg)}; peakiness of CoT 2-layer runs, mean over seeds. Right: "
    caption += ("no run is solved." if chosen.empty else
                f"the least peaky of {int(chosen.iloc[0]['n_solved'])} solved runs (accuracy "
                f"{chosen.iloc[0]['acc']:.2f}, layer-2 peakiness "
                f"{chosen.iloc[0]['attn2_peak']:.2f}), L = {int(chosen.iloc[0]['n_len'])}"
                + (" — every solved run is peaky here." if chosen.iloc[0]["attn2_peak"] > 0.7
                   else "."))
    plotting.add_caption(fig, caption)
    return fig


NODES = {  # fig5 schematic: (x, y) of each node of the edge list
    "EoI position p(L+1)": (0.5, 0.3), "position p(L+t)": (2.5, 0.3),
    "working space at L+t": (2.5, 1.4), "target index t": (2.5, 2.5),
    "x_t at position p(t)": (0.5, 3.6), "s_t-1 (current token)": (4.5, 3.6),
    "working space (layer 2)": (2.5, 4.7), "prediction s_t": (2.5, 5.8),
}
KIND_COLORS = {"residual": "tab:blue", "attention": "tab:red", "mlp": "0.3",
               "readout": "tab:green"}


def draw_fig5(frame: pd.DataFrame, cfg: dict, run: str):
    fig, axes = plotting.new_figure(ncols=1, width=4.6, panel_height=4.4)
    ax = axes[0, 0]
    for name, (x, y) in NODES.items():
        ax.add_patch(FancyBboxPatch((x - 0.85, y - 0.22), 1.7, 0.44,
                                    boxstyle="round,pad=0.03", facecolor="0.95",
                                    edgecolor="0.4", linewidth=0.7))
        ax.text(x, y, name, ha="center", va="center", fontsize=6)
    for edge in frame.itertuples():
        (x0, y0), (x1, y1) = NODES[edge.src], NODES[edge.dst]
        ax.add_patch(FancyArrowPatch((x0, y0 + 0.22), (x1, y1 - 0.22), arrowstyle="-|>",
                                     mutation_scale=8, color=KIND_COLORS[edge.kind],
                                     linewidth=1.1))
        rightwards = x1 > x0 + 0.1  # put the label on the side the arrow leaves free
        ax.text((x0 + x1) / 2 + (-0.1 if rightwards else 0.1), (y0 + y1) / 2 + 0.12,
                edge.label, fontsize=5.2, color=KIND_COLORS[edge.kind],
                ha="right" if rightwards else "left", va="center")
    for kind, color in KIND_COLORS.items():
        ax.plot([], [], color=color, label=kind)
    ax.legend(loc="lower right", fontsize=6)
    ax.set_xlim(-0.5, 6.0)
    ax.set_ylim(-0.2, 6.3)
    ax.set_axis_off()
    plotting.add_caption(fig, "An iteration head in a two-layer transformer (after the paper's "
                              "Fig. 5): EoI plays the role of s_0. Schematic, no data.",
                         width=80)
    return fig


def _band(ax, curve: pd.DataFrame, value: str, color: str, label: str):
    stats = curve.groupby("step")[value].agg(["mean", "std"]).fillna({"std": 0.0})
    ax.plot(stats.index, stats["mean"], color=color, label=label)
    ax.fill_between(stats.index, (stats["mean"] - stats["std"]).clip(0, 1),
                    (stats["mean"] + stats["std"]).clip(0, 1), color=color, alpha=0.2,
                    linewidth=0)


def draw_fig6(frame: pd.DataFrame, cfg: dict, run: str):
    fig, axes = plotting.new_figure(ncols=4, panel_height=2.1)
    titles = {"train_acc": "train accuracy", "test_acc": "test accuracy",
              "attn1_peak": "layer-1 peakiness", "attn2_peak": "attention peakiness"}
    switch = frame.loc[frame["curve"] == "transfer", "step"].min()
    for ax, (value, title) in zip(axes[0], titles.items()):
        for curve in ("polynomial", "parity", "transfer"):
            _band(ax, frame[frame["curve"] == curve], value, CURVE_COLORS[curve],
                  CURVE_LABELS[curve])
        ax.axvline(switch, color="0.5", linestyle=":", linewidth=0.8)
        ax.set_title(title)
        ax.set_xlabel("training step")
        ax.set_ylim(-0.03, 1.03)
    fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside upper center", ncol=3)
    n_seeds = frame["seed"].nunique()
    plotting.add_caption(fig, (
        f"{scale_note(run, cfg)}; n_len = {frame['n_len'].iloc[0]}, d = {frame['d'].iloc[0]}, "
        f"mean ± 1 sd over {n_seeds} seeds, L ≥ {cfg['common']['min_len_metric']}. The "
        f"fine-tune (green) starts from the polynomial model at step {switch} (dotted line)."))
    return fig


def draw_fig7(frame: pd.DataFrame, cfg: dict, run: str):
    fig, axes = plotting.new_figure(ncols=2, panel_height=2.4)
    lengths = sorted(frame["L"].unique())
    colors = plotting.sequential_colors(len(lengths), "viridis")
    for ax, value in zip(axes[0], ("train_acc", "test_acc")):
        for L, color in zip(lengths, colors):
            rows = frame[frame["L"] == L]
            ax.plot(rows["step"], rows[value], color=color, label=f"L = {L}")
        ax.set_title(value.replace("_acc", " accuracy"))
        ax.set_xlabel("training step")
        ax.set_ylim(-0.03, 1.03)
    axes[0, 1].legend(ncol=2, loc="lower right")
    first = frame.iloc[0]
    plotting.add_caption(fig, (
        f"{scale_note(run, cfg)}; one run: {first['task']}, CoT, 2 layers, d = {first['d']}, "
        f"n_len = {first['n_len']}, seed {first['seed']}."))
    return fig


def _pos_dim_heatmap(ax, sweep: pd.DataFrame, value: str, cmap: str):
    """pos_dim (rows) x epoch (columns) heat map of `value`, averaged over seeds."""
    table = sweep.groupby(["pos_dim", "epoch"])[value].mean().unstack("epoch").sort_index()
    epochs = table.columns.to_numpy(float)
    half = (epochs[1] - epochs[0]) / 2 if len(epochs) > 1 else 0.5
    image = ax.imshow(table.to_numpy(float), cmap=cmap, vmin=0, vmax=1, origin="lower",
                      aspect="auto", interpolation="nearest",
                      extent=(epochs[0] - half, epochs[-1] + half, -0.5, len(table) - 0.5))
    step = max(1, len(table.index) // 8)
    ax.set_yticks(range(0, len(table.index), step), table.index[::step])
    ax.grid(False)
    ax.set_xlabel("epoch")
    ax.set_ylabel("pos_dim")
    return image


def draw_fig8(frame: pd.DataFrame, cfg: dict, run: str):
    sweep = frame[frame["experiment"] == "pos_dim"] if "experiment" in frame else frame[:0]
    if "experiment" in frame:
        frame = frame[frame["experiment"] == "ablation"].astype({"L": int})
    positions = [p for p in ("learned", "frozen") if p in set(frame["pos"])]
    ncols = max(len(positions), 2 if len(sweep) else 1)
    fig, axes = plotting.new_figure(ncols=ncols, nrows=2 + bool(len(sweep)), panel_height=1.6)
    for col, pos in enumerate(positions):
        cells = frame[frame["pos"] == pos]
        for row, (value, cmap) in enumerate((("acc", "RdBu_r"), ("attn2_peak", "viridis"))):
            ax = axes[row, col]
            _heatmap(ax, _grid_table(cells, value, "eval_len", 1), cmap=cmap)
            ax.set_title(f"{pos} positions: " + ("test accuracy" if value == "acc"
                                                 else "layer-2 peakiness"))
            ax.set_xlabel("evaluated length L")
            ax.set_ylabel("d")
        if col == len(positions) - 1:
            for row in range(2):
                fig.colorbar(axes[row, col].images[0], ax=axes[row, col], shrink=0.8)
    for ax in axes[:2, len(positions):].flat:
        ax.set_axis_off()
    caption = (f"{scale_note(run, cfg)}; polynomial, CoT, 2 layers, n_len = "
               f"{frame['n_len'].max()}; frozen: position embeddings kept at their random "
               "initialisation. The paper sweeps n_len and d.")
    if len(sweep):
        first = sweep.iloc[0]
        for col, (value, cmap, title) in enumerate((
                ("acc", "RdBu_r", "test accuracy"),
                ("attn2_peak", "viridis", "layer-2 peakiness"))):
            image = _pos_dim_heatmap(axes[2, col], sweep, value, cmap)
            axes[2, col].set_title(f"{first['pos']} positions, pos_dim sweep: {title}")
            fig.colorbar(image, ax=axes[2, col], shrink=0.8)
        for ax in axes[2, 2:]:
            ax.set_axis_off()
        caption += (f" Bottom: position embeddings added to the first pos_dim of d = "
                    f"{first['d']} coordinates, n_len = {first['n_len']}, accuracy and "
                    f"peakiness averaged over L >= {cfg['common']['min_len_metric']} and over "
                    f"{sweep['seed'].nunique()} seed(s), against the training epoch.")
    plotting.add_caption(fig, caption)
    return fig


def draw_fig9(frame: pd.DataFrame, cfg: dict, run: str):
    runs = list(dict.fromkeys(frame["run_id"]))
    n_cols = 4
    n_rows = max(1, -(-2 * len(runs) // n_cols))
    fig, axes = plotting.new_figure(ncols=n_cols, nrows=n_rows, panel_height=1.9)
    for ax in axes.flat:
        ax.set_axis_off()
    for index, run_name in enumerate(runs):
        rows = frame[frame["run_id"] == run_name]
        first = rows.iloc[0]
        for offset, layer in enumerate((1, 2)):
            ax = axes.flat[2 * index + offset]
            ax.set_axis_on()
            _attention_map(ax, rows[rows["layer"] == layer], int(first["n_len"]),
                           outline=0.5 if layer == 2 else None, labels=False)
            ax.set_xlabel("")
            ax.set_ylabel("")
            ax.set_title(f"{first['task']} d={first['d']} s{first['seed']}, layer {layer}"
                         + (f"\npeak {first['attn2_peak']:.2f}" if layer == 2 else
                            f"\nacc {first['acc']:.2f}"), fontsize=6)
    if not runs:
        axes[0, 0].text(0.5, 0.5, "no solved run", transform=axes[0, 0].transAxes)
    shown = len(runs)
    solved = int(frame["n_solved"].iloc[0]) if shown else 0
    plotting.add_caption(fig, (
        f"{scale_note(run, cfg)}; mean test attention at L = n_len of {shown} of the {solved} "
        f"solved CoT 2-layer runs (accuracy ≥ {cfg['fig4']['solved_acc']}); red squares: "
        "weight > 0.5."))
    return fig

