"""The one plotting style of the project: paper-sized figures, readable fonts, proper log axes.

Theory is drawn as lines, simulation as markers with seed error bars, and every laptop-scale
figure carries a caption line saying what the miniature changed.
"""

from __future__ import annotations

import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib import ticker  # noqa: E402

from paperfigs.common.io import atomic_path  # noqa: E402

# Widths of a two-column paper page, in inches.
COLUMN_WIDTH = 3.4
PAGE_WIDTH = 7.0


def use_paper_style() -> None:
    sns.set_theme(context="paper", style="ticks", font_scale=1.0)
    plt.rcParams.update({
        "font.size": 8,
        "axes.titlesize": 9,
        "axes.labelsize": 8,
        "legend.fontsize": 7,
        "legend.title_fontsize": 7,
        "xtick.labelsize": 7,
        "ytick.labelsize": 7,
        "lines.linewidth": 1.3,
        "lines.markersize": 4,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "grid.linewidth": 0.5,
        "legend.frameon": False,
        "savefig.dpi": 200,
        "pdf.fonttype": 42,
        "svg.hashsalt": "paperfigs",
    })


def new_figure(ncols: int = 1, nrows: int = 1, width: float | None = None,
               panel_height: float = 2.4, **kwargs):
    """A figure of `nrows` x `ncols` panels sized like a paper's column or page."""
    use_paper_style()
    if width is None:
        width = COLUMN_WIDTH if ncols == 1 else PAGE_WIDTH
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, panel_height * nrows),
                             squeeze=False, constrained_layout=True, **kwargs)
    return fig, axes


def log_axis(ax, which: str = "both") -> None:
    """Log scale with 10^k labels and minor ticks, on x, y or both."""
    for name in ("x", "y") if which == "both" else (which,):
        axis = getattr(ax, f"{name}axis")
        getattr(ax, f"set_{name}scale")("log")
        axis.set_major_locator(ticker.LogLocator(base=10, numticks=12))
        axis.set_minor_locator(ticker.LogLocator(base=10, subs=np.arange(2, 10) * 0.1,
                                                 numticks=12))
        axis.set_major_formatter(ticker.LogFormatterSciNotation())
        axis.set_minor_formatter(ticker.NullFormatter())


def sequential_colors(count: int, palette: str = "viridis"):
    """`count` colours along one ordered palette (generations, sizes, ...)."""
    return sns.color_palette(palette, n_colors=max(count, 1))


def plot_simulation(ax, x, mean, sem=None, *, color, label=None, marker="o", **kwargs):
    """Simulation: markers with +-1 standard error over seeds."""
    ax.errorbar(x, mean, yerr=sem, fmt=marker, color=color, label=label, markersize=3.5,
                elinewidth=0.8, capsize=1.5, linestyle="none", **kwargs)


def plot_theory(ax, x, y, *, color, label=None, linestyle="--", **kwargs):
    """Theory: a broken line."""
    ax.plot(x, y, linestyle=linestyle, color=color, label=label, linewidth=1.1, **kwargs)


def scale_note(run: str, change: str, paper: str = "Paper profile") -> str:
    """The caption's opening: `paper` for the paper profile, else what the run's scale changed
    (e.g. "laptop scale (smaller N and T)")."""
    return paper if run == "paper" else f"{run} scale ({change})"


def add_caption(fig, text: str, width: int = 110) -> None:
    """A short caption below the panels, e.g. what the laptop scale changed."""
    fig.text(0.5, -0.01, textwrap.fill(text, width), ha="center", va="top", fontsize=6.5,
             style="italic", color="0.25")


def save_figure(fig, pdf_path, png_path) -> None:
    """Save PDF and PNG atomically, without time stamps, and close the figure."""
    with atomic_path(pdf_path) as tmp:
        fig.savefig(tmp, format="pdf", bbox_inches="tight",
                    metadata={"CreationDate": None, "ModDate": None})
    with atomic_path(png_path) as tmp:
        fig.savefig(tmp, format="png", bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
