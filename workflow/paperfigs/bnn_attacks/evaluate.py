"""The measurements: a posterior's predictions on clean and attacked inputs, and the tidy rows
of each figure computed from them.

An attack job runs every attack its task needs on one trained posterior (`label_attacks`,
`shift_attacks`) and keeps the adversarial inputs with their predictive summaries; the
`figN_rows` functions turn those into the rows of figN.csv.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import torch

from paperfigs.bnn_attacks import attacks, data
from paperfigs.bnn_attacks.models import load_posterior
from paperfigs.bnn_attacks.predictive import (
    auroc,
    entropy,
    expected_calibration_error,
    log_predictive_mean,
    mutual_information,
    naive_log_predictive_mean,
    selective_accuracy,
    worst_case_selective_accuracy,
)
from paperfigs.bnn_attacks.settings import attack_key, attack_steps, eps_for
from paperfigs.common import pick_device, rng_for
from paperfigs.common.io import atomic_path


def load_for_attack(path, device_preference: str):
    """A saved posterior on the attack's device (CUDA when present, unless told otherwise)."""
    device = pick_device(device_preference)
    return load_posterior(torch.load(path, weights_only=False), device), device


def attacked_points(dataset: str, settings: dict):
    """The dataset's split and the fixed subset of its test points that every attack uses."""
    split = data.load_split(dataset, settings["data_dir"], settings["split_seed"],
                            settings["test_size"])
    return split, data.attack_subset(split.y_test, settings["n_attack"], settings["split_seed"])


def eval_samples(method: str, settings: dict, posterior) -> int:
    """S_eval: how many samples a method's predictive mean averages."""
    if method == "mcd":
        return settings["mcd_samples"]
    if method in ("mfvi", "fsvi"):
        return settings[f"{method}_samples"]
    return posterior.n_samples


def summarize(posterior, x, n_samples: int, batch_size: int) -> dict[str, np.ndarray]:
    """Predictive mean probabilities, entropy and mutual information, batch by batch."""
    parts = {"probs": [], "entropy": [], "mi": []}
    with torch.no_grad():
        for start in range(0, len(x), batch_size):
            log_probs = posterior.log_probs(x[start:start + batch_size], n_samples)
            log_p = log_predictive_mean(log_probs)
            parts["probs"].append(log_p.exp())
            parts["entropy"].append(entropy(log_p))
            parts["mi"].append(mutual_information(log_probs))
    return {k: torch.cat(v).double().cpu().numpy() for k, v in parts.items()}


def seed_attack(*keys) -> torch.Generator:
    """One generator per attack (random start, noise), and the global stream that stochastic
    posteriors draw from, both fixed by `keys`: each attack repeats on its own."""
    seed = int(rng_for("bnn_attacks", *keys).integers(2**62))
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def _attack_batches(name, posterior, x, eps, labels, targets, *, steps, settings, stochastic,
                    generator):
    batch = settings["attack_batch"]
    pieces = []
    for start in range(0, len(x), batch):
        part = slice(start, start + batch)
        pieces.append(attacks.run_attack(
            name, posterior, x[part], eps, steps=steps, step_factor=settings["pgd_step_factor"],
            n_samples=settings["eot_samples"] if stochastic else None, generator=generator,
            labels=None if labels is None else labels[part],
            targets=None if targets is None else targets[part]))
    return torch.cat(pieces)


def label_attacks(posterior, method: str, split, subset, plan, settings: dict, seed: int,
                  device) -> dict[str, dict]:
    """Clean predictions (whole test split and the attacked subset) and every planned attack
    on the subset: {"clean_full": ..., "clean": ..., key: {"x_adv", "probs", ...}}."""
    n_eval, batch = eval_samples(method, settings, posterior), settings["attack_batch"]
    x_test = torch.as_tensor(split.x_test, device=device)
    x, y = x_test[subset], torch.as_tensor(split.y_test[subset], device=device)
    seed_attack("clean", method, seed)
    results = {"clean_full": summarize(posterior, x_test, n_eval, batch)}
    results["clean"] = {k: v[subset] for k, v in results["clean_full"].items()}
    targets = attacks.most_likely_wrong_class(
        torch.as_tensor(np.log(results["clean"]["probs"]), device=device), y)
    for name, eps, steps in plan:
        key = attack_key(name, eps, steps)
        generator = seed_attack(key, method, seed)
        x_adv = _attack_batches(name, posterior, x, eps, y, targets, steps=steps,
                                settings=settings, stochastic=posterior.stochastic,
                                generator=generator)
        results[key] = {"x_adv": x_adv.cpu().numpy(), **summarize(posterior, x_adv, n_eval, batch)}
    return results


