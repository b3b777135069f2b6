"""The `bureau` command: a thin click layer over the pipeline library.

Exit codes: 0 all good; 1 internal error; 2 usage or configuration error (nothing was done);
3 finished, but some inputs failed (`bureau status` lists them).
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import click

from bureaucli import __version__
from bureaucli.catalog import Catalog
from bureaucli.errors import BureauError, ExitCode
from bureaucli.pipeline import IngestReport, ingest_stage
from bureaucli.status import collect_status
from bureaucli.workspace import Workspace


@dataclass
class AppContext:
    workspace_dir: Path
    debug: bool
    quiet: bool

    def workspace(self) -> Workspace:
        return Workspace.open(self.workspace_dir)

    @contextmanager
    def writing(self) -> Iterator[tuple[Workspace, Catalog]]:
        """The workspace, locked against other runs, with its catalog open."""
        ws = self.workspace()
        with ws.lock(), Catalog(ws.catalog_path) as catalog:
            yield ws, catalog

    def say(self, message: str) -> None:
        if not self.quiet:
            click.echo(message)


def warn(message: str) -> None:
    click.echo(message, err=True)


class BureauGroup(click.Group):
    """Turns known errors into one line on stderr and a meaningful exit code."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BureauError as exc:
            warn(f"Error: {exc}")
            ctx.exit(int(exc.exit_code))
        except KeyboardInterrupt:
            warn("Interrupted: finished work is saved in the catalog; run the same command again to resume.")
            ctx.exit(130)
        except Exception as exc:  # noqa: BLE001 - the last line of defence before the user
            if ctx.params.get("debug"):
                traceback.print_exc()
            else:
                warn(
                    f"Internal error: {type(exc).__name__}: {exc} (run again with --debug for the traceback)"
                )
            ctx.exit(int(ExitCode.INTERNAL_ERROR))
        return None


@click.group(cls=BureauGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-C",
    "--workspace",
    "workspace_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Workspace directory (the one holding data/raw/).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors and warnings.")
@click.version_option(__version__, prog_name="bureau")
@click.pass_context
def cli(ctx: click.Context, workspace_dir: Path, debug: bool, quiet: bool) -> None:
    """Turn scanned minutes of Soviet party bureaus into tables of personal cases.

    Run `bureau run` in a folder with data/raw/ to do everything; the other commands run one stage.
    """
    ctx.obj = AppContext(workspace_dir=workspace_dir, debug=debug, quiet=quiet)


pass_app = click.make_pass_decorator(AppContext)


def _finish(failed: bool) -> None:
    if failed:
        sys.exit(int(ExitCode.INPUT_FAILURES))


@cli.command()
@pass_app
def ingest(app: AppContext) -> None:
    """Record the documents and pages under data/raw/ in the catalog.

    Unchanged files are recognised by size and modification time and not read again.

    Example: bureau -C my_fond ingest
    """
    with app.writing() as (ws, catalog):
        result = ingest_stage(ws, catalog, warn)
    _say_ingest(app, result)
    _finish(bool(result.failed or result.still_failing))


def _say_ingest(app: AppContext, result: IngestReport) -> None:
    app.say(f"ingest: {result.summary}" + (f", {len(result.failed)} failed" if result.failed else ""))
    if result.still_failing:
        warn(f"{result.still_failing} unchanged input(s) failed on an earlier run; `bureau status` says why")
    if result.unsupported:
        counts = ", ".join(f"{ext} ×{n}" for ext, n in sorted(result.unsupported.items()))
        app.say(f"ignored {sum(result.unsupported.values())} file(s) with unsupported extensions ({counts})")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON, for scripts.")
@pass_app
def status(app: AppContext, as_json: bool) -> None:
    """Show what each stage has done, what is stale, and which inputs failed and why.

    Example: bureau status --json
    """
    ws = app.workspace()
    with Catalog(ws.catalog_path) as catalog:
        report = collect_status(ws, catalog)
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(report.render())


@cli.command()
@pass_app
def run(app: AppContext) -> None:
    """Run every stage, each redoing only what its inputs changed.

    Example: bureau run
    """
    with app.writing() as (ws, catalog):
        result = ingest_stage(ws, catalog, warn)
        _say_ingest(app, result)
    _finish(bool(result.failed or result.still_failing))


def main() -> None:
    cli(prog_name="bureau")
