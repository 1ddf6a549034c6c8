"""The neural memoriser: shapes, memorisation, resume, and generative (omitting) AI data."""

import numpy as np
import torch

from paperfigs.tale_of_tails import train
from paperfigs.tale_of_tails.data import LabelledItems


def settings(tmp_path, steps=150):
    return train.MemoriserSettings(n_items=50, n_classes=5, emb_dim=8, lr=0.1, steps=steps,
                                   device="cpu", checkpoint_dir=str(tmp_path))


def test_memoriser_shapes():
    model = train.Memoriser(50, 5, 8)
    assert model(torch.arange(7)).shape == (7, 5)


def test_memoriser_memorises_seen_items_and_resumes(tmp_path):
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 5, 50)
    counts = np.zeros(50, dtype=np.int64)
    counts[:30] = rng.integers(1, 1000, 30)
    predictions = train.fit_on_counts([(counts, labels)], settings(tmp_path), 0, "run")
    np.testing.assert_array_equal(predictions[:30], labels[:30])
    assert (tmp_path / "run.ckpt").exists()
    again = train.fit_on_counts([(counts, labels)], settings(tmp_path), 0, "run")
    np.testing.assert_array_equal(again, predictions)  # resumed from the final checkpoint


def test_generation_chain_omits_the_tail(tmp_path):
    task = LabelledItems.zipf(50, 5, 2.0, np.random.default_rng(1))
    chain = train.generation_chain("test", task, 40, 2, settings(tmp_path), 0)
    (real, first), (synthetic, _) = chain
    assert real.law is task.probs
    seen = synthetic.law > 0
    assert synthetic.law.sum() == 1.0 and seen.sum() <= 40 and not seen.all()
    np.testing.assert_array_equal(synthetic.labels, first)
    np.testing.assert_array_equal(first[seen], task.labels[seen])  # seen items: right labels
