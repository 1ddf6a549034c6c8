"""Draw one figure from its tables: figN.pdf, figN.png, the tidy figN.csv and figN.json.

input: tables (the CSVs behind the figure, concatenated into figN.csv) and metas (the
sidecars of the jobs that made them). params: draw ("paperfigs.<slug>.plots:<function>",
called as draw(frame, cfg, run)), cfg (the figure's config block), paper, figure, run.
A table (outputs csv, md, meta) is the same, with draw returning its Markdown text.
"""

import pandas as pd

from paperfigs.common import read_json, script_job
from paperfigs.common.dispatch import resolve
from paperfigs.common.io import atomic_path
from paperfigs.common.plotting import save_figure

with script_job(snakemake) as job:
    frame = pd.concat([pd.read_csv(path) for path in snakemake.input.tables], ignore_index=True)
    job.write_csv(frame, snakemake.output.csv)
    frame = pd.read_csv(snakemake.output.csv)  # draw exactly what the CSV says
    drawn = resolve(snakemake.params.draw)(frame, snakemake.params.cfg, snakemake.params.run)
    if "md" in snakemake.output.keys():
        with atomic_path(snakemake.output.md) as tmp:
            tmp.write_text(drawn)
    else:
        save_figure(drawn, snakemake.output.pdf, snakemake.output.png)
    # script_job writes figN.json (the `meta` output) from the params and job.extra.
    jobs = [read_json(path) for path in snakemake.input.metas]
    job.extra.update(
        seeds=sorted({seed for meta in jobs for seed in meta.get("seeds", [])}),
        jobs=jobs,
        total_wall_time_s=round(job.elapsed() + sum(m["wall_time_s"] for m in jobs), 3),
    )
