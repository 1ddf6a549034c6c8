"""The neural memoriser, the laptop stand-in for the paper's GCD transformer (Sec. 6.1).

Items have Zipf frequencies and fixed random labels. A model is an embedding -> linear ->
softmax, trained full-batch with Adam on the unique items it saw, the loss weighted by counts
(through `paperfigs.common.training.train`, so a rerun resumes). A model's data are drawn
from its own generative law: the empirical item frequencies of its training set, labelled by
the model. The tail is then omitted, never mislabelled (the setting of Thm 3.2).
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.nn import functional as F

from paperfigs.common import pick_device, rng_for, seed_everything
from paperfigs.common.training import train
from paperfigs.tale_of_tails.data import LabelledItems

log = logging.getLogger(__name__)


class Memoriser(nn.Module):
    """Embedding (dim) -> linear -> class logits."""

    def __init__(self, n_items: int, n_classes: int, emb_dim: int):
        super().__init__()
        self.embedding = nn.Embedding(n_items, emb_dim)
        self.readout = nn.Linear(emb_dim, n_classes)

    def forward(self, items: torch.Tensor) -> torch.Tensor:
        return self.readout(self.embedding(items))


@dataclass(frozen=True)
class Source:
    """A data source: draws items from `law` and labels them `labels`."""

    law: np.ndarray
    labels: np.ndarray

    def sample(self, count: int, rng: np.random.Generator) -> np.ndarray:
        return rng.multinomial(int(count), self.law)


@dataclass(frozen=True)
class MemoriserSettings:
    n_items: int
    n_classes: int
    emb_dim: int
    lr: float
    steps: int
    device: str
    checkpoint_dir: str


def fit_memoriser(items, labels, weights, settings: MemoriserSettings, seed: int,
                  name: str, logger=log) -> np.ndarray:
    """Train a fresh memoriser on (item, label) examples weighted by counts; return its
    predicted label for every item."""
    device = pick_device(settings.device)
    seed_everything(seed)
    model = Memoriser(settings.n_items, settings.n_classes, settings.emb_dim).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=settings.lr)
    batch = tuple(torch.as_tensor(np.asarray(a), device=device)
                  for a in (items, labels, np.asarray(weights, np.float32)))
    data_hash = hashlib.sha256(b"".join(np.ascontiguousarray(a).tobytes()
                                        for a in (items, labels, weights))).hexdigest()[:16]

    def weighted_cross_entropy(model, batch):
        items, labels, weights = batch
        losses = F.cross_entropy(model(items), labels, reduction="none")
        return (losses * weights).sum() / weights.sum()

    train(model, optimizer, lambda step, generator: batch, weighted_cross_entropy,
          steps=settings.steps, seed=seed, checkpoint_every=settings.steps,
          checkpoint_path=Path(settings.checkpoint_dir) / f"{name}.ckpt",
          fingerprint={"settings": settings.__dict__, "data": data_hash, "seed": seed},
          logger=logger, progress_every=settings.steps)
    with torch.no_grad():
        logits = model(torch.arange(settings.n_items, device=device))
    return logits.argmax(dim=1).cpu().numpy()


def fit_on_counts(counts_and_labels, settings, seed, name, logger=log) -> np.ndarray:
    """Fit on one or more (counts, labels) data sets: the unique seen (item, label) pairs."""
    items, labels, weights = [], [], []
    for counts, source_labels in counts_and_labels:
        seen = np.flatnonzero(counts)
        items.append(seen)
        labels.append(source_labels[seen])
        weights.append(counts[seen])
    return fit_memoriser(np.concatenate(items), np.concatenate(labels),
                         np.concatenate(weights), settings, seed, name, logger)


def generation_chain(figure: str, task: LabelledItems, T0: int, n_models: int, settings,
                     seed: int, logger=log) -> list[tuple[Source, np.ndarray]]:
    """Models 1..n_models: model g is trained on T0 draws from source g - 1 (source 0 = real
    data); source g draws from model g's training frequencies with model g's labels.
    Returns [(source g - 1, predictions of model g)] for g = 1..n_models."""
    source, chain, out = Source(task.probs, task.labels), rng_for(figure, "chain", seed), []
    for g in range(1, n_models + 1):
        counts = source.sample(T0, chain)
        predictions = fit_on_counts([(counts, source.labels)], settings, seed, f"gen{g}", logger)
        out.append((source, predictions))
        source = Source(counts / T0, predictions)
    return out


def _settings(n_items, n_classes, emb_dim, lr, steps, device, checkpoint_dir):
    return MemoriserSettings(n_items, n_classes, emb_dim, lr, steps, device,
                             str(checkpoint_dir))


def train_fig4_gcd(model, n_items, n_classes, beta, T0, emb_dim, lr, steps, n_gen, T_values,
                   seed, device, checkpoint_dir, logger=log) -> pd.DataFrame:
    """Tapered-off scaling: students of real data (gen 0) and of generators 1..n_gen, each
    trained on T samples; error = sum_i p_i 1[pred_i != y_i]."""
    if model != "memoriser":
        raise ValueError(f"fig4.gcd.model {model!r} is not run by this job (memoriser only)")
    settings = _settings(n_items, n_classes, emb_dim, lr, steps, device, checkpoint_dir)
    task = LabelledItems.zipf(n_items, n_classes, beta, rng_for("fig4", "gcd", "task", seed))
    chain = generation_chain("fig4", task, T0, n_gen + 1, settings, seed, logger)
    sources = [(0, chain[0][0], None)]
    sources += [(g, chain[g][0], float(task.probs @ (chain[g - 1][1] != task.labels)))
                for g in range(1, n_gen + 1)]
    rows = []
    for gen, source, teacher_error in sources:
        draws = rng_for("fig4", "gcd", "students", gen, seed)
        for T in T_values:
            predictions = fit_on_counts([(source.sample(T, draws), source.labels)], settings,
                                        seed, f"student_gen{gen}_T{T}", logger)
            rows.append({"panel": "gcd", "decoding": "none", "gen": gen, "T": int(T),
                         "seed": seed, "kind": "sim", "teacher_error": teacher_error,
                         "test_error": float(task.probs @ (predictions != task.labels))})
        logger.info("fig4 gcd seed %d gen %d done", seed, gen)
    shutil.rmtree(checkpoint_dir, ignore_errors=True)
    return pd.DataFrame(rows)


def train_fig8(n_items, n_classes, beta, T0, emb_dim, lr, steps, pis, T_values, n_gen,
               n_skills, seed, device, checkpoint_dir, logger=log) -> pd.DataFrame:
    """(a) students on T samples, a fraction pi real and the rest gen-1 AI data; (b) which of
    the n_skills most frequent items the gen-g model (trained on T0 gen-g samples) answers."""
    settings = _settings(n_items, n_classes, emb_dim, lr, steps, device, checkpoint_dir)
    task = LabelledItems.zipf(n_items, n_classes, beta, rng_for("fig8", "task", seed))
    chain = generation_chain("fig8", task, T0, n_gen + 1, settings, seed, logger)
    rows = []
    for gen, (_, predictions) in enumerate(chain):
        correct = predictions[:n_skills] == task.labels[:n_skills]
        rows += [{"panel": "skills", "gen": gen, "seed": seed, "skill": i + 1,
                  "correct": int(c)} for i, c in enumerate(correct)]
    real = Source(task.probs, task.labels)
    synthetic = chain[1][0]  # gen-1 AI data: drawn from the model trained on real data
    for pi in pis:
        draws = rng_for("fig8", "mix", pi, seed)
        for T in T_values:
            n_real = int(round(pi * T))
            data = [(real.sample(n_real, draws), real.labels),
                    (synthetic.sample(T - n_real, draws), synthetic.labels)]
            predictions = fit_on_counts(data, settings, seed, f"mix_pi{pi}_T{T}", logger)
            rows.append({"panel": "mix", "pi": pi, "T": int(T), "gen": 1, "seed": seed,
                         "test_error": float(task.probs @ (predictions != task.labels))})
        logger.info("fig8 seed %d pi %g done", seed, pi)
    shutil.rmtree(checkpoint_dir, ignore_errors=True)
    return pd.DataFrame(rows)
