"""Run one library function that returns a tidy table; write it (and the job's sidecar).

params: function ("paperfigs.<slug>.<module>:<function>") and kwargs (its keyword arguments,
straight from the config, so that Snakemake reruns the job exactly when one of them changes).
"""

from paperfigs.common import script_job
from paperfigs.common.dispatch import resolve

with script_job(snakemake) as job:
    function = resolve(snakemake.params.function)
    table = function(**snakemake.params.kwargs, logger=job.log)
    if "seed" in table.columns:
        job.extra["seeds"] = sorted(int(s) for s in table["seed"].dropna().unique())
    job.write_csv(table, snakemake.output.csv)
