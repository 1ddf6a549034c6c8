"""Hamiltonian Monte Carlo with an identity mass matrix (Neal 2011), on a flat parameter vector.

`potential(theta) -> (U, grad U)`. Each iteration draws momentum r ~ N(0, I), runs L leapfrog
steps of size h and accepts with probability min(1, exp(H_old - H_new)), H = U + |r|^2 / 2.
During burn-in log h moves toward the target acceptance; then h is frozen (adapting while
sampling would break detailed balance) and every `thin`-th state is kept.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

import torch

from paperfigs.common.io import atomic_path


def leapfrog(theta, momentum, grad, potential, step_size: float, n_steps: int):
    """L leapfrog steps: half momentum step, L position/momentum steps, final half step.
    Returns (theta, momentum, U, grad U) at the end of the trajectory."""
    momentum = momentum - 0.5 * step_size * grad
    for i in range(n_steps):
        theta = theta + step_size * momentum
        value, grad = potential(theta)
        if i < n_steps - 1:
            momentum = momentum - step_size * grad
    momentum = momentum - 0.5 * step_size * grad
    return theta, momentum, value, grad


def hmc_step(theta, value, grad, potential, step_size, n_steps, generator):
    """One HMC iteration; returns (theta, U, grad U, acceptance probability)."""
    momentum = torch.randn(theta.shape, generator=generator, dtype=theta.dtype).to(theta.device)
    new_theta, new_momentum, new_value, new_grad = leapfrog(theta, momentum, grad, potential,
                                                            step_size, n_steps)
    h_old = float(value) + 0.5 * float(momentum.pow(2).sum())
    h_new = float(new_value) + 0.5 * float(new_momentum.pow(2).sum())
    log_accept = h_old - h_new if math.isfinite(h_new) else -math.inf
    accept = math.exp(min(0.0, log_accept))
    if float(torch.rand((), generator=generator, dtype=torch.float64)) < accept:
        return new_theta, new_value, new_grad, accept
    return theta, value, grad, accept


def run_chain(potential, theta0, *, step_size: float, n_leapfrog: int, burnin: int,
              iters: int, thin: int, target_accept: float, seed: int,
              adapt_rate: float = 0.05, checkpoint_path=None, checkpoint_every: int = 50,
              logger: logging.Logger | None = None) -> dict:
    """Burn in (adapting h), then sample `iters` iterations with h frozen.

    Returns samples (iters // thin, dim), the post-burn-in acceptance rate and h. With a
    `checkpoint_path`, the chain saves itself every `checkpoint_every` iterations and a
    rerun resumes there with the same random stream.
    """
    logger = logger or logging.getLogger(__name__)
    generator = torch.Generator().manual_seed(seed)
    state = {"iteration": 0, "theta": theta0.detach().clone(), "log_step": math.log(step_size),
             "samples": [], "accepts": [], "generator": generator.get_state()}
    if checkpoint_path is not None and Path(checkpoint_path).exists():
        state = torch.load(checkpoint_path, map_location="cpu", weights_only=False)
        logger.info("HMC resumed at iteration %d", state["iteration"])
    generator.set_state(state["generator"])
    theta = state["theta"].to(theta0.device)
    value, grad = potential(theta)
    for iteration in range(state["iteration"], burnin + iters):
        step = math.exp(state["log_step"])
        theta, value, grad, accept = hmc_step(theta, value, grad, potential, step, n_leapfrog,
                                              generator)
        if iteration < burnin:
            state["log_step"] += adapt_rate * (accept - target_accept)
        else:
            state["accepts"].append(accept)
            if (iteration - burnin + 1) % thin == 0:
                state["samples"].append(theta.detach().cpu().clone())
        if (iteration + 1) % checkpoint_every == 0:
            logger.info("HMC iteration %d/%d: U %.2f, h %.3g, acceptance %.2f",
                        iteration + 1, burnin + iters, float(value), step, accept)
            if checkpoint_path is not None:
                state.update(iteration=iteration + 1, theta=theta.detach().cpu().clone(),
                             generator=generator.get_state())
                with atomic_path(checkpoint_path) as tmp:
                    torch.save(state, tmp)
    return {"samples": torch.stack(state["samples"]),
            "accept_rate": sum(state["accepts"]) / max(len(state["accepts"]), 1),
            "step_size": math.exp(state["log_step"])}