def _correct(summary, labels) -> np.ndarray:
    return summary["probs"].argmax(axis=1) == labels


def fig1_rows(results, labels_full, subset, *, dataset, method, seed, eps_grid, pgd_steps,
              n_eval) -> pd.DataFrame:
    """Accuracy of the predictive mean under PGD per eps (eps = 0: the whole test split)."""
    rows = []
    for eps in eps_grid:
        if eps == 0:
            correct, attack = _correct(results["clean_full"], labels_full), "none"
        else:
            correct = _correct(results[attack_key("pgd", eps, pgd_steps)], labels_full[subset])
            attack = "pgd"
        rows.append({"dataset": dataset, "method": method, "seed": seed, "eps": eps,
                     "attack": attack, "accuracy": correct.mean(), "n": len(correct),
                     "n_samples_eval": n_eval})
    return pd.DataFrame(rows)


def reject_grid(step: float) -> np.ndarray:
    return np.round(np.arange(0.0, 0.95 + 1e-9, step), 6)


def fig2_rows(results, labels, *, dataset, method, seed, fig2, pgd_steps,
              split_seed) -> pd.DataFrame:
    """Selective accuracy vs rejection fraction on clean inputs and on 50/50 mixes of clean
    and perturbed inputs (every attacked point twice), rejecting by `fig2.score`."""
    fractions, score = reject_grid(fig2["reject_step"]), fig2["score"]
    n = len(labels)
    ties = rng_for("bnn_attacks", "ties", split_seed).permutation(2 * n)
    clean = results["clean"]
    rows = []
    for eps in eps_for(fig2, dataset):
        for curve in [*fig2["curves"], "worst_case"]:
            if curve == "worst_case":
                accuracy = worst_case_selective_accuracy(fractions)
                kept = np.array([2 * n - math.ceil(round(r * 2 * n, 9)) for r in fractions])
            elif curve == "clean":
                accuracy, kept = selective_accuracy(_correct(clean, labels), clean[score],
                                                    fractions, ties[:n])
            else:
                perturbed = results[attack_key(curve, eps,
                                               attack_steps(curve, fig2["ua_steps"], pgd_steps))]
                correct = np.concatenate([_correct(clean, labels), _correct(perturbed, labels)])
                uncertainty = np.concatenate([clean[score], perturbed[score]])
                accuracy, kept = selective_accuracy(correct, uncertainty, fractions, ties)
            rows += [{"dataset": dataset, "method": method, "seed": seed, "eps": eps,
                      "curve": curve, "reject_frac": r, "selective_acc": a, "n_kept": k}
                     for r, a, k in zip(fractions, accuracy, kept)]
    return pd.DataFrame(rows)


def fig3_rows(results, labels, *, dataset, method, seed, fig3, pgd_steps) -> pd.DataFrame:
    """AUROC of uncertainty separating attacked from clean inputs, per attack, eps, score.
    MI is left out for the deterministic net (it is identically zero)."""
    scores = [s for s in fig3["scores"] if not (s == "mi" and method == "dnn")]
    clean = results["clean"]
    rows = []
    for eps in eps_for(fig3, dataset):
        for attack in fig3["attacks"]:
            perturbed = results[attack_key(attack, eps,
                                           attack_steps(attack, fig3["ua_steps"], pgd_steps))]
            success = ~_correct(perturbed, labels)
            for score in scores:
                rows.append({
                    "dataset": dataset, "method": method, "seed": seed, "eps": eps,
                    "attack": attack, "score": score,
                    "auroc": auroc(perturbed[score], clean[score]),
                    "auroc_success": (auroc(perturbed[score][success], clean[score])
                                      if success.any() else np.nan),
                    "attack_success_rate": success.mean(), "n": len(labels)})
    return pd.DataFrame(rows)


