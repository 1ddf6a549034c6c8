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


IH_RUN_DIR = work("iteration_head", "runs")
# A fine-tune starts from the weights its pretraining run saved (one file, or none).
IH_INIT = {
    run: f"{IH_RUN_DIR}/{s['init']}/model.pt" if s["init"] else []
    for run, s in IH_RUNS.items()
}
# What each figure's table job reads: its runs' outputs, or only the config.
IH_RUN_FILES = {
    fig: [
        f"{IH_RUN_DIR}/{run}/{name}"
        for run in runs
        for name in ("eval.csv", "attn.npz", "model.pt")
    ]
    for fig, runs in IH_FIGURE_RUNS.items()
}
IH_RUN_METAS = {
    fig: [f"{IH_RUN_DIR}/{run}/meta.json" for run in runs]
    for fig, runs in IH_FIGURE_RUNS.items()
}
IH_TABLE_KWARGS = {
    "tab1": {},
    "fig1": {"cfg": IH},
    "fig5": {"cfg": IH},
    **{fig: {"cfg": IH, "runs_dir": IH_RUN_DIR} for fig in IH_FIGURE_RUNS},
}


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
        init=lambda wc: IH_INIT[wc.run],
    output:
        eval=f"{IH_RUN_DIR}/{{run}}/eval.csv",
        attn=f"{IH_RUN_DIR}/{{run}}/attn.npz",
        model=f"{IH_RUN_DIR}/{{run}}/model.pt",
        meta=f"{IH_RUN_DIR}/{{run}}/meta.json",
    log:
        log_file("iteration_head", "runs/{run}"),
    benchmark:
        benchmark_file("iteration_head", "runs/{run}")
    wildcard_constraints:
        run=RUN_ID_PATTERN,
    conda:
        "../../envs/gpu.yaml" if IH_GPU else "../../envs/cpu.yaml"
    threads: 1
    resources:
        gpu=IH_GPU,
    params:
        settings=lambda wc: IH_RUNS[wc.run],
        device=IH["common"]["device"],
        checkpoint_every=IH["common"]["checkpoint_every"],
    script:
        "../scripts/iteration_head/train_run.py"


# One table job per figure: gathers its runs (or theory) into the figure's tidy CSV.
rule iteration_head_table:
    input:
        script=script_path("common/tabulate.py"),
        library=library_files("iteration_head"),
        runs=lambda wc: IH_RUN_FILES.get(wc.figure, []),
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
        kwargs=lambda wc: IH_TABLE_KWARGS[wc.figure],
    script:
        "../scripts/common/tabulate.py"


# One plotting job per figure: figN.{pdf,png,csv,json}; tab1.{csv,md,json} below.
rule iteration_head_figure:
    input:
        script=script_path("common/figure.py"),
        library=library_files("iteration_head"),
        tables=[work("iteration_head", "{figure}.csv")],
        metas=lambda wc: [work("iteration_head", f"{wc.figure}.json")]
        + IH_RUN_METAS.get(wc.figure, []),
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
