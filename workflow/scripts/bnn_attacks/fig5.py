"""fig5 on one posterior: input-gradient norms and PGD accuracy vs the number of samples."""

import torch

from paperfigs.bnn_attacks import data, evaluate
from paperfigs.bnn_attacks.models import load_posterior
from paperfigs.common import pick_device, script_job

with script_job(snakemake) as job:
    p = snakemake.params
    s, device = p.settings, pick_device(p.settings["device"])
    posterior = load_posterior(torch.load(snakemake.input.posterior, weights_only=False), device)
    split = data.load_split(p.dataset, s["data_dir"], s["split_seed"], s["test_size"])
    subset = data.attack_subset(split.y_test, s["n_attack"], s["split_seed"])
    table = evaluate.fig5_table(posterior, p.method, split, subset, p.fig5, s, p.seed, device)
    job.write_csv(table, snakemake.output.csv)
    job.extra.update(seeds=[p.seed], pgd_iterate="final (not the best per example)")
