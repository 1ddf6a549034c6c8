"""Running the workflow from tests: a throw-away copy of it, Snakemake in it, its dry-run plan."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# What a fresh clone has: everything but results, caches and the virtual environment.
NOT_COPIED = {".git", ".venv", "results", "logs", "benchmarks", ".snakemake", ".pytest_cache",
              ".ruff_cache", "__pycache__", "report.html"}


def copy_workflow(destination: Path) -> Path:
    """Copy the workflow's files (as a clone has them) into `destination`."""
    def ignore(folder, names):
        return [n for n in names if n in NOT_COPIED or n.endswith(".egg-info")]

    shutil.copytree(REPO, destination, ignore=ignore, dirs_exist_ok=True)
    return destination


def snakemake_command() -> list[str]:
    return [str(Path(sys.executable).with_name("snakemake"))]


def snakemake_env(workdir: Path) -> dict[str, str]:
    """The environment for Snakemake in a copy: the copy's own library comes first on the
    path, not the checkout the editable install points at."""
    return {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": str(workdir / "workflow")}


def run_snakemake(workdir: Path, *args: str, check: bool = True,
                  timeout: int = 1200) -> subprocess.CompletedProcess:
    """Run snakemake in `workdir`; return the finished process (stdout and stderr merged)."""
    env = snakemake_env(workdir)
    process = subprocess.run([*snakemake_command(), *args], cwd=workdir, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             timeout=timeout)
    if check and process.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed:\n{process.stdout[-6000:]}")
    return process


def planned_jobs(process_output: str) -> dict[str, int]:
    """Rule -> job count from a dry run's 'Job stats' table."""
    jobs = {}
    if "Job stats" not in process_output:
        return jobs
    table = process_output.split("Job stats:")[1].split("\n\n")[0]
    for line in table.splitlines()[3:]:
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit() and parts[0] != "total":
            jobs[parts[0]] = int(parts[1])
    return jobs
