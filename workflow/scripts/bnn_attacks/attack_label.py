"""Attack one trained posterior on the label task: every attack and eps that fig1-fig3 need;
keep the adversarial inputs (npz) and write each figure's rows."""

import torch

from paperfigs.bnn_attacks import data, evaluate, settings
from paperfigs.bnn_attacks.models import load_posterior
from paperfigs.common import pick_device, script_job

with script_job(snakemake) as job:
    p = snakemake.params
    s, device = p.settings, pick_device(p.settings["device"])
    posterior = load_posterior(torch.load(snakemake.input.posterior, weights_only=False), device)
    split = data.load_split(p.dataset, s["data_dir"], s["split_seed"], s["test_size"])
    subset = data.attack_subset(split.y_test, s["n_attack"], s["split_seed"])
    plan = settings.attack_plan(p.fig1, p.fig2, p.fig3, p.dataset, s["pgd_steps"])
    job.log.info("%d attacks on %d test points: %s", len(plan), len(subset), plan)
    results = evaluate.label_attacks(posterior, p.method, split, subset, plan, s, p.seed, device)
    evaluate.save_results(results, snakemake.output.adv)
    labels, ids = split.y_test[subset], {"dataset": p.dataset, "method": p.method, "seed": p.seed}
    job.write_csv(evaluate.fig1_rows(results, split.y_test, subset, **ids,
                                     eps_grid=settings.eps_for(p.fig1, p.dataset),
                                     pgd_steps=s["pgd_steps"],
                                     n_eval=evaluate.eval_samples(p.method, s, posterior)),
                  snakemake.output.fig1)
    job.write_csv(evaluate.fig2_rows(results, labels, **ids, fig2=p.fig2,
                                     pgd_steps=s["pgd_steps"], split_seed=s["split_seed"]),
                  snakemake.output.fig2)
    job.write_csv(evaluate.fig3_rows(results, labels, **ids, fig3=p.fig3,
                                     pgd_steps=s["pgd_steps"]), snakemake.output.fig3)
    job.extra.update(seeds=[p.seed], pgd_iterate="final (not the best per example)")
