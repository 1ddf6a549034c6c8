"""The conda environments for cluster users list the packages pyproject.toml installs."""

from __future__ import annotations

import re
import tomllib

import pytest
import yaml

from workflow_runner import REPO

# PyPI name -> conda-forge name, where they differ.
CONDA_NAMES = {"torch": "pytorch"}


def requirement_name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0].lower()


def pyproject_packages() -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    names = {requirement_name(r) for r in project["dependencies"]}
    return {CONDA_NAMES.get(name, name) for name in names}


@pytest.mark.parametrize("env", ["cpu", "gpu"])
def test_conda_env_matches_pyproject(env):
    spec = yaml.safe_load((REPO / "envs" / f"{env}.yaml").read_text())
    conda = {requirement_name(d) for d in spec["dependencies"] if isinstance(d, str)}
    assert pyproject_packages() <= conda, pyproject_packages() - conda
    pip = next(d["pip"] for d in spec["dependencies"] if isinstance(d, dict))
    assert "-e ../" in pip, "the env installs the paperfigs library itself"
