"""Gather every paper's claims.json into one table; print it and write it as Markdown."""

from pathlib import Path

from paperfigs.common import read_json, script_job
from paperfigs.common.io import atomic_path
from paperfigs.common.report import claims_markdown

with script_job(snakemake) as job:
    papers = [read_json(path) for path in snakemake.input.claims]
    table = claims_markdown(papers)
    with atomic_path(snakemake.output.table) as tmp:
        Path(tmp).write_text(table)
    print(table, flush=True)
    job.log.info("\n%s", table)
