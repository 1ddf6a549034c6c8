"""Figure layouts of Model Collapse Demystified: markers = simulation, broken lines = theory."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from paperfigs.common import plotting

ERROR_LABEL = r"test error $\|\hat w - w_0\|_\Sigma^2$ (vs. truth)"
LINESTYLES = ["--", ":", "-.", (0, (5, 1))]
MARKERS = ["o", "s", "^", "D"]


def sim_summary(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Mean and standard error over seeds of the simulation rows."""
    sims = frame[frame["kind"] == "sim"]
    grouped = sims.groupby(keys)["test_error"]
    return grouped.agg(mean="mean", sem="sem").reset_index()


def theory_rows(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["kind"] == "theory"]


def _generation_legend(ax, n_values, colors, extra=()):
    handles = [Line2D([], [], color=c, marker="o", linestyle="--", label=f"n = {n}")
               for n, c in zip(n_values, colors)]
    ax.legend(handles=list(handles) + list(extra), title="generations", ncol=2,
              loc="upper right")


def scale_note(run: str) -> str:
    """The caption's opening (the paper's App. D sizes could not be read)."""
    return plotting.scale_note(run, "smaller than the paper",
                               "Paper profile (sizes ours where App. D was unreadable)")


def draw_fig1(frame: pd.DataFrame, cfg: dict, run: str):
    iso_cfg, power_cfg = cfg["iso"], cfg["power"]
    caption = (f"{scale_note(run)}: (a) d={iso_cfg['d']}, T0={iso_cfg['T0']}, "
               f"sigma=sigma0={iso_cfg['sigma']:g}/{iso_cfg['sigma0']:g}, {iso_cfg['reps']} reps; "
               f"(b) d={power_cfg['d']}, beta={power_cfg['beta']:g}, r={power_cfg['r']:g}, "
               f"T0={power_cfg['T0']}, {power_cfg['reps']} reps. Markers: simulation mean "
               "+- s.e.; broken lines: Thm 4.1 (a) and Thm 5.1 deterministic equivalent (b).")
    fig, axes = plotting.new_figure(ncols=2, panel_height=2.7)
    iso, power = frame[frame["panel"] == "iso"], frame[frame["panel"] == "power"]

    ax = axes[0, 0]
    n_values = sorted(iso["n"].unique())
    colors = plotting.sequential_colors(len(n_values), "rocket_r")
    summary = sim_summary(iso, ["T", "n", "lam"])
    for t_index, T in enumerate(sorted(iso["T"].unique())):
        for n, color in zip(n_values, colors):
            sim = summary[(summary["T"] == T) & (summary["n"] == n)]
            line = theory_rows(iso)
            line = line[(line["T"] == T) & (line["n"] == n)]
            plotting.plot_theory(ax, line["lam"], line["test_error"], color=color,
                                 linestyle=LINESTYLES[t_index % len(LINESTYLES)])
            plotting.plot_simulation(ax, sim["lam"], sim["mean"], sim["sem"], color=color,
                                     marker=MARKERS[t_index % len(MARKERS)])
    plotting.log_axis(ax)
    ax.set_xlabel(r"ridge $\lambda$")
    ax.set_ylabel(ERROR_LABEL)
    ax.set_title(r"(a) isotropic, $\Sigma = I$")
    size_handles = [Line2D([], [], color="0.3", marker=MARKERS[i % len(MARKERS)],
                           linestyle=LINESTYLES[i % len(LINESTYLES)], label=f"T = {T}")
                    for i, T in enumerate(sorted(iso["T"].unique()))]
    _generation_legend(ax, n_values, colors, size_handles)
    low, high = ax.get_ylim()
    ax.set_ylim(low, high * 30)  # room for the legend above the curves

    ax = axes[0, 1]
    n_values = sorted(power["n"].unique())
    colors = plotting.sequential_colors(len(n_values), "rocket_r")
    summary = sim_summary(power, ["T", "n"])
    for n, color in zip(n_values, colors):
        sim = summary[summary["n"] == n]
        line = theory_rows(power)
        line = line[line["n"] == n]
        plotting.plot_theory(ax, line["T"], line["test_error"], color=color)
        plotting.plot_simulation(ax, sim["T"], sim["mean"], sim["sem"], color=color)
    plotting.log_axis(ax)
    ax.set_xlabel("downstream sample size $T$")
    ax.set_ylabel(ERROR_LABEL)
    ax.set_title(r"(b) power law, $\lambda = T^{-\ell_{crit}}$")
    _generation_legend(ax, n_values, colors,
                       [Line2D([], [], color="0.3", linestyle="--", label="theory"),
                        Line2D([], [], color="0.3", marker="o", linestyle="none",
                               label="simulation")])
    plotting.add_caption(fig, caption)
    return fig


