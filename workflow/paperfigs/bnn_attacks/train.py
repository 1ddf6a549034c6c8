"""Training of each inference method; every method returns a posterior (see models.py).

dnn and ensemble train stacked MLPs side by side (an ensemble of one is the deterministic
net), mcd trains with dropout, mfvi by Bayes by backprop, fsvi (paper profile) the same
mean-field family with a function-space KL (fsvi.py); all through the common checkpointed
loop. hmc starts from a MAP estimate and runs one full-batch float64 chain.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

import torch
from torch import nn

from paperfigs.bnn_attacks import fsvi, hmc
from paperfigs.bnn_attacks.data import Split
from paperfigs.bnn_attacks.models import (
    MCDropout,
    MeanField,
    SampleSet,
    build_model,
    posterior_state,
)
from paperfigs.common.training import train

METHODS = ("dnn", "mcd", "ensemble", "mfvi", "fsvi", "hmc")
FSVI_PRIOR_SEED = 7919  # the prior mean mu_0 is the standard init drawn from seed + this


def _batches(x, y, batch_size: int, members: int):
    """Minibatches drawn with replacement, one per member: x (members, B, D), y (members, B)."""
    def make_batch(step, generator):
        index = torch.randint(len(x), (members, batch_size), generator=generator)
        return x[index.to(x.device)], y[index.to(x.device)]
    return make_batch


def _steps(epochs: int, n_train: int, batch_size: int) -> int:
    return epochs * math.ceil(n_train / batch_size)


def _flat_parameters(model: nn.Module):
    return [(name, p.shape, p.numel()) for name, p in model.named_parameters()]


def unflatten(theta: torch.Tensor, layout) -> dict[str, torch.Tensor]:
    """A flat vector (..., dim) back to named parameters (..., *shape)."""
    out, start = {}, 0
    for name, shape, size in layout:
        out[name] = theta[..., start:start + size].reshape(*theta.shape[:-1], *shape)
        start += size
    return out


def train_posterior(method: str, split: Split, settings: dict, seed: int, device,
                    checkpoint_dir, logger: logging.Logger) -> tuple[nn.Module, dict]:
    """Train `method` on `split`; returns (posterior, diagnostics for tab2)."""
    s = settings
    x = torch.as_tensor(split.x_train, device=device)
    y = torch.as_tensor(split.y_train, device=device)
    checkpoint_dir = Path(checkpoint_dir)
    common = {"seed": seed, "logger": logger, "fingerprint": {"method": method, **s},
              "checkpoint_path": checkpoint_dir / "train.ckpt", "progress_every": 500}

    def make_model(dropout=0.0, hidden=None):
        return build_model(s["arch"], split.image_shape, split.n_classes,
                           hidden or s["hidden"], dropout)

    if method in ("dnn", "ensemble"):
        members = s["ensemble_size"] if method == "ensemble" else 1
        posterior = SampleSet.independent(make_model, [seed * 1000 + m for m in range(members)])
        posterior.to(device)
        optimizer = torch.optim.Adam(posterior.parameters(), lr=s["lr"],
                                     weight_decay=s["weight_decay"])
        train(posterior, optimizer, _batches(x, y, s["batch_size"], members),
              lambda model, batch: members * nn.functional.cross_entropy(
                  model(batch[0]).flatten(0, 1), batch[1].flatten()),
              steps=_steps(s["epochs"], len(x), s["batch_size"]), **common)
        return posterior, {"n_samples": members}
    if method == "mcd":
        torch.manual_seed(seed)
        posterior = MCDropout(make_model(s["mcd_p"])).to(device)
        optimizer = torch.optim.Adam(posterior.parameters(), lr=s["lr"],
                                     weight_decay=s["weight_decay"])
        train(posterior, optimizer, _batches(x, y, s["batch_size"], 1),
              lambda model, batch: nn.functional.cross_entropy(model(batch[0][0]), batch[1][0]),
              steps=_steps(s["epochs"], len(x), s["batch_size"]), **common)
        return posterior, {"n_samples": s["mcd_samples"]}
    if method == "mfvi":
        torch.manual_seed(seed)
        posterior = MeanField(make_model(), s["mfvi_rho0"]).to(device)
        optimizer = torch.optim.Adam(posterior.parameters(), lr=s["lr"])

        def elbo_loss(model, batch):
            log_probs = model.log_probs(batch[0][0], s["mfvi_train_samples"])
            nll = -log_probs.gather(2, batch[1][0].expand(len(log_probs), -1)[..., None]).mean()
            return nll + model.kl(s["mfvi_prior_std"]) / len(x)

        train(posterior, optimizer, _batches(x, y, s["batch_size"], 1), elbo_loss,
              steps=_steps(s["mfvi_epochs"], len(x), s["batch_size"]), **common)
        return posterior, {"n_samples": s["mfvi_samples"]}
    if method == "fsvi":
        return _train_fsvi(s, seed, device, x, y, make_model, common), {
            "n_samples": s["fsvi_samples"]}
    if method == "hmc":
        return _train_hmc(split, s, seed, device, x, y, checkpoint_dir, logger, make_model)
    raise ValueError(f"unknown method {method!r} (one of {', '.join(METHODS)})")


def _train_fsvi(s, seed, device, x, y, make_model, common) -> MeanField:
    """Mean-field q(theta), ELBO with the KL taken in function space at `fsvi_context`
    training inputs drawn afresh every step."""
    torch.manual_seed(seed + FSVI_PRIOR_SEED)
    prior_mean = {k: v.detach().to(device) for k, v in make_model().named_parameters()}
    torch.manual_seed(seed)
    posterior = MeanField(make_model(), s["fsvi_rho0"]).to(device)
    optimizer = torch.optim.Adam(posterior.parameters(), lr=s["lr"])
    data_batches = _batches(x, y, s["batch_size"], 1)

    def make_batch(step, generator):
        xb, yb = data_batches(step, generator)
        context = torch.randint(len(x), (s["fsvi_context"],), generator=generator)
        return xb[0], yb[0], x[context.to(x.device)]

    def loss(model, batch):
        return fsvi.fsvi_loss(model, *batch, prior_mean=prior_mean,
                              prior_std=s["fsvi_prior_std"], n_train=len(x),
                              n_samples=s["fsvi_train_samples"], jitter=s["fsvi_jitter"])

    train(posterior, optimizer, make_batch, loss,
          steps=_steps(s["fsvi_epochs"], len(x), s["batch_size"]), **common)
    return posterior


def _train_hmc(split, s, seed, device, x, y, checkpoint_dir, logger, make_model):
    """MAP by full-batch Adam, then an HMC chain on U = sum NLL + |theta|^2 / (2 sigma_p^2)."""
    x, prior_var = x.double(), s["hmc_prior_std"] ** 2

    def potential_of(posterior):
        nll = nn.functional.cross_entropy(posterior(x[None])[0], y, reduction="sum")
        return nll + sum(p.pow(2).sum() for p in posterior.parameters()) / (2 * prior_var)

    map_net = SampleSet.independent(lambda: make_model(hidden=s["hmc_hidden"]), [seed],
                                    dtype=torch.float64).to(device)
    train(map_net, torch.optim.Adam(map_net.parameters(), lr=s["lr"]),
          lambda step, generator: None,
          lambda model, batch: potential_of(model) / len(x), steps=s["hmc_map_steps"],
          seed=seed, logger=logger, checkpoint_path=checkpoint_dir / "map.ckpt",
          fingerprint={"method": "hmc-map", **s}, progress_every=100)
    model = map_net.model
    layout = _flat_parameters(model)
    theta0 = torch.cat([map_net.params()[name][0].reshape(-1) for name, _, _ in layout])

    def potential(theta):
        theta = theta.detach().requires_grad_(True)
        logits = torch.func.functional_call(model, unflatten(theta, layout), (x,))
        value = (nn.functional.cross_entropy(logits, y, reduction="sum")
                 + theta.pow(2).sum() / (2 * prior_var))
        (grad,) = torch.autograd.grad(value, theta)
        return value.detach(), grad

    chain = hmc.run_chain(potential, theta0.detach(), step_size=s["hmc_init_step"],
                          n_leapfrog=s["hmc_leapfrog"], burnin=s["hmc_burnin"],
                          iters=s["hmc_iters"], thin=s["hmc_thin"],
                          target_accept=s["hmc_target_accept"], seed=seed,
                          checkpoint_path=checkpoint_dir / "chain.ckpt", logger=logger)
    logger.info("HMC: %d samples, acceptance %.3f, step %.3g", len(chain["samples"]),
                chain["accept_rate"], chain["step_size"])
    posterior = SampleSet(model, unflatten(chain["samples"].to(device), layout))
    return posterior, {"n_samples": len(chain["samples"]), "hmc_accept": chain["accept_rate"],
                       "hmc_step_size": chain["step_size"]}


def posterior_state_of(posterior, method: str, split: Split, settings: dict) -> dict:
    """What to save: the posterior's tensors and the fields `models.load_posterior` rebuilds
    its network from."""
    return posterior_state(posterior, {
        "method": method, "arch": settings["arch"], "image_shape": split.image_shape,
        "n_classes": split.n_classes,
        "hidden": settings["hmc_hidden" if method == "hmc" else "hidden"],
        "dropout": settings["mcd_p"] if method == "mcd" else 0.0,
        "dtype": "float64" if method == "hmc" else "float32"})
