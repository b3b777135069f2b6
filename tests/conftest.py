"""Shared fixtures: a fresh workspace per test and a way to run the CLI on it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bureaucli.cli import cli

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_CORPUS = REPO_ROOT.parent / "shared" / "corpus"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """An empty workspace: a folder with data/raw/."""
    (tmp_path / "data" / "raw").mkdir(parents=True)
    return tmp_path


@pytest.fixture
def bureau(workspace: Path):
    """Run `bureau -C <workspace> ARGS…` through click's CliRunner."""

    def run(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(cli, ["-C", str(workspace), *args], input=input, catch_exceptions=False)

    return run


def status_json(bureau) -> dict:
    result = bureau("status", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def shared_corpus() -> Path:
    """The dev corpus beside the project; tests that need it skip where it is absent."""
    if not (SHARED_CORPUS / "texts").is_dir():
        pytest.skip("../shared/corpus is not present")
    return SHARED_CORPUS
