"""Generators' statistics and the paper profile's loaders, on small data made here."""

import numpy as np
import pytest

from paperfigs.common.datasets import MissingDatasetError
from paperfigs.tale_of_tails import data, theory


def test_size_grid_is_integer_and_log_spaced():
    grid = data.size_grid(10, 10**9, 9)
    assert grid.dtype == np.int64
    assert list(grid) == [10**i for i in range(1, 10)]


def test_count_path_has_multinomial_marginals():
    rng = np.random.default_rng(0)
    q = theory.cut_law(theory.zipf(50, 1.5), 10)
    finals = []
    for _ in range(300):
        path = [(T, counts.copy()) for T, counts in data.count_path([10, 100, 1000], q, rng)]
        assert [c.sum() for _, c in path] == [10, 100, 1000]
        assert np.all(path[1][1] >= path[0][1])  # one growing sample
        finals.append(path[-1][1])
    assert np.all(np.array(finals)[:, 10:] == 0)
    np.testing.assert_allclose(np.mean(finals, axis=0), 1000 * q, atol=4 * np.sqrt(1000 / 300))


def test_tailed_bigram_conditionals_are_permuted_zipf():
    language = data.BigramLanguage.tailed(2.0, 5, 8, np.random.default_rng(1))
    by_rank = theory.zipf(8, 2.0)
    for row in language.next_probs:
        np.testing.assert_allclose(np.sort(row)[::-1], by_rank)
    assert not np.allclose(language.next_probs[0], language.next_probs[1])


def test_sample_pairs_and_count_model():
    rng = np.random.default_rng(2)
    context, nxt = np.array([0.75, 0.25, 0.0]), np.array([[0.5, 0.5], [1.0, 0.0], [0.5, 0.5]])
    counts = data.sample_pairs(context, nxt, 40000, rng)
    assert counts.sum() == 40000 and counts[2].sum() == 0 and counts[1, 1] == 0
    assert counts[0].sum() / 40000 == pytest.approx(0.75, abs=0.01)
    estimate = data.conditional_estimate(counts)
    np.testing.assert_allclose(estimate[2], [0.5, 0.5])  # unseen context: uniform
    assert estimate[0, 0] == pytest.approx(0.5, abs=0.02)


def test_decode_modes():
    law = theory.zipf(10, 2.0)[None, :]
    assert data.decode(law, "none", 0.9, 0.8) is law
    assert np.count_nonzero(data.decode(law, "top_p", 0.9, 0.8)) == theory.top_p_count(law[0], 0.9)
    with pytest.raises(ValueError, match="decoding"):
        data.decode(law, "beam", 0.9, 0.8)


def test_labelled_items_and_gcd_pairs():
    items = data.LabelledItems.zipf(100, 7, 2.0, np.random.default_rng(3))
    assert items.labels.min() >= 0 and items.labels.max() < 7
    a, b, g = data.gcd_pairs(20000, 1000, np.random.default_rng(4))
    assert np.all(a % g == 0) and np.all(b % g == 0)
    assert np.mean(g == 1) == pytest.approx(6 / np.pi**2, abs=0.02)  # P(gcd = k) ~ 1/(zeta(2) k^2)
    np.testing.assert_array_equal(data.encode_base(np.array([123456, 7]), 1000, 2),
                                  [[123, 456], [0, 7]])


def test_wikitext_raw_files(tmp_path):
    folder = tmp_path / "wikitext-103" / "wikitext-103-raw"
    folder.mkdir(parents=True)
    for split in ("train", "valid", "test"):
        (folder / f"wiki.{split}.raw").write_text(f" = Title = \n\n {split} text here \n")
    assert data.read_wikitext(tmp_path / "wikitext-103", "test") == ["= Title =",
                                                                     "test text here"]


def test_wikitext_parquet_shards(tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    folder = tmp_path / "wikitext-103-raw-v1"
    folder.mkdir()
    for split in ("train", "validation", "test"):
        pd.DataFrame({"text": [" a line \n", ""]}).to_parquet(folder / f"{split}-00000.parquet")
    assert data.read_wikitext(tmp_path, "valid") == ["a line"]


def test_missing_wikitext_and_llama_say_how_to_get_them(tmp_path):
    with pytest.raises(MissingDatasetError, match="huggingface-cli download") as error:
        data.wikitext_files(tmp_path / "nowhere")
    assert str(tmp_path / "nowhere") in str(error.value) and "\n" not in str(error.value)
    with pytest.raises(MissingDatasetError, match="Llama-2-7b-hf"):
        data.llama_dir(tmp_path)
    (tmp_path / "config.json").write_text("{}")
    assert data.llama_dir(tmp_path) == tmp_path
