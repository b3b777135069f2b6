"""The Jinja2 templates and styles that `bureau report` and `bureau review` share (package data).

Autoescaping is on for every template: names, bodies and texts are read by OCR and may hold markup.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import jinja2


def thousands(value: int) -> str:
    return f"{value:,}"


def column_kind(column: str) -> str:
    """`cases:n` → `n` (right-aligned numbers), `fix:code` → `code`, `person` → ``."""
    return column.partition(":")[2]


FILTERS: dict[str, Any] = {"n": thousands, "kind": column_kind}


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("bureaucli", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(FILTERS)
    return env


@functools.cache
def stylesheet(name: str = "bureau.css") -> str:
    """A stylesheet of the package, for a page that must carry its styles inline."""
    return resources.files("bureaucli").joinpath("static", name).read_text(encoding="utf-8")


def template_sources(*names: str) -> str:
    """The text of templates and stylesheets, for digests of what a page would look like."""
    root = resources.files("bureaucli")
    return "".join(
        (root / ("static" if name.endswith(".css") else "templates") / name).read_text(encoding="utf-8")
        for name in names
    )
