"""PGD and the objectives on tiny models where the answer is known."""

import torch
from torch import nn

from paperfigs.bnn_attacks import attacks
from paperfigs.bnn_attacks.models import MLP, SampleSet


class Linear:
    """A fixed linear softmax classifier posing as a one-sample posterior."""

    stochastic = False

    def __init__(self, weight):
        self.weight = weight

    def log_probs(self, x, n_samples=None):
        return torch.log_softmax(x @ self.weight, -1)[None]


def _setup(seed=0):
    generator = torch.Generator().manual_seed(seed)
    weight = torch.randn(8, 3, generator=generator)
    x = torch.rand(20, 8, generator=generator)
    labels = torch.randint(0, 3, (20,), generator=generator)
    return Linear(weight), x, labels


def test_pgd_stays_in_the_eps_ball_and_the_unit_box():
    model, x, labels = _setup()
    for eps in (0.05, 0.3):
        x_adv = attacks.run_attack("pgd", model, x, eps, steps=10, step_factor=2.5,
                                   n_samples=None, generator=torch.Generator().manual_seed(0),
                                   labels=labels)
        assert (x_adv - x).abs().max() <= eps + 1e-6
        assert x_adv.min() >= 0 and x_adv.max() <= 1


def test_pgd_with_zero_eps_returns_x_and_noise_stays_in_bounds():
    model, x, labels = _setup()
    goal = attacks.objective("pgd", model, None, labels=labels)
    assert torch.equal(attacks.pgd(goal, x, 0.0, 10, 0.1, torch.Generator()), x)
    noisy = attacks.uniform_noise(x, 0.2, torch.Generator().manual_seed(0))
    assert (noisy - x).abs().max() <= 0.2 + 1e-6 and noisy.min() >= 0 and noisy.max() <= 1


def test_pgd_loss_does_not_decrease_on_a_linear_model_with_small_steps():
    model, x, labels = _setup()
    x = 0.25 + 0.5 * x  # away from the box edges, so projection never cuts a step
    history = []
    goal = attacks.objective("pgd", model, None, labels=labels)
    attacks.pgd(goal, x, 0.2, 20, 0.002, torch.Generator(), random_start=False, history=history)
    values = torch.stack(history)
    assert torch.all(values[1:] >= values[:-1] - 1e-6)


def test_objectives_move_the_predictions_the_intended_way():
    torch.manual_seed(0)
    model = SampleSet.independent(lambda: MLP(8, 16, 3), [0, 1, 2])
    _, x, labels = _setup(1)
    log_p = torch.log_softmax(model.log_probs(x), -1).logsumexp(0)
    targets = attacks.most_likely_wrong_class(log_p, labels)
    assert torch.all(targets != labels)
    generator = torch.Generator().manual_seed(0)
    for name in ("ood_lower", "id_raise"):
        goal = attacks.objective(name, model, None)
        before = goal(x).mean()
        x_adv = attacks.pgd(goal, x, 0.3, 20, 0.03, generator)
        assert goal(x_adv).mean() > before, name
    goal = attacks.objective("ua", model, None, targets=targets)
    x_adv = attacks.pgd(goal, x, 0.5, 30, 0.05, generator)
    assert goal(x_adv).mean() > goal(x).mean()
    assert nn.functional.softmax(model.log_probs(x_adv), -1).shape == (3, 20, 3)
