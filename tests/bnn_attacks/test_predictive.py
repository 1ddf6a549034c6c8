"""The arithmetic of the predictive mean, the uncertainty scores and the metrics."""

import math

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

from paperfigs.bnn_attacks.predictive import (
    auroc,
    entropy,
    expected_calibration_error,
    log_predictive_mean,
    mutual_information,
    selective_accuracy,
    worst_case_selective_accuracy,
)


def _log_probs(samples=7, points=5, classes=4, scale=3.0, seed=0):
    generator = torch.Generator().manual_seed(seed)
    logits = scale * torch.randn(samples, points, classes, generator=generator,
                                 dtype=torch.float64)
    return torch.log_softmax(logits, -1)


def test_logsumexp_mean_matches_float64_mean_of_softmaxes():
    log_probs = _log_probs()
    direct = torch.log(log_probs.exp().mean(0))
    assert torch.allclose(log_predictive_mean(log_probs), direct, atol=1e-10, rtol=0)


def test_gradient_of_log_predictive_mean_matches_finite_differences():
    weights = torch.randn(3, 6, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    x = torch.rand(6, dtype=torch.float64, requires_grad=True)

    def loss(inputs):
        return -log_predictive_mean(torch.log_softmax(inputs @ weights, -1))[1]

    (grad,) = torch.autograd.grad(loss(x), x)
    step = 1e-6
    numeric = torch.stack([(loss(x + step * e) - loss(x - step * e)) / (2 * step)
                           for e in torch.eye(6, dtype=torch.float64)])
    assert torch.allclose(grad, numeric, atol=1e-7)


def test_mutual_information_is_nonnegative_and_zero_when_samples_agree():
    log_probs = _log_probs()
    total = entropy(log_predictive_mean(log_probs))
    assert torch.all(total >= entropy(log_probs).mean(0) - 1e-12)
    assert torch.all(mutual_information(log_probs) >= 0)
    assert torch.all(total <= math.log(4) + 1e-12)
    agreeing = log_probs[:1].expand(5, -1, -1)
    assert torch.allclose(mutual_information(agreeing), torch.zeros(5, dtype=torch.float64),
                          atol=1e-12)


def test_auroc_matches_sklearn_with_ties_and_is_antisymmetric():
    rng = np.random.default_rng(0)
    positive, negative = rng.integers(0, 5, 40), rng.integers(0, 5, 60)
    labels = np.r_[np.ones(40), np.zeros(60)]
    expected = roc_auc_score(labels, np.r_[positive, negative])
    assert auroc(positive, negative) == pytest.approx(expected, abs=1e-12)
    assert auroc(negative, positive) == pytest.approx(1 - expected, abs=1e-12)


def test_auroc_hand_computed_and_chance():
    assert auroc([3, 4], [1, 2]) == 1.0
    assert auroc([1], [1]) == 0.5
    assert auroc([2, 0], [1]) == 0.5
    rng = np.random.default_rng(1)
    assert auroc(rng.normal(size=4000), rng.normal(size=4000)) == pytest.approx(0.5, abs=0.02)


def test_selective_accuracy_basics():
    rng = np.random.default_rng(2)
    correct = rng.random(200) < 0.7
    ties = rng.permutation(200)
    fractions = np.arange(0, 0.96, 0.05)
    accuracy, kept = selective_accuracy(correct, rng.random(200), fractions, ties)
    assert accuracy[0] == pytest.approx(correct.mean())
    assert kept[0] == 200 and kept[10] == 100
    ordered, _ = selective_accuracy(correct, -correct.astype(float), fractions, ties)
    assert np.all(np.diff(ordered) >= -1e-12)


def test_worst_case_formula_matches_a_simulated_mix():
    n = 100
    correct = np.r_[np.ones(n), np.zeros(n)]  # clean right, adversarial wrong
    uncertainty = np.r_[np.linspace(1, 2, n), np.linspace(0, 0.5, n)]  # adversarial least
    fractions = np.arange(0, 0.96, 0.05)
    simulated, _ = selective_accuracy(correct, uncertainty, fractions, np.arange(2 * n))
    assert np.allclose(simulated, worst_case_selective_accuracy(fractions))


def test_expected_calibration_error_hand_computed():
    probs = np.array([[0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [0.6, 0.4]])
    labels = np.array([0, 1, 0, 0])
    # bin 0.9: accuracy 0.5 vs 0.9; bin 0.6: accuracy 1 vs 0.6 -> (0.4 + 0.4) / 2
    assert expected_calibration_error(probs, labels, 15) == pytest.approx(0.4)
