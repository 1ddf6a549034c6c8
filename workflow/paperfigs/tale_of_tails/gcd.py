"""The paper profile's GCD transformer (Sec. 6.1, after Charton's Int2Int GCD setup).

Operands a, b are uniform in [1, max_int] and written as fixed-width digit strings in `base`
(base 1000 in the paper). The model is the shared decoder-only transformer
(`paperfigs.common.transformer`) on the sequence

    a_digits SEP b_digits EQ gcd_digits

trained by teacher forcing with the loss on the gcd digits only, and read out greedily. Int2Int
itself is an encoder-decoder (4 + 4 layers); a decoder-only stack with the prompt in its
context is our stand-in (same width, heads and optimiser; `n_layers` counts all its blocks).

Generations: generator 1 is trained on T0 real pairs; the data of generator g are fresh
uniform pairs labelled with generator g's predicted GCD; generator g + 1 is trained on T0 of
them. Students are trained on T pairs of one source (or a mix with a share pi of real pairs)
and scored on `n_test` uniform test pairs; "skills" are the GCD values 1..n_skills that a model
predicts correctly on most of `n_skill_test` pairs having that GCD. Training goes through
`paperfigs.common.training.train` (checkpoints, resume).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch.nn import functional as F

from paperfigs.common import pick_device, rng_for, seed_everything
from paperfigs.common.io import atomic_path
from paperfigs.common.training import train
from paperfigs.common.transformer import Transformer, TransformerConfig
from paperfigs.tale_of_tails.data import encode_base, gcd_pairs

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GcdSettings:
    """Sizes and optimiser of the GCD transformer (config keys of fig4.gcd / fig8)."""

    n_layers: int
    dim: int
    heads: int
    lr: float
    batch_size: int
    epoch_size: int
    epochs: int
    max_int: int
    base: int
    n_test: int
    n_skill_test: int
    checkpoint_every: int
    device: str = "cpu"

    @property
    def digits(self) -> int:
        """Digits of max_int in `base`."""
        count, value = 1, self.max_int
        while value >= self.base:
            value //= self.base
            count += 1
        return count

    @property
    def steps(self) -> int:
        return max(1, self.epochs * self.epoch_size // self.batch_size)

    def model_config(self) -> TransformerConfig:
        D = self.digits
        return TransformerConfig(vocab_size=self.base + 2, block_size=3 * D + 1,
                                 n_layer=self.n_layers, n_head=self.heads, d_model=self.dim)

    @classmethod
    def from_config(cls, block: dict, device: str) -> GcdSettings:
        names = [f for f in cls.__dataclass_fields__ if f != "device"]
        return cls(**{name: block[name] for name in names}, device=device)


def encode_pairs(a, b, g, settings: GcdSettings) -> torch.Tensor:
    """Token sequences (n, 3D + 2): a SEP b EQ gcd, digits most significant first."""
    D, base = settings.digits, settings.base
    n = len(a)
    sep, eq = np.full((n, 1), base), np.full((n, 1), base + 1)
    parts = [encode_base(a, base, D), sep, encode_base(b, base, D), eq, encode_base(g, base, D)]
    return torch.as_tensor(np.concatenate(parts, axis=1), dtype=torch.long)


def gcd_loss(model, tokens: torch.Tensor) -> torch.Tensor:
    """Cross-entropy of the gcd digits given the prompt (teacher forcing)."""
    D = (tokens.size(1) - 2) // 3
    logits = model(tokens[:, :-1])[:, -D:]
    return F.cross_entropy(logits.reshape(-1, logits.size(-1)), tokens[:, -D:].reshape(-1))


@torch.no_grad()
def predict_gcd(model, a, b, settings: GcdSettings, batch: int = 4096) -> np.ndarray:
    """Greedy read-out of the model's GCD for each pair (digits only, never SEP/EQ)."""
    model.eval()
    device = next(model.parameters()).device
    D, base = settings.digits, settings.base
    prompts = encode_pairs(a, b, np.zeros(len(a), np.int64), settings)[:, :2 * D + 2]
    out = []
    for start in range(0, len(a), batch):
        x = prompts[start:start + batch].to(device)
        for _ in range(D):
            nxt = model(x)[:, -1, :base].argmax(dim=-1, keepdim=True)
            x = torch.cat([x, nxt], dim=1)
        digits = x[:, -D:].cpu().numpy().astype(np.int64)
        out.append(digits @ (base ** np.arange(D - 1, -1, -1, dtype=np.int64)))
    return np.concatenate(out) if out else np.zeros(0, np.int64)


