"""Figure layouts of A Tale of Tails: markers = simulation (seed mean +- s.e.), lines = theory."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from paperfigs.common import plotting
from paperfigs.common.plotting import scale_note
from paperfigs.tale_of_tails import theory

ERROR_LABEL = "test error"
SOURCES = {"real": ("real", "0.15", "o"), "top_p": ("top-p", "C0", "s"),
           "temperature": ("temperature", "C3", "^")}
DECODING_MARKERS = {"none": "o", "top_p": "s", "temperature": "^"}


def sim_summary(frame: pd.DataFrame, keys: list[str], value: str = "test_error"):
    """Seed mean and standard error of the sim rows."""
    sims = frame[frame["kind"] == "sim"]
    return sims.groupby(keys)[value].agg(mean="mean", sem="sem").reset_index()


def theory_rows(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["kind"] == "theory"]


def _curve(ax, frame, color, label=None, value="test_error", x="T", linestyle="-",
           marker="o"):
    """One curve: its theory line and its simulation markers."""
    line = theory_rows(frame)
    if len(line):
        plotting.plot_theory(ax, line[x], line[value], color=color, linestyle=linestyle)
    sim = sim_summary(frame, [x], value)
    plotting.plot_simulation(ax, sim[x], sim["mean"], sim["sem"], color=color, label=label,
                             marker=marker)


def _style_legend(ax, **kwargs):
    handles = [Line2D([], [], color="0.3", linestyle="-", label="theory (exact)"),
               Line2D([], [], color="0.3", marker="o", linestyle="none", label="simulation")]
    ax.legend(handles=ax.get_legend_handles_labels()[0] + handles, **kwargs)


def draw_fig1_llm(frame: pd.DataFrame, cfg: dict, run: str):
    """Paper profile: Llama-2 text, ranks and perplexities under the fine-tuned model."""
    fig, axes = plotting.new_figure(ncols=2, panel_height=2.6)
    ranks, ppl = frame[frame["panel"] == "rank"], frame[frame["panel"] == "ppl"]
    for source, (label, color, marker) in SOURCES.items():
        rows = ranks[(ranks["source"] == source) & (ranks["freq"] > 0)]
        axes[0, 0].plot(rows["rank"], rows["freq"], marker, color=color, markersize=2.5,
                        label=label, alpha=0.8)
        values = ppl.loc[ppl["source"] == source, "ppl"]
        if len(values):
            bins = np.logspace(np.log10(ppl["ppl"].min()), np.log10(ppl["ppl"].max()), 40)
            axes[0, 1].hist(values, bins=bins, histtype="step", color=color, label=label,
                            density=True)
    plotting.log_axis(axes[0, 0])
    axes[0, 0].set_xlabel("rank of the token under the fine-tuned model")
    axes[0, 0].set_ylabel("relative frequency")
    axes[0, 0].set_title("(a) tails of generated text (last rank: pooled)")
    axes[0, 0].legend(loc="lower left")
    plotting.log_axis(axes[0, 1], "x")
    axes[0, 1].set_xlabel("sequence perplexity")
    axes[0, 1].set_ylabel("density")
    axes[0, 1].set_title("(b) generated text has no high-perplexity tail")
    axes[0, 1].legend()
    plotting.add_caption(fig, (
        f"{scale_note(run, 'Llama')}: Llama-2 fine-tuned with LoRA on Wikitext-103 scores real "
        "test text and its own continuations of real prompts (top-p, temperature); only the "
        "generated tokens are scored."))
    return fig


def draw_fig1(frame: pd.DataFrame, cfg: dict, run: str):
    if "ppl" in set(frame["panel"]):
        return draw_fig1_llm(frame, cfg, run)
    fig, axes = plotting.new_figure(ncols=2, panel_height=2.6)
    ranks, nll = frame[frame["panel"] == "rank"], frame[frame["panel"] == "nll"]
    ax = axes[0, 0]
    for source, (label, color, marker) in SOURCES.items():
        rows = ranks[ranks["source"] == source]
        shown = rows[rows["freq"] > 0]
        ax.plot(shown["rank"], shown["freq"], marker, color=color, markersize=2.5, label=label,
                alpha=0.8)
        line = rows[rows["freq_theory"] > 0]
        plotting.plot_theory(ax, line["rank"], line["freq_theory"], color=color, linestyle="-")
    plotting.log_axis(ax)
    ax.set_xlabel("conditional rank $r$ of the emitted token")
    ax.set_ylabel("relative frequency")
    ax.set_title("(a) tails of generated data: cut (top-p), narrowed (temp.)")
    _style_legend(ax, loc="lower left")

    ax = axes[0, 1]
    for source, (label, color, marker) in SOURCES.items():
        rows = ranks[ranks["source"] == source].sort_values("token_nll")
        survival = 1 - np.cumsum(rows["freq"].to_numpy())
        shown = survival > 1e-12
        ax.step(rows["token_nll"].to_numpy()[shown], survival[shown], where="post", color=color,
                label=label)
        points = nll[nll["source"] == source]
        ax.plot(points["nll"], 1 - points["quantile"], marker, color=color, markersize=4)
    plotting.log_axis(ax, "y")
    ax.set_xlabel(r"token NLL $-\log \pi(\mathrm{token}\mid\mathrm{context})$ (nats)")
    ax.set_ylabel("share of tokens with larger NLL")
    ax.set_title("(b) generated text has no high-NLL tail")
    ax.legend(title="corpus (markers: quantiles)", loc="lower left")
    plotting.add_caption(fig, (
        f"{scale_note(run, 'miniature: tailed-bigram LM')}: the true model generates, so only "
        f"decoding differs; beta={cfg['beta']:g}, N=V={cfg['vocab']}, {cfg['n_pairs']:.0e} pairs, "
        f"top-p={cfg['top_p']:g}, tau={cfg['temperature']:g}. Paper: Llama2-7B on Wikitext-103, "
        "perplexity histogram (figure number of the PDF not checked)."))
    return fig


def draw_fig2(frame: pd.DataFrame, cfg: dict, run: str):
    fig, axes = plotting.new_figure(ncols=2, panel_height=2.6, sharey=True)
    clean = frame[frame["curve"] == "clean"]
    cut, narrow = frame[frame["curve"] == "cut"], frame[frame["curve"] == "narrow"]
    for ax, rows, key, name, title in (
            (axes[0, 0], cut, "k", "k", "(a) tail cutting (Thm 2.1)"),
            (axes[0, 1], narrow, "beta_narrow", "\\beta''", "(b) tail narrowing")):
        _curve(ax, clean, "0.15", label="clean")
        levels = sorted(rows[key].unique())
        for level, color in zip(levels, plotting.sequential_colors(len(levels), "flare")):
            _curve(ax, rows[rows[key] == level], color, label=f"${name}$ = {level:g}")
        plotting.log_axis(ax)
        ax.set_xlabel("training samples $T$")
        ax.set_title(title)
        _style_legend(ax, loc="lower left")
    axes[0, 0].set_ylabel(ERROR_LABEL)
    plotting.add_caption(fig, (
        f"{scale_note(run, 'smaller N and T')}: Zipf beta={cfg['beta']:g}, N={cfg['N']:.0e}, "
        f"{cfg['seeds']} seeds. Cut curves flatten at the tail mass once T >~ k^beta; narrowed "
        "curves have slope -(beta-1)/beta''. Lines: exact sum (eq. 9)."))
    return fig


def draw_fig3(frame: pd.DataFrame, cfg: dict, run: str):
    fig, axes = plotting.new_figure(ncols=1, panel_height=2.8)
    ax = axes[0, 0]
    n_values = sorted(frame["n"].unique())
    for n, color in zip(n_values, plotting.sequential_colors(len(n_values), "rocket_r")):
        _curve(ax, frame[frame["n"] == n], color, label="clean" if n == 0 else f"n = {n}")
    plotting.log_axis(ax)
    ax.set_xlabel("training samples $T$")
    ax.set_ylabel(ERROR_LABEL)
    ax.set_title("Hutter LLM over generations: shifted scaling")
    _style_legend(ax, loc="lower left", ncol=2)
    plotting.add_caption(fig, (
        f"{scale_note(run, 'smaller N and T')}: beta={cfg['beta']:g}, N={cfg['N']:.0e}, "
        f"T0={cfg['T0']:.0e}, {cfg['seeds']} seeds. Generator n = empirical law of T0 draws "
        "from generator n-1. Lines: branching formula; the plateau grows sub-linearly, "
        "like n^(1-1/beta)."), width=70)
    return fig


def draw_fig4(frame: pd.DataFrame, cfg: dict, run: str):
    fig, axes = plotting.new_figure(ncols=3, panel_height=2.7)
    lm, gcd = frame[frame["panel"] == "lm"], frame[frame["panel"] == "gcd"]
    gens = sorted(frame["gen"].dropna().unique())
    colors = dict(zip(gens, plotting.sequential_colors(len(gens), "rocket_r")))

    llama = cfg["lm"]["model"] == "llama"
    ax = axes[0, 0]
    for (decoding, gen), rows in ([] if llama else lm.groupby(["decoding", "gen"])):
        if gen == 0:
            _curve(ax, rows, colors[gen], marker="o")
            continue
        sim = sim_summary(rows, ["T"])
        ax.errorbar(sim["T"], sim["mean"], sim["sem"], color=colors[gen], linewidth=0.8,
                    marker=DECODING_MARKERS[decoding], markersize=3, capsize=1.5)
        floor = theory_rows(rows)
        if len(floor):
            ax.axhline(floor["test_error"].iloc[0], color="0.4", linestyle=":", linewidth=0.8)
    plotting.log_axis(ax)
    ax.set_xlabel("training pairs $T$")
    ax.set_ylabel("test TV to the real next-token law")
    ax.set_title("(a) LM miniature: test TV")
    handles = [Line2D([], [], color=colors[g], label=f"gen {int(g)}" + (" (real)" if g == 0
                                                                         else "")) for g in gens]
    handles += [Line2D([], [], color="0.3", marker=m, linestyle="none", label=d.replace("_", "-"))
                for d, m in DECODING_MARKERS.items()]
    handles += [Line2D([], [], color="0.4", linestyle=":", label="gen-1 floor (theory)"),
                Line2D([], [], color="0.15", linestyle="-", label="exact E[TV], real")]
    ax.legend(handles=handles, loc="lower left", ncol=2, fontsize=6)
    ax.set_ylim(bottom=3e-4)  # room for the legend under the curves

    ax = axes[0, 1]
    kl = sim_summary(lm[lm["decoding"].isin(["none", "top_p"])], ["decoding", "gen", "T"],
                     "test_kl")
    for (decoding, gen), rows in ([] if llama else kl.groupby(["decoding", "gen"])):
        ax.errorbar(rows["T"], rows["mean"], rows["sem"], color=colors[gen], linewidth=0.8,
                    marker=DECODING_MARKERS[decoding], markersize=3, capsize=1.5)
    plotting.log_axis(ax)
    ax.set_xlabel("training pairs $T$")
    ax.set_ylabel(r"test KL(real $\|$ model), add-$\alpha$")
    ax.set_title("(b) LM miniature: real-data loss")
    if llama:
        _draw_fig4_llm(axes[0, :2], lm, colors)

    ax = axes[0, 2]
    for gen, rows in gcd.groupby("gen"):
        sim = sim_summary(rows, ["T"])
        plotting.plot_simulation(ax, sim["T"], sim["mean"], sim["sem"], color=colors[gen])
        ax.plot(sim["T"], sim["mean"], color=colors[gen], linewidth=0.8)
        if gen >= 1:
            ax.axhline(rows["teacher_error"].mean(), color=colors[gen], linestyle=":",
                       linewidth=0.9)
    plotting.log_axis(ax)
    ax.set_xlabel("training samples $T$")
    ax.set_ylabel(ERROR_LABEL)
    ax.set_title("(c) GCD miniature: memoriser" if cfg["gcd"]["model"] == "memoriser"
                 else "(c) GCD transformer")
    ax.legend(handles=[Line2D([], [], color=colors[g], marker="o",
                              label="real data" if g == 0 else f"AI data, gen {int(g)}")
                       for g in gens]
              + [Line2D([], [], color="0.4", linestyle=":", label="generator's error")],
              loc="lower left")
    lm_cfg, gcd_cfg = cfg["lm"], cfg["gcd"]
    if llama or gcd_cfg["model"] != "memoriser":
        plotting.add_caption(fig, (
            f"{scale_note(run, 'paper models')}: (a, b) "
            + ("Llama-2 + LoRA fine-tuned on T Wikitext-103 chunks of each generation's data, "
               "scored on the real test split; " if llama else "tailed-bigram miniature; ")
            + ("(c) GCD transformer students of real data and of generators 1..n; dotted: "
               "each generator's test error." if gcd_cfg["model"] != "memoriser"
               else "(c) neural memoriser miniature.")))
        return fig
    plotting.add_caption(fig, (
        f"{scale_note(run, 'miniatures')}: (a, b) tailed-bigram LM (beta={lm_cfg['beta']:g}, "
        f"N=V={lm_cfg['vocab']}) replaces Llama2-7B on Wikitext-103; generators are count "
        f"models fit on T0={lm_cfg['T0']:.0e} pairs emitted by the previous one (top-p "
        f"{lm_cfg['top_p']:g}, temperature {lm_cfg['temperature']:g}, or none); KL stands in for "
        f"perplexity. (c) neural memoriser (N={gcd_cfg['n_items']} Zipf items, "
        f"C={gcd_cfg['n_classes']}, T0={gcd_cfg['T0']}) replaces the GCD transformer. "
        f"Seeds: {lm_cfg['seeds']} (a, b), {gcd_cfg['seeds']} (c). Markers: decoding (a, b); "
        "(b) shows none and top-p."))
    return fig


def _draw_fig4_llm(axes, lm: pd.DataFrame, colors) -> None:
    """Paper profile (a, b): Llama-2 students' test loss and perplexity on real text."""
    for ax, value, label in ((axes[0], "test_loss", "test loss on real text (nats/token)"),
                             (axes[1], "test_ppl", "test perplexity on real text")):
        ax.clear()
        summary = sim_summary(lm, ["decoding", "gen", "T"], value)
        for (decoding, gen), rows in summary.groupby(["decoding", "gen"]):
            ax.errorbar(rows["T"], rows["mean"], rows["sem"], color=colors[gen], linewidth=0.8,
                        marker=DECODING_MARKERS[decoding], markersize=3, capsize=1.5,
                        label=f"gen {int(gen)}, {decoding.replace('_', '-')}")
        plotting.log_axis(ax, "x")
        ax.set_xlabel("fine-tuning samples $T$")
        ax.set_ylabel(label)
        ax.legend(fontsize=6)
    axes[0].set_title("(a) Llama-2 + LoRA: test loss")
    axes[1].set_title("(b) Llama-2 + LoRA: perplexity")


