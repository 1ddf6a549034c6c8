"""Attack one trained posterior on the label task: every attack and eps that fig1-fig3 need;
keep the adversarial inputs (npz) and write each figure's rows."""

from paperfigs.bnn_attacks import evaluate, settings
from paperfigs.common import script_job

with script_job(snakemake) as job:
    p = snakemake.params
    s = p.settings
    posterior, device = evaluate.load_for_attack(snakemake.input.posterior, s["device"])
    split, subset = evaluate.attacked_points(p.dataset, s)
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
