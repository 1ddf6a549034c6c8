"""Run one paper-profile job of A Tale of Tails (LLM or GCD transformer step).

params: function ("paperfigs.tale_of_tails.<module>:<name>_job" or a train_* function) and
kwargs (config values, straight from the config). The function gets the rule's inputs and
outputs as dicts; when it returns a table and the rule has a `csv` output, it is written.
"""

from paperfigs.common import script_job
from paperfigs.common.dispatch import resolve

with script_job(snakemake) as job:
    function = resolve(snakemake.params.function)
    table = function(inputs=dict(snakemake.input.items()),
                     outputs=dict(snakemake.output.items()), **snakemake.params.kwargs,
                     logger=job.log)
    if table is not None and "seed" in table.columns:
        job.extra["seeds"] = sorted(int(s) for s in table["seed"].dropna().unique())
    if "csv" in snakemake.output.keys():
        job.write_csv(table, snakemake.output.csv)
