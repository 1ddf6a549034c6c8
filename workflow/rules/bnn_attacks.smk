# Bayesian neural networks are not inherently robust (arXiv 2404.19640).
# Reads like the paper: train each inference method -> attack its predictive mean and its
# uncertainty -> figures -> claims. One training and one attack job per (task, method, seed).
from paperfigs.bnn_attacks.settings import (
    attack_settings,
    dataset_input,
    datasets,
    figure_inputs,
    method_settings,
    shift_block,
    shift_pairs,
)

BA = config["bnn_attacks"]
BA_COMMON = BA["common"]
BA_LIB = "paperfigs.bnn_attacks"
BA_DATASETS = datasets(BA_COMMON)
BA_SHIFT = shift_pairs(BA["fig4"])  # ID -> OOD; the ood task's files carry the ID name
BA_GPU = any(d != "digits" for d in [*BA_DATASETS, *BA_SHIFT])
BA_ENV = "../../envs/gpu.yaml" if BA_GPU else "../../envs/cpu.yaml"


register_paper("bnn_attacks", ["fig1", "tab1", "fig2", "fig3", "fig4", "fig5", "tab2"])

BA_WILDCARDS = {
    "task": "label|ood",
    "dataset": "[a-z0-9]+",
    "method": "|".join(BA_COMMON["methods"]),
    "seed": r"\d+",
}


rule bnn_attacks_train:
    input:
        script=script_path("bnn_attacks/train.py"),
        library=library_files("bnn_attacks"),
        data=lambda wc: required_dataset(*dataset_input(BA_COMMON, wc.dataset))(wc),
    output:
        posterior=work("bnn_attacks", "train/{task}_{dataset}_{method}_{seed}.pt"),
        metrics=work("bnn_attacks", "train/{task}_{dataset}_{method}_{seed}.csv"),
        meta=work("bnn_attacks", "train/{task}_{dataset}_{method}_{seed}.json"),
    log:
        log_file("bnn_attacks", "train_{task}_{dataset}_{method}_{seed}"),
    benchmark:
        benchmark_file("bnn_attacks", "train_{task}_{dataset}_{method}_{seed}")
    wildcard_constraints:
        **BA_WILDCARDS,
    conda:
        BA_ENV
    resources:
        gpu=lambda wc: int(wc.dataset != "digits"),
    params:
        task="{task}",
        dataset="{dataset}",
        method="{method}",
        seed=lambda wc: int(wc.seed),
        settings=lambda wc: method_settings(BA_COMMON, wc.method, wc.dataset),
        shift=lambda wc: (
            {
                k: shift_block(BA["fig4"], wc.dataset)[k]
                for k in ("ood_dataset", "id_classes")
            }
            if wc.task == "ood"
            else {}
        ),
        ece_bins=BA["tab2"]["ece_bins"],
    script:
        "../scripts/bnn_attacks/train.py"


rule bnn_attacks_attack_label:
    input:
        script=script_path("bnn_attacks/attack_label.py"),
        library=library_files("bnn_attacks"),
        posterior=work("bnn_attacks", "train/label_{dataset}_{method}_{seed}.pt"),
        data=lambda wc: required_dataset(*dataset_input(BA_COMMON, wc.dataset))(wc),
    output:
        adv=work("bnn_attacks", "adv/label_{dataset}_{method}_{seed}.npz"),
        fig1=work("bnn_attacks", "eval/fig1_{dataset}_{method}_{seed}.csv"),
        fig2=work("bnn_attacks", "eval/fig2_{dataset}_{method}_{seed}.csv"),
        fig3=work("bnn_attacks", "eval/fig3_{dataset}_{method}_{seed}.csv"),
        meta=work("bnn_attacks", "eval/label_{dataset}_{method}_{seed}.json"),
    log:
        log_file("bnn_attacks", "attack_label_{dataset}_{method}_{seed}"),
    benchmark:
        benchmark_file("bnn_attacks", "attack_label_{dataset}_{method}_{seed}")
    wildcard_constraints:
        **BA_WILDCARDS,
    conda:
        BA_ENV
    resources:
        gpu=lambda wc: int(wc.dataset != "digits"),
    params:
        dataset="{dataset}",
        method="{method}",
        seed=lambda wc: int(wc.seed),
        settings=lambda wc: attack_settings(BA_COMMON, wc.method, wc.dataset),
        fig1=BA["fig1"],
        fig2=BA["fig2"],
        fig3=BA["fig3"],
    script:
        "../scripts/bnn_attacks/attack_label.py"


rule bnn_attacks_attack_shift:
    input:
        script=script_path("bnn_attacks/attack_shift.py"),
        library=library_files("bnn_attacks"),
        posterior=work("bnn_attacks", "train/ood_{dataset}_{method}_{seed}.pt"),
        data=lambda wc: required_dataset(*dataset_input(BA_COMMON, wc.dataset))(wc),
        ood_data=lambda wc: required_dataset(
            *dataset_input(BA_COMMON, BA_SHIFT[wc.dataset])
        )(wc),
    output:
        adv=work("bnn_attacks", "adv/ood_{dataset}_{method}_{seed}.npz"),
        fig4=work("bnn_attacks", "eval/fig4_{dataset}_{method}_{seed}.csv"),
        meta=work("bnn_attacks", "eval/ood_{dataset}_{method}_{seed}.json"),
    log:
        log_file("bnn_attacks", "attack_shift_{dataset}_{method}_{seed}"),
    benchmark:
        benchmark_file("bnn_attacks", "attack_shift_{dataset}_{method}_{seed}")
    wildcard_constraints:
        **BA_WILDCARDS,
    conda:
        BA_ENV
    resources:
        gpu=lambda wc: int(wc.dataset != "digits"),
    params:
        dataset="{dataset}",
        method="{method}",
        seed=lambda wc: int(wc.seed),
        settings=lambda wc: attack_settings(BA_COMMON, wc.method, wc.dataset),
        fig4=lambda wc: shift_block(BA["fig4"], wc.dataset),
    script:
        "../scripts/bnn_attacks/attack_shift.py"


