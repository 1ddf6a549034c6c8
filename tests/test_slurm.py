"""A slice of the real DAG through a real SLURM (tests/slurm/start-cluster.sh), compared
with a local run. Skipped where no cluster runs, unless PAPERFIGS_REQUIRE_SLURM is set (CI)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from workflow_runner import copy_workflow, run_snakemake, snakemake_command, snakemake_env

pytestmark = pytest.mark.slurm

TARGETS = ("collapse_regression_fig2", "collapse_regression_fig3")
COMPARED = ("work/fig2_stages.csv", "work/fig3_krr.csv", "fig2.csv", "fig3.csv")
# Test-cluster settings on top of the user-facing profile: no accounting (so no account and
# squeue for status: sacct would wait forever), quick first status check, and fig3's kernel
# solve as the GPU rule, on the gpu partition.
CLUSTER_ARGS = (
    "--slurm-no-account", "--slurm-status-command", "squeue",
    "--slurm-init-seconds-before-status-checks", "1", "--latency-wait", "5",
    "--set-resources", "collapse_regression_fig3_krr:gpu=1",
    "collapse_regression_fig3_krr:slurm_partition=gpu", "collapse_regression_fig3_krr:mem_mb=2000",
)


def cluster_is_up() -> bool:
    if shutil.which("sinfo") is None:
        return False
    states = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True)
    return states.returncode == 0 and any(s in states.stdout for s in ("idle", "mixed"))


@pytest.fixture(scope="module")
def cluster():
    if not cluster_is_up():
        message = "no SLURM cluster: start one with tests/slurm/start-cluster.sh --install"
        if os.environ.get("PAPERFIGS_REQUIRE_SLURM"):
            pytest.fail(message)
        pytest.skip(message)


def test_dag_slice_runs_through_sbatch_like_a_local_run(cluster, tmp_path):
    on_cluster = copy_workflow(tmp_path / "cluster")
    # Hard limit: a status query that never answers must not hang the test suite.
    process = subprocess.run(
        ["timeout", "-s", "KILL", "300", *snakemake_command(), *TARGETS, "--profile",
         "profiles/slurm", "--configfile", "config/smoke.yaml", *CLUSTER_ARGS],
        cwd=on_cluster, env=snakemake_env(on_cluster), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    assert process.returncode == 0, process.stdout[-6000:]
    assert re.search(r"SLURM jobid \d+", process.stdout), process.stdout[-3000:]

    logs = on_cluster / "logs" / "smoke" / "collapse_regression"
    krr_log = (logs / "fig3_krr.log").read_text()
    assert re.search(r"SLURM_JOB_ID=\d+", krr_log), krr_log
    assert re.search(r"CUDA_VISIBLE_DEVICES=[01]\b", krr_log), krr_log
    assert re.search(r"SLURM_JOB_ID=\d+", (logs / "fig2_stages.log").read_text())

    local = copy_workflow(tmp_path / "local")
    run_snakemake(local, *TARGETS, "--cores", "2", "--configfile", "config/smoke.yaml")
    for name in COMPARED:
        cluster_file = on_cluster / "results" / "smoke" / "collapse_regression" / name
        local_file = local / "results" / "smoke" / "collapse_regression" / name
        assert cluster_file.read_bytes() == local_file.read_bytes(), name
