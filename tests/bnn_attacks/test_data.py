"""The digits miniature: split sizes, attacked subset, class-split semantic shift."""

import numpy as np

from paperfigs.bnn_attacks.data import attack_subset, load_shift, load_split


def test_digits_split_matches_the_spec():
    split = load_split("digits", "unused", 0, 0.33)
    assert split.x_train.shape == (1203, 64) and split.x_test.shape == (594, 64)
    assert split.x_train.min() >= 0 and split.x_train.max() <= 1


def test_attack_subset_is_fixed_stratified_and_sorted():
    labels = load_split("digits", "unused", 0, 0.33).y_test
    subset = attack_subset(labels, 300, 0)
    assert len(subset) == 300 and np.all(np.diff(subset) > 0)
    assert np.array_equal(subset, attack_subset(labels, 300, 0))
    counts = np.bincount(labels[subset], minlength=10)
    assert counts.min() >= 28 and counts.max() <= 32
    assert np.array_equal(attack_subset(labels, 10_000, 0), np.arange(len(labels)))


def test_class_split_shift():
    shift = load_shift("digits", "digits", [0, 1, 2, 3, 4], "unused", 0, 0.33)
    assert shift.train.n_classes == 5
    assert set(shift.train.y_train) == set(range(5))
    assert len(shift.train.x_test) + len(shift.x_ood) == 594
    assert "5,6,7,8,9" in shift.title_ood
