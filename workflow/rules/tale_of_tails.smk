# A Tale of Tails: model collapse as a change of scaling laws (arXiv 2402.07043).
# Reads like the paper: Hutter LLM (Secs. 2, 3, 5) -> tailed bigram (Sec. 4) ->
# experiments (Sec. 6: LM and GCD miniatures, trained per seed) -> figures -> claims.
TT = config["tale_of_tails"]
TT_LIB = "paperfigs.tale_of_tails"
TT_GPU = TT["common"]["device"] != "cpu"


register_paper(
    "tale_of_tails", ["fig1", "fig2", "fig3", "fig4", "fig5", "fig6", "fig7", "fig8"]
)


rule tale_of_tails_fig1_decoding:
    input:
        script=script_path("common/tabulate.py"),
        library=library_files("tale_of_tails"),
    output:
        csv=work("tale_of_tails", "fig1_decoding.csv"),
        meta=work("tale_of_tails", "fig1_decoding.json"),
    log:
        log_file("tale_of_tails", "fig1_decoding"),
    benchmark:
        benchmark_file("tale_of_tails", "fig1_decoding")
    conda:
        "../../envs/cpu.yaml"
    params:
        function=f"{TT_LIB}.simulate:simulate_fig1",
        kwargs=TT["fig1"],
    script:
        "../scripts/common/tabulate.py"


use rule tale_of_tails_fig1_decoding as tale_of_tails_fig2_hutter with:
    output:
        csv=work("tale_of_tails", "fig2_hutter.csv"),
        meta=work("tale_of_tails", "fig2_hutter.json"),
    log:
        log_file("tale_of_tails", "fig2_hutter"),
    benchmark:
        benchmark_file("tale_of_tails", "fig2_hutter")
    params:
        function=f"{TT_LIB}.simulate:simulate_fig2",
        kwargs={k: v for k, v in TT["fig2"].items() if k != "fit_range"},


use rule tale_of_tails_fig1_decoding as tale_of_tails_fig3_generations with:
    output:
        csv=work("tale_of_tails", "fig3_generations.csv"),
        meta=work("tale_of_tails", "fig3_generations.json"),
    log:
        log_file("tale_of_tails", "fig3_generations"),
    benchmark:
        benchmark_file("tale_of_tails", "fig3_generations")
    params:
        function=f"{TT_LIB}.simulate:simulate_fig3",
        kwargs=TT["fig3"],


use rule tale_of_tails_fig1_decoding as tale_of_tails_fig4_lm with:
    output:
        csv=work("tale_of_tails", "fig4_lm.csv"),
        meta=work("tale_of_tails", "fig4_lm.json"),
    log:
        log_file("tale_of_tails", "fig4_lm"),
    benchmark:
        benchmark_file("tale_of_tails", "fig4_lm")
    params:
        function=f"{TT_LIB}.simulate:simulate_fig4_lm",
        kwargs=TT["fig4"]["lm"],


# The GCD miniature trains neural memorisers: one job per seed, so a cluster spreads them.
use rule tale_of_tails_fig1_decoding as tale_of_tails_fig4_gcd with:
    output:
        csv=work("tale_of_tails", "fig4_gcd_seed{seed}.csv"),
        meta=work("tale_of_tails", "fig4_gcd_seed{seed}.json"),
    log:
        log_file("tale_of_tails", "fig4_gcd_seed{seed}"),
    benchmark:
        benchmark_file("tale_of_tails", "fig4_gcd_seed{seed}")
    wildcard_constraints:
        seed=r"\d+",
    conda:
        "../../envs/gpu.yaml" if TT_GPU else "../../envs/cpu.yaml"
    resources:
        gpu=1 if TT_GPU else 0,
    params:
        function=f"{TT_LIB}.train:train_fig4_gcd",
        kwargs=lambda wc: {
            **{k: v for k, v in TT["fig4"]["gcd"].items() if k != "seeds"},
            "seed": int(wc.seed),
            "device": TT["common"]["device"],
            "checkpoint_dir": work(
                "tale_of_tails", f"fig4_gcd_seed{wc.seed}_checkpoints"
            ),
        },


use rule tale_of_tails_fig1_decoding as tale_of_tails_fig5_mixing with:
    output:
        csv=work("tale_of_tails", "fig5_mixing.csv"),
        meta=work("tale_of_tails", "fig5_mixing.json"),
    log:
        log_file("tale_of_tails", "fig5_mixing"),
    benchmark:
        benchmark_file("tale_of_tails", "fig5_mixing")
    params:
        function=f"{TT_LIB}.simulate:simulate_fig5",
        kwargs=TT["fig5"],


