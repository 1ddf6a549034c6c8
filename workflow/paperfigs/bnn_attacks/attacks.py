"""l_inf attacks in [0, 1] pixel space on a posterior's predictive mean.

PGD maximises an objective J(x') (one value per input) with signed-gradient steps of size
alpha from a uniform random start in the eps-ball, projecting onto the ball and [0, 1] after
every step. Objectives call the posterior afresh at every step, so stochastic methods (MC
dropout, mean-field VI) are attacked with expectation over transformation: new masks or
weights each step.
"""

from __future__ import annotations

import torch

from paperfigs.bnn_attacks.predictive import (
    entropy,
    log_predictive_mean,
    naive_log_predictive_mean,
)


def pgd(objective, x, eps: float, steps: int, step_size: float, generator: torch.Generator,
        random_start: bool = True, history: list | None = None) -> torch.Tensor:
    """Projected gradient ascent on `objective`; the final iterate. eps = 0 returns x."""
    if eps == 0 or steps == 0:
        return x.detach().clone()
    x = x.detach()
    x_adv = x.clone()
    if random_start:
        start = torch.rand(x.shape, generator=generator, dtype=x.dtype).to(x.device)
        x_adv = (x + (2 * start - 1) * eps).clamp(0.0, 1.0)
    for _ in range(steps):
        x_adv.requires_grad_(True)
        value = objective(x_adv)
        (grad,) = torch.autograd.grad(value.sum(), x_adv)
        if history is not None:
            history.append(value.detach())
        x_adv = x_adv.detach() + step_size * grad.sign()
        x_adv = torch.minimum(torch.maximum(x_adv, x - eps), x + eps).clamp(0.0, 1.0)
    return x_adv.detach()


def uniform_noise(x, eps: float, generator: torch.Generator) -> torch.Tensor:
    """The control: x + U(-eps, eps), clipped to [0, 1]; no optimisation."""
    noise = torch.rand(x.shape, generator=generator, dtype=x.dtype).to(x.device)
    return (x + (2 * noise - 1) * eps).clamp(0.0, 1.0)


def objective(name: str, posterior, n_samples: int, labels=None, targets=None,
              loss_impl: str = "logsumexp"):
    """J(x') to maximise, per input:

    pgd: -log p(y|x') (untargeted); ua: log p(t|x') toward the most likely wrong class t
    (confidently wrong, so low uncertainty); ood_lower: -H[p(x')]; id_raise: H[p(x')].
    """
    log_mean = {"logsumexp": log_predictive_mean, "naive": naive_log_predictive_mean}[loss_impl]

    def value(x_adv):
        log_p = log_mean(posterior.log_probs(x_adv, n_samples))
        if name == "pgd":
            return -log_p.gather(1, labels[:, None]).squeeze(1)
        if name == "ua":
            return log_p.gather(1, targets[:, None]).squeeze(1)
        if name == "ood_lower":
            return -entropy(log_p)
        if name == "id_raise":
            return entropy(log_p)
        raise ValueError(f"unknown attack objective {name!r}")

    return value


def most_likely_wrong_class(log_p: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """argmax over c != y of p(c|x): the uncertainty-aware attack's target."""
    masked = log_p.clone()
    masked[torch.arange(len(labels)), labels] = -torch.inf
    return masked.argmax(dim=1)


def run_attack(name: str, posterior, x, eps: float, *, steps: int, step_factor: float,
               n_samples: int, generator: torch.Generator, labels=None, targets=None,
               loss_impl: str = "logsumexp") -> torch.Tensor:
    """One attack by name: `noise`, or PGD with step alpha = step_factor * eps / steps."""
    if name == "noise":
        return uniform_noise(x, eps, generator)
    goal = objective(name, posterior, n_samples, labels, targets, loss_impl)
    return pgd(goal, x, eps, steps, step_factor * eps / max(steps, 1), generator)
