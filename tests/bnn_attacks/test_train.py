"""Every inference method trains, saves and reloads, on the MLP and on the paper's CNN."""

import logging

import numpy as np
import pytest
import torch

from paperfigs.bnn_attacks.data import Split
from paperfigs.bnn_attacks.models import load_posterior
from paperfigs.bnn_attacks.train import METHODS, posterior_state_of, train_posterior

SETTINGS = {"arch": "mlp", "hidden": 8, "epochs": 2, "lr": 1e-2, "weight_decay": 0.0,
            "batch_size": 8, "mcd_p": 0.25, "mcd_samples": 3, "ensemble_size": 2,
            "mfvi_epochs": 2, "mfvi_rho0": -5.0, "mfvi_prior_std": 1.0,
            "mfvi_train_samples": 2, "mfvi_samples": 3, "hmc_hidden": 4, "hmc_prior_std": 1.0,
            "hmc_leapfrog": 3, "hmc_burnin": 4, "hmc_iters": 4, "hmc_thin": 2,
            "hmc_target_accept": 0.75, "hmc_init_step": 1e-3, "hmc_map_steps": 3}


def _split(shape):
    rng = np.random.default_rng(0)
    size = int(np.prod(shape))
    return Split(rng.random((24, size), dtype=np.float32), rng.integers(0, 10, 24),
                 rng.random((6, size), dtype=np.float32), rng.integers(0, 10, 6), shape, 10)


@pytest.mark.parametrize("arch, shape", [("mlp", (1, 8, 8)), ("cnn", (1, 28, 28))])
@pytest.mark.parametrize("method", METHODS)
def test_every_method_trains_saves_and_reloads(tmp_path, method, arch, shape):
    split, settings = _split(shape), {**SETTINGS, "arch": arch}
    posterior, info = train_posterior(method, split, settings, 0, "cpu", tmp_path,
                                      logging.getLogger("test"))
    loaded = load_posterior(posterior_state_of(posterior, method, split, settings))
    x = torch.as_tensor(split.x_test)
    log_probs = loaded.log_probs(x, info["n_samples"])
    assert log_probs.shape == (info["n_samples"], 6, 10)
    if not loaded.stochastic:
        assert torch.allclose(log_probs, posterior.log_probs(x))
    if method == "hmc":
        assert info["n_samples"] == 2 and 0 <= info["hmc_accept"] <= 1
