"""Algorithm 1, the task generators, the token layout and the chance level."""

import numpy as np
import pytest

from paperfigs.iteration_head import data, theory


@pytest.mark.parametrize("task", ["polynomial", "parity"])
def test_generators_agree_with_algorithm_1(task):
    rng = np.random.default_rng(0)
    xs = data.draw_inputs(task, 9, 200, 11, rng)
    ss = data.states(task, xs, 11)
    for x, s in zip(xs, ss):
        expected = (theory.polynomial_states(list(x), 11) if task == "polynomial"
                    else theory.parity_states(list(x)))
        assert list(s) == expected


def test_iterate_and_updates_by_hand():
    assert theory.iterate(lambda s, x: s + x, 0, [1, 2, 3]) == [1, 3, 6]
    assert theory.polynomial_states([3, 4, 2], 11) == [3, (3 * 4 + 1) % 11, (2 * 2 + 1) % 11]
    assert theory.parity_states([1, 1, 0, 1]) == [1, 0, 0, 1]
    # order matters for the polynomial update, not for parity
    forward, backward = (theory.polynomial_states(xs, 11)[-1] for xs in ([2, 3, 5], [5, 3, 2]))
    assert forward != backward
    assert theory.parity_states([1, 0, 0])[-1] == theory.parity_states([0, 0, 1])[-1]


def test_input_statistics():
    rng = np.random.default_rng(1)
    poly = data.draw_inputs("polynomial", 5, 20000, 11, rng)
    assert poly.min() == 1 and poly.max() == 10  # 0 is never an input
    counts = np.bincount(poly.ravel(), minlength=11)[1:] / poly.size
    assert np.abs(counts - 0.1).max() < 0.01
    parity = data.draw_inputs("parity", 5, 20000, 11, rng)
    assert set(np.unique(parity)) == {0, 1}
    assert parity.mean() == pytest.approx(0.5, abs=0.01)
    with pytest.raises(ValueError, match="task"):
        data.draw_inputs("sorting", 3, 2, 11, rng)


def test_final_state_is_near_uniform_so_chance_is_about_one_over_p_minus_one():
    rng = np.random.default_rng(2)
    xs = data.draw_inputs("polynomial", 8, 50000, 11, rng)
    frequencies = np.bincount(data.states("polynomial", xs, 11)[:, -1], minlength=11) / 50000
    assert frequencies.max() == pytest.approx(theory.nocot_chance(11), abs=0.02)
    assert frequencies.max() < 0.12


def test_token_layout_cot_and_no_cot():
    vocab = data.Vocabulary(11)
    xs, ss = np.array([[3, 4]]), np.array([[3, 2]])
    cot = data.encode("polynomial", xs, ss, True, 4, vocab)[0]
    assert list(cot) == [11, 3, 4, 13, 3, 2, 14, 14, 14, 14, 14]  # T = 2*4 + 3, right-padded
    nocot = data.encode("parity", xs, ss, False, 4, vocab)[0]
    assert list(nocot) == [12, 3, 4, 13, 2, 14, 14, 14, 14, 14, 14]
    assert vocab.size == 15 and data.sequence_length(4) == 11


def test_target_mask_covers_the_answer_and_its_end_token():
    mask = data.target_mask(np.array([2, 3]), True, 4)
    # targets tokens[:, 1:]: index i is predicted at position i; s_1 sits at L+2 -> i = L+1
    assert list(np.nonzero(mask[0])[0]) == [3, 4, 5]  # s1, s2, EoS
    assert list(np.nonzero(mask[1])[0]) == [4, 5, 6, 7]
    nocot = data.target_mask(np.array([3]), False, 4)
    assert list(np.nonzero(nocot[0])[0]) == [4, 5]  # s_L, EoS


def test_dataset_splits_sizes_positions_and_determinism():
    train, test = data.make_dataset("polynomial", True, 5, 40, 11, seed=3)
    assert train.tokens.shape == test.tokens.shape == (200, 13)
    assert list(np.bincount(train.lengths)[1:]) == [40] * 5
    rows = train.tokens[train.lengths == 4]
    assert (rows[:, 5] == data.Vocabulary(11).eoi).all()  # EoI at L+1: x_t stays at t
    again, _ = data.make_dataset("polynomial", True, 5, 40, 11, seed=3)
    assert np.array_equal(again.tokens, train.tokens)
    other, _ = data.make_dataset("polynomial", True, 5, 40, 11, seed=4)
    assert not np.array_equal(other.tokens, train.tokens)


def test_ideal_attention_and_uniform_baseline():
    layer1, layer2 = theory.ideal_attention(4)
    for t in range(1, 5):
        assert layer2[4 + t].tolist() == [1.0 if k == t else 0.0 for k in range(10)]
    assert layer1[:, 5].tolist() == [0] * 6 + [1] * 4  # CoT queries 6..9 read EoI at 5
    assert theory.uniform_weight(4) == pytest.approx(0.2)
    assert theory.iteration_head_baseline(2) == pytest.approx((1 / 4 + 1 / 5) / 2)
