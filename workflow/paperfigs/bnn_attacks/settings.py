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
    "fsvi": ("hidden", "lr", "batch_size", "fsvi_epochs", "fsvi_rho0", "fsvi_prior_std",
             "fsvi_train_samples", "fsvi_samples", "fsvi_context", "fsvi_jitter"),
    "hmc": ("hmc_hidden", "lr", "hmc_prior_std", "hmc_leapfrog", "hmc_burnin", "hmc_iters",
            "hmc_thin", "hmc_target_accept", "hmc_init_step", "hmc_map_steps"),
}
ATTACK_KEYS = ("n_attack", "attack_batch", "pgd_steps", "pgd_step_factor", "eot_samples")


def arch_for(common: dict, dataset: str) -> str:
    """`common.arch`: one architecture for every dataset, or a mapping dataset -> arch."""
    arch = common["arch"]
    return arch if isinstance(arch, str) else arch[dataset]


def method_settings(common: dict, method: str, dataset: str) -> dict:
    """The training values of `method` on `dataset` (and the data it reads)."""
    settings = {k: common[k] for k in (*DATA_KEYS, *METHOD_KEYS[method])}
    return {**settings, "arch": arch_for(common, dataset)}


def attack_settings(common: dict, method: str, dataset: str) -> dict:
    """What an attack job reads: the method's settings plus the attack sizes."""
    return {**method_settings(common, method, dataset),
            **{k: common[k] for k in ATTACK_KEYS}}


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


DATA_FOLDERS = {  # dataset -> (folder under data_dir, the torchvision call that fetches it)
    "mnist": ("MNIST", "MNIST('{root}', download=True)"),
    "fmnist": ("FashionMNIST", "FashionMNIST('{root}', download=True)"),
    "cifar10": ("cifar-10-batches-py", "CIFAR10('{root}', download=True)"),
    "svhn": ("svhn", "SVHN('{root}/svhn', split='test', download=True)"),
}


def dataset_input(common: dict, dataset: str) -> tuple[bool, str, str]:
    """(needed, folder, how to get it) for the workflow's `required_dataset`: sklearn's
    digits ship with scikit-learn; the others must be on disk (fetching is never a side
    effect of a run)."""
    if dataset == "digits":
        return False, "", ""
    folder, call = DATA_FOLDERS[dataset]
    root = common["data_dir"]
    return True, f"{root}/{folder}", (
        'Fetch it on a machine with internet: python -c "import torchvision; '
        f"torchvision.datasets.{call.format(root=root)}\" and copy the folder "
        "there, or set bnn_attacks.common.data_dir.")


def shift_pairs(fig4: dict) -> dict[str, str]:
    """fig4's semantic-shift pairs as {ID dataset: OOD dataset}. The ood task's files carry
    the ID dataset's name, so each ID dataset appears in one pair only."""
    ids = [pair["id"] for pair in fig4["pairs"]]
    if len(set(ids)) != len(ids):
        raise ValueError(f"bnn_attacks.fig4.pairs: an ID dataset appears twice in {ids}")
    return {pair["id"]: pair["ood"] for pair in fig4["pairs"]}


def shift_block(fig4: dict, id_dataset: str) -> dict:
    """What one ood-task job reads of fig4: its pair and the attack grid."""
    block = {"id_dataset": id_dataset, "ood_dataset": shift_pairs(fig4)[id_dataset],
             **{k: v for k, v in fig4.items() if k != "pairs"}}
    return {**block, "eps": eps_for(fig4, id_dataset)}


def training_runs(config: dict, task: str) -> list[tuple[str, str, int]]:
    """(dataset, method, seed) of every training run of `task`: label (every dataset) or
    ood (fig4's in-distribution datasets)."""
    common = config["common"]
    names = datasets(common) if task == "label" else list(shift_pairs(config["fig4"]))
    return [(d, m, s) for d in names for m in runs(common, d) for s in common["seeds"]]


def figure_inputs(config: dict, figure: str) -> dict[str, list[str]]:
    """The files (under work/) a figure gathers: per-job tables and the jobs' sidecars."""
    def files(pattern, task, methods=None):
        return [pattern.format(task=task, dataset=d, method=m, seed=s)
                for d, m, s in training_runs(config, task)
                if methods is None or m in methods]

    if figure in ("fig1", "fig2", "fig3"):
        return {"tables": files(f"eval/{figure}_{{dataset}}_{{method}}_{{seed}}.csv", "label"),
                "metas": files("eval/label_{dataset}_{method}_{seed}.json", "label")}
    if figure == "fig4":
        return {"tables": files("eval/fig4_{dataset}_{method}_{seed}.csv", "ood"),
                "metas": files("eval/ood_{dataset}_{method}_{seed}.json", "ood")}
    if figure == "fig5":
        first = datasets(config["common"])[0]
        chosen = [(d, m, s) for d, m, s in training_runs(config, "label")
                  if d == first and m in config["fig5"]["methods"]]
        return {kind: [f"eval/fig5_{d}_{m}_{s}.{ext}" for d, m, s in chosen]
                for kind, ext in (("tables", "csv"), ("metas", "json"))}
    if figure == "tab1":
        return {"tables": ["tab1.csv"], "metas": ["tab1.json"]}
    if figure == "tab2":
        return {kind: [name for task in ("label", "ood") for name in
                       files(f"train/{{task}}_{{dataset}}_{{method}}_{{seed}}.{ext}", task)]
                for kind, ext in (("tables", "csv"), ("metas", "json"))}
    raise ValueError(f"unknown figure {figure!r}")
