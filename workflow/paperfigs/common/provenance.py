"""Provenance: enough to tell, months later, what produced a figure."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import platform
import subprocess
from pathlib import Path

PACKAGES = ("numpy", "scipy", "pandas", "matplotlib", "seaborn", "scikit-learn", "torch",
            "snakemake")


def git_commit(where: Path | str = ".") -> str:
    """The commit of the checkout that ran the job, with `+dirty` when it had local changes."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=where, capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=where, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return commit + ("+dirty" if dirty.strip() else "")


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def device_description() -> str:
    try:
        import torch
    except ImportError:
        return f"cpu ({platform.processor() or platform.machine()})"
    if torch.cuda.is_available():
        return f"cuda ({torch.cuda.get_device_name(0)})"
    return f"cpu ({platform.processor() or platform.machine()})"


def now_utc() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
