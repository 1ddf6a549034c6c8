# A Tale of Tails: model collapse as a change of scaling laws (arXiv 2402.07043).
# Reads like the paper: Hutter LLM (Secs. 2, 3, 5) -> tailed bigram (Sec. 4) ->
# experiments (Sec. 6: LM and GCD miniatures, trained per seed) -> figures -> claims.
TT = config["tale_of_tails"]
TT_LIB = "paperfigs.tale_of_tails"
TT_GPU = TT["common"]["device"] != "cpu"
# Paper profile: Llama-2 + LoRA (fig1, fig4 a) and the GCD transformer (fig4 b, fig8).
TT_LLM = TT["fig4"]["lm"]["model"] == "llama"
TT_LLM_CFG = TT["fig4"].get("llm", {})
TT_GCD = {"fig4": TT["fig4"]["gcd"], "fig8": TT["fig8"]}
TT_GCD_NET = {
    fig: block.get("model", "memoriser") != "memoriser" for fig, block in TT_GCD.items()
}
TT_DATA_DIR = TT["common"].get("data_dir", "data")
TT_MODEL_DIR = TT["common"].get("model_dir", "models/Llama-2-7b-hf")
TT_GCD_KEYS = [
    "n_layers",
    "dim",
    "heads",
    "lr",
    "batch_size",
    "epoch_size",
    "epochs",
    "max_int",
    "base",
    "n_test",
    "n_skill_test",
    "checkpoint_every",
]
if TT_LLM and not TT_LLM_CFG:
    raise WorkflowError(
        "Config error at 'tale_of_tails.fig4.lm.model': llama needs a "
        "tale_of_tails.fig4.llm block (see config/paper.yaml)."
    )
for _fig, _block in TT_GCD.items():
    _missing = [k for k in TT_GCD_KEYS if k not in _block] if TT_GCD_NET[_fig] else []
    if _missing:
        raise WorkflowError(
            f"Config error at 'tale_of_tails.{_fig}': model {_block['model']} needs the "
            f"keys {', '.join(_missing)} (see config/paper.yaml)."
        )


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


# --- Paper profile: Llama-2 + LoRA on Wikitext-103 (fig1, fig4 a) --------------------------
# data_real -> adapter_real (generator of gen 1) -> data_{decoding}_gen1 -> adapter_... -> ...
# Students: a fresh LoRA on T chunks of one generation's data, one job per (source, T, seed).
TT_LLM_SOURCE = r"real|(top_p|temperature|none)_gen\d+"


# Data source names: real (gen 0) or {decoding}_gen{g}, and back to (decoding, gen).
tt_llm_source = lambda decoding, gen: "real" if gen == 0 else f"{decoding}_gen{gen}"
tt_llm_origin = lambda source: (
    ("none", 0)
    if source == "real"
    else (source.rsplit("_gen", 1)[0], int(source.rsplit("_gen", 1)[1]))
)


TT_LLM_JOB = {
    "model_dir": TT_MODEL_DIR,
    "llm": TT_LLM_CFG,
    "device": TT["common"]["device"],
}
TT_LLM_DATA = required_dataset(
    TT_LLM,
    f"{TT_DATA_DIR}/wikitext-103",
    "Fetch it on a machine with internet: huggingface-cli download Salesforce/wikitext "
    "--repo-type dataset --include 'wikitext-103-raw-v1/*' --local-dir "
    f"{TT_DATA_DIR}/wikitext-103, or set tale_of_tails.common.data_dir.",
)
TT_LLM_MODEL = required_dataset(
    TT_LLM,
    TT_MODEL_DIR,
    "Fetch it (gated: accept the licence on Hugging Face first) with huggingface-cli "
    f"download {TT_LLM_CFG.get('model_id', 'meta-llama/Llama-2-7b-hf')} --local-dir "
    f"{TT_MODEL_DIR}, or set tale_of_tails.common.model_dir.",
)


