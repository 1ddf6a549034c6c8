"""Check every claim of one paper against its figures' CSVs; write claims.json."""

import importlib

import pandas as pd

from paperfigs.common import evaluate_claims, script_job, write_json

with script_job(snakemake) as job:
    slug = snakemake.params.slug
    claims = importlib.import_module(f"paperfigs.{slug}.claims").CLAIMS
    tables = {
        figure: pd.read_csv(path)
        for figure, path in zip(snakemake.params.figures, snakemake.input.tables, strict=True)
    }
    verdicts = evaluate_claims(claims, tables, snakemake.params.cfg)
    for figure, result in verdicts["figures"].items():
        job.log.info("%s %s: %s", slug, figure, "PASS" if result["passed"] else "FAIL")
        for check in result["checks"]:
            job.log.info("    %s", check)
    write_json({"paper": slug, **verdicts}, snakemake.output.claims)
