"""Train one inference method on one task and seed: the posterior, and its tab2 row."""

import shutil
import time
from pathlib import Path

import pandas as pd
import torch

from paperfigs.bnn_attacks import data, evaluate, train
from paperfigs.common import pick_device, script_job, seed_everything
from paperfigs.common.io import atomic_path

with script_job(snakemake) as job:
    p = snakemake.params
    settings, device = p.settings, pick_device(p.settings["device"])
    if p.task == "label" or p.shift["ood_dataset"] != p.dataset:  # a class split needs shift
        split = data.load_split(p.dataset, settings["data_dir"], settings["split_seed"],
                                settings["test_size"])
    else:
        split = data.load_shift(p.dataset, p.shift["ood_dataset"], p.shift["id_classes"],
                                settings["data_dir"], settings["split_seed"],
                                settings["test_size"]).train
    seed_everything(p.seed)
    checkpoints = Path(snakemake.output.posterior).with_suffix(".ckpt.d")
    started = time.perf_counter()
    posterior, info = train.train_posterior(p.method, split, settings, p.seed, device,
                                            checkpoints, job.log)
    seconds = time.perf_counter() - started
    row = {"task": p.task, "dataset": p.dataset, "method": p.method, "seed": p.seed,
           **evaluate.diagnostics(posterior, p.method, split, settings, p.ece_bins, device),
           "n_samples": info["n_samples"], "train_seconds": seconds,
           "hmc_accept": info.get("hmc_accept"), "hmc_step_size": info.get("hmc_step_size")}
    job.log.info("%s", row)
    with atomic_path(snakemake.output.posterior) as tmp:
        torch.save(train.posterior_state_of(posterior, p.method, split, settings), tmp)
    columns = ["task", "dataset", "method", "seed", "clean_acc", "nll", "ece", "n_samples",
               "train_seconds", "hmc_accept", "hmc_step_size", "hmc_disagreement"]
    job.write_csv(pd.DataFrame([row]).reindex(columns=columns), snakemake.output.metrics)
    job.extra["seeds"] = [p.seed]
    shutil.rmtree(checkpoints, ignore_errors=True)