rule tale_of_tails_llm_prepare:
    input:
        script=script_path("tale_of_tails/job.py"),
        library=library_files("tale_of_tails"),
        data=TT_LLM_DATA,
        model=TT_LLM_MODEL,
    output:
        data=work("tale_of_tails", "llm/data_real.pt"),
        meta=work("tale_of_tails", "llm/data_real.json"),
    log:
        log_file("tale_of_tails", "llm/data_real"),
    benchmark:
        benchmark_file("tale_of_tails", "llm/data_real")
    conda:
        "../../envs/gpu.yaml"
    params:
        function=f"{TT_LIB}.llm:prepare_job",
        kwargs={
            "model_dir": TT_MODEL_DIR,
            "data_dir": f"{TT_DATA_DIR}/wikitext-103",
            **{k: TT_LLM_CFG.get(k) for k in ("chunk_tokens", "n_train", "n_test")},
        },
    script:
        "../scripts/tale_of_tails/job.py"


# The generator of generation g + 1: a LoRA fine-tune on n_train chunks of `source` data.
rule tale_of_tails_llm_generator:
    input:
        script=script_path("tale_of_tails/job.py"),
        library=library_files("tale_of_tails"),
        data=work("tale_of_tails", "llm/data_{source}.pt"),
    output:
        adapter=work("tale_of_tails", "llm/adapter_{source}.pt"),
        meta=work("tale_of_tails", "llm/adapter_{source}.json"),
    log:
        log_file("tale_of_tails", "llm/adapter_{source}"),
    benchmark:
        benchmark_file("tale_of_tails", "llm/adapter_{source}")
    wildcard_constraints:
        source=TT_LLM_SOURCE,
    conda:
        "../../envs/gpu.yaml"
    resources:
        gpu=1,
    params:
        function=f"{TT_LIB}.llm:generator_job",
        kwargs=lambda wc: {
            **TT_LLM_JOB,
            "source": wc.source,
            "checkpoint_dir": work("tale_of_tails", "llm/checkpoints"),
        },
    script:
        "../scripts/tale_of_tails/job.py"


# Generation g data: the model fine-tuned on generation g - 1 continues real prompts.
rule tale_of_tails_llm_generate:
    input:
        script=script_path("tale_of_tails/job.py"),
        library=library_files("tale_of_tails"),
        adapter=lambda wc: work(
            "tale_of_tails",
            f"llm/adapter_{tt_llm_source(wc.decoding, int(wc.gen) - 1)}.pt",
        ),
        real=work("tale_of_tails", "llm/data_real.pt"),
    output:
        data=work("tale_of_tails", "llm/data_{decoding}_gen{gen}.pt"),
        meta=work("tale_of_tails", "llm/data_{decoding}_gen{gen}.json"),
    log:
        log_file("tale_of_tails", "llm/data_{decoding}_gen{gen}"),
    benchmark:
        benchmark_file("tale_of_tails", "llm/data_{decoding}_gen{gen}")
    wildcard_constraints:
        decoding="top_p|temperature|none",
        gen=r"[1-9]\d*",
    conda:
        "../../envs/gpu.yaml"
    resources:
        gpu=1,
    params:
        function=f"{TT_LIB}.llm:generate_job",
        kwargs=lambda wc: {**TT_LLM_JOB, "decoding": wc.decoding, "gen": int(wc.gen)},
    script:
        "../scripts/tale_of_tails/job.py"


rule tale_of_tails_llm_student:
    input:
        script=script_path("tale_of_tails/job.py"),
        library=library_files("tale_of_tails"),
        data=work("tale_of_tails", "llm/data_{source}.pt"),
        real=work("tale_of_tails", "llm/data_real.pt"),
    output:
        csv=work("tale_of_tails", "llm/student_{source}_T{T}_seed{seed}.csv"),
        meta=work("tale_of_tails", "llm/student_{source}_T{T}_seed{seed}.json"),
    log:
        log_file("tale_of_tails", "llm/student_{source}_T{T}_seed{seed}"),
    benchmark:
        benchmark_file("tale_of_tails", "llm/student_{source}_T{T}_seed{seed}")
    wildcard_constraints:
        source=TT_LLM_SOURCE,
        T=r"\d+",
        seed=r"\d+",
    conda:
        "../../envs/gpu.yaml"
    resources:
        gpu=1,
    params:
        function=f"{TT_LIB}.llm:student_job",
        kwargs=lambda wc: {
            **TT_LLM_JOB,
            "decoding": tt_llm_origin(wc.source)[0],
            "gen": tt_llm_origin(wc.source)[1],
            "T": int(wc.T),
            "seed": int(wc.seed),
            "checkpoint_dir": work("tale_of_tails", "llm/checkpoints"),
        },
    script:
        "../scripts/tale_of_tails/job.py"