def draw_fig5(frame: pd.DataFrame, cfg: dict, run: str):
    fig, axes = plotting.new_figure(ncols=2, panel_height=2.6, sharey=True)
    p = theory.zipf(cfg["N"], cfg["beta"])
    k = cfg["k"]
    mix, tail = frame[frame["panel"] == "mix"], frame[frame["panel"] == "tail"]
    ax = axes[0, 0]
    pis = sorted(mix["pi"].unique())
    for pi, color in zip(pis, plotting.sequential_colors(len(pis), "crest")):
        _curve(ax, mix[mix["pi"] == pi], color, label=rf"$\pi$ = {pi:g}")
    ax.set_title(rf"(a) AI data cut at k={k} + a fraction $\pi$ of real data")
    ax = axes[0, 1]
    for window, color, name in zip(sorted(tail["window_start"].unique()), ("C2", "C1"),
                                   ("just past the cut", "too deep")):
        _curve(ax, tail[tail["window_start"] == window], color,
               label=f"ranks >= {int(window)} ({name})")
    gap = p[k:cfg["deep_factor"] * k - 1].sum()
    ax.axhline(gap, color="C1", linestyle=":", linewidth=0.9, label="mass of the gap")
    ax.set_title(rf"(b) {cfg['tail_pi']:g} of tail data from a window (Sec. 3.1)")
    for ax in axes[0]:
        ax.axhline(theory.tail_mass(p, k), color="0.5", linestyle=":", linewidth=0.9,
                   label="tail mass" if ax is axes[0, 0] else None)
        plotting.log_axis(ax)
        ax.set_xlabel("training samples $T$")
        _style_legend(ax, loc="lower left")
    axes[0, 0].set_ylabel(ERROR_LABEL)
    plotting.add_caption(fig, (
        f"{scale_note(run, 'smaller N and T')}: beta={cfg['beta']:g}, N={cfg['N']:.0e}, "
        f"{cfg['seeds']} seeds. With pi > 0 the error leaves the plateau near "
        "T ~ zeta(beta) k^beta / pi and then follows E_clean(pi T) (grokking). Lines: Thm 3.2, "
        "exact sum."))
    return fig


