"""Closed forms of A Tale of Tails against Monte Carlo and hand-computed cases."""

import numpy as np
import pytest

from paperfigs.tale_of_tails import theory
from paperfigs.tale_of_tails.data import BigramLanguage, conditional_estimate, sample_pairs
from paperfigs.tale_of_tails.simulate import capped_memory_error


def hutter_monte_carlo(p, q, T, reps, rng):
    return np.mean([p[rng.multinomial(T, q) == 0].sum() for _ in range(reps)])


def test_zipf_is_a_normalised_power_law():
    p = theory.zipf(100, 2.0)
    assert p.sum() == pytest.approx(1.0)
    assert p[0] / p[9] == pytest.approx(100.0)


@pytest.mark.parametrize("k", [None, 20])
def test_hutter_error_matches_monte_carlo(k):
    rng = np.random.default_rng(0)
    p = theory.zipf(2000, 1.5)
    q = p if k is None else theory.cut_law(p, k)
    for T in (10, 1000):
        exact = theory.hutter_error(T, p, q)[0]
        se = theory.hutter_error_se(T, p, q, 400)[0]
        assert abs(hutter_monte_carlo(p, q, T, 400, rng) - exact) < 4 * se + 1e-12


def test_cut_error_is_the_thm_2_1_sum():
    p, k, T = theory.zipf(500, 2.0), 30, 5000
    expected = np.sum(p[:k] * (1 - p[:k] / p[:k].sum()) ** T) + p[k:].sum()
    assert theory.hutter_error(T, p, theory.cut_law(p, k))[0] == pytest.approx(expected)


def test_asymptotes():
    p = theory.zipf(10**6, 2.0)
    assert theory.tail_mass(p, 1000) == pytest.approx(theory.tail_mass_asymptote(1000, 2.0),
                                                      rel=0.01)
    assert theory.hutter_error(1e4, p, p)[0] == pytest.approx(theory.clean_asymptote(1e4, 2.0),
                                                              rel=0.05)


def test_known_fraction_branching():
    assert theory.known_fraction(1) == 1.0
    assert theory.known_fraction(2) == pytest.approx(1 - np.exp(-1))
    assert theory.known_fraction(200) * 200 == pytest.approx(2.0, rel=0.05)  # a_n ~ 2/n


def test_resampling_chain_matches_monte_carlo():
    rng = np.random.default_rng(1)
    p, T0, T, n = theory.zipf(5000, 2.0), 500, 2000, 3
    errors = []
    for _ in range(300):
        law = p
        for _ in range(n):
            law = rng.multinomial(T0, law) / T0
        errors.append(p[rng.multinomial(T, law) == 0].sum())
    assert np.mean(errors) == pytest.approx(theory.resampling_error(T, p, T0, n)[0], rel=0.05)
    assert theory.resampling_plateau(p, T0, 1) == pytest.approx(theory.hutter_error(T0, p, p)[0])


def test_mixing_and_window_laws():
    p = theory.zipf(1000, 2.0)
    cut = theory.cut_law(p, 10)
    mixed = theory.mixed_law(p, cut, 0.1)
    assert mixed.sum() == pytest.approx(1.0)
    assert mixed[500] == pytest.approx(0.1 * p[500])
    window = theory.window_law(p, 50)
    assert window[:49].sum() == 0 and window[49] > 0 and window.sum() == pytest.approx(1.0)


def test_triplet_law_matches_a_capped_memory_once_the_top_items_are_seen():
    rng = np.random.default_rng(2)
    p, d, T = theory.zipf(5000, 2.0), 20, 10**6
    sims = [capped_memory_error(p, rng.multinomial(T, p), d) for _ in range(20)]
    assert np.mean(sims) == pytest.approx(theory.triplet_error(T, p, d, None)[0], rel=0.01)
    assert theory.triplet_error(T, p, 50, 10)[0] == pytest.approx(theory.tail_mass(p, 10),
                                                                  rel=1e-3)


def test_memoriser_mixing_reduces_to_the_clean_and_gen1_limits():
    p, T0, C = theory.zipf(2000, 2.0), 300, 10
    clean = (1 - 1 / C) * theory.hutter_error(1e5, p, p)[0]
    assert theory.memoriser_mixing_error(1e5, p, T0, 1.0, C)[0] == pytest.approx(clean, rel=0.02)
    plateau = (1 - 1 / C) * theory.resampling_plateau(p, T0, 1)
    assert theory.memoriser_mixing_error(1e7, p, T0, 0.0, C)[0] == pytest.approx(plateau)


def test_top_p_keeps_the_token_that_crosses_the_threshold():
    probs = np.array([0.1, 0.5, 0.3, 0.1])
    assert theory.top_p_count(probs, 0.8) == 2  # 0.5 + 0.3 reaches 0.8
    assert theory.top_p_count(probs, 0.81) == 3
    kept = theory.top_p_truncate(probs, 0.81)
    np.testing.assert_allclose(kept, [1 / 9, 5 / 9, 3 / 9, 0])  # stable: first 0.1 kept
    assert theory.truncation_rounds(probs, 0.81, 3) == [3, 2, 2]
    np.testing.assert_allclose(theory.top_k_truncate(probs, 1), [0, 1, 0, 0])


def test_temperature_narrows_zipf():
    narrowed = theory.temperature_law(theory.zipf(50, 2.0), 0.5)
    np.testing.assert_allclose(narrowed, theory.zipf(50, 4.0))


def test_de_moivre_mean_absolute_deviation_by_hand():
    assert theory.mean_absolute_deviation(1, 0.5) == pytest.approx(0.5)
    assert theory.mean_absolute_deviation(2, 0.5) == pytest.approx(0.5)
    # Bin(3, 0.2): E|X - 0.6| by enumeration
    pmf = [0.512, 0.384, 0.096, 0.008]
    by_hand = sum(w * abs(x - 0.6) for x, w in enumerate(pmf))
    assert theory.mean_absolute_deviation(3, 0.2) == pytest.approx(by_hand)


def test_bigram_expected_tv_matches_monte_carlo():
    rng = np.random.default_rng(3)
    language = BigramLanguage.tailed(1.5, 30, 20, rng)
    by_rank = theory.zipf(20, 1.5)
    for T in (100, 5000):
        sims = [language.context_probs @ theory.total_variation(
            conditional_estimate(sample_pairs(language.context_probs, language.next_probs, T,
                                              rng)), language.next_probs) for _ in range(200)]
        exact = theory.bigram_expected_tv(T, language.context_probs, by_rank, exact_below=50)
        assert np.mean(sims) == pytest.approx(exact[0], rel=0.02)
