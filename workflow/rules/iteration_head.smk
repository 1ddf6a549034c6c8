# Iteration heads: a mechanistic study of chain-of-thought (arXiv 2406.02128).
# Reads like the paper: training runs (one job per run and seed) -> per-figure tables ->
# figures -> claims. Runs with identical settings are shared between figures.
from paperfigs.iteration_head.runs import RUN_ID_PATTERN, all_runs, figure_runs, run_id

IH = config["iteration_head"]
IH_LIB = "paperfigs.iteration_head"
IH_RUNS = all_runs(IH)
IH_FIGURE_RUNS = {
    fig: sorted({run_id(s) for s in runs}) for fig, runs in figure_runs(IH).items()
}
IH_GPU = IH["common"]["gpu"]


register_paper(
    "iteration_head",
    ["tab1", "fig1", "fig2", "fig3", "fig4", "fig5", "fig6", "fig7", "fig8", "fig9"],
)


def ih_run_file(run, name):
    return work("iteration_head", f"runs/{run}/{name}")


def ih_init(wildcards):
    """A fine-tune starts from the weights its pretraining run saved."""
    source = IH_RUNS[wildcards.run]["init"]
    return ih_run_file(source, "model.pt") if source else []


# The code a training run depends on: editing plots or claims must not retrain.
IH_TRAINING_CODE = [
    "workflow/paperfigs/iteration_head/data.py",
    "workflow/paperfigs/iteration_head/metrics.py",
    "workflow/paperfigs/iteration_head/train.py",
    "workflow/paperfigs/common/transformer.py",
    "workflow/paperfigs/common/training.py",
]


# One job per run: checkpoints to runs/<run>/train.ckpt and resumes from it when rerun.
rule iteration_head_train:
    input:
        script=script_path("iteration_head/train_run.py"),
        library=IH_TRAINING_CODE,
        init=ih_init,
    output:
        eval=ih_run_file("{run}", "eval.csv"),
        attn=ih_run_file("{run}", "attn.npz"),
        model=ih_run_file("{run}", "model.pt"),
        meta=ih_run_file("{run}", "meta.json"),
    log:
        log_file("iteration_head", "runs/{run}"),
    benchmark:
        benchmark_file("iteration_head", "runs/{run}")
    wildcard_constraints:
        run=RUN_ID_PATTERN,
    threads: 1
    resources:
        gpu=IH_GPU,
    conda:
        "../../envs/gpu.yaml" if IH_GPU else "../../envs/cpu.yaml"
    params:
        settings=lambda wc: IH_RUNS[wc.run],
        device=IH["common"]["device"],
        checkpoint_every=IH["common"]["checkpoint_every"],
    script:
        "../scripts/iteration_head/train_run.py"


def ih_run_outputs(figure, names):
    return [
        ih_run_file(run, name)
        for run in IH_FIGURE_RUNS.get(figure, [])
        for name in names
    ]


# One table job per figure: gathers its runs (or theory) into the figure's tidy CSV.
rule iteration_head_table:
    input:
        script=script_path("common/tabulate.py"),
        library=library_files("iteration_head"),
        runs=lambda wc: ih_run_outputs(wc.figure, ["eval.csv", "attn.npz", "model.pt"]),
    output:
        csv=work("iteration_head", "{figure}.csv"),
        meta=work("iteration_head", "{figure}.json"),
    log:
        log_file("iteration_head", "table_{figure}"),
    benchmark:
        benchmark_file("iteration_head", "table_{figure}")
    wildcard_constraints:
        figure="tab1|fig[1-9]",
    conda:
        "../../envs/cpu.yaml"
    params:
        function=lambda wc: f"{IH_LIB}.tables:{wc.figure}_table",
        kwargs=lambda wc: (
            {}
            if wc.figure == "tab1"
            else {"cfg": IH}
            if wc.figure in ("fig1", "fig5")
            else {"cfg": IH, "runs_dir": work("iteration_head", "runs")}
        ),
    script:
        "../scripts/common/tabulate.py"


# One plotting job per figure: figN.{pdf,png,csv,json}; tab1.{csv,md,json} below.
rule iteration_head_figure:
    input:
        script=script_path("common/figure.py"),
        library=library_files("iteration_head"),
        tables=[work("iteration_head", "{figure}.csv")],
        metas=lambda wc: [work("iteration_head", f"{wc.figure}.json")]
        + ih_run_outputs(wc.figure, ["meta.json"]),
    output:
        **figure_outputs("iteration_head", "{figure}"),
    log:
        log_file("iteration_head", "{figure}"),
    benchmark:
        benchmark_file("iteration_head", "{figure}")
    wildcard_constraints:
        figure="fig[1-9]",
    conda:
        "../../envs/cpu.yaml"
    params:
        draw=lambda wc: f"{IH_LIB}.plots:draw_{wc.figure}",
        cfg=IH,
        paper="iteration_head",
        figure="{figure}",
        run=RUN,
    script:
        "../scripts/common/figure.py"


use rule iteration_head_figure as iteration_head_tab1_table with:
    input:
        script=script_path("common/figure.py"),
        library=library_files("iteration_head"),
        tables=[work("iteration_head", "tab1.csv")],
        metas=[work("iteration_head", "tab1.json")],
    output:
        **figure_outputs("iteration_head", "tab1"),
    log:
        log_file("iteration_head", "tab1"),
    benchmark:
        benchmark_file("iteration_head", "tab1")
    params:
        draw=f"{IH_LIB}.plots:draw_tab1",
        cfg=IH,
        paper="iteration_head",
        figure="tab1",
        run=RUN,


rule iteration_head_tab1:
    input:
        figure_files("iteration_head", "tab1"),


rule iteration_head_fig1:
    input:
        figure_files("iteration_head", "fig1"),


rule iteration_head_fig2:
    input:
        figure_files("iteration_head", "fig2"),


rule iteration_head_fig3:
    input:
        figure_files("iteration_head", "fig3"),


rule iteration_head_fig4:
    input:
        figure_files("iteration_head", "fig4"),


rule iteration_head_fig5:
    input:
        figure_files("iteration_head", "fig5"),


rule iteration_head_fig6:
    input:
        figure_files("iteration_head", "fig6"),


rule iteration_head_fig7:
    input:
        figure_files("iteration_head", "fig7"),


rule iteration_head_fig8:
    input:
        figure_files("iteration_head", "fig8"),


rule iteration_head_fig9:
    input:
        figure_files("iteration_head", "fig9"),


rule iteration_head:
    input:
        [figure_files("iteration_head", fig) for fig in PAPERS["iteration_head"]],
        f"{RESULTS}/iteration_head/claims.json",
