"""One training run: data, model, the common checkpointed loop, and its outputs.

Every `eval_every` steps (and at step 0) the run records, per length L, the train and test
accuracy and the attention peakiness on the test split. At the end it writes `eval.csv`,
the mean attention maps per length (`attn.npz`) and the weights at `snapshot_step`
(`model.pt`, the end of the run unless a fine-tune needs an earlier checkpoint).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch.nn import functional as F

from paperfigs.common import io, pick_device, seed_everything
from paperfigs.common.training import train
from paperfigs.common.transformer import Transformer, TransformerConfig
from paperfigs.iteration_head.data import (
    Split,
    Vocabulary,
    make_dataset,
    sequence_length,
    target_mask,
)
from paperfigs.iteration_head.metrics import mean_attention, split_metrics

EVAL_COLUMNS = ["step", "L", "loss", "train_acc", "test_acc", "attn1_peak", "attn2_peak",
                "attn1_mass", "attn2_mass"]


def build_model(settings: dict) -> Transformer:
    """The paper's model: 1 or 2 pre-LN layers, no biases, dropout on embeddings only, and
    PyTorch's default initialisation (GPT-2's std-0.02 init delays emergence past the laptop
    step budget: measured, polynomial d=64 still at 0.28 accuracy after 1500 steps).
    `pos_dim` (fig8's second experiment; absent from every other run's settings): position
    embeddings on the first pos_dim coordinates only."""
    return Transformer(TransformerConfig(
        vocab_size=Vocabulary(settings["mod"]).size,
        block_size=sequence_length(settings["n_len"]) - 1, n_layer=settings["n_layer"],
        n_head=settings["n_head"], d_model=settings["d"], emb_dropout=settings["emb_dropout"],
        pos=settings["pos"], pos_dim=settings.get("pos_dim"), init_std=None))


def run_data(settings: dict) -> tuple[Split, Split, Split]:
    """Train and test splits of the run, and the fixed train subsample its train accuracy
    is measured on."""
    train_split, test_split = make_dataset(settings["task"], settings["cot"],
                                           settings["n_len"], settings["n_per_len"],
                                           settings["mod"], settings["seed"])
    n_train = len(train_split.lengths)
    rng = np.random.default_rng([settings["seed"], 1])
    rows = np.sort(rng.choice(n_train, size=min(settings["train_eval_n"], n_train),
                              replace=False))
    subsample = Split(train_split.tokens[rows], train_split.lengths[rows])
    return train_split, test_split, subsample


def batch_maker(split: Split, settings: dict, device):
    """Minibatches drawn uniformly at random, or (curriculum_order) in the data's order,
    short lengths first, as the authors' loader does."""
    tokens = torch.as_tensor(split.tokens, device=device)
    mask = torch.as_tensor(target_mask(split.lengths, settings["cot"], settings["n_len"]),
                           device=device)
    n, batch = len(tokens), settings["batch"]
    per_epoch = -(-n // batch)

    def make_batch(step: int, generator: torch.Generator):
        if settings["curriculum_order"]:
            start = ((step - 1) % per_epoch) * batch
            rows = torch.arange(start, min(start + batch, n), device=device)
        else:
            rows = torch.randint(n, (batch,), generator=generator).to(device)
        return tokens[rows, :-1], tokens[rows, 1:], mask[rows]

    return make_batch


def masked_cross_entropy(model, batch) -> torch.Tensor:
    """Teacher-forced cross-entropy on the post-EoI targets only."""
    inputs, targets, mask = batch
    logits = model(inputs)
    return F.cross_entropy(logits[mask], targets[mask])


def trainable_parameters(model: Transformer, train_only: str):
    """all: every parameter that learns; mlp2: the last layer's MLP only."""
    if train_only == "mlp2":
        return list(model.blocks[-1].mlp.parameters())
    return [p for p in model.parameters() if p.requires_grad]


def train_run(settings: dict, *, eval_csv, attn_npz, model_pt, work_dir, init_model=None,
              device: str = "auto", checkpoint_every: int = 500,
              logger: logging.Logger | None = None) -> pd.DataFrame:
    """Train one run (resuming from `work_dir/train.ckpt` if it was interrupted) and write
    its three outputs atomically. `init_model`: a model.pt to start from (fine-tuning)."""
    logger = logger or logging.getLogger(__name__)
    torch.set_flush_denormal(True)
    device = pick_device(device)
    work_dir = Path(work_dir)
    snapshot_path = work_dir / "snapshot.pt"
    snapshot, steps = settings["snapshot_step"], settings["steps"]
    if snapshot != steps and (snapshot > steps or snapshot % settings["eval_every"]):
        raise ValueError(f"snapshot_step={snapshot} must be the last step ({steps}) or an "
                         f"earlier multiple of eval_every ({settings['eval_every']})")

    train_split, test_split, subsample = run_data(settings)
    seed_everything(settings["seed"])
    model = build_model(settings).to(device)
    if init_model is not None:
        model.load_state_dict(torch.load(init_model, map_location=device)["state_dict"])
    optimizer = torch.optim.Adam(trainable_parameters(model, settings["train_only"]),
                                 lr=settings["lr"])
    logger.info("run %s: %d parameters on %s", settings, model.n_parameters(), device)

    def evaluate(model, step: int) -> dict:
        args = (settings["cot"], settings["n_len"], settings["attn_threshold"], device)
        train_rows = split_metrics(model, subsample, *args)
        test_rows = split_metrics(model, test_split, *args)
        if step == settings["snapshot_step"] < settings["steps"]:
            _save_model(model, settings, snapshot_path)
        return {"lengths": [
            {"L": test["L"], "train_acc": train["acc"], "test_acc": test["acc"],
             **{k: v for k, v in test.items() if k.startswith("attn")}}
            for train, test in zip(train_rows, test_rows, strict=True)]}

    history = train(model, optimizer, batch_maker(train_split, settings, device),
                    masked_cross_entropy, steps=settings["steps"], seed=settings["seed"],
                    checkpoint_path=work_dir / "train.ckpt", fingerprint=settings,
                    checkpoint_every=checkpoint_every, evaluate=evaluate,
                    eval_every=settings["eval_every"], logger=logger,
                    progress_every=settings["eval_every"])
    frame = pd.DataFrame([{"step": row["step"], "loss": row["loss"], **cells}
                          for row in history for cells in row["lengths"]])[EVAL_COLUMNS]
    io.write_csv(frame, eval_csv)
    model.eval()
    maps = {f"L{L}": mean_attention(model, test_split.tokens[test_split.lengths == L], L,
                                    device)
            for L in range(1, settings["n_len"] + 1)}
    with io.atomic_path(attn_npz) as tmp, open(tmp, "wb") as handle:
        np.savez_compressed(handle, **maps)
    if settings["snapshot_step"] == settings["steps"]:
        _save_model(model, settings, model_pt)
    else:
        with io.atomic_path(model_pt) as tmp:
            tmp.write_bytes(snapshot_path.read_bytes())
    return frame


def _save_model(model, settings: dict, path) -> None:
    with io.atomic_path(path) as tmp:
        torch.save({"settings": settings, "state_dict": model.state_dict()}, tmp)


def load_model(path, device="cpu") -> tuple[Transformer, dict]:
    """A saved model.pt, in eval mode, with its run settings."""
    if not Path(path).exists():
        raise FileNotFoundError(f"Missing model: {path} does not exist. Train it with "
                                f"`snakemake --cores all {path}`.")
    saved = torch.load(path, map_location=device)
    model = build_model(saved["settings"]).to(device)
    model.load_state_dict(saved["state_dict"])
    return model.eval(), saved["settings"]
