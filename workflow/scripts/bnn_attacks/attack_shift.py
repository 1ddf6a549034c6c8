"""Attack one posterior trained on the in-distribution classes: make OOD inputs confident and
ID inputs uncertain (fig4); keep the adversarial inputs (npz) and write fig4's rows."""

from paperfigs.bnn_attacks import data, evaluate
from paperfigs.common import script_job

with script_job(snakemake) as job:
    p = snakemake.params
    s = p.settings
    posterior, device = evaluate.load_for_attack(snakemake.input.posterior, s["device"])
    shift = data.load_shift(p.dataset, p.fig4["ood_dataset"], p.fig4["id_classes"],
                            s["data_dir"], s["split_seed"], s["test_size"])
    job.log.info("%d ID and %d OOD test points", len(shift.train.x_test), len(shift.x_ood))
    results = evaluate.shift_attacks(posterior, p.method, shift.train.x_test, shift.x_ood,
                                     p.fig4, s, p.seed, device)
    evaluate.save_results(results, snakemake.output.adv)
    job.write_csv(evaluate.fig4_rows(results, dataset_id=shift.title_id,
                                     dataset_ood=shift.title_ood, method=p.method,
                                     seed=p.seed, fig4=p.fig4), snakemake.output.fig4)
    job.extra.update(seeds=[p.seed], pgd_iterate="final (not the best per example)")
