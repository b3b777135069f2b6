"""The README is the user's manual: every command, setting, table column and code must be in it."""

from __future__ import annotations

import dataclasses
import re

import pytest

from bureaucli.cli import cli
from bureaucli.export import SCHEMAS
from bureaucli.records import ACCUSATIONS, DECISIONS, SECTORS
from bureaucli.settings import Settings
from conftest import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_has_no_unfilled_sections():
    assert not re.findall(r"\b[A-Z]+_(?:SECTION|TABLE)\b", README)


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_a_section(command):
    assert f"### `bureau {command}`" in README


@pytest.mark.parametrize("section", [f.name for f in dataclasses.fields(Settings)])
def test_every_setting_is_documented(section):
    keys = [f.name for f in dataclasses.fields(getattr(Settings(), section))]
    missing = [key for key in keys if f"| `{section}.{key}` |" not in README]
    assert not missing, f"settings missing from the README's settings table: {missing}"


@pytest.mark.parametrize("table", sorted(SCHEMAS))
def test_every_exported_column_is_documented(table):
    section = README.split(f"**{table}**", 1)[1].split("\n\n**", 1)[0]
    missing = [column for column, _ in SCHEMAS[table] if f"`{column}`" not in section]
    assert not missing, f"{table} columns missing from the README: {missing}"


@pytest.mark.parametrize("code", [*DECISIONS, *ACCUSATIONS, *SECTORS])
def test_every_vocabulary_code_is_documented(code):
    vocabularies = README.split("## Vocabularies", 1)[1].split("\n## ", 1)[0]
    assert f"`{code}`" in vocabularies
