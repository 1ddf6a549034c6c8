"""Faults and bad input: failed jobs leave nothing behind, bad input stops in one line."""

from __future__ import annotations

import os

import pytest

from workflow_runner import planned_jobs, run_snakemake

SMOKE = ("--configfile", "config/smoke.yaml")


def test_failed_job_leaves_no_output_and_reruns(workflow_copy, tmp_path):
    """fig3 asks for more images than exist: the job fails, leaves no output, and runs again
    once the config is fixed."""
    too_many = tmp_path / "too_many.yaml"
    too_many.write_text("collapse_regression: {fig3: {n_test: 1700}}\n")
    process = run_snakemake(workflow_copy, "collapse_regression_fig3", "--cores", "1", *SMOKE,
                            str(too_many), check=False)
    assert process.returncode != 0
    work = workflow_copy / "results" / "smoke" / "collapse_regression" / "work"
    assert not (work / "fig3_krr.csv").exists()
    assert not list(work.glob(".*part*")), "a temporary file was left behind"
    log = workflow_copy / "logs" / "smoke" / "collapse_regression" / "fig3_krr.log"
    assert "exceeds the 1797 images available" in log.read_text()

    jobs = planned_jobs(run_snakemake(workflow_copy, "collapse_regression_fig3", "-n",
                                      *SMOKE).stdout)
    assert jobs.get("collapse_regression_fig3_krr") == 1
    run_snakemake(workflow_copy, "collapse_regression_fig3", "--cores", "1", *SMOKE)
    assert (work / "fig3_krr.csv").exists()


def test_results_folder_that_cannot_be_written(workflow_copy):
    (workflow_copy / "results").write_text("a file where the results folder should be\n")
    process = run_snakemake(workflow_copy, "-n", *SMOKE, check=False)
    assert process.returncode != 0
    lines = [line for line in process.stdout.splitlines() if "cannot be written" in line]
    assert len(lines) == 1 and "results/smoke" in lines[0]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through file permissions")
def test_read_only_results_folder(workflow_copy):
    results = workflow_copy / "results"
    results.mkdir()
    results.chmod(0o555)
    try:
        process = run_snakemake(workflow_copy, "-n", *SMOKE, check=False)
    finally:
        results.chmod(0o755)
    assert process.returncode != 0 and "not writable" in process.stdout
