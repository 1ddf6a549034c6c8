"""HMC on a 2-D Gaussian: moments, reversibility, acceptance."""

import numpy as np
import torch

from paperfigs.bnn_attacks import hmc

COVARIANCE = torch.tensor([[1.0, 0.6], [0.6, 0.5]], dtype=torch.float64)
MEAN = torch.tensor([1.0, -2.0], dtype=torch.float64)
PRECISION = torch.linalg.inv(COVARIANCE)


def potential(theta):
    centred = theta - MEAN
    return 0.5 * centred @ PRECISION @ centred, PRECISION @ centred


def test_samples_match_the_gaussian_moments(tmp_path):
    chain = hmc.run_chain(potential, torch.zeros(2, dtype=torch.float64), step_size=0.1,
                          n_leapfrog=10, burnin=200, iters=3000, thin=1, target_accept=0.8,
                          seed=0, checkpoint_path=tmp_path / "chain.ckpt")
    samples = chain["samples"].numpy()
    assert len(samples) == 3000 and 0.6 < chain["accept_rate"] < 0.99
    se = np.sqrt(np.diag(COVARIANCE.numpy()) / len(samples))
    assert np.all(np.abs(samples.mean(0) - MEAN.numpy()) < 6 * se)
    assert np.allclose(np.cov(samples.T), COVARIANCE.numpy(), atol=0.1)


def test_resume_gives_the_same_chain(tmp_path):
    settings = dict(step_size=0.1, n_leapfrog=5, burnin=20, iters=40, thin=2, target_accept=0.8,
                    seed=3, checkpoint_every=25)
    whole = hmc.run_chain(potential, torch.zeros(2, dtype=torch.float64), **settings)
    path = tmp_path / "chain.ckpt"
    hmc.run_chain(potential, torch.zeros(2, dtype=torch.float64), checkpoint_path=path,
                  **{**settings, "iters": 5})  # stops after the checkpoint at 25
    resumed = hmc.run_chain(potential, torch.zeros(2, dtype=torch.float64),
                            checkpoint_path=path, **settings)
    assert torch.equal(whole["samples"], resumed["samples"])


def test_leapfrog_is_reversible():
    theta = torch.tensor([0.3, -0.7], dtype=torch.float64)
    momentum = torch.tensor([1.1, 0.4], dtype=torch.float64)
    _, grad = potential(theta)
    end, end_momentum, _, end_grad = hmc.leapfrog(theta, momentum, grad, potential, 0.05, 30)
    back, back_momentum, _, _ = hmc.leapfrog(end, -end_momentum, end_grad, potential, 0.05, 30)
    assert torch.allclose(back, theta, atol=1e-8)
    assert torch.allclose(-back_momentum, momentum, atol=1e-8)


def test_acceptance_tends_to_one_as_the_step_shrinks():
    rates = [hmc.run_chain(potential, MEAN.clone(), step_size=h, n_leapfrog=10, burnin=0,
                           iters=200, thin=1, target_accept=0.8, seed=1)["accept_rate"]
             for h in (0.5, 0.01)]
    assert rates[1] > 0.99 and rates[1] > rates[0]