def _box(ax, x, y, text, color, width=1.3):
    ax.add_patch(FancyBboxPatch((x - width / 2, y - 0.32), width, 0.64,
                                boxstyle="round,pad=0.02,rounding_size=0.08",
                                facecolor=color, edgecolor="0.2", linewidth=0.8))
    ax.text(x, y, text, ha="center", va="center", fontsize=6.5)


def _arrow(ax, start, end, **kwargs):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=8,
                                 color="0.2", linewidth=0.8, **kwargs))


def draw_fig2(stages: pd.DataFrame, cfg: dict, run: str):
    """The pipeline: truth -> generators -> downstream ridge, test error against the truth."""
    caption = (f"Each generator refits on T0 fresh samples labelled by the previous one; "
               f"{cfg['n_show']} of the n generators are drawn. Sizes from fig1(a) ({run}).")
    fig, axes = plotting.new_figure(ncols=1, width=plotting.PAGE_WIDTH, panel_height=1.7)
    ax = axes[0, 0]
    ax.set_axis_off()
    colors = {"truth": "#cfe3f3", "generator": "#f6d9c6", "downstream": "#d5ecd2"}
    width, gap = 1.3, 0.45
    positions, x = [], width / 2
    for row in stages.itertuples():
        if row.role == "truth":
            text = "truth $\\hat w_0 = w_0$\nreal data $(X_0, Y_0)$"
        elif row.role == "generator":
            text = (f"generator $\\hat w_{{{row.stage}}}$\n$T_0$ = {int(row.n_samples)} samples\n"
                    f"noise $\\sigma_0$ = {row.noise_std:g}, OLS")
        else:
            x += 0.5
            ax.text(x - 0.5 - width / 2 - gap / 2 + 0.25, 0.5, "...", ha="center",
                    va="center", fontsize=11)
            text = (f"downstream $\\hat w_{{pred}}$\n$T$ = {int(row.n_samples)} samples\n"
                    f"noise $\\sigma$ = {row.noise_std:g}, ridge $\\lambda$")
        _box(ax, x, 0.5, text, colors[row.role], width)
        positions.append(x)
        x += width + gap
    for left, right in zip(positions[:-1], positions[1:]):
        _arrow(ax, (left + width / 2, 0.5), (right - width / 2, 0.5))
    _arrow(ax, (positions[-1], 0.18), (positions[0], 0.18), linestyle="--",
           connectionstyle="arc3,rad=-0.12")
    ax.text(np.mean([positions[0], positions[-1]]), -0.42,
            r"test error $\|\hat w_{pred} - w_0\|_\Sigma^2$, against the truth", ha="center",
            fontsize=7)
    ax.set_xlim(-0.05, positions[-1] + width / 2 + 0.05)
    ax.set_ylim(-0.55, 0.85)
    plotting.add_caption(fig, caption)
    return fig


def draw_fig3(frame: pd.DataFrame, cfg: dict, run: str):
    if cfg["dataset"] == "digits":
        title = "KRR over generations, 8x8 digits miniature"
        data_note = "sklearn's 8x8 digits stand in for MNIST (a miniature)"
    else:
        title = "KRR over generations, MNIST"
        data_note = "MNIST"
    caption = (f"{scale_note(run)}: {data_note}; RBF kernel; T0={cfg['T0']}, T={cfg['T']}, "
               f"sigma={cfg['sigma']:g}, sigma0={cfg['sigma0']:g}, {cfg['reps']} reps "
               "(mean +- s.e.).")
    fig, axes = plotting.new_figure(ncols=1, panel_height=2.7)
    ax = axes[0, 0]
    summary = frame.groupby(["n", "lam"])["test_error"].agg(mean="mean", sem="sem")
    summary = summary.reset_index()
    n_values = sorted(summary["n"].unique())
    colors = plotting.sequential_colors(len(n_values), "rocket_r")
    for n, color in zip(n_values, colors):
        rows = summary[summary["n"] == n]
        ax.errorbar(rows["lam"], rows["mean"], yerr=rows["sem"], color=color, marker="o",
                    markersize=3, capsize=1.5, linewidth=1.0, label=f"n = {n}")
    plotting.log_axis(ax, "x")
    ax.set_xlabel(r"ridge $\lambda$")
    ax.set_ylabel("test MSE (vs. one-hot truth)")
    ax.set_title(title)
    ax.legend(title="generations")
    plotting.add_caption(fig, caption)
    return fig


