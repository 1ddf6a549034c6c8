"""Figure layouts (and the Markdown of the tables); numbers come from the figures' CSVs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.lines import Line2D

from paperfigs.bnn_attacks.data import TITLES
from paperfigs.common.plotting import PAGE_WIDTH, add_caption, new_figure

METHODS = {  # name in the CSV -> (legend label, colour, line style, marker)
    "dnn": ("DNN", "black", "--", "s"),
    "mcd": ("MC dropout", sns.color_palette("colorblind")[0], "-", "o"),
    "ensemble": ("Deep ensemble", sns.color_palette("colorblind")[2], "-", "^"),
    "mfvi": ("MFVI (PSVI)", sns.color_palette("colorblind")[4], "-", "D"),
    "fsvi": ("FSVI", sns.color_palette("colorblind")[1], "-", "P"),
    "hmc": ("HMC", sns.color_palette("colorblind")[3], "-", "v"),
}
CURVES = {  # fig2 curve -> (legend label, colour, line style)
    "clean": ("clean", sns.color_palette("colorblind")[0], "-"),
    "noise": ("clean + noise", sns.color_palette("colorblind")[2], "-"),
    "pgd": ("clean + PGD", sns.color_palette("colorblind")[1], "-"),
    "ua": ("clean + uncertainty-aware", sns.color_palette("colorblind")[4], "-"),
    "worst_case": ("worst case", "0.5", ":"),
}
ATTACK_STYLES = {"pgd": ("PGD", "-"), "ua": ("uncertainty-aware", "--"),
                 "noise": ("uniform noise", ":")}
MODE_STYLES = {"ood": ("attack OOD", "-"), "id": ("attack ID", "--"),
               "both": ("attack both", ":")}
SCORES = {"entropy": "predictive entropy", "mi": "mutual information"}


def _methods(frame) -> list[str]:
    return [m for m in METHODS if m in set(frame["method"])]


def _title(dataset: str) -> str:
    return TITLES.get(dataset, dataset)


def _caption(cfg: dict, run: str, what: str) -> str:
    common = cfg["common"]
    seeds = len(common["seeds"])
    if run == "paper":
        return f"Paper scale: {what}; mean ± 1 std over {seeds} seeds."
    return (f"Laptop miniature: sklearn's 8×8 digits instead of MNIST/FMNIST/CIFAR-10, "
            f"MLPs (64-{common['hidden']}-10; HMC 64-{common['hmc_hidden']}-10, "
            f"{common['hmc_iters'] // common['hmc_thin']} samples) instead of CNNs/ResNets, "
            f"{what}; mean ± 1 std over {seeds} seeds.")


def _mean_std(frame, keys, value):
    grouped = frame.groupby(keys)[value]
    return grouped.mean(), grouped.std(ddof=1).fillna(0.0)


def _method_legend(fig, methods, extra=(), styled=False):
    """Colours and markers of the methods (and their line styles when `styled`), on top."""
    handles = [Line2D([], [], color=METHODS[m][1], linestyle=METHODS[m][2] if styled else "-",
                      marker=METHODS[m][3], label=METHODS[m][0]) for m in methods]
    fig.legend(handles=[*handles, *extra], loc="outside upper center",
               ncol=min(len(handles) + len(extra), 6))


def draw_fig1(frame: pd.DataFrame, cfg: dict, run: str):
    """Accuracy of the predictive mean vs eps, one line per method, one panel per dataset."""
    datasets = list(dict.fromkeys(frame["dataset"]))
    fig, axes = new_figure(ncols=len(datasets), width=3.4 * len(datasets) if len(datasets) > 1
                           else 3.6, panel_height=2.6)
    for ax, dataset in zip(axes[0], datasets):
        part = frame[frame["dataset"] == dataset]
        mean, std = _mean_std(part, ["method", "eps"], "accuracy")
        for method in _methods(part):
            label, color, style, marker = METHODS[method]
            ax.errorbar(mean.loc[method].index, mean.loc[method], yerr=std.loc[method],
                        color=color, linestyle=style, marker=marker, label=label,
                        capsize=2, elinewidth=0.8)
        ax.set(xlabel="ε (ℓ∞)", ylabel="accuracy under PGD", ylim=(-0.02, 1.02),
               xlim=(-0.01, None), title=_title(dataset))
    _method_legend(fig, _methods(frame), styled=True)
    add_caption(fig, _caption(cfg, run, f"PGD-{cfg['common']['pgd_steps']} on "
                                        f"{cfg['common']['n_attack']} test points, clean "
                                        "accuracy (ε = 0) on the whole test split"), 80)
    return fig


def draw_tab1(frame: pd.DataFrame, cfg: dict, run: str) -> str:
    """Accuracy (%) under PGD, mean ± std over seeds: rows methods, columns eps."""
    lines = []
    for dataset, part in frame.groupby("dataset", sort=False):
        eps_values = sorted(part["eps"].unique())
        header = ["method", *("clean" if e == 0 else f"ε = {e:g}" for e in eps_values)]
        lines += [f"**{_title(dataset)}** (accuracy %, mean ± std over seeds)", "",
                  "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for method in _methods(part):
            rows = part[part["method"] == method].set_index("eps")
            cells = [f"{100 * rows.loc[e, 'accuracy_mean']:.1f} ± "
                     f"{100 * np.nan_to_num(rows.loc[e, 'accuracy_std']):.1f}"
                     for e in eps_values]
            lines.append("| " + " | ".join([METHODS[method][0], *cells]) + " |")
        lines.append("")
    return "\n".join(lines)


def draw_fig2(frame: pd.DataFrame, cfg: dict, run: str):
    """Selective accuracy vs % rejected by uncertainty on clean/perturbed 50/50 mixes:
    rows (dataset, method), columns eps."""
    rows = list(dict.fromkeys(zip(frame["dataset"], frame["method"])))
    rows.sort(key=lambda r: (r[0], list(METHODS).index(r[1])))
    eps_values = sorted(frame["eps"].unique())
    fig, axes = new_figure(ncols=len(eps_values), nrows=len(rows),
                           width=2.5 * len(eps_values) + 0.6, panel_height=1.75,
                           sharex=True, sharey=True)
    for i, (dataset, method) in enumerate(rows):
        part = frame[(frame["dataset"] == dataset) & (frame["method"] == method)]
        for j, eps in enumerate(eps_values):
            ax = axes[i, j]
            here = part[part["eps"] == eps]
            mean, std = _mean_std(here, ["curve", "reject_frac"], "selective_acc")
            for curve in [c for c in CURVES if c in set(here["curve"])]:
                label, color, style = CURVES[curve]
                x = 100 * mean.loc[curve].index.to_numpy()
                y, s = 100 * mean.loc[curve].to_numpy(), 100 * std.loc[curve].to_numpy()
                ax.plot(x, y, color=color, linestyle=style, label=label)
                ax.fill_between(x, y - s, y + s, color=color, alpha=0.2, linewidth=0)
            ax.set(ylim=(-2, 102), xlim=(0, 95))
            ax.set_title(f"{_title(dataset)}, {METHODS[method][0]}, ε = {eps:g}", fontsize=7.5)
            if i == len(rows) - 1:
                ax.set_xlabel(f"% of data rejected by {SCORES[cfg['figure']['score']]}")
            if j == 0:
                ax.set_ylabel("selective acc. (%)")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside upper center", ncol=3)
    add_caption(fig, _caption(cfg, run, f"{cfg['common']['n_attack']} clean test points + "
                                        "their perturbed copies; band ±1 std"), 75)
    return fig


def _style_legend(styles, used, color="0.3"):
    return [Line2D([], [], color=color, linestyle=styles[k][1], label=styles[k][0])
            for k in styles if k in used]


def draw_fig3(frame: pd.DataFrame, cfg: dict, run: str):
    """Adversarial-example detection AUROC vs eps: panels scores (columns), datasets (rows)."""
    datasets = list(dict.fromkeys(frame["dataset"]))
    scores = [s for s in SCORES if s in set(frame["score"])]
    fig, axes = new_figure(ncols=len(scores), nrows=len(datasets), width=PAGE_WIDTH,
                           panel_height=2.6, sharey=True)
    for i, dataset in enumerate(datasets):
        for j, score in enumerate(scores):
            ax = axes[i, j]
            part = frame[(frame["dataset"] == dataset) & (frame["score"] == score)]
            mean, std = _mean_std(part, ["method", "attack", "eps"], "auroc")
            for method in _methods(part):
                for attack in [a for a in ATTACK_STYLES if a in set(part["attack"])]:
                    m, s = mean.loc[(method, attack)], std.loc[(method, attack)]
                    ax.errorbar(m.index, m, yerr=s, color=METHODS[method][1],
                                linestyle=ATTACK_STYLES[attack][1], marker=METHODS[method][3],
                                markersize=3, capsize=1.5, elinewidth=0.7)
            ax.axhline(0.5, color="0.5", linestyle="-.", linewidth=0.8)
            ax.set(xlabel="ε (ℓ∞)", ylim=(-0.02, 1.02), xticks=sorted(part["eps"].unique()),
                   title=f"{_title(dataset)}: {SCORES[score]}")
            if j == 0:
                ax.set_ylabel("detection AUROC (adv. vs clean)")
    _method_legend(fig, _methods(frame), _style_legend(ATTACK_STYLES, set(frame["attack"])))
    add_caption(fig, _caption(cfg, run, f"{cfg['common']['n_attack']} attacked test points vs "
                                        "the same points clean; grey dash-dot: chance"), 110)
    return fig


def draw_fig4(frame: pd.DataFrame, cfg: dict, run: str):
    """ID-vs-OOD AUROC vs eps per method and attack mode; one row of panels per ID/OOD pair,
    one column per score."""
    scores = [s for s in SCORES if s in set(frame["score"])]
    pairs = list(dict.fromkeys(zip(frame["dataset_id"], frame["dataset_ood"])))
    fig, axes = new_figure(ncols=len(scores), nrows=len(pairs), width=PAGE_WIDTH,
                           panel_height=2.6, sharey=True)
    for row, (id_name, ood_name) in enumerate(pairs):
        pair = frame[(frame["dataset_id"] == id_name) & (frame["dataset_ood"] == ood_name)]
        for ax, score in zip(axes[row], scores):
            part = pair[pair["score"] == score]
            mean, std = _mean_std(part, ["method", "mode", "eps"], "auroc")
            for method in _methods(part):
                clean = (mean.loc[(method, "none")], std.loc[(method, "none")])
                for mode in [m for m in MODE_STYLES if m in set(part["mode"])]:
                    m = pd.concat([clean[0], mean.loc[(method, mode)]])
                    s = pd.concat([clean[1], std.loc[(method, mode)]])
                    ax.errorbar(m.index, m, yerr=s, color=METHODS[method][1],
                                linestyle=MODE_STYLES[mode][1], marker=METHODS[method][3],
                                markersize=3, capsize=1.5, elinewidth=0.7)
            ax.axhline(0.5, color="0.5", linestyle="-.", linewidth=0.8)
            title = f"score: {SCORES[score]}"
            if len(pairs) > 1:
                title = f"{id_name} → {ood_name}, {title}"
            ax.set(xlabel="ε (ℓ∞)", ylim=(-0.02, 1.02), xticks=sorted(part["eps"].unique()),
                   title=title)
        axes[row, 0].set_ylabel("OOD detection AUROC")
    sizes = "; ".join(f"ID = {r['dataset_id']}, OOD = {r['dataset_ood']} ({r['n_id']} / "
                      f"{r['n_ood']} test images)"
                      for _, r in frame.drop_duplicates(["dataset_id", "dataset_ood"]).iterrows())
    _method_legend(fig, _methods(frame), _style_legend(MODE_STYLES, set(frame["mode"])))
    add_caption(fig, _caption(cfg, run, f"{sizes}, PGD-{cfg['figure']['steps']}; grey "
                                        "dash-dot: chance"), 110)
    return fig


def draw_fig5(frame: pd.DataFrame, cfg: dict, run: str):
    """Left: input-gradient l1 norms vs S; right: PGD accuracy vs S (same / independent)."""
    fig, axes = new_figure(ncols=2, width=PAGE_WIDTH, panel_height=2.7)
    grads = frame[(frame["part"] == "grad") & (frame["loss_impl"] == "logsumexp")]
    left, right = axes[0]
    for method in _methods(frame):
        color, marker = METHODS[method][1], METHODS[method][3]
        mean, std = _mean_std(grads[grads["method"] == method], ["n_samples"],
                              "grad_norm_expected_loss")
        left.errorbar(mean.index, mean, yerr=std, color=color, marker=marker, capsize=1.5)
        mean, std = _mean_std(grads[grads["method"] == method], ["n_samples"],
                              "grad_norm_pred_mean")
        left.errorbar(mean.index, mean, yerr=std, color=color, marker=marker, capsize=1.5,
                      linestyle="--", markerfacecolor="white")
        attack = frame[(frame["part"] == "attack") & (frame["method"] == method)]
        for (impl, eval_set), part in attack.groupby(["loss_impl", "eval_set"]):
            mean, std = _mean_std(part, ["n_samples"], "accuracy")
            naive = impl == "naive"
            right.errorbar(mean.index, mean, yerr=std, color=color,
                           marker="x" if naive else marker, capsize=1.5,
                           linestyle=":" if naive else "-" if eval_set == "same" else "--",
                           markerfacecolor=color if eval_set == "same" else "white")
    for ax in axes[0]:
        ax.set_xscale("log")
        ax.set_xlabel("posterior samples S")
    left.set_yscale("log")
    left.set_ylim(grads[["grad_norm_expected_loss", "grad_norm_pred_mean"]].min().min() / 5,
                  None)
    left.set(ylabel="mean ℓ1 norm of input gradient", title="does the expected gradient vanish?")
    right.set(ylabel=f"accuracy under PGD, ε = {cfg['figure']['eps']:g}", ylim=(-0.02, 1.02),
              title="attack built on the first S samples")
    left.legend(handles=[Line2D([], [], color="0.3", label="∇ₓ E_θ[loss] (expected loss)"),
                         Line2D([], [], color="0.3", linestyle="--", marker="o",
                                markerfacecolor="white", label="∇ₓ −log p̄(y|x) (pred. mean)")],
                loc="lower left")
    right.legend(handles=_style_legend({"same": ("evaluated on the same S", "-"),
                                        "independent": ("on independent samples", "--"),
                                        "naive": ("naive float32 log-mean (×)", ":")},
                                       {"same", "independent", "naive"}), loc="upper right")
    _method_legend(fig, _methods(frame))
    add_caption(fig, _caption(cfg, run, f"gradients on {cfg['figure']['n_grad']} test points; "
                                        "independent = the chain's second half (HMC) or the "
                                        "members not attacked (ensemble)"), 110)
    return fig


def draw_tab2(frame: pd.DataFrame, cfg: dict, run: str) -> str:
    """Inference diagnostics, one row per (task, method, seed)."""
    columns = {"task": "task", "dataset": "data", "method": "method", "seed": "seed",
               "clean_acc": "clean acc.", "nll": "NLL", "ece": "ECE", "n_samples": "S",
               "train_seconds": "train s", "hmc_accept": "HMC accept",
               "hmc_step_size": "HMC step", "hmc_disagreement": "HMC disagreement"}
    table = frame[list(columns)].rename(columns=columns)
    table["method"] = [METHODS[m][0] for m in frame["method"]]
    header = "| " + " | ".join(columns.values()) + " |\n|" + "---|" * len(columns) + "\n"
    body = "".join("| " + " | ".join("" if pd.isna(v) else f"{v:.4g}" if isinstance(v, float)
                                     else str(v) for v in row) + " |\n"
                   for row in table.itertuples(index=False))
    note = ("\nTrain seconds were measured on a shared machine; label task = all classes, "
            "ood task = the in-distribution classes only.\n")
    return header + body + note