def shift_attacks(posterior, method: str, x_id, x_ood, fig4: dict, settings: dict, seed: int,
                  device) -> dict[str, dict]:
    """Clean ID and OOD predictions, and per eps: OOD inputs made confident (`ood_lower`) and
    ID inputs made uncertain (`id_raise`), both with fig4.steps PGD steps."""
    n_eval, batch = eval_samples(method, settings, posterior), settings["attack_batch"]
    inputs = {"id": torch.as_tensor(x_id, device=device),
              "ood": torch.as_tensor(x_ood, device=device)}
    seed_attack("clean-shift", method, seed)
    results = {f"{side}_clean": summarize(posterior, x, n_eval, batch)
               for side, x in inputs.items()}
    for eps in fig4["eps"]:
        if eps == 0:
            continue
        for side, name in (("ood", "ood_lower"), ("id", "id_raise")):
            key = f"{side}_{attack_key(name, eps, fig4['steps'])}"
            generator = seed_attack(key, method, seed)
            x_adv = _attack_batches(name, posterior, inputs[side], eps, None, None,
                                    steps=fig4["steps"], settings=settings,
                                    stochastic=posterior.stochastic, generator=generator)
            results[key] = {"x_adv": x_adv.cpu().numpy(),
                            **summarize(posterior, x_adv, n_eval, batch)}
    return results


def fig4_rows(results, *, dataset_id, dataset_ood, method, seed, fig4) -> pd.DataFrame:
    """ID-vs-OOD AUROC (OOD positive) per eps and attack mode: ood (OOD attacked), id (ID
    attacked), both; eps = 0 is the shared unattacked point `none`."""
    scores = [s for s in fig4["scores"] if not (s == "mi" and method == "dnn")]
    rows = []
    for eps in fig4["eps"]:
        modes = ["none"] if eps == 0 else fig4["modes"]
        for mode in modes:
            ood, ind = results["ood_clean"], results["id_clean"]
            if mode in ("ood", "both"):
                ood = results[f"ood_{attack_key('ood_lower', eps, fig4['steps'])}"]
            if mode in ("id", "both"):
                ind = results[f"id_{attack_key('id_raise', eps, fig4['steps'])}"]
            rows += [{"dataset_id": dataset_id, "dataset_ood": dataset_ood, "method": method,
                      "seed": seed, "eps": eps, "mode": mode, "score": score,
                      "auroc": auroc(ood[score], ind[score]), "n_id": len(ind[score]),
                      "n_ood": len(ood[score])} for score in scores]
    return pd.DataFrame(rows)


def _grad_rows(pool, x, y, n_samples):
    """l1 norms of the expected-loss gradient and of the predictive-mean-loss gradient."""
    rows = []
    for impl, log_mean in (("logsumexp", log_predictive_mean),
                           ("naive", naive_log_predictive_mean)):
        x_in = x.clone().requires_grad_(True)
        log_probs = pool.log_probs(x_in)
        per_sample = -log_probs.gather(2, y.expand(len(log_probs), -1)[..., None]).squeeze(2)
        (grad_expected,) = torch.autograd.grad(per_sample.mean(0).sum(), x_in,
                                               retain_graph=True)
        (grad_mean,) = torch.autograd.grad(-log_mean(log_probs).gather(1, y[:, None]).sum(),
                                           x_in)
        rows.append({"part": "grad", "n_samples": n_samples, "loss_impl": impl,
                     "grad_norm_expected_loss": grad_expected.abs().sum(1).mean().item(),
                     "grad_norm_pred_mean": grad_mean.abs().sum(1).mean().item(),
                     "frac_zero_grad": (grad_mean == 0).all(1).double().mean().item()})
    return rows


