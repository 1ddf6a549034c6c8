"""Accuracy and peakiness on hand-made predictions and attention maps."""

import numpy as np
import pytest
import torch

from paperfigs.iteration_head import data, metrics, theory


class Oracle:
    """A stand-in model: predicts the true next token, with the given attention maps."""

    def __init__(self, tokens, attention, wrong_row=None):
        self.tokens, self.attention, self.wrong_row = tokens, attention, wrong_row

    def __call__(self, inputs, return_attention=False):
        T = inputs.shape[1]
        logits = torch.nn.functional.one_hot(torch.as_tensor(self.tokens[:, 1:T + 1]),
                                             16).float()
        if self.wrong_row is not None:
            logits[self.wrong_row, T - 2] = logits[self.wrong_row, T - 2].roll(1)
        maps = torch.as_tensor(self.attention(T)).float()
        return logits, maps[:, None, None].expand(-1, inputs.shape[0], 1, T, T)


def sequences(L=4, n=6):
    train, _ = data.make_dataset("polynomial", True, 6, n, 12, seed=0)
    return train.tokens[train.lengths == L]


def ideal(T):
    return np.stack(theory.ideal_attention((T - 2) // 2))


def uniform(T):
    causal = np.tril(np.ones((T, T)))
    return np.stack([causal / causal.sum(1, keepdims=True)] * 2)


def test_perfect_model_with_ideal_heads():
    row = metrics.length_metrics(Oracle(sequences(), ideal), sequences(), 4, True, 6, 0.5,
                                 "cpu")
    assert row == {"acc": 1.0, "attn1_peak": 1.0, "attn1_mass": 1.0, "attn2_peak": 1.0,
                   "attn2_mass": 1.0}


def test_one_wrong_token_fails_its_whole_sequence():
    model = Oracle(sequences(), ideal, wrong_row=2)
    assert metrics.length_metrics(model, sequences(), 4, True, 6, 0.5, "cpu")["acc"] == \
        pytest.approx(5 / 6)


def test_uniform_attention_has_no_peak_and_baseline_mass():
    row = metrics.length_metrics(Oracle(sequences(), uniform), sequences(), 4, True, 6, 0.5,
                                 "cpu")
    assert row["attn2_peak"] == 0.0
    assert row["attn2_mass"] == pytest.approx(theory.iteration_head_baseline(4))


def test_one_layer_model_has_no_layer_2_peakiness():
    one_layer = Oracle(sequences(), lambda T: ideal(T)[:1])
    row = metrics.length_metrics(one_layer, sequences(), 4, True, 6, 0.5, "cpu")
    assert np.isnan(row["attn2_peak"]) and np.isnan(row["attn2_mass"])
    assert row["attn1_peak"] == 1.0


def test_head_cells():
    cells = metrics.head_cells(3)
    assert list(zip(*cells[2])) == [(4, 1), (5, 2), (6, 3)]
    assert list(zip(*cells[1])) == [(5, 4), (6, 4), (7, 4)]
