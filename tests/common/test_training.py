"""The common training loop: a run interrupted after a checkpoint and rerun ends exactly
like an uninterrupted one."""

import pandas as pd
import pytest
import torch

from paperfigs.common import training


class Interrupted(RuntimeError):
    pass


def setup(seed=0):
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Dropout(0.3),
                                torch.nn.Linear(8, 1))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    return model, optimizer


def make_batch(step, generator):
    x = torch.randn(16, 3, generator=generator)
    return x, x.sum(dim=1, keepdim=True)


def loss_fn(model, batch):
    x, y = batch
    return torch.nn.functional.mse_loss(model(x), y)


def evaluate(model, step):
    x = torch.linspace(-1, 1, 12).reshape(4, 3)
    return {"prediction": model(x).sum().item()}


def same(history, other) -> bool:
    """Equal histories (the step-0 loss is NaN in both)."""
    return pd.DataFrame(history).equals(pd.DataFrame(other))


def run(path, steps=30, batches=make_batch):
    model, optimizer = setup()
    history = training.train(model, optimizer, batches, loss_fn, steps=steps, seed=3,
                             checkpoint_path=path, fingerprint={"steps": steps},
                             checkpoint_every=10, evaluate=evaluate, eval_every=4)
    return history, model


def test_resumed_run_ends_with_the_numbers_of_an_uninterrupted_one(tmp_path):
    reference, reference_model = run(tmp_path / "reference.ckpt")

    def flaky_batch(step, generator):
        if step == 25:
            raise Interrupted("killed after the checkpoint at step 20")
        return make_batch(step, generator)

    with pytest.raises(Interrupted):
        run(tmp_path / "run.ckpt", batches=flaky_batch)
    model, optimizer = setup()
    assert training.load_checkpoint(tmp_path / "run.ckpt", model=model, optimizer=optimizer,
                                    scheduler=None, generator=torch.Generator(),
                                    fingerprint=training.fingerprint_of({"steps": 30}))[0] == 20

    steps_run = []
    def counting_batch(step, generator):
        steps_run.append(step)
        return make_batch(step, generator)
    resumed, resumed_model = run(tmp_path / "run.ckpt", batches=counting_batch)
    assert steps_run == list(range(21, 31))
    assert same(resumed, reference)
    for a, b in zip(resumed_model.state_dict().values(), reference_model.state_dict().values()):
        assert torch.equal(a, b)


def test_checkpoint_of_other_settings_is_ignored(tmp_path):
    run(tmp_path / "run.ckpt", steps=12)
    history, _ = run(tmp_path / "run.ckpt", steps=20)  # another fingerprint: starts afresh
    fresh, _ = run(tmp_path / "fresh.ckpt", steps=20)
    assert same(history, fresh)
    assert [row["step"] for row in history] == [0, 4, 8, 12, 16, 20]