rule bnn_attacks_fig5_measure:
    input:
        script=script_path("bnn_attacks/fig5.py"),
        library=library_files("bnn_attacks"),
        posterior=work("bnn_attacks", "train/label_{dataset}_{method}_{seed}.pt"),
    output:
        csv=work("bnn_attacks", "eval/fig5_{dataset}_{method}_{seed}.csv"),
        meta=work("bnn_attacks", "eval/fig5_{dataset}_{method}_{seed}.json"),
    log:
        log_file("bnn_attacks", "fig5_{dataset}_{method}_{seed}"),
    benchmark:
        benchmark_file("bnn_attacks", "fig5_{dataset}_{method}_{seed}")
    wildcard_constraints:
        **BA_WILDCARDS,
    conda:
        BA_ENV
    resources:
        gpu=lambda wc: int(wc.dataset != "digits"),
    params:
        dataset="{dataset}",
        method="{method}",
        seed=lambda wc: int(wc.seed),
        settings=lambda wc: attack_settings(BA_COMMON, wc.method, wc.dataset),
        fig5=BA["fig5"],
    script:
        "../scripts/bnn_attacks/fig5.py"


rule bnn_attacks_tab1_table:
    input:
        script=script_path("common/tabulate.py"),
        library=library_files("bnn_attacks"),
        fig1=f"{RESULTS}/bnn_attacks/fig1.csv",
    output:
        csv=work("bnn_attacks", "tab1.csv"),
        meta=work("bnn_attacks", "tab1.json"),
    log:
        log_file("bnn_attacks", "tab1_table"),
    benchmark:
        benchmark_file("bnn_attacks", "tab1_table")
    conda:
        "../../envs/cpu.yaml"
    params:
        function=f"{BA_LIB}.evaluate:tab1_table",
        kwargs={"fig1_csv": f"{RESULTS}/bnn_attacks/fig1.csv"},
    script:
        "../scripts/common/tabulate.py"


# One drawing job per figure (figN.{pdf,png,csv,json}) and per table (tabN.{csv,md,json}).
rule bnn_attacks_figure:
    input:
        script=script_path("common/figure.py"),
        library=library_files("bnn_attacks"),
        tables=lambda wc: [
            work("bnn_attacks", name)
            for name in figure_inputs(BA, f"fig{wc.n}")["tables"]
        ],
        metas=lambda wc: [
            work("bnn_attacks", name)
            for name in figure_inputs(BA, f"fig{wc.n}")["metas"]
        ],
    output:
        **figure_outputs("bnn_attacks", "fig{n}"),
    log:
        log_file("bnn_attacks", "fig{n}"),
    benchmark:
        benchmark_file("bnn_attacks", "fig{n}")
    wildcard_constraints:
        n="[1-5]",
    conda:
        "../../envs/cpu.yaml"
    params:
        draw=lambda wc: f"{BA_LIB}.plots:draw_fig{wc.n}",
        cfg=lambda wc: {"figure": BA[f"fig{wc.n}"], "common": BA_COMMON},
        paper="bnn_attacks",
        figure="fig{n}",
        run=RUN,
        caption=figure_caption("bnn_attacks"),
    script:
        "../scripts/common/figure.py"


use rule bnn_attacks_figure as bnn_attacks_table with:
    input:
        script=script_path("common/figure.py"),
        library=library_files("bnn_attacks"),
        tables=lambda wc: [
            work("bnn_attacks", name)
            for name in figure_inputs(BA, f"tab{wc.n}")["tables"]
        ],
        metas=lambda wc: [
            work("bnn_attacks", name)
            for name in figure_inputs(BA, f"tab{wc.n}")["metas"]
        ],
    output:
        **figure_outputs("bnn_attacks", "tab{n}"),
    log:
        log_file("bnn_attacks", "tab{n}"),
    benchmark:
        benchmark_file("bnn_attacks", "tab{n}")
    wildcard_constraints:
        n="[12]",
    params:
        draw=lambda wc: f"{BA_LIB}.plots:draw_tab{wc.n}",
        cfg=lambda wc: {"figure": BA[f"tab{wc.n}"], "common": BA_COMMON},
        paper="bnn_attacks",
        figure="tab{n}",
        run=RUN,
        caption=figure_caption("bnn_attacks"),


rule bnn_attacks_fig1:
    input:
        figure_files("bnn_attacks", "fig1"),


rule bnn_attacks_tab1:
    input:
        figure_files("bnn_attacks", "tab1"),


rule bnn_attacks_fig2:
    input:
        figure_files("bnn_attacks", "fig2"),


rule bnn_attacks_fig3:
    input:
        figure_files("bnn_attacks", "fig3"),


rule bnn_attacks_fig4:
    input:
        figure_files("bnn_attacks", "fig4"),


rule bnn_attacks_fig5:
    input:
        figure_files("bnn_attacks", "fig5"),


rule bnn_attacks_tab2:
    input:
        figure_files("bnn_attacks", "tab2"),


rule bnn_attacks:
    input:
        [figure_files("bnn_attacks", fig) for fig in PAPERS["bnn_attacks"]],
        f"{RESULTS}/bnn_attacks/claims.json",
