"""The run plan: which runs each figure trains, and that figures share them."""

import copy
import math
import re
from pathlib import Path

import pytest
import yaml
from snakemake.utils import update_config

from paperfigs.iteration_head import runs

ROOT = Path(__file__).resolve().parents[2]


def profile(*names) -> dict:
    config = {}
    for name in ("config", *names):
        update_config(config, yaml.safe_load((ROOT / f"config/{name}.yaml").read_text()))
    return config["iteration_head"]


def ids(settings_list):
    return {runs.run_id(s) for s in settings_list}


def test_laptop_plan_has_fifteen_runs_shared_between_figures():
    cfg = profile()
    fig3 = ids(runs.fig3_runs(cfg))
    assert len(fig3) == 12  # 8 at seed 0 + 4 extra seeds at d = 64
    curves = runs.fig6_runs(cfg)
    assert ids(curves["polynomial"]) <= fig3 and ids(curves["parity"]) <= fig3
    assert ids(runs.fig2_runs(cfg)) <= fig3 and ids(runs.fig7_runs(cfg)) <= fig3
    assert len(ids(runs.fig8_runs(cfg)) - fig3) == 1  # only the frozen-position run is new
    assert len(runs.all_runs(cfg)) == 15


def test_transfer_runs_share_parity_data_and_batches_with_scratch_runs():
    curves = runs.fig6_runs(profile())
    for scratch, transfer in zip(curves["parity"], curves["transfer"]):
        assert transfer["init"] in ids(curves["polynomial"])
        assert (transfer["seed"], transfer["task"], transfer["batch"]) == \
            (scratch["seed"], scratch["task"], scratch["batch"])
        assert transfer["steps"] == 600 and transfer["eval_every"] == 50


def test_a_figure_block_overrides_common_keys_and_makes_new_runs():
    cfg = copy.deepcopy(profile())
    before = ids(runs.fig3_runs(cfg))
    cfg["fig3"]["steps"] = 3000
    after = runs.fig3_runs(cfg)
    assert {s["steps"] for s in after} == {3000}
    assert not ids(after) & before
    assert ids(runs.fig7_runs(cfg)) <= ids(after)  # fig7 still reuses fig3's run


def test_paper_profile_counts_epochs():
    cfg = profile("paper")
    assert len(runs.fig3_runs(cfg)) == 2 * 3 * 28 * 60
    curves = runs.fig6_runs(cfg)
    per_epoch = math.ceil(16 * 1024 / 256)
    first = curves["polynomial"][0]
    assert (first["steps"], first["snapshot_step"]) == (1000 * per_epoch, 200 * per_epoch)
    assert first["eval_every"] == 10 * per_epoch and first["curriculum_order"]
    assert len(curves["transfer"]) == 100
    assert runs.fig8_runs(cfg)[0]["steps"] == 5000 * math.ceil(4 * 1024 / 256)
    cfg["fig3"]["grid_stride"] = 3
    assert len(runs.fig3_runs(cfg)) == 2 * 3 * 10 * 20


def test_smoke_profile_is_tiny():
    cfg = profile("smoke")
    assert {s["steps"] for s in runs.all_runs(cfg).values()} <= {20, 30}
    assert {s["n_len"] for s in runs.all_runs(cfg).values()} == {4}


@pytest.mark.parametrize(("values", "expected"), [("2..5", [2, 3, 4, 5]), (7, [7]),
                                                  ([1, 3], [1, 3])])
def test_expand(values, expected):
    assert runs.expand(values) == expected


def test_steps_and_epochs_exclude_each_other():
    merged = runs.merge_training_keys({"steps": 10, "lr": 1.0}, {"epochs": 2},
                                      {"eval_every": None})
    assert merged == {"epochs": 2, "lr": 1.0}


def test_run_ids_match_the_rule_pattern():
    for cfg in (profile(), profile("smoke")):
        for name in runs.all_runs(cfg):
            assert re.fullmatch(runs.RUN_ID_PATTERN, name), name


def test_laptop_run_ids_are_stable():
    # The hash of a run's settings names its folder: adding options (pos_dim) must not
    # change the ids, or every cached laptop run would be retrained.
    assert {"polynomial-cot_2l-n8-d64-learned-s0-7ccf7fe6",
            "polynomial-cot_2l-n8-d64-frozen-s0-6201965e",
            "transfer-cot_2l-n8-d64-learned-s1-826654b7"} <= set(runs.all_runs(profile()))
    assert not any("pos_dim" in s for s in runs.all_runs(profile()).values())
    assert runs.fig8_pos_dim_runs(profile()) == []


def test_a_tiny_pos_dim_sweep_adds_one_run_per_restricted_width():
    cfg = copy.deepcopy(profile("smoke"))
    before = runs.all_runs(cfg)
    cfg["fig8"]["pos_dim"] = [2, 16]
    sweep = runs.fig8_pos_dim_runs(cfg)
    assert [runs.pos_dim_of(s) for s in sweep] == [2, 16]
    assert {(s["d"], s["n_len"], s["pos"], s["condition"]) for s in sweep} == \
        {(16, 4, "learned", "cot_2l")}
    # pos_dim = d is the full width: the ordinary learned run, shared with fig3
    assert "pos_dim" not in sweep[1] and runs.run_id(sweep[1]) in before
    assert sweep[0]["pos_dim"] == 2
    new = set(runs.all_runs(cfg)) - set(before)
    assert new == {runs.run_id(sweep[0])} and "-learned-p2-" in runs.run_id(sweep[0])
    assert re.fullmatch(runs.RUN_ID_PATTERN, runs.run_id(sweep[0]))
    assert ids(runs.figure_runs(cfg)["fig8"]) >= ids(sweep)
    cfg["fig8"]["pos_dim_run"] = {"steps": 40}  # its own training keys: new runs
    assert {s["steps"] for s in runs.fig8_pos_dim_runs(cfg)} == {40}
    cfg["fig8"]["pos_dim"] = [17]
    with pytest.raises(ValueError, match="pos_dim"):
        runs.fig8_pos_dim_runs(cfg)


def test_paper_profile_sweeps_pos_dim_against_epochs():
    sweep = runs.fig8_pos_dim_runs(profile("paper"))
    assert [runs.pos_dim_of(s) for s in sweep] == list(range(2, 32))
    assert {(s["d"], s["n_len"]) for s in sweep} == {(31, 31)}
    assert {s["steps"] for s in sweep} == {10000 * math.ceil(31 * 1024 / 256)}
