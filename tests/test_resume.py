"""A training job killed with SIGKILL mid-way resumes from its checkpoint when Snakemake is
run again, and ends with the same bytes as a run that was never interrupted."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time

from workflow_runner import copy_workflow, run_snakemake, snakemake_command, snakemake_env

SMOKE = ("--configfile", "config/smoke.yaml")
# Long enough to be killed between checkpoints (every 25 steps), short enough for a test.
LONGER = "iteration_head: {common: {steps: 300, checkpoint_every: 25, eval_every: 50}}\n"


def training_target(workdir, extra) -> str:
    """The eval.csv of fig7's training run, as the dry run names it."""
    plan = run_snakemake(workdir, "iteration_head_fig7", "-n", *SMOKE, str(extra)).stdout
    (target,) = set(re.findall(r"results/smoke/iteration_head/work/runs/[\w.-]+/eval\.csv",
                               plan))
    return target


def test_killed_training_job_resumes_to_identical_bytes(tmp_path):
    extra = tmp_path / "longer.yaml"
    extra.write_text(LONGER)
    killed = copy_workflow(tmp_path / "killed")
    target = training_target(killed, extra)
    checkpoint = killed / target.replace("eval.csv", "train.ckpt")

    job = subprocess.Popen([*snakemake_command(), target, "--cores", "1", *SMOKE, str(extra)],
                           cwd=killed, env=snakemake_env(killed), stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 180
    while not checkpoint.exists() and job.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(job.pid, signal.SIGKILL)  # Snakemake and the training job, without warning
    job.wait()
    assert checkpoint.exists(), "no checkpoint was written before the kill"
    assert not (killed / target).exists(), "the job finished before it could be killed"

    # As after any crash of Snakemake itself: unlock, then run again (the default profile
    # has rerun-incomplete, so the half-done job is started again and resumes).
    run_snakemake(killed, "--unlock", *SMOKE, str(extra))
    run_snakemake(killed, target, "--cores", "1", *SMOKE, str(extra))
    log = (killed / "logs" / "smoke" / "iteration_head" / "runs" /
           f"{target.split('/')[-2]}.log").read_text()
    assert "resumed from" in log

    fresh = copy_workflow(tmp_path / "fresh")
    run_snakemake(fresh, target, "--cores", "1", *SMOKE, str(extra))
    for name in ("eval.csv", "attn.npz"):
        produced = target.replace("eval.csv", name)
        assert (killed / produced).read_bytes() == (fresh / produced).read_bytes(), name
