"""The shared library: seeds, atomic writes, claims evaluation, the claims table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from paperfigs.common import Check, Claim, atomic_path, evaluate_claims, rng_for, write_csv
from paperfigs.common.report import claims_markdown


def test_rng_for_is_repeatable_and_keyed():
    assert rng_for("fig1", 3, 0.5).random() == rng_for("fig1", 3, 0.5).random()
    assert rng_for("fig1", 3).random() != rng_for("fig1", 4).random()
    assert rng_for("fig1", 3).random() != rng_for("fig2", 3).random()


def test_atomic_path_leaves_nothing_when_the_block_fails(tmp_path):
    target = tmp_path / "out.csv"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed")
    assert list(tmp_path.iterdir()) == []


def test_atomic_path_replaces_on_success(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    with atomic_path(target) as tmp:
        tmp.write_text("new")
    assert target.read_text() == "new"
    assert list(tmp_path.iterdir()) == [target]


def test_write_csv_is_byte_stable(tmp_path):
    frame = pd.DataFrame({"x": [0.1, 1 / 3], "n": [1, 2]})
    write_csv(frame, tmp_path / "a.csv")
    write_csv(frame.copy(), tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_check_compare_operators():
    assert Check.compare("x", 1.0, 2.0, "<=").passed
    assert not Check.compare("x", 3.0, 2.0, "<=").passed
    assert Check.compare("x", 3.0, 2.0, ">").passed
    assert not Check.compare("x", 2.0, 2.0, ">").passed


def test_evaluate_claims_gates_on_non_info_checks_and_survives_errors():
    def passing(frame, cfg):
        return [Check("ok", True, "1", "1"), Check("note", False, "0", "1", info=True)]

    def failing(frame, cfg):
        return [Check("bad", False, "0", "1")]

    def broken(frame, cfg):
        raise KeyError("column")

    def empty(frame, cfg):
        return [Check("note only", True, "1", "1", info=True)]

    claims = {name: Claim(name, fn) for name, fn in
              [("fig1", passing), ("fig2", failing), ("fig3", broken), ("fig4", empty)]}
    tables = {name: pd.DataFrame() for name in claims}
    result = evaluate_claims(claims, tables, {})
    passed = {name: fig["passed"] for name, fig in result["figures"].items()}
    assert passed == {"fig1": True, "fig2": False, "fig3": False, "fig4": False}
    assert not result["passed"]
    assert "KeyError" in result["figures"]["fig3"]["checks"][0]["measured"]


def test_claims_table_counts_and_names_first_failure():
    paper = {"paper": "demo", "figures": {
        "fig1": {"passed": True, "checks": [{"name": "a", "passed": True, "measured": "1",
                                              "threshold": "<= 2", "info": False}]},
        "fig2": {"passed": False, "checks": [{"name": "slope", "passed": False,
                                               "measured": "3", "threshold": "<= 2",
                                               "info": False}]},
    }}
    table = claims_markdown([paper])
    assert "| demo | fig2 | FAIL | 0/1 | slope: 3 (want <= 2) |" in table
    assert "1/2 figures show their claim." in table


def test_seeded_numpy_streams_do_not_depend_on_call_order():
    first = rng_for("a", 1).standard_normal(3)
    rng_for("b", 2).standard_normal(100)
    assert np.array_equal(first, rng_for("a", 1).standard_normal(3))