def _train_seed(*keys) -> int:
    return int(rng_for(*keys).integers(2**31))


def fit_gcd(a, b, labels, settings: GcdSettings, seed: int, checkpoint_path,
            logger=log) -> Transformer:
    """Train a fresh transformer on (a, b) -> labels pairs; batches drawn with replacement."""
    device = pick_device(settings.device)
    seed_everything(seed)
    model = Transformer(settings.model_config()).to(device)
    data = encode_pairs(a, b, labels, settings).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=settings.lr)

    def make_batch(step, generator):
        return data[torch.randint(len(data), (settings.batch_size,), generator=generator)
                    .to(device)]

    fingerprint = {"settings": {k: v for k, v in asdict(settings).items() if k != "device"},
                   "seed": seed, "n": len(data),
                   "data": hashlib.sha256(data.cpu().numpy().tobytes()).hexdigest()[:16]}
    train(model, optimizer, make_batch, gcd_loss, steps=settings.steps, seed=seed,
          checkpoint_path=checkpoint_path, fingerprint=fingerprint,
          checkpoint_every=settings.checkpoint_every, logger=logger,
          progress_every=max(1, min(settings.checkpoint_every, settings.steps // 10 or 1)))
    return model


def error_rate(model, settings: GcdSettings, seed: int) -> float:
    """Error on n_test uniform test pairs (the same pairs for every model of a seed)."""
    a, b, g = gcd_pairs(settings.n_test, settings.max_int, rng_for("gcd", "test", seed))
    return float(np.mean(predict_gcd(model, a, b, settings) != g))


def skills(model, settings: GcdSettings, n_skills: int, seed: int) -> np.ndarray:
    """1 for each GCD value k in 1..n_skills the model predicts correctly on most of
    n_skill_test pairs (k x, k y) with gcd(x, y) = 1, else 0."""
    rng = rng_for("gcd", "skills", seed)
    correct = np.zeros(n_skills, dtype=np.int64)
    for k in range(1, n_skills + 1):
        top = settings.max_int // k
        if top < 1:
            continue
        x, y = rng.integers(1, top + 1, (2, 4 * settings.n_skill_test))
        keep = np.gcd(x, y) == 1
        x, y = x[keep][:settings.n_skill_test], y[keep][:settings.n_skill_test]
        if len(x) == 0:  # only (1, 1) is coprime when top = 1: gcd(k, k) = k
            x = y = np.ones(1, np.int64)
        hits = predict_gcd(model, k * x, k * y, settings) == k
        correct[k - 1] = int(hits.mean() > 0.5)
    return correct


def save_generator(model, path, **info) -> None:
    with atomic_path(path) as tmp:
        torch.save({"state": model.state_dict(), **info}, tmp)


def load_generator(path, settings: GcdSettings) -> tuple[Transformer, dict]:
    saved = torch.load(path, map_location="cpu", weights_only=False)
    model = Transformer(settings.model_config())
    model.load_state_dict(saved.pop("state"))
    return model.to(pick_device(settings.device)).eval(), saved


def labelled_pairs(count: int, source, settings: GcdSettings, rng) -> tuple:
    """`count` fresh uniform pairs labelled by `source`: the true GCD (None) or a model."""
    a, b, g = gcd_pairs(int(count), settings.max_int, rng)
    return a, b, g if source is None else predict_gcd(source, a, b, settings)


def train_generator(figure: str, block: dict, gen: int, seed: int, previous, model_path,
                    device: str, checkpoint_dir, n_skills: int = 0,
                    logger=log) -> pd.DataFrame:
    """Generator `gen` (>= 1): trained on T0 pairs from generator gen - 1 (`previous`, a saved
    generator) or real pairs (gen 1). Saves the model with its test error; returns its row
    (panel `generator`) and, with n_skills, its skills rows (gen = gen - 1: the model trained
    on gen-(gen - 1) data, as fig8 counts generations)."""
    settings = GcdSettings.from_config(block, device)
    source = load_generator(previous, settings)[0] if previous else None
    a, b, labels = labelled_pairs(block["T0"], source, settings,
                                  rng_for(figure, "gcd", "generator", gen, seed))
    model = fit_gcd(a, b, labels, settings, _train_seed(figure, "generator", gen, seed),
                    Path(checkpoint_dir) / f"generator{gen}.ckpt", logger)
    error = error_rate(model, settings, seed)
    logger.info("%s generator %d seed %d: test error %.4f", figure, gen, seed, error)
    save_generator(model, model_path, test_error=error, gen=gen, seed=seed)
    rows = [{"panel": "generator", "gen": gen, "seed": seed, "test_error": error}]
    if n_skills:
        rows += [{"panel": "skills", "gen": gen - 1, "seed": seed, "skill": k + 1,
                  "correct": int(c)} for k, c in enumerate(skills(model, settings, n_skills,
                                                                  seed))]
    return pd.DataFrame(rows)


def train_student(figure: str, block: dict, gen: int, T: int, seed: int, generator,
                  device: str, checkpoint_dir, pi: float | None = None,
                  logger=log) -> pd.DataFrame:
    """A student trained on T pairs: from generator `gen` (a saved model; gen 0 = real data,
    generator None), or with `pi`, a share pi of real pairs and the rest from generator 1.
    One row: panel gcd (fig4) or mix (fig8) with its test error and its teacher's."""
    settings = GcdSettings.from_config(block, device)
    teacher, info = load_generator(generator, settings) if generator else (None, {})
    rng = rng_for(figure, "gcd", "student", gen, T, -1.0 if pi is None else pi, seed)
    n_real = T if teacher is None else int(round((pi or 0.0) * T))
    parts = [labelled_pairs(n_real, None, settings, rng),
             labelled_pairs(T - n_real, teacher, settings, rng)]
    a, b, labels = (np.concatenate(column) for column in zip(*parts))
    name = f"student_gen{gen}_T{T}" + ("" if pi is None else f"_pi{pi:g}")
    model = fit_gcd(a, b, labels, settings, _train_seed(figure, name, seed),
                    Path(checkpoint_dir) / f"{name}.ckpt", logger)
    error = error_rate(model, settings, seed)
    logger.info("%s %s seed %d: test error %.4f", figure, name, seed, error)
    row = {"gen": gen, "T": int(T), "seed": seed, "kind": "sim", "test_error": error,
           "teacher_error": info.get("test_error")}
    if pi is None:
        row.update(panel="gcd", decoding="none")
    else:
        row.update(panel="mix", pi=pi)
    return pd.DataFrame([row])


# --- Jobs (run by workflow/scripts/tale_of_tails/job.py) ------------------------------------

def generator_job(inputs, outputs, figure, block, gen, seed, device, checkpoint_dir,
                  n_skills=0, logger=log) -> pd.DataFrame:
    """outputs: model (the generator), csv (its row and skills rows)."""
    return train_generator(figure, block, gen, seed, inputs.get("previous"), outputs["model"],
                           device, checkpoint_dir, n_skills, logger)


def student_job(inputs, outputs, figure, block, gen, T, seed, device, checkpoint_dir,
                pi=None, logger=log) -> pd.DataFrame:
    """outputs: csv (one student row)."""
    return train_student(figure, block, gen, T, seed, inputs.get("generator"), device,
                         checkpoint_dir, pi, logger)
