"""A small training loop for torch models that checkpoints and resumes.

Cluster jobs get pre-empted and laptops get closed: `train` saves everything that decides
the rest of the run (weights, optimiser, step, history and every random state) every
`checkpoint_every` steps, atomically, and a rerun of the same job picks up from there. A
resumed run ends with exactly the numbers of an uninterrupted one. The checkpoint carries a
fingerprint of the job's settings; a checkpoint from other settings is ignored.

    def make_batch(step, generator): ...           # draws with `generator` only
    def loss_fn(model, batch): ...                 # returns a scalar tensor
    def evaluate(model, step): return {"acc": ...} # optional, every `eval_every` steps

    history = train(model, optimizer, make_batch, loss_fn, steps=2000, seed=0,
                    checkpoint_path="work/run.ckpt", fingerprint=params, evaluate=evaluate)
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from paperfigs.common.io import atomic_path

log = logging.getLogger(__name__)


def fingerprint_of(settings) -> str:
    """A stable hash of the job's settings (any JSON-serialisable object)."""
    text = json.dumps(settings, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _random_states(generator: torch.Generator) -> dict:
    states = {
        "python": random.getstate(),
        "numpy": np.random.get_state(),  # noqa: NPY002 - global state, saved for resume
        "torch": torch.get_rng_state(),
        "generator": generator.get_state(),
    }
    if torch.cuda.is_available():
        states["cuda"] = torch.cuda.get_rng_state_all()
    return states


def _restore_random_states(states: dict, generator: torch.Generator) -> None:
    random.setstate(states["python"])
    np.random.set_state(states["numpy"])  # noqa: NPY002
    torch.set_rng_state(states["torch"])
    generator.set_state(states["generator"])
    if "cuda" in states and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(states["cuda"])


def save_checkpoint(path, *, model, optimizer, scheduler, step, history, generator,
                    fingerprint, pending_losses=()) -> None:
    state = {
        "fingerprint": fingerprint,
        "step": step,
        "history": history,
        "pending_losses": list(pending_losses),
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict() if scheduler is not None else None,
        "random": _random_states(generator),
    }
    with atomic_path(path) as tmp:
        torch.save(state, tmp)


def load_checkpoint(path, *, model, optimizer, scheduler, generator, fingerprint):
    """Restore a matching checkpoint; return (step, history, pending losses) or None."""
    path = Path(path)
    if not path.exists():
        return None
    state = torch.load(path, map_location="cpu", weights_only=False)
    if state.get("fingerprint") != fingerprint:
        log.info("checkpoint %s is from other settings; starting afresh", path)
        return None
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    if scheduler is not None and state["scheduler"] is not None:
        scheduler.load_state_dict(state["scheduler"])
    _restore_random_states(state["random"], generator)
    return state["step"], state["history"], state["pending_losses"]


def train(model: torch.nn.Module, optimizer: torch.optim.Optimizer,
          make_batch: Callable[[int, torch.Generator], object],
          loss_fn: Callable[[torch.nn.Module, object], torch.Tensor], *, steps: int, seed: int,
          checkpoint_path, fingerprint, checkpoint_every: int = 500,
          evaluate: Callable[[torch.nn.Module, int], dict] | None = None,
          eval_every: int | None = None, scheduler=None, grad_clip: float | None = None,
          logger: logging.Logger | None = None, progress_every: int = 100) -> list[dict]:
    """Train for `steps` optimiser steps, resuming from `checkpoint_path` if it matches.

    Returns the history: one dict per evaluation, with `step`, `loss` (the mean training loss
    since the previous evaluation) and whatever `evaluate` returned. The model is left in
    its final state; the checkpoint stays on disk (the caller may delete it).
    """
    logger = logger or log
    fingerprint = fingerprint if isinstance(fingerprint, str) else fingerprint_of(fingerprint)
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    start, history, losses = 0, [], []
    resumed = load_checkpoint(checkpoint_path, model=model, optimizer=optimizer,
                              scheduler=scheduler, generator=generator, fingerprint=fingerprint)
    if resumed is not None:
        start, history, losses = resumed
        logger.info("resumed from %s at step %d/%d", checkpoint_path, start, steps)

    def record(step: int, losses: list[float]) -> None:
        row = {"step": step, "loss": float(np.mean(losses)) if losses else float("nan")}
        if evaluate is not None:
            model.eval()
            with torch.no_grad():
                row.update(evaluate(model, step))
            model.train()
        history.append(row)

    if start == 0 and eval_every:
        record(0, [])
    model.train()
    for step in range(start + 1, steps + 1):
        batch = make_batch(step, generator)
        loss = loss_fn(model, batch)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if grad_clip is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        losses.append(loss.item())
        if eval_every and step % eval_every == 0:
            record(step, losses)
            losses = []
        if step % progress_every == 0 or step == steps:
            logger.info("step %d/%d loss %.4f", step, steps, loss.item())
        if step % checkpoint_every == 0 and step < steps:
            save_checkpoint(checkpoint_path, model=model, optimizer=optimizer,
                            scheduler=scheduler, step=step, history=history,
                            generator=generator, fingerprint=fingerprint,
                            pending_losses=losses)
    if eval_every and (not history or history[-1]["step"] != steps):
        record(steps, losses)
    save_checkpoint(checkpoint_path, model=model, optimizer=optimizer, scheduler=scheduler,
                    step=steps, history=history, generator=generator, fingerprint=fingerprint)
    return history