def draw_fig6(frame: pd.DataFrame, cfg: dict, run: str):
    fig, axes = plotting.new_figure(ncols=1, panel_height=2.8)
    ax = axes[0, 0]
    _curve(ax, frame[frame["curve"] == "clean"], "0.15", label="clean", value="test_tv")
    for k, color in zip(cfg["topk_values"], ("C0", "C9")):
        _curve(ax, frame[(frame["curve"] == "topk") & (frame["k"] == k)], color,
               label=f"top-k, k = {k}", value="test_tv", linestyle=":", marker="s")
    gens = range(1, cfg["n_trunc_gen"] + 1)
    for g, color in zip(gens, plotting.sequential_colors(len(gens), "flare")):
        _curve(ax, frame[(frame["curve"] == "topp") & (frame["gen"] == g)], color,
               label=f"top-p {cfg['top_p']:g}, {g}x", value="test_tv", linestyle=":",
               marker="^")
    plotting.log_axis(ax)
    ax.set_xlabel("training pairs $T$")
    ax.set_ylabel("test TV")
    ax.set_title("Tailed bigram (Hutter++) model")
    _style_legend(ax, loc="lower left", ncol=2)
    plotting.add_caption(fig, (
        f"{scale_note(run, 'small vocabulary')}: beta={cfg['beta']:g}, "
        f"N=V={cfg['vocab']}, {cfg['seeds']} seeds. Clean line: exact expected TV; dotted: floors "
        "1 - P_k at the removed mass."), width=70)
    return fig


