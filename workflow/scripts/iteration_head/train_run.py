"""Train one run of the iteration-head paper (resuming from its checkpoint if interrupted).

params: settings (the run, from paperfigs.iteration_head.runs), device, checkpoint_every.
output: eval (per-step, per-length metrics), attn (mean attention maps), model, meta.
"""

from pathlib import Path

from paperfigs.common import script_job
from paperfigs.common.transformer import RESIDUAL
from paperfigs.iteration_head.train import train_run

with script_job(snakemake) as job:
    settings = snakemake.params.settings
    train_run(settings, eval_csv=snakemake.output.eval, attn_npz=snakemake.output.attn,
              model_pt=snakemake.output.model, work_dir=Path(snakemake.output.eval).parent,
              init_model=snakemake.input.init or None, device=snakemake.params.device,
              checkpoint_every=snakemake.params.checkpoint_every, logger=job.log)
    job.extra.update(seeds=[settings["seed"]], residual=RESIDUAL)
