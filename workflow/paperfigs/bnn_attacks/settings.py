"""Which config values each job reads (no torch here: the workflow imports it to build params).

Passing a job exactly the values it uses makes Snakemake rerun exactly the jobs a change
touches: a new `mfvi_epochs` retrains mean-field VI and nothing else.
"""

from __future__ import annotations

DATA_KEYS = ("data_dir", "split_seed", "test_size", "arch", "device")
METHOD_KEYS = {
    "dnn": ("hidden", "epochs", "lr", "weight_decay", "batch_size"),
    "mcd": ("hidden", "epochs", "lr", "weight_decay", "batch_size", "mcd_p", "mcd_samples"),
    "ensemble": ("hidden", "epochs", "lr", "weight_decay", "batch_size", "ensemble_size"),
    "mfvi": ("hidden", "lr", "batch_size", "mfvi_epochs", "mfvi_rho0", "mfvi_prior_std",
             "mfvi_train_samples", "mfvi_samples"),
    "hmc": ("hmc_hidden", "lr", "hmc_prior_std", "hmc_leapfrog", "hmc_burnin", "hmc_iters",
            "hmc_thin", "hmc_target_accept", "hmc_init_step", "hmc_map_steps"),
}
ATTACK_KEYS = ("n_attack", "attack_batch", "pgd_steps", "pgd_step_factor", "eot_samples")


def method_settings(common: dict, method: str) -> dict:
    """The training values of `method` (and the data it reads)."""
    return {k: common[k] for k in (*DATA_KEYS, *METHOD_KEYS[method])}


def attack_settings(common: dict, method: str) -> dict:
    """What an attack job reads: the method's settings plus the attack sizes."""
    return {**method_settings(common, method), **{k: common[k] for k in ATTACK_KEYS}}


def datasets(common: dict) -> list[str]:
    """`common.dataset`: one name or a list."""
    value = common["dataset"]
    return [value] if isinstance(value, str) else list(value)


def runs(common: dict, dataset: str) -> list[str]:
    """The methods run on `dataset` (`common.skip` lists `dataset:method` pairs left out)."""
    return [m for m in common["methods"] if f"{dataset}:{m}" not in common["skip"]]


def eps_for(block: dict, dataset: str) -> list[float]:
    """A figure's eps grid: one list for every dataset, or a mapping dataset -> list."""
    grid = block["eps"]
    return list(grid[dataset] if isinstance(grid, dict) else grid)


def attack_steps(attack: str, ua_steps: int, pgd_steps: int) -> int:
    return {"pgd": pgd_steps, "ua": ua_steps, "noise": 0}[attack]


def attack_plan(fig1: dict, fig2: dict, fig3: dict, dataset: str,
                pgd_steps: int) -> list[tuple[str, float, int]]:
    """Every (attack, eps, steps) the label task's figures need, each once."""
    plan = {("pgd", eps, pgd_steps) for eps in eps_for(fig1, dataset) if eps > 0}
    for block, attacks in ((fig2, [c for c in fig2["curves"] if c != "clean"]),
                           (fig3, fig3["attacks"])):
        plan |= {(attack, eps, attack_steps(attack, block["ua_steps"], pgd_steps))
                 for attack in attacks for eps in eps_for(block, dataset)}
    return sorted(plan)


def attack_key(attack: str, eps: float, steps: int) -> str:
    return f"{attack}_eps{eps:g}_k{steps}"
