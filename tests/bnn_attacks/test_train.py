"""Every inference method trains, saves and reloads, on the MLP, the paper's CNN and
ResNet-18 (narrowed here to keep the test fast; the full width is checked in test_models)."""

import functools
import logging

import numpy as np
import pytest
import torch

from paperfigs.bnn_attacks import models
from paperfigs.bnn_attacks.data import Split
from paperfigs.bnn_attacks.models import load_posterior
from paperfigs.bnn_attacks.train import METHODS, posterior_state_of, train_posterior

SETTINGS = {"arch": "mlp", "hidden": 8, "epochs": 2, "lr": 1e-2, "weight_decay": 0.0,
            "batch_size": 8, "mcd_p": 0.25, "mcd_samples": 3, "ensemble_size": 2,
            "mfvi_epochs": 2, "mfvi_rho0": -5.0, "mfvi_prior_std": 1.0,
            "mfvi_train_samples": 2, "mfvi_samples": 3, "hmc_hidden": 4, "hmc_prior_std": 1.0,
            "hmc_leapfrog": 3, "hmc_burnin": 4, "hmc_iters": 4, "hmc_thin": 2,
            "hmc_target_accept": 0.75, "hmc_init_step": 1e-3, "hmc_map_steps": 3,
            "fsvi_epochs": 2, "fsvi_rho0": -5.0, "fsvi_prior_std": 1.0, "fsvi_train_samples": 2,
            "fsvi_samples": 3, "fsvi_context": 4, "fsvi_jitter": 1e-4}


def _split(shape):
    rng = np.random.default_rng(0)
    size = int(np.prod(shape))
    return Split(rng.random((24, size), dtype=np.float32), rng.integers(0, 10, 24),
                 rng.random((6, size), dtype=np.float32), rng.integers(0, 10, 6), shape, 10)


CIFAR_METHODS = ("dnn", "mcd", "ensemble", "mfvi", "fsvi")  # the paper skips HMC on CIFAR-10


@pytest.mark.parametrize("arch, shape, method", [
    *[(arch, shape, m) for arch, shape in (("mlp", (1, 8, 8)), ("cnn", (1, 28, 28)))
      for m in METHODS],
    *[("resnet18", (3, 32, 32), m) for m in CIFAR_METHODS]])
def test_every_method_trains_saves_and_reloads(tmp_path, monkeypatch, method, arch, shape):
    monkeypatch.setattr(models, "ResNet18", functools.partial(models.ResNet18, width=4))
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
