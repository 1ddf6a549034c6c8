"""fig5 on one posterior: input-gradient norms and PGD accuracy vs the number of samples."""

from paperfigs.bnn_attacks import evaluate
from paperfigs.common import script_job

with script_job(snakemake) as job:
    p = snakemake.params
    s = p.settings
    posterior, device = evaluate.load_for_attack(snakemake.input.posterior, s["device"])
    split, subset = evaluate.attacked_points(p.dataset, s)
    table = evaluate.fig5_table(posterior, p.method, split, subset, p.fig5, s, p.seed, device)
    job.write_csv(table, snakemake.output.csv)
    job.extra.update(seeds=[p.seed], pgd_iterate="final (not the best per example)")
