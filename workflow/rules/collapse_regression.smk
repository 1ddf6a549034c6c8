# Model Collapse Demystified: the case of regression (arXiv 2402.07712).
# Reads like the paper: simulations of generator chains -> figures -> claims.
CR = config["collapse_regression"]
CR_LIB = "paperfigs.collapse_regression"
# fig3 reads MNIST only in the paper profile; a missing folder stops the run in one line.
CR_MNIST = required_dataset(
    CR["fig3"]["dataset"] == "mnist",
    f"{CR['common']['data_dir']}/MNIST",
    'Fetch it on a machine with internet: python -c "import torchvision; '
    f"torchvision.datasets.MNIST('{CR['common']['data_dir']}', download=True)\" and copy "
    "the MNIST folder there, set collapse_regression.common.data_dir, or set "
    "collapse_regression.fig3.dataset: digits to skip it.",
)


register_paper("collapse_regression", ["fig1", "fig2", "fig3", "fig4"])


rule collapse_regression_fig1_iso:
    input:
        script=script_path("common/tabulate.py"),
        library=library_files("collapse_regression", ["theory", "simulate"]),
    output:
        csv=work("collapse_regression", "fig1_iso.csv"),
        meta=work("collapse_regression", "fig1_iso.json"),
    log:
        log_file("collapse_regression", "fig1_iso"),
    benchmark:
        benchmark_file("collapse_regression", "fig1_iso")
    conda:
        "../../envs/cpu.yaml"
    params:
        function=f"{CR_LIB}.simulate:simulate_fig1_iso",
        kwargs=CR["fig1"]["iso"],
    script:
        "../scripts/common/tabulate.py"


use rule collapse_regression_fig1_iso as collapse_regression_fig1_power with:
    output:
        csv=work("collapse_regression", "fig1_power.csv"),
        meta=work("collapse_regression", "fig1_power.json"),
    log:
        log_file("collapse_regression", "fig1_power"),
    benchmark:
        benchmark_file("collapse_regression", "fig1_power")
    params:
        function=f"{CR_LIB}.simulate:simulate_fig1_power",
        kwargs=CR["fig1"]["power"],


use rule collapse_regression_fig1_iso as collapse_regression_fig2_stages with:
    output:
        csv=work("collapse_regression", "fig2_stages.csv"),
        meta=work("collapse_regression", "fig2_stages.json"),
    log:
        log_file("collapse_regression", "fig2_stages"),
    benchmark:
        benchmark_file("collapse_regression", "fig2_stages")
    params:
        function=f"{CR_LIB}.simulate:pipeline_stages",
        kwargs={"n_show": CR["fig2"]["n_show"], "iso": CR["fig1"]["iso"]},


use rule collapse_regression_fig1_iso as collapse_regression_fig3_krr with:
    input:
        script=script_path("common/tabulate.py"),
        library=library_files("collapse_regression", ["kernel"]),
        data=CR_MNIST,
    output:
        csv=work("collapse_regression", "fig3_krr.csv"),
        meta=work("collapse_regression", "fig3_krr.json"),
    log:
        log_file("collapse_regression", "fig3_krr"),
    benchmark:
        benchmark_file("collapse_regression", "fig3_krr")
    conda:
        "../../envs/gpu.yaml"
        if CR["fig3"]["dataset"] == "mnist"
        else "../../envs/cpu.yaml"
    resources:
        gpu=1 if CR["fig3"]["dataset"] == "mnist" else 0,
    params:
        function=f"{CR_LIB}.kernel:fig3_table",
        kwargs={**CR["fig3"], **CR["common"]},


use rule collapse_regression_fig1_iso as collapse_regression_fig4_linear with:
    output:
        csv=work("collapse_regression", "fig4_linear.csv"),
        meta=work("collapse_regression", "fig4_linear.json"),
    log:
        log_file("collapse_regression", "fig4_linear"),
    benchmark:
        benchmark_file("collapse_regression", "fig4_linear")
    params:
        function=f"{CR_LIB}.simulate:simulate_fig4_linear",
        kwargs=CR["fig4"]["linear"],


use rule collapse_regression_fig1_iso as collapse_regression_fig4_overparam with:
    output:
        csv=work("collapse_regression", "fig4_overparam.csv"),
        meta=work("collapse_regression", "fig4_overparam.json"),
    log:
        log_file("collapse_regression", "fig4_overparam"),
    benchmark:
        benchmark_file("collapse_regression", "fig4_overparam")
    params:
        function=f"{CR_LIB}.simulate:simulate_fig4_overparam",
        kwargs=CR["fig4"]["overparam"],


use rule collapse_regression_fig1_iso as collapse_regression_fig4_mitigation with:
    output:
        csv=work("collapse_regression", "fig4_mitigation.csv"),
        meta=work("collapse_regression", "fig4_mitigation.json"),
    log:
        log_file("collapse_regression", "fig4_mitigation"),
    benchmark:
        benchmark_file("collapse_regression", "fig4_mitigation")
    params:
        function=f"{CR_LIB}.simulate:theory_fig4_mitigation",
        kwargs={**CR["fig4"]["mitigation"], "power": CR["fig1"]["power"]},


# One plotting job per figure: figN.{pdf,png,csv,json} from the tables above.
rule collapse_regression_figure:
    input:
        script=script_path("common/figure.py"),
        library=library_files("collapse_regression", ["plots"]),
        style="workflow/paperfigs/common/plotting.py",
        tables=lambda wc: [
            work("collapse_regression", f"{part}.csv") for part in CR_PARTS[wc.figure]
        ],
        metas=lambda wc: [
            work("collapse_regression", f"{part}.json") for part in CR_PARTS[wc.figure]
        ],
    output:
        **figure_outputs("collapse_regression", "{figure}"),
    log:
        log_file("collapse_regression", "{figure}"),
    benchmark:
        benchmark_file("collapse_regression", "{figure}")
    wildcard_constraints:
        figure="fig[1-4]",
    conda:
        "../../envs/cpu.yaml"
    params:
        draw=lambda wc: f"{CR_LIB}.plots:draw_{wc.figure}",
        cfg=lambda wc: CR[wc.figure],
        paper="collapse_regression",
        figure="{figure}",
        run=RUN,
        caption=figure_caption("collapse_regression"),
    script:
        "../scripts/common/figure.py"


CR_PARTS = {
    "fig1": ["fig1_iso", "fig1_power"],
    "fig2": ["fig2_stages"],
    "fig3": ["fig3_krr"],
    "fig4": ["fig4_linear", "fig4_overparam", "fig4_mitigation"],
}


rule collapse_regression_fig1:
    input:
        figure_files("collapse_regression", "fig1"),


rule collapse_regression_fig2:
    input:
        figure_files("collapse_regression", "fig2"),


rule collapse_regression_fig3:
    input:
        figure_files("collapse_regression", "fig3"),


rule collapse_regression_fig4:
    input:
        figure_files("collapse_regression", "fig4"),


rule collapse_regression:
    input:
        [
            figure_files("collapse_regression", fig)
            for fig in PAPERS["collapse_regression"]
        ],
        f"{RESULTS}/collapse_regression/claims.json",