# fig1 at paper scale: the gen-0 model scores real test text and its own generated text.
rule tale_of_tails_llm_fig1:
    input:
        script=script_path("tale_of_tails/job.py"),
        library=library_files("tale_of_tails"),
        adapter=work("tale_of_tails", "llm/adapter_real.pt"),
        real=work("tale_of_tails", "llm/data_real.pt"),
        top_p=work("tale_of_tails", "llm/data_top_p_gen1.pt"),
        temperature=work("tale_of_tails", "llm/data_temperature_gen1.pt"),
    output:
        csv=work("tale_of_tails", "llm/fig1_llm.csv"),
        meta=work("tale_of_tails", "llm/fig1_llm.json"),
    log:
        log_file("tale_of_tails", "llm/fig1_llm"),
    benchmark:
        benchmark_file("tale_of_tails", "llm/fig1_llm")
    conda:
        "../../envs/gpu.yaml"
    resources:
        gpu=1,
    params:
        function=f"{TT_LIB}.llm:fig1_job",
        kwargs={
            **TT_LLM_JOB,
            "quantiles": TT["fig1"]["quantiles"],
            "max_rank": TT_LLM_CFG.get("max_rank"),
        },
    script:
        "../scripts/tale_of_tails/job.py"


# --- Paper profile: the GCD transformer (fig4 b, fig8) --------------------------------------
# Generator g is trained on T0 pairs labelled by generator g - 1 (real GCDs for g = 1).
rule tale_of_tails_gcd_generator:
    input:
        script=script_path("tale_of_tails/job.py"),
        library=library_files("tale_of_tails"),
        previous=lambda wc: (
            work(
                "tale_of_tails",
                f"gcd_{wc.fig}/seed{wc.seed}/generator{int(wc.gen) - 1}.pt",
            )
            if int(wc.gen) > 1
            else []
        ),
    output:
        model=work("tale_of_tails", "gcd_{fig}/seed{seed}/generator{gen}.pt"),
        csv=work("tale_of_tails", "gcd_{fig}/seed{seed}/generator{gen}.csv"),
        meta=work("tale_of_tails", "gcd_{fig}/seed{seed}/generator{gen}.json"),
    log:
        log_file("tale_of_tails", "gcd_{fig}/seed{seed}/generator{gen}"),
    benchmark:
        benchmark_file("tale_of_tails", "gcd_{fig}/seed{seed}/generator{gen}")
    wildcard_constraints:
        fig="fig4|fig8",
        seed=r"\d+",
        gen=r"[1-9]\d*",
    conda:
        "../../envs/gpu.yaml" if TT_GPU else "../../envs/cpu.yaml"
    resources:
        gpu=1 if TT_GPU else 0,
    params:
        function=f"{TT_LIB}.gcd:generator_job",
        kwargs=lambda wc: {
            "figure": wc.fig,
            "block": TT_GCD[wc.fig],
            "gen": int(wc.gen),
            "seed": int(wc.seed),
            "device": TT["common"]["device"],
            "checkpoint_dir": work(
                "tale_of_tails", f"gcd_{wc.fig}/seed{wc.seed}/ckpt"
            ),
            "n_skills": TT["fig8"]["n_skills"] if wc.fig == "fig8" else 0,
        },
    script:
        "../scripts/tale_of_tails/job.py"