def draw_fig7(frame: pd.DataFrame, cfg: dict, run: str):
    fig, axes = plotting.new_figure(ncols=1, panel_height=2.8)
    ax = axes[0, 0]
    d_values = sorted(frame["d"].unique())
    colors = plotting.sequential_colors(len(d_values), "mako")
    for d, color in zip(d_values, colors):
        for k, style, marker in ((0, "-", "o"), (cfg["k_cut"], "--", "s")):
            _curve(ax, frame[(frame["d"] == d) & (frame["k"] == k)], color, linestyle=style,
                   marker=marker)
    plotting.log_axis(ax)
    ax.set_xlabel("training samples $T$")
    ax.set_ylabel(ERROR_LABEL)
    ax.set_title("Capacity-limited memory: triplet scaling")
    handles = [Line2D([], [], color=c, label=f"d = {d}") for d, c in zip(d_values, colors)]
    handles += [Line2D([], [], color="0.3", marker="o", label="clean data"),
                Line2D([], [], color="0.3", marker="s", linestyle="--",
                       label=f"cut at k = {cfg['k_cut']}")]
    ax.legend(handles=handles, loc="lower left", ncol=2)
    plotting.add_caption(fig, (
        f"{scale_note(run, 'capped Hutter memory for the associative memory')}: the memory "
        f"keeps its d most frequent items; beta={cfg['beta']:g}, N={cfg['N']:.0e}, "
        f"{cfg['seeds']} seeds. Lines: triplet law, E ~ T^-c + d^-(beta-1) + k^-(beta-1)."),
        width=70)
    return fig


