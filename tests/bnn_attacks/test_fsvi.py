"""FSVI: the linearised function-space moments, the Gaussian KL, and training on tiny data."""

import logging
import math

import pytest
import torch

from paperfigs.bnn_attacks import fsvi
from paperfigs.bnn_attacks.models import MeanField, build_model
from paperfigs.common.training import train


def _posterior_at(model, mean: dict, std: float) -> MeanField:
    posterior = MeanField(model, rho0=math.log(math.expm1(std)))  # softplus(rho0) = std
    with torch.no_grad():
        for name, value in mean.items():
            posterior.mu[name.replace(".", "__")].copy_(value)
    return posterior


def _mlp(seed):
    torch.manual_seed(seed)
    return build_model("mlp", (1, 2, 3), 3, 5).double()


def test_linear_model_moments_are_exact():
    torch.manual_seed(0)
    model = torch.nn.Linear(4, 2).double()
    x = torch.rand(3, 4, dtype=torch.float64)
    mean = dict(model.named_parameters())
    var = {"weight": torch.full((2, 4), 0.3, dtype=torch.float64),
           "bias": torch.full((2,), 0.2, dtype=torch.float64)}
    out, cov = fsvi.linearised_moments(model, mean, var, x)
    assert torch.allclose(out, model(x).T)
    expected = 0.3 * x @ x.T + 0.2  # Cov(w_k.x + b_k) for every class k
    assert torch.allclose(cov, expected.expand(2, 3, 3))


def test_gaussian_kl_matches_torch():
    gen = torch.Generator().manual_seed(1)
    a, b = (torch.randn(2, 4, 4, generator=gen, dtype=torch.float64) for _ in range(2))
    cov_q, cov_p = a @ a.mT + 0.1 * torch.eye(4), b @ b.mT + 0.1 * torch.eye(4)
    m_q, m_p = (torch.randn(2, 4, generator=gen, dtype=torch.float64) for _ in range(2))
    mvn = torch.distributions.MultivariateNormal
    expected = torch.distributions.kl_divergence(mvn(m_q, cov_q), mvn(m_p, cov_p)).sum()
    assert fsvi.gaussian_kl_mvn(m_q, cov_q, m_p, cov_p).item() == pytest.approx(expected.item())


def test_function_space_kl_is_zero_at_the_prior_and_positive_elsewhere():
    prior_mean = {k: v.detach() for k, v in _mlp(1).named_parameters()}
    x = torch.rand(6, 6, dtype=torch.float64)
    at_prior = _posterior_at(_mlp(2), prior_mean, 0.5)
    assert abs(fsvi.function_space_kl(at_prior, prior_mean, 0.5, x, 1e-6).item()) < 1e-8
    other_mean = _posterior_at(_mlp(2), {k: v + 0.1 for k, v in prior_mean.items()}, 0.5)
    narrower = _posterior_at(_mlp(2), prior_mean, 0.2)
    for posterior in (other_mean, narrower, MeanField(_mlp(3), -5.0)):
        assert fsvi.function_space_kl(posterior, prior_mean, 0.5, x, 1e-6).item() > 1e-3


def test_function_space_kl_has_gradients_for_mean_and_scale():
    prior_mean = {k: v.detach() for k, v in _mlp(1).named_parameters()}
    posterior = MeanField(_mlp(2), -3.0)
    fsvi.function_space_kl(posterior, prior_mean, 1.0, torch.rand(4, 6).double(),
                           1e-6).backward()
    for part in (posterior.mu, posterior.rho):  # (the wrapped model's own weights are unused)
        assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in part.values())


def test_a_few_steps_reduce_the_loss(tmp_path):
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(64, 6, generator=gen)
    y = (x[:, 0] > x[:, 1]).long() + (x[:, 2] > 0.5).long()
    torch.manual_seed(5)
    prior_mean = {k: v.detach() for k, v in build_model("mlp", (1, 2, 3), 3, 16)
                  .named_parameters()}
    torch.manual_seed(0)
    posterior = MeanField(build_model("mlp", (1, 2, 3), 3, 16), -5.0)

    def make_batch(step, generator):
        index = torch.randint(64, (16,), generator=generator)
        return x[index], y[index], x[torch.randint(64, (8,), generator=generator)]

    def loss(model, batch):
        return fsvi.fsvi_loss(model, *batch, prior_mean=prior_mean, prior_std=1.0, n_train=64,
                              n_samples=2, jitter=1e-4)

    history = train(posterior, torch.optim.Adam(posterior.parameters(), lr=1e-2), make_batch,
                    loss, steps=120, seed=0, checkpoint_path=tmp_path / "fsvi.ckpt",
                    fingerprint="fsvi", eval_every=40, logger=logging.getLogger("test"))
    assert history[-1]["loss"] < 0.8 * history[1]["loss"]
