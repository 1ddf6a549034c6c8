"""The whole DAG on config/smoke.yaml, in a fresh copy of the workflow: every file, no
needless reruns, exactly the dependent jobs after a change, the claims table and the report."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.image import imread

from workflow_runner import copy_workflow, planned_jobs, run_snakemake

SMOKE = ("--configfile", "config/smoke.yaml")
PROVENANCE_KEYS = {"commit", "config", "seeds", "versions", "device", "wall_time_s", "jobs"}
# Figures whose data may be empty at smoke sizes: the gallery of solved runs, when a
# 30-step training solves nothing.
MAY_BE_EMPTY_AT_SMOKE = {("iteration_head", "fig9")}


def registered_figures(workdir: Path) -> dict[str, list[str]]:
    """The papers and figures the rule modules register (what `all` must build)."""
    papers = {}
    for module in sorted((workdir / "workflow" / "rules").glob("*.smk")):
        match = re.search(r'register_paper\(\s*"(\w+)",\s*\[([^\]]*)\]', module.read_text())
        if match:
            papers[match.group(1)] = re.findall(r'"(\w+)"', match.group(2))
    return papers


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    workdir = copy_workflow(tmp_path_factory.mktemp("smoke") / "workflow")
    run_snakemake(workdir, "--cores", "2", *SMOKE)
    return workdir


def test_every_figure_has_its_files(smoke_run):
    papers = registered_figures(smoke_run)
    assert "collapse_regression" in papers
    for slug, figures in papers.items():
        folder = smoke_run / "results" / "smoke" / slug
        claims = json.loads((folder / "claims.json").read_text())
        assert sorted(claims["figures"]) == sorted(figures)
        for figure in figures:
            table = pd.read_csv(folder / f"{figure}.csv")
            assert len(table.columns) > 0, (slug, figure)
            if (slug, figure) not in MAY_BE_EMPTY_AT_SMOKE:
                assert len(table) > 0, (slug, figure)
            provenance = json.loads((folder / f"{figure}.json").read_text())
            assert PROVENANCE_KEYS <= set(provenance), (slug, figure)
            if figure.startswith("tab"):
                assert (folder / f"{figure}.md").read_text().strip()
            else:
                assert (folder / f"{figure}.pdf").read_bytes().startswith(b"%PDF")
                assert imread(folder / f"{figure}.png").shape[0] > 100
        assert not list(folder.rglob("*.part*")), "a temporary file was left behind"


def test_figure_csvs_have_the_spec_columns(smoke_run):
    folder = smoke_run / "results" / "smoke" / "collapse_regression"
    expected = {
        "fig1": {"panel", "T", "n", "lam", "seed", "kind", "test_error"},
        "fig2": {"stage", "role", "n_samples", "noise_std", "ridge"},
        "fig3": {"n", "lam", "seed", "test_error"},
        "fig4": {"panel", "n", "lam", "T", "sigma0", "lam_rule", "seed", "kind", "test_error"},
    }
    for figure, columns in expected.items():
        assert columns <= set(pd.read_csv(folder / f"{figure}.csv").columns), figure


def test_second_run_rebuilds_nothing(smoke_run):
    process = run_snakemake(smoke_run, "-n", *SMOKE)
    assert planned_jobs(process.stdout) == {}, process.stdout[-3000:]


def test_touching_code_reruns_nothing(smoke_run):
    """Snakemake compares checksums of small inputs: a touch, or a fresh clone, is no change."""
    for path in (smoke_run / "workflow").rglob("*"):
        if path.is_file():
            path.touch()
    process = run_snakemake(smoke_run, "-n", *SMOKE)
    assert planned_jobs(process.stdout) == {}, process.stdout[-3000:]


def test_one_parameter_reruns_exactly_its_jobs(smoke_run, tmp_path):
    change = tmp_path / "change.yaml"
    change.write_text("collapse_regression: {fig2: {n_show: 2}}\n")
    process = run_snakemake(smoke_run, "-n", *SMOKE, str(change))
    assert planned_jobs(process.stdout) == {
        "collapse_regression_fig2_stages": 1,
        "collapse_regression_figure": 1,
        "paper_claims": 1,
        "all": 1,
    }


def test_changed_library_code_reruns_its_paper(smoke_run):
    plots = smoke_run / "workflow" / "paperfigs" / "collapse_regression" / "plots.py"
    original = plots.read_text()
    plots.write_text(original + "\n# a change\n")
    try:
        jobs = planned_jobs(run_snakemake(smoke_run, "-n", *SMOKE).stdout)
    finally:
        plots.write_text(original)
    assert jobs.get("collapse_regression_figure") == 4


def test_same_seed_gives_the_same_bytes(smoke_run):
    work = smoke_run / "results" / "smoke" / "collapse_regression" / "work"
    before = {name: (work / name).read_bytes() for name in ("fig1_iso.csv", "fig3_krr.csv")}
    run_snakemake(smoke_run, "--cores", "2", *SMOKE, "--forcerun",
                  "collapse_regression_fig1_iso", "collapse_regression_fig3_krr",
                  "--until", "collapse_regression_fig1_iso", "collapse_regression_fig3_krr")
    for name, content in before.items():
        assert (work / name).read_bytes() == content, name


def test_claims_target_prints_the_table(smoke_run):
    process = run_snakemake(smoke_run, "claims", "--cores", "2", *SMOKE)
    assert "| paper | figure | verdict |" in process.stdout
    table = (smoke_run / "results" / "smoke" / "claims.md").read_text()
    assert "| collapse_regression | fig1 |" in table


def test_report_shows_figures_with_verdicts(smoke_run):
    run_snakemake(smoke_run, *SMOKE, "--report", "report.html")
    html = (smoke_run / "report.html").read_text()
    results = html[html.index("var results = {"):]
    assert "Model Collapse Demystified, Figure 1." in results  # the figure's caption
    assert re.search(r'"labels": \{"figure": "fig1", "claim": "(PASS|FAIL)"\}', results)