# A student on T pairs of generation `gen` data (fig4), or a share pi of real pairs mixed
# with generation-1 data (fig8, gen = 1).
rule tale_of_tails_gcd_student:
    input:
        script=script_path("tale_of_tails/job.py"),
        library=library_files("tale_of_tails"),
        generator=lambda wc: (
            work("tale_of_tails", f"gcd_{wc.fig}/seed{wc.seed}/generator{wc.gen}.pt")
            if int(wc.gen) > 0
            else []
        ),
    output:
        csv=work("tale_of_tails", "gcd_{fig}/seed{seed}/student_gen{gen}_T{T}{mix}.csv"),
        meta=work(
            "tale_of_tails", "gcd_{fig}/seed{seed}/student_gen{gen}_T{T}{mix}.json"
        ),
    log:
        log_file("tale_of_tails", "gcd_{fig}/seed{seed}/student_gen{gen}_T{T}{mix}"),
    benchmark:
        benchmark_file(
            "tale_of_tails", "gcd_{fig}/seed{seed}/student_gen{gen}_T{T}{mix}"
        )
    wildcard_constraints:
        fig="fig4|fig8",
        seed=r"\d+",
        gen=r"\d+",
        T=r"\d+",
        mix=r"(_pi[0-9.]+)?",
    conda:
        "../../envs/gpu.yaml" if TT_GPU else "../../envs/cpu.yaml"
    resources:
        gpu=1 if TT_GPU else 0,
    params:
        function=f"{TT_LIB}.gcd:student_job",
        kwargs=lambda wc: {
            "figure": wc.fig,
            "block": TT_GCD[wc.fig],
            "gen": int(wc.gen),
            "T": int(wc.T),
            "seed": int(wc.seed),
            "device": TT["common"]["device"],
            "checkpoint_dir": work(
                "tale_of_tails", f"gcd_{wc.fig}/seed{wc.seed}/ckpt"
            ),
            "pi": float(wc.mix[3:]) if wc.mix else None,
        },
    script:
        "../scripts/tale_of_tails/job.py"


TT_LLM_PARTS = [
    f"llm/student_{tt_llm_source(d, g)}_T{T}_seed{s}"
    for d in TT_LLM_CFG.get("decodings", [])
    for g in range(1, TT_LLM_CFG.get("n_gen", 0) + 1)
    for T in TT_LLM_CFG.get("T_values", [])
    for s in range(TT_LLM_CFG.get("seeds", 0))
] + [
    f"llm/student_real_T{T}_seed{s}"
    for T in TT_LLM_CFG.get("T_values", [])
    for s in range(TT_LLM_CFG.get("seeds", 0))
]
TT_GCD4_PARTS = [
    f"gcd_fig4/seed{s}/student_gen{g}_T{T}"
    for s in range(TT["fig4"]["gcd"]["seeds"])
    for g in range(TT["fig4"]["gcd"]["n_gen"] + 1)
    for T in TT["fig4"]["gcd"]["T_values"]
]
TT_GCD8_PARTS = [
    f"gcd_fig8/seed{s}/generator{g}"
    for s in range(TT["fig8"]["seeds"])
    for g in range(1, TT["fig8"]["n_gen"] + 2)
] + [
    f"gcd_fig8/seed{s}/student_gen1_T{T}_pi{pi:g}"
    for s in range(TT["fig8"]["seeds"])
    for pi in TT["fig8"]["pis"]
    for T in TT["fig8"]["T_values"]
]
TT_PARTS = {
    "fig1": ["llm/fig1_llm"] if TT_LLM else ["fig1_decoding"],
    "fig2": ["fig2_hutter"],
    "fig3": ["fig3_generations"],
    "fig4": (TT_LLM_PARTS if TT_LLM else ["fig4_lm"])
    + (
        TT_GCD4_PARTS
        if TT_GCD_NET["fig4"]
        else [f"fig4_gcd_seed{s}" for s in range(TT["fig4"]["gcd"]["seeds"])]
    ),
    "fig5": ["fig5_mixing"],
    "fig6": ["fig6_bigram"],
    "fig7": ["fig7_triplet"],
    "fig8": (
        TT_GCD8_PARTS
        if TT_GCD_NET["fig8"]
        else [f"fig8_memoriser_seed{s}" for s in range(TT["fig8"]["seeds"])]
    ),
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
        caption=figure_caption("tale_of_tails"),
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
