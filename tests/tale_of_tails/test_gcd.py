"""The paper profile's GCD transformer on tiny sizes: encoding, read-out, learning, resume,
and the generator -> student chain of fig4 (b) and fig8."""

import numpy as np
import pandas as pd
import torch

from paperfigs.tale_of_tails import gcd

BLOCK = {"n_layers": 1, "dim": 32, "heads": 2, "lr": 3e-3, "batch_size": 32,
         "epoch_size": 1600, "epochs": 1, "max_int": 99, "base": 10, "n_test": 200,
         "n_skill_test": 5, "checkpoint_every": 20, "T0": 300}


def settings(**changes):
    return gcd.GcdSettings.from_config({**BLOCK, **changes}, "cpu")


def test_encoding_and_sizes():
    s = settings()
    assert s.digits == 2 and s.steps == 50
    assert settings(max_int=1_000_000, base=1000).digits == 3  # 1e6 = (1, 0, 0) in base 1000
    tokens = gcd.encode_pairs(np.array([12, 7]), np.array([30, 99]), np.array([6, 1]), s)
    assert tokens.tolist() == [[1, 2, 10, 3, 0, 11, 0, 6], [0, 7, 10, 9, 9, 11, 0, 1]]
    assert s.model_config().block_size == tokens.shape[1] - 1


def test_learns_a_constant_answer_and_resumes(tmp_path):
    s = settings()
    a, b = np.arange(1, 101), np.arange(2, 102)
    labels = np.full(100, 1)  # an easy rule: always 1
    model = gcd.fit_gcd(a, b, labels, s, 0, tmp_path / "run.ckpt")
    assert (gcd.predict_gcd(model, a[:20], b[:20], s) == 1).all()
    again = gcd.fit_gcd(a, b, labels, s, 0, tmp_path / "run.ckpt")  # resumes at the end
    for p, q in zip(model.parameters(), again.parameters()):
        torch.testing.assert_close(p, q)
    assert 0.0 <= gcd.error_rate(model, s, 0) <= 1.0
    learned = gcd.skills(model, s, 5, 0)
    assert learned.shape == (5,) and learned[0] == 1 and learned[1:].sum() == 0


CHAIN = {**BLOCK, "epoch_size": 320, "n_test": 50}


def test_generator_student_chain(tmp_path):
    first = gcd.train_generator("fig8", CHAIN, 1, 0, None, tmp_path / "g1.pt", "cpu",
                                tmp_path / "ckpt", n_skills=4)
    assert set(first["panel"]) == {"generator", "skills"}
    assert (first.loc[first["panel"] == "skills", "gen"] == 0).all()
    second = gcd.train_generator("fig8", CHAIN, 2, 0, tmp_path / "g1.pt", tmp_path / "g2.pt",
                                 "cpu", tmp_path / "ckpt")
    assert list(second["panel"]) == ["generator"]
    model, info = gcd.load_generator(tmp_path / "g2.pt", settings())
    assert info["gen"] == 2 and 0 <= info["test_error"] <= 1
    student = gcd.train_student("fig4", CHAIN, 2, 50, 0, tmp_path / "g2.pt", "cpu",
                                tmp_path / "ckpt")
    row = student.iloc[0]
    assert row["panel"] == "gcd" and row["teacher_error"] == info["test_error"]
    real = gcd.train_student("fig4", CHAIN, 0, 50, 0, None, "cpu", tmp_path / "ckpt")
    assert pd.isna(real.iloc[0]["teacher_error"])
    mixed = gcd.train_student("fig8", CHAIN, 1, 50, 0, tmp_path / "g1.pt", "cpu",
                              tmp_path / "ckpt", pi=0.1)
    assert mixed.iloc[0]["panel"] == "mix" and mixed.iloc[0]["pi"] == 0.1