def draw_fig8(frame: pd.DataFrame, cfg: dict, run: str):
    fig, axes = plotting.new_figure(ncols=3, panel_height=2.6)
    p = theory.zipf(cfg["n_items"], cfg["beta"])
    mix, skills = frame[frame["panel"] == "mix"], frame[frame["panel"] == "skills"]
    ax = axes[0, 0]
    pis = sorted(mix["pi"].unique())
    T_line = np.logspace(np.log10(mix["T"].min()), np.log10(mix["T"].max()), 60)
    memoriser = cfg.get("model", "memoriser") == "memoriser"
    for pi, color in zip(pis, plotting.sequential_colors(len(pis), "crest")):
        sim = mix[mix["pi"] == pi].groupby("T")["test_error"].agg(mean="mean", sem="sem")
        plotting.plot_simulation(ax, sim.index, sim["mean"], sim["sem"], color=color,
                                 label=rf"$\pi$ = {pi:g}")
        if memoriser:
            plotting.plot_theory(ax, T_line, theory.memoriser_mixing_error(
                T_line, p, cfg["T0"], pi, cfg["n_classes"]), color=color, linestyle="-")
    plotting.log_axis(ax)
    ax.set_xlabel("training samples $T$")
    ax.set_ylabel(ERROR_LABEL)
    ax.set_title(r"(a) gen-1 AI data + a fraction $\pi$ real")
    _style_legend(ax, loc="lower left")

    ax = axes[0, 1]
    grid = skills.groupby(["skill", "gen"])["correct"].mean().unstack("gen")
    image = ax.imshow(grid.to_numpy(), aspect="auto", cmap="Greens", vmin=0, vmax=1,
                      interpolation="nearest", origin="lower",
                      extent=(grid.columns.min() - 0.5, grid.columns.max() + 0.5, 0.5,
                              grid.index.max() + 0.5))
    ax.set_xticks(grid.columns)
    ax.grid(False)
    ax.set_xlabel("generation $g$")
    ax.set_ylabel("skill (item rank)")
    ax.set_title("(b) skills answered correctly")
    fig.colorbar(image, ax=ax, label="share of seeds correct")

    ax = axes[0, 2]
    learned = skills.groupby(["gen", "seed"])["correct"].sum().groupby("gen")
    summary = learned.agg(mean="mean", sem="sem")
    S = int(skills["skill"].max())
    plotting.plot_simulation(ax, summary.index, summary["mean"], summary["sem"], color="C2",
                             label="simulation")
    expected = [np.sum(1 - (1 - 1 / cfg["n_classes"])
                       * (1 - theory.known_probability(p[:S], cfg["T0"], int(g))))
                for g in summary.index]
    if memoriser:
        plotting.plot_theory(ax, summary.index, expected, color="C2", linestyle="-",
                             label="branching theory")
    ax.set_xticks(summary.index)
    ax.set_xlabel("generation $g$")
    ax.set_ylabel(f"skills learned (of the first {S})")
    ax.set_title("(c) un-learning of skills")
    ax.legend()
    if not memoriser:
        plotting.add_caption(fig, (
            f"{scale_note(run, 'GCD transformer')}: GCD transformer (base {cfg['base']}, "
            f"operands <= {cfg['max_int']}), T0={cfg['T0']}, {cfg['seeds']} seeds; AI data are "
            "the model's GCDs on fresh pairs; (b, c): GCD values 1..n_skills predicted correctly "
            "on most test pairs."))
        return fig
    plotting.add_caption(fig, (
        f"{scale_note(run, 'miniature: neural memoriser')} in place of the GCD transformer: "
        f"N={cfg['n_items']} Zipf(beta={cfg['beta']:g}) items, C={cfg['n_classes']} labels, "
        f"T0={cfg['T0']}, {cfg['seeds']} seeds; model g is trained on T0 samples of gen-g data "
        "(g = 0: real). Lines: memoriser theory (Thm 3.2 with the branching chain)."))
    return fig
