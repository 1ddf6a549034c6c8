"""A training run of the paper: outputs, model loader, and resume after a kill."""

import numpy as np
import pandas as pd
import pytest
import torch

from paperfigs.common import training
from paperfigs.iteration_head import runs, train

COMMON = {"mod": 5, "n_per_len": 12, "n_head": 1, "emb_dropout": 0.1, "pos": "learned",
          "lr": 1e-2, "batch": 8, "steps": 12, "eval_every": 4, "train_eval_n": 16,
          "attn_threshold": 0.5, "curriculum_order": False}


def settings(**overrides):
    base = runs.run_settings({"common": COMMON}, [], task="polynomial", condition="cot_2l",
                             n_len=3, d=8, seed=0)
    return {**base, "snapshot_step": overrides.get("steps", base["steps"]), **overrides}


def outputs(folder):
    return {"eval_csv": folder / "eval.csv", "attn_npz": folder / "attn.npz",
            "model_pt": folder / "model.pt", "work_dir": folder}


def test_run_writes_metrics_maps_and_a_loadable_model(tmp_path):
    frame = train.train_run(settings(), **outputs(tmp_path), checkpoint_every=4)
    assert list(frame.columns) == train.EVAL_COLUMNS
    assert sorted(frame["step"].unique()) == [0, 4, 8, 12] and set(frame["L"]) == {1, 2, 3}
    assert frame[["train_acc", "test_acc", "attn1_peak", "attn2_peak"]].stack().between(
        0, 1).all()
    with np.load(tmp_path / "attn.npz") as maps:
        assert maps["L3"].shape == (2, 1, 8, 8)  # layer, head, 2L+2, 2L+2
    model, saved = train.load_model(tmp_path / "model.pt")
    assert saved == settings() and not model.training
    logits = model(torch.zeros(2, 8, dtype=torch.long))
    assert logits.shape == (2, 8, 9)  # vocab: 5 values + 2 BoS + EoI + EoS


def test_missing_model_names_the_path_and_how_to_make_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="model.pt.*snakemake"):
        train.load_model(tmp_path / "model.pt")


def test_killed_run_resumes_and_ends_with_the_same_bytes(tmp_path, monkeypatch):
    reference = tmp_path / "reference"
    train.train_run(settings(), **outputs(reference), checkpoint_every=4)

    saves = []
    original = training.save_checkpoint

    def save_then_die(*args, **kwargs):
        original(*args, **kwargs)
        saves.append(kwargs["step"])
        if len(saves) == 2:
            raise KeyboardInterrupt("killed after the checkpoint at step 8")

    killed = tmp_path / "killed"
    monkeypatch.setattr(training, "save_checkpoint", save_then_die)
    with pytest.raises(KeyboardInterrupt):
        train.train_run(settings(), **outputs(killed), checkpoint_every=4)
    monkeypatch.undo()
    assert saves == [4, 8] and not (killed / "eval.csv").exists()

    train.train_run(settings(), **outputs(killed), checkpoint_every=4)
    assert (killed / "eval.csv").read_bytes() == (reference / "eval.csv").read_bytes()
    with np.load(killed / "attn.npz") as a, np.load(reference / "attn.npz") as b:
        assert all(np.array_equal(a[k], b[k]) for k in b.files)


def test_snapshot_step_saves_the_earlier_weights_for_fine_tuning(tmp_path):
    early = tmp_path / "early"
    train.train_run(settings(steps=4), **outputs(early))
    full = tmp_path / "full"
    train.train_run(settings(snapshot_step=4), **outputs(full))
    a, b = (torch.load(p / "model.pt")["state_dict"] for p in (early, full))
    assert all(torch.equal(a[k], b[k]) for k in a)  # constant lr: a prefix of the run
    for bad in (5, 16):
        with pytest.raises(ValueError, match="snapshot_step"):
            train.train_run(settings(snapshot_step=bad), **outputs(tmp_path / "bad"))


def test_fine_tune_starts_from_the_given_model(tmp_path):
    source = tmp_path / "source"
    train.train_run(settings(), **outputs(source))
    tuned = train.train_run(settings(task="parity", steps=4, train_only="mlp2"),
                            **outputs(tmp_path / "tuned"), init_model=source / "model.pt")
    start = pd.read_csv(source / "eval.csv")
    assert tuned["step"].max() == 4 and len(start)
    before, after = (torch.load(p)["state_dict"] for p in
                     (source / "model.pt", tmp_path / "tuned" / "model.pt"))
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert changed and all(k.startswith("blocks.1.mlp.") for k in changed)


def test_curriculum_order_walks_the_data_in_order():
    split, _, _ = train.run_data(settings(curriculum_order=True))
    make_batch = train.batch_maker(split, settings(curriculum_order=True), "cpu")
    first, second = make_batch(1, None)[0], make_batch(2, None)[0]
    assert torch.equal(first, torch.as_tensor(split.tokens[:8, :-1]))
    assert torch.equal(second, torch.as_tensor(split.tokens[8:16, :-1]))
    assert torch.equal(make_batch(6, None)[0], first)  # 36 sequences: 5 batches per epoch


def test_pos_dim_run_trains_and_reloads_with_narrow_positions(tmp_path):
    narrow = runs.run_settings({"common": COMMON}, [], task="polynomial", condition="cot_2l",
                               n_len=3, d=8, seed=0, pos_dim=2)
    frame = train.train_run(narrow, **outputs(tmp_path))
    assert frame["step"].max() == 12
    model, saved = train.load_model(tmp_path / "model.pt")
    assert saved["pos_dim"] == 2 and model.pos_emb.weight.shape == (8, 2)
