"""Shapes and sampling behaviour of the posteriors; save and reload."""

import pytest
import torch

from paperfigs.bnn_attacks.models import (
    CNN,
    MCDropout,
    MeanField,
    ResNet18,
    SampleSet,
    build_model,
    gaussian_kl,
    load_posterior,
    posterior_state,
)

META = {"arch": "mlp", "image_shape": (1, 8, 8), "n_classes": 10, "hidden": 16,
        "dtype": "float32"}


def test_posteriors_give_per_sample_log_probs():
    x = torch.rand(7, 64)
    ensemble = SampleSet.independent(lambda: build_model("mlp", (1, 8, 8), 10, 16), [0, 1, 2])
    assert ensemble.log_probs(x).shape == (3, 7, 10)
    assert ensemble(torch.rand(3, 5, 64)).shape == (3, 5, 10)
    assert ensemble.subset([0, 2]).n_samples == 2
    dropout = MCDropout(build_model("mlp", (1, 8, 8), 10, 16, dropout=0.5))
    assert dropout.log_probs(x, 4).shape == (4, 7, 10)
    meanfield = MeanField(build_model("mlp", (1, 8, 8), 10, 16), rho0=-1.0)
    assert meanfield.log_probs(x, 5).shape == (5, 7, 10)
    assert torch.allclose(ensemble.log_probs(x).exp().sum(-1), torch.ones(3, 7))


def test_cnn_shapes_for_mnist_and_cifar():
    assert CNN((1, 28, 28), 32, 10)(torch.rand(4, 784)).shape == (4, 10)
    assert CNN((3, 32, 32), 32, 10)(torch.rand(2, 4, 3072)).shape == (2, 4, 10)


def test_resnet18_shapes_and_a_few_training_steps():
    torch.manual_seed(0)
    net = build_model("resnet18", (3, 32, 32), 10, hidden=0, dropout=0.1)
    assert isinstance(net, ResNet18)
    assert 11.1e6 < sum(p.numel() for p in net.parameters()) < 11.2e6  # ResNet-18 (CIFAR)
    assert net(torch.rand(3, 3072)).shape == (3, 10)
    assert net(torch.rand(2, 3, 3072)).shape == (2, 3, 10)  # leading sample axis, as MCD uses
    x, y = torch.rand(8, 3072), torch.arange(8) % 10
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-4)
    losses = []
    for _ in range(3):
        loss = torch.nn.functional.cross_entropy(net(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]


def test_stochastic_posteriors_draw_fresh_samples_and_members_differ():
    x = torch.rand(5, 64)
    dropout = MCDropout(build_model("mlp", (1, 8, 8), 10, 16, dropout=0.5))
    assert not torch.allclose(dropout.log_probs(x, 2)[0], dropout.log_probs(x, 2)[1])
    meanfield = MeanField(build_model("mlp", (1, 8, 8), 10, 16), rho0=-1.0)
    assert not torch.allclose(meanfield.log_probs(x, 1), meanfield.log_probs(x, 1))
    ensemble = SampleSet.independent(lambda: build_model("mlp", (1, 8, 8), 10, 16), [0, 1])
    first, second = ensemble.log_probs(x)
    assert not torch.allclose(first, second)


def test_gaussian_kl_matches_monte_carlo():
    mu, sigma, prior = torch.tensor(0.7), torch.tensor(0.4), 1.5
    draws = mu + sigma * torch.randn(400_000, generator=torch.Generator().manual_seed(0))
    log_q = torch.distributions.Normal(mu, sigma).log_prob(draws)
    log_p = torch.distributions.Normal(0.0, prior).log_prob(draws)
    assert gaussian_kl(mu, sigma, prior).item() == pytest.approx((log_q - log_p).mean().item(),
                                                                abs=5e-3)


@pytest.mark.parametrize("kind", ["samples", "dropout", "meanfield"])
def test_save_and_load_round_trip(kind):
    model = build_model("mlp", (1, 8, 8), 10, 16, dropout=0.25 if kind == "dropout" else 0.0)
    posterior = {"samples": lambda: SampleSet.independent(lambda: build_model(
                     "mlp", (1, 8, 8), 10, 16), [0, 1]),
                 "dropout": lambda: MCDropout(model),
                 "meanfield": lambda: MeanField(model, -3.0)}[kind]()
    meta = {**META, "dropout": 0.25 if kind == "dropout" else 0.0}
    loaded = load_posterior(posterior_state(posterior, meta))
    for key, value in posterior.state_dict().items():
        assert torch.equal(loaded.state_dict()[key], value)
    assert loaded.stochastic == posterior.stochastic
