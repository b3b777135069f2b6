"""Errors that reach the user as one line, and the exit codes they map to (as OCRmyPDF does)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    INTERNAL_ERROR = 1
    USAGE_ERROR = 2
    """Bad command line, bad bureau.toml, missing Tesseract: nothing was done."""
    INPUT_FAILURES = 3
    """The run finished, but some inputs failed; `bureau status` lists them."""


class BureauError(Exception):
    """An error with a message fit for the user; `exit_code` says what kind."""

    exit_code = ExitCode.INTERNAL_ERROR


class ConfigError(BureauError):
    exit_code = ExitCode.USAGE_ERROR


class WorkspaceError(BureauError):
    """No workspace, or the workspace is busy with another run."""

    exit_code = ExitCode.USAGE_ERROR


class MissingDependencyError(BureauError):
    """A program the stage needs (Tesseract, its language data, dask) is not installed."""

    exit_code = ExitCode.USAGE_ERROR


class InputError(BureauError):
    """One input file cannot be used; the run records it and goes on with the others."""

    exit_code = ExitCode.INPUT_FAILURES