use rule tale_of_tails_fig1_decoding as tale_of_tails_fig6_bigram with:
    output:
        csv=work("tale_of_tails", "fig6_bigram.csv"),
        meta=work("tale_of_tails", "fig6_bigram.json"),
    log:
        log_file("tale_of_tails", "fig6_bigram"),
    benchmark:
        benchmark_file("tale_of_tails", "fig6_bigram")
    params:
        function=f"{TT_LIB}.simulate:simulate_fig6",
        kwargs=TT["fig6"],


use rule tale_of_tails_fig1_decoding as tale_of_tails_fig7_triplet with:
    output:
        csv=work("tale_of_tails", "fig7_triplet.csv"),
        meta=work("tale_of_tails", "fig7_triplet.json"),
    log:
        log_file("tale_of_tails", "fig7_triplet"),
    benchmark:
        benchmark_file("tale_of_tails", "fig7_triplet")
    params:
        function=f"{TT_LIB}.simulate:simulate_fig7",
        kwargs=TT["fig7"],


use rule tale_of_tails_fig4_gcd as tale_of_tails_fig8_memoriser with:
    output:
        csv=work("tale_of_tails", "fig8_memoriser_seed{seed}.csv"),
        meta=work("tale_of_tails", "fig8_memoriser_seed{seed}.json"),
    log:
        log_file("tale_of_tails", "fig8_memoriser_seed{seed}"),
    benchmark:
        benchmark_file("tale_of_tails", "fig8_memoriser_seed{seed}")
    params:
        function=f"{TT_LIB}.train:train_fig8",
        kwargs=lambda wc: {
            **{k: v for k, v in TT["fig8"].items() if k != "seeds"},
            "seed": int(wc.seed),
            "device": TT["common"]["device"],
            "checkpoint_dir": work(
                "tale_of_tails", f"fig8_memoriser_seed{wc.seed}_checkpoints"
            ),
        },


TT_PARTS = {
    "fig1": ["fig1_decoding"],
    "fig2": ["fig2_hutter"],
    "fig3": ["fig3_generations"],
    "fig4": ["fig4_lm"]
    + [f"fig4_gcd_seed{s}" for s in range(TT["fig4"]["gcd"]["seeds"])],
    "fig5": ["fig5_mixing"],
    "fig6": ["fig6_bigram"],
    "fig7": ["fig7_triplet"],
    "fig8": [f"fig8_memoriser_seed{s}" for s in range(TT["fig8"]["seeds"])],
}


# One plotting job per figure: figN.{pdf,png,csv,json} from the tables above.
rule tale_of_tails_figure:
    input:
        script=script_path("common/figure.py"),
        library=library_files("tale_of_tails"),
        tables=lambda wc: [
            work("tale_of_tails", f"{part}.csv") for part in TT_PARTS[wc.figure]
        ],
        metas=lambda wc: [
            work("tale_of_tails", f"{part}.json") for part in TT_PARTS[wc.figure]
        ],
    output:
        **figure_outputs("tale_of_tails", "{figure}"),
    log:
        log_file("tale_of_tails", "{figure}"),
    benchmark:
        benchmark_file("tale_of_tails", "{figure}")
    wildcard_constraints:
        figure="fig[1-8]",
    conda:
        "../../envs/cpu.yaml"
    params:
        draw=lambda wc: f"{TT_LIB}.plots:draw_{wc.figure}",
        cfg=lambda wc: TT[wc.figure],
        paper="tale_of_tails",
        figure="{figure}",
        run=RUN,
    script:
        "../scripts/common/figure.py"


rule tale_of_tails_fig1:
    input:
        figure_files("tale_of_tails", "fig1"),


rule tale_of_tails_fig2:
    input:
        figure_files("tale_of_tails", "fig2"),


rule tale_of_tails_fig3:
    input:
        figure_files("tale_of_tails", "fig3"),


rule tale_of_tails_fig4:
    input:
        figure_files("tale_of_tails", "fig4"),


rule tale_of_tails_fig5:
    input:
        figure_files("tale_of_tails", "fig5"),


rule tale_of_tails_fig6:
    input:
        figure_files("tale_of_tails", "fig6"),


rule tale_of_tails_fig7:
    input:
        figure_files("tale_of_tails", "fig7"),


rule tale_of_tails_fig8:
    input:
        figure_files("tale_of_tails", "fig8"),


rule tale_of_tails:
    input:
        [figure_files("tale_of_tails", fig) for fig in PAPERS["tale_of_tails"]],
        f"{RESULTS}/tale_of_tails/claims.json",
