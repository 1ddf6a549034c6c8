"""Which training runs each figure needs, and their settings.

A run is identified by everything that changes its numbers (task, CoT, layers, n_len, d,
seed, steps, lr, batch, positions, initialisation, ...). Its id is a readable prefix plus a
hash of those settings, so runs with identical settings are shared between figures (fig2,
fig4, fig6, fig7, fig8 and fig9 reuse fig3's runs wherever the parameters coincide) and a
changed value makes a new run rather than silently reusing an old one.

Settings come from `common`, overridden by the figure's block (fig2, fig4, fig7, fig8 and
fig9 train "fig3's runs", so fig3's overrides apply to them too). The paper profile counts
`epochs`: steps = epochs x ceil(n_train / batch).

fig8's second experiment (`fig8.pos_dim`, paper profile) trains learned positions of pos_dim
coordinates only. Only those runs carry a `pos_dim` setting (and a `-p<pos_dim>` in their
id), so every other run keeps its settings hash; pos_dim = d is the full width and shares
the ordinary run.
"""

from __future__ import annotations

import math

from paperfigs.common.training import fingerprint_of

CONDITIONS = {"cot_2l": (True, 2), "nocot_2l": (False, 2), "cot_1l": (True, 1)}
# The keys of `common` that a run's numbers depend on (a figure block may override any).
TRAINING_KEYS = ("mod", "n_per_len", "n_head", "emb_dropout", "pos", "lr", "batch", "steps",
                 "epochs", "eval_every", "eval_every_epochs", "train_eval_n",
                 "attn_threshold", "curriculum_order")


def expand(values) -> list[int]:
    """A list of ints, one int, or a range "a..b" (inclusive)."""
    if isinstance(values, str):
        low, high = (int(v) for v in values.split(".."))
        return list(range(low, high + 1))
    return [values] if isinstance(values, int) else list(values)


def _grid(values, stride: int = 1) -> list[int]:
    return expand(values)[::stride]


# Step counts are given either as steps or as epochs; a block that sets one drops the other,
# and null unsets a key (the paper profile counts epochs over the laptop's steps).
EXCLUSIVE = {"steps": "epochs", "epochs": "steps", "eval_every": "eval_every_epochs",
             "eval_every_epochs": "eval_every"}


def merge_training_keys(*blocks) -> dict:
    """The training keys of `blocks`, later blocks overriding earlier ones."""
    merged = {}
    for block in blocks:
        for key, value in block.items():
            if key not in TRAINING_KEYS:
                continue
            merged.pop(key, None)
            if value is not None:
                merged.pop(EXCLUSIVE.get(key), None)
                merged[key] = value
    return merged


def run_settings(cfg: dict, blocks: list[dict], *, task: str, condition: str, n_len: int,
                 d: int, seed: int, pos: str | None = None, snapshot_step: int | None = None,
                 init: str | None = None, train_only: str = "all",
                 pos_dim: int | None = None) -> dict:
    """The full settings of one run: common keys, overridden by `blocks` in order."""
    merged = merge_training_keys(cfg["common"], *blocks)
    cot, n_layer = CONDITIONS[condition]
    steps_per_epoch = math.ceil(n_len * merged["n_per_len"] / merged["batch"])
    steps = merged["epochs"] * steps_per_epoch if "epochs" in merged else merged["steps"]
    eval_every = (merged["eval_every_epochs"] * steps_per_epoch
                  if "eval_every_epochs" in merged else merged["eval_every"])
    for key in ("epochs", "eval_every_epochs"):
        merged.pop(key, None)
    settings = {**merged, "task": task, "condition": condition, "cot": cot,
                "n_layer": n_layer, "n_len": n_len, "d": d, "seed": seed,
                "pos": pos or merged["pos"], "steps": steps, "eval_every": eval_every,
                "curriculum_order": merged.get("curriculum_order", False),
                "snapshot_step": steps if snapshot_step is None else snapshot_step,
                "init": init, "train_only": train_only}
    if pos_dim is not None and pos_dim != d:  # absent otherwise: the settings hash is kept
        if not 1 <= pos_dim < d:
            raise ValueError(f"pos_dim={pos_dim} must be in 1..d={d}")
        settings["pos_dim"] = pos_dim
    return settings


RUN_ID_PATTERN = r"[a-z]+-[a-z0-9_]+-n\d+-d\d+-[a-z]+(?:-p\d+)?-s\d+-[0-9a-f]{8}"


def pos_dim_of(settings: dict) -> int:
    """The width of a run's position embeddings (d unless the run restricts it)."""
    return settings.get("pos_dim") or settings["d"]


def run_id(settings: dict) -> str:
    prefix = "transfer" if settings["init"] else settings["task"]
    pos = settings["pos"] + (f"-p{settings['pos_dim']}" if "pos_dim" in settings else "")
    return (f"{prefix}-{settings['condition']}-n{settings['n_len']}-d{settings['d']}-"
            f"{pos}-s{settings['seed']}-{fingerprint_of(settings)[:8]}")