def fig5_table(posterior, method: str, split, subset, fig5: dict, settings: dict, seed: int,
               device) -> pd.DataFrame:
    """Does the posterior-averaged input gradient vanish, and does PGD on the predictive mean
    weaken with more samples? The attack uses the first S samples of a pool; `independent`
    evaluates on samples it never saw: the chain's second half (hmc) or the ensemble
    members left out (ensemble, none when S = ensemble size)."""
    if posterior.stochastic:
        raise ValueError(f"fig5 needs a fixed sample set (hmc, ensemble), not {method}")
    total = posterior.n_samples
    pool_size = total // 2 if method == "hmc" else total
    x = torch.as_tensor(split.x_test[subset], device=device)
    y = torch.as_tensor(split.y_test[subset], device=device)
    eps, steps = fig5["eps"], settings["pgd_steps"]
    rows = []
    for n_samples in [s for s in fig5["n_samples"] if s <= pool_size]:
        attacked = posterior.subset(list(range(n_samples)))
        held_out = list(range(pool_size, total)) if method == "hmc" else \
            list(range(n_samples, total))
        rows += _grad_rows(attacked, x[:fig5["n_grad"]], y[:fig5["n_grad"]], n_samples)
        for impl in fig5["loss_impls"]:
            generator = seed_attack("fig5", method, seed, n_samples, impl)
            goal = attacks.objective("pgd", attacked, None, labels=y, loss_impl=impl)
            x_adv = attacks.pgd(goal, x, eps, steps, settings["pgd_step_factor"] * eps / steps,
                                generator)
            eval_sets = {"same": attacked}
            if held_out:
                eval_sets["independent"] = posterior.subset(held_out)
            for name, evaluator in eval_sets.items():
                correct = _correct(summarize(evaluator, x_adv, None, len(x_adv)),
                                   y.cpu().numpy())
                rows.append({"part": "attack", "n_samples": n_samples, "eval_set": name,
                             "loss_impl": impl, "eps": eps, "accuracy": correct.mean()})
    frame = pd.DataFrame(rows)
    frame.insert(1, "method", method)
    frame.insert(2, "seed", seed)
    return frame


def diagnostics(posterior, method: str, split, settings: dict, bins: int, device) -> dict:
    """Clean test accuracy, NLL and ECE of the predictive mean; for hmc also how often two
    samples disagree on the predicted class (the chain moves)."""
    n_eval = eval_samples(method, settings, posterior)
    x = torch.as_tensor(split.x_test, device=device)
    torch.manual_seed(0)
    summary = summarize(posterior, x, n_eval, 1000)
    probs, labels = summary["probs"], split.y_test
    out = {"clean_acc": (probs.argmax(1) == labels).mean(),
           "nll": -np.log(np.clip(probs[np.arange(len(labels)), labels], 1e-300, None)).mean(),
           "ece": expected_calibration_error(probs, labels, bins)}
    if method == "hmc":
        with torch.no_grad():
            predictions = posterior.log_probs(x).argmax(-1)  # (S, N)
        disagree = (predictions[:, None, :] != predictions[None, :, :]).double().mean(-1)
        size = len(predictions)
        out["hmc_disagreement"] = (disagree.sum() / (size * (size - 1))).item()
    return out


def tab1_table(fig1_csv: str, logger=None) -> pd.DataFrame:
    """fig1's accuracies averaged over seeds: one row per (dataset, method, eps)."""
    frame = pd.read_csv(fig1_csv)
    grouped = frame.groupby(["dataset", "method", "eps"], sort=False)["accuracy"]
    table = grouped.agg(accuracy_mean="mean", accuracy_std="std", n_seeds="count")
    return table.reset_index()


def save_results(results: dict[str, dict], path) -> None:
    """Every attack's arrays in one npz, keyed `<attack key>/<array>`, written atomically."""
    arrays = {f"{key}/{name}": np.asarray(value, dtype=np.float32)
              for key, summary in results.items() for name, value in summary.items()}
    with atomic_path(path) as tmp:
        np.savez(tmp, **arrays)
