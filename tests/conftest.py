"""Shared fixtures; the helpers they use live in workflow_runner.py (importable by tests)."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflow_runner import copy_workflow


@pytest.fixture
def workflow_copy(tmp_path) -> Path:
    return copy_workflow(tmp_path / "workflow-copy")