def draw_fig4(frame: pd.DataFrame, cfg: dict, run: str):
    linear_cfg, over_cfg = cfg["linear"], cfg["overparam"]
    w0_norm = over_cfg["w0_norm"]
    caption = (f"{scale_note(run)}: (a) d={linear_cfg['d']}, T0={linear_cfg['T0']}, "
               f"T={linear_cfg['T']}, {linear_cfg['reps']} reps; (b) d={over_cfg['d']}, "
               f"T0={over_cfg['T0']}, {over_cfg['reps']} reps; (c) theory with fig1(b)'s "
               "parameters. Markers: simulation +- s.e.; lines: theory.")
    fig, axes = plotting.new_figure(ncols=3, panel_height=2.6)

    ax = axes[0, 0]
    linear = frame[frame["panel"] == "linear"]
    lams = sorted(linear["lam"].unique())
    colors = plotting.sequential_colors(len(lams), "mako")
    summary = sim_summary(linear, ["lam", "n"])
    for lam, color in zip(lams, colors):
        sim = summary[summary["lam"] == lam]
        line = theory_rows(linear)
        line = line[line["lam"] == lam]
        plotting.plot_theory(ax, line["n"], line["test_error"], color=color)
        plotting.plot_simulation(ax, sim["n"], sim["mean"], sim["sem"], color=color,
                                 label=rf"$\lambda$ = {lam:g}")
    ax.set_xlabel("generations $n$")
    ax.set_ylabel(ERROR_LABEL)
    ax.set_title("(a) linear in generations")
    ax.legend()

    ax = axes[0, 1]
    overparam = frame[frame["panel"] == "overparam"]
    sigma0_values = sorted(overparam["sigma0"].unique())
    colors = plotting.sequential_colors(len(sigma0_values), "flare")
    summary = sim_summary(overparam, ["sigma0", "n"])
    for sigma0, color in zip(sigma0_values, colors):
        sim = summary[summary["sigma0"] == sigma0]
        line = theory_rows(overparam)
        line = line[line["sigma0"] == sigma0]
        plotting.plot_theory(ax, line["n"], line["test_error"], color=color)
        plotting.plot_simulation(ax, sim["n"], sim["mean"], sim["sem"], color=color,
                                 label=rf"$\sigma_0$ = {sigma0:g}")
    ax.axhline(w0_norm**2, color="0.4", linewidth=0.8, linestyle=":",
               label=r"$\|w_0\|^2$ (null predictor)")
    T0 = int(overparam["T"].iloc[0])
    ax.set_xlabel("generations $n$")
    ax.set_ylabel(r"$\|\hat w_n - w_0\|^2$")
    ax.set_title(f"(b) over-param. generators, $T_0$={T0}<d")
    ax.legend()

    ax = axes[0, 2]
    mitigation = frame[frame["panel"] == "mitigation"]
    n_values = sorted(mitigation["n"].unique())
    colors = plotting.sequential_colors(len(n_values), "rocket_r")
    for n, color in zip(n_values, colors):
        for rule, style in (("critical", "--"), ("optimal", "-")):
            line = mitigation[(mitigation["n"] == n) & (mitigation["lam_rule"] == rule)]
            ax.plot(line["T"], line["test_error"], linestyle=style, color=color)
    plotting.log_axis(ax)
    ax.set_xlabel("downstream sample size $T$")
    ax.set_ylabel(ERROR_LABEL)
    ax.set_title("(c) adaptive ridge (theory)")
    rules = [Line2D([], [], color="0.3", linestyle="--", label=r"$\lambda = T^{-\ell_{crit}}$"),
             Line2D([], [], color="0.3", linestyle="-", label=r"optimal $\lambda$ per $T$")]
    handles = [Line2D([], [], color=c, label=f"n = {n}") for n, c in zip(n_values, colors)]
    ax.legend(handles=handles + rules)
    plotting.add_caption(fig, caption)
    return fig
