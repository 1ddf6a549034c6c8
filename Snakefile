# Every figure of ten machine-learning papers, from data to claims.
# Make everything:      snakemake --cores all
# One paper or figure:  snakemake --cores all collapse_regression_fig1
# Claims table:         snakemake --cores all claims
from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/collapse_regression.smk"
include: "workflow/rules/tale_of_tails.smk"
include: "workflow/rules/bnn_attacks.smk"
include: "workflow/rules/iteration_head.smk"


report: "workflow/report/workflow.rst"


rule all:
    default_target: True
    input:
        all_figure_files(),
        expand(f"{RESULTS}/{{slug}}/claims.json", slug=PAPERS),


rule paper_claims:
    input:
        script=script_path("common/paper_claims.py"),
        tables=lambda wc: [f"{RESULTS}/{wc.slug}/{fig}.csv" for fig in PAPERS[wc.slug]],
        library=lambda wc: library_files(wc.slug),
    output:
        claims=f"{RESULTS}/{{slug}}/claims.json",
    log:
        f"logs/{RUN}/{{slug}}/claims.log",
    benchmark:
        f"benchmarks/{RUN}/{{slug}}/claims.tsv"
    wildcard_constraints:
        slug="[a-z_]+",
    conda:
        "envs/cpu.yaml"
    params:
        slug="{slug}",
        figures=lambda wc: PAPERS[wc.slug],
        cfg=lambda wc: config[wc.slug],
    script:
        "workflow/scripts/common/paper_claims.py"


rule claims:
    input:
        script=script_path("common/claims_table.py"),
        claims=expand(f"{RESULTS}/{{slug}}/claims.json", slug=PAPERS),
    output:
        table=f"{RESULTS}/claims.md",
    log:
        f"logs/{RUN}/claims.log",
    benchmark:
        f"benchmarks/{RUN}/claims.tsv"
    conda:
        "envs/cpu.yaml"
    script:
        "workflow/scripts/common/claims_table.py"