def fig3_runs(cfg: dict) -> list[dict]:
    """The accuracy grid: every (task, condition, n_len, d, seed); extra seeds at max d."""
    block = cfg["fig3"]
    stride = block.get("grid_stride", 1)
    n_lens, widths = _grid(block["n_len"], stride), _grid(block["d"], stride)
    runs = []
    for task, conditions in block["conditions"].items():
        for condition in conditions:
            for n_len in n_lens:
                for d in widths:
                    seeds = expand(block["seeds"])
                    if d == max(widths):
                        seeds += [s for s in expand(block["extra_seeds"]) if s not in seeds]
                    runs += [run_settings(cfg, [block], task=task, condition=condition,
                                          n_len=n_len, d=d, seed=seed) for seed in seeds]
    return runs


def fig2_runs(cfg: dict) -> list[dict]:
    block = cfg["fig2"]
    return [run_settings(cfg, [cfg["fig3"], block], task=task, condition="cot_2l",
                         n_len=block["n_len"], d=block["d"], seed=block["seed"])
            for task in block["tasks"]]


def fig6_runs(cfg: dict) -> dict[str, list[dict]]:
    """The three curves of fig6: polynomial (the pretraining runs, with a snapshot at the
    checkpoint step), parity from scratch, and the fine-tunes of the snapshot on parity (same
    parity data and batch order as the scratch run of the same seed)."""
    block = cfg["fig6"]
    shape = {"n_len": block["n_len"], "d": block["d"], "condition": "cot_2l"}
    seeds = expand(block["seeds"])
    pretrain = [run_settings(cfg, [block, block["pretrain"]], task="polynomial", seed=seed,
                             **shape) for seed in seeds]
    for settings in pretrain:
        ckpt = _checkpoint_step(block["pretrain"], settings)
        settings.update(snapshot_step=ckpt)
    scratch = [run_settings(cfg, [block, block["scratch"]], task="parity", seed=seed, **shape)
               for seed in seeds]
    transfer = [run_settings(cfg, [block, block["finetune"]], task="parity", seed=seed,
                             init=run_id(source), train_only=block["finetune"]["train_only"],
                             **shape)
                for seed, source in zip(seeds, pretrain)]
    return {"polynomial": pretrain, "parity": scratch, "transfer": transfer}


def _checkpoint_step(pretrain: dict, settings: dict) -> int:
    if pretrain.get("ckpt_epoch") is not None:
        n_train = settings["n_len"] * settings["n_per_len"]
        return pretrain["ckpt_epoch"] * math.ceil(n_train / settings["batch"])
    return pretrain.get("ckpt_step") or settings["steps"]


def _largest(cfg: dict, key: str) -> int:
    return max(_grid(cfg["fig3"][key], cfg["fig3"].get("grid_stride", 1)))


def fig7_runs(cfg: dict) -> list[dict]:
    block = cfg["fig7"]
    return [run_settings(cfg, [cfg["fig3"], block], task=block["task"], condition="cot_2l",
                         n_len=_largest(cfg, "n_len"), d=block["d"], seed=block["seed"])]


def _fig8_n_lens(cfg: dict) -> list[int]:
    block = cfg["fig8"]
    return expand(block["n_len"]) if "n_len" in block else [_largest(cfg, "n_len")]


def fig8_ablation_runs(cfg: dict) -> list[dict]:
    """fig8's first experiment: learned vs frozen positions over (n_len, d, seed)."""
    block = cfg["fig8"]
    return [run_settings(cfg, [cfg["fig3"], block], task="polynomial", condition="cot_2l",
                         n_len=n_len, d=d, seed=seed, pos=pos)
            for pos in block["pos"] for n_len in _fig8_n_lens(cfg) for d in expand(block["d"])
            for seed in expand(block["seeds"])]


def fig8_pos_dim_runs(cfg: dict) -> list[dict]:
    """fig8's second experiment (none unless `fig8.pos_dim` is set): position embeddings on
    the first pos_dim coordinates, one run per (pos_dim, seed), polynomial CoT 2 layers.
    `fig8.pos_dim_run` may set its d (default: the largest fig8 d), n_len (default: the
    largest fig8 n_len), pos (default learned) and training keys (e.g. epochs)."""
    block = cfg["fig8"]
    if block.get("pos_dim") is None:
        return []
    sweep = block.get("pos_dim_run") or {}
    d = sweep.get("d", max(expand(block["d"])))
    n_len = sweep.get("n_len", max(_fig8_n_lens(cfg)))
    return [run_settings(cfg, [cfg["fig3"], block, sweep], task="polynomial",
                         condition="cot_2l", n_len=n_len, d=d, seed=seed,
                         pos=sweep.get("pos", "learned"), pos_dim=pos_dim)
            for pos_dim in expand(block["pos_dim"]) for seed in expand(block["seeds"])]


def fig8_runs(cfg: dict) -> list[dict]:
    return fig8_ablation_runs(cfg) + fig8_pos_dim_runs(cfg)


def figure_runs(cfg: dict) -> dict[str, list[dict]]:
    """The runs behind each figure that trains (fig4 and fig9 read fig3's)."""
    curves = fig6_runs(cfg)
    return {"fig2": fig2_runs(cfg), "fig3": fig3_runs(cfg), "fig4": fig3_runs(cfg),
            "fig6": [r for runs in curves.values() for r in runs], "fig7": fig7_runs(cfg),
            "fig8": fig8_runs(cfg), "fig9": fig3_runs(cfg)}


def all_runs(cfg: dict) -> dict[str, dict]:
    """Every distinct run of the paper, by id."""
    return {run_id(s): s for runs in figure_runs(cfg).values() for s in runs}
