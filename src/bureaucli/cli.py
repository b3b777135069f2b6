"""The `bureau` command: a thin click layer over the pipeline library.

Exit codes: 0 all good; 1 internal error; 2 usage or configuration error (nothing was done);
3 finished, but some inputs failed (`bureau status` lists them).
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import click

from bureaucli import __version__
from bureaucli.catalog import Catalog
from bureaucli.corrections import StaleCorrection
from bureaucli.errors import BureauError, ExitCode
from bureaucli.pipeline import (
    ExportReport,
    IngestReport,
    NamesReport,
    OcrReport,
    PageSelection,
    SegmentReport,
    evaluate_workspace,
    export_stage,
    find_page,
    ingest_stage,
    names_stage,
    ocr_stage,
    parse_page_ranges,
    save_text_correction,
    segment_stage,
)
from bureaucli.progress import make_progress
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
        except BrokenPipeError:  # `bureau evaluate -v | head`: the reader has all it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(int(ExitCode.OK))
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


scheduler_option = click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="OCR on a dask.distributed cluster, e.g. tcp://HOST:8786 (needs bureaucli[dask]; "
    "workers must see the workspace at the same path).",
)


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
@click.argument("documents", nargs=-1)
@click.option("--pages", "page_ranges", metavar="RANGES", help="Only these page numbers, e.g. 1-3,7.")
@click.option("--lang", help="Tesseract languages, e.g. rus+eng (default from bureau.toml: rus).")
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes (default: one per CPU).")
@click.option("--page-timeout", type=click.FloatRange(min=1), help="Seconds before a page counts as failed.")
@scheduler_option
@click.option("--redo", is_flag=True, help="OCR again even where a cached result exists.")
@click.option("--force", is_flag=True, help="Also OCR pages that have a usable PDF text layer.")
@pass_app
def ocr(
    app: AppContext,
    documents: tuple[str, ...],
    page_ranges: str | None,
    lang: str | None,
    workers: int | None,
    page_timeout: float | None,
    scheduler: str | None,
    redo: bool,
    force: bool,
) -> None:
    """OCR the pages that need it with Tesseract, in parallel, never twice.

    DOCUMENTS (paths under data/raw/, globs or document ids) limit the work.

    Example: bureau ocr --workers 2 'f1290_op1_d123/*'
    """
    overrides = {"lang": lang, "workers": workers, "page_timeout": page_timeout, "scheduler": scheduler}
    selection = PageSelection(documents, parse_page_ranges(page_ranges) if page_ranges else None)
    with app.writing() as (ws, catalog):
        ws = ws.with_settings(
            ws.settings.replace("ocr", **{k: v for k, v in overrides.items() if v is not None})
        )
        result = _run_ocr(app, ws, catalog, redo=redo, force=force, selection=selection)
    _finish(bool(result.failed))


def _run_ocr(app: AppContext, ws: Workspace, catalog: Catalog, **options: object) -> OcrReport:
    result = ocr_stage(
        ws,
        catalog,
        report=warn,
        progress=lambda total: make_progress("ocr", total, "pages", app.quiet),
        **options,
    )
    rate = f" in {result.seconds:.1f} s" if result.ocr_done else ""
    app.say(
        f"ocr: {result.ocr_done} page(s) OCR'd{rate}, {result.cached + result.reused} cached"
        + (f", {result.low_confidence} low-confidence" if result.low_confidence else "")
        + (f", {len(result.failed)} failed" if result.failed else "")
    )
    return result


@cli.command()
@pass_app
def segment(app: AppContext) -> None:
    """Find meetings, items and personal cases in every document whose text changed.

    Example: bureau segment
    """
    with app.writing() as (ws, catalog):
        result = _run_segment(app, ws, catalog)
    _finish(bool(result.failed))


def _run_segment(app: AppContext, ws: Workspace, catalog: Catalog) -> SegmentReport:
    result = segment_stage(ws, catalog, warn)
    app.say(
        f"segment: {result.segmented} document(s) segmented ({result.cases} personal cases), "
        f"{result.up_to_date} up to date"
        + (f", {result.awaiting_ocr} awaiting OCR" if result.awaiting_ocr else "")
        + (f", {len(result.failed)} failed" if result.failed else "")
    )
    _warn_stale(result.stale_corrections)
    return result


def _warn_stale(stale: list[StaleCorrection]) -> None:
    for correction in stale:
        warn(f"data/corrections/{correction.file}: {correction.reason}")


@cli.command()
@pass_app
def names(app: AppContext) -> None:
    """Normalize every case's name to the nominative and link cases into persons.

    Example: bureau names
    """
    with app.writing() as (ws, catalog):
        _run_names(app, ws, catalog)


def _run_names(app: AppContext, ws: Workspace, catalog: Catalog) -> NamesReport:
    result = names_stage(ws, catalog)
    app.say(
        f"names: {result.normalized} name(s) normalized, {result.persons} person(s)"
        + (f", {result.review_pairs} uncertain pair(s) to review" if result.review_pairs else "")
    )
    for row in result.unused_overrides:
        warn(f"data/corrections/persons.csv: {row}")
    return result


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet", "both"]), help="Default: both.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the tables (default: data/extracted/tables/).",
)
@click.option("--no-bom", is_flag=True, help="Write CSV without the UTF-8 BOM that Excel needs.")
@pass_app
def export(app: AppContext, fmt: str | None, out_dir: Path | None, no_bom: bool) -> None:
    """Write the tables: cases, documents, pages, meetings, items, mentions, persons, review_pairs, failures.

    Example: bureau export --format csv --out ~/fond_1290_tables
    """
    formats = None if fmt is None else (("csv", "parquet") if fmt == "both" else (fmt,))
    with app.writing() as (ws, catalog):
        _run_export(app, ws, catalog, out_dir=out_dir, formats=formats, bom=False if no_bom else None)


def _run_export(app: AppContext, ws: Workspace, catalog: Catalog, **options: object) -> ExportReport:
    result = export_stage(ws, catalog, **options)
    where = _relative(result.out_dir, ws.root)
    if result.up_to_date:
        app.say(f"export: tables in {where} are up to date ({result.cases} cases)")
    else:
        app.say(
            f"export: {result.cases} cases → {where} "
            f"(since the last export: {result.added} added, {result.removed} removed, {result.changed} changed)"
        )
    _warn_stale(result.stale_corrections)
    return result


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root)) + "/"
    except ValueError:
        return str(path) + "/"


@cli.command()
@scheduler_option
@pass_app
def run(app: AppContext, scheduler: str | None) -> None:
    """Run every stage — ingest, ocr, segment, names, export — each redoing only what changed.

    Example: bureau run
    """
    with app.writing() as (ws, catalog):
        if scheduler:
            ws = ws.with_settings(ws.settings.replace("ocr", scheduler=scheduler))
        ingested = ingest_stage(ws, catalog, warn)
        _say_ingest(app, ingested)
        ocr_result = _run_ocr(app, ws, catalog)
        segmented = _run_segment(app, ws, catalog)
        named = _run_names(app, ws, catalog)
        exported = _run_export(app, ws, catalog)
        status = collect_status(ws, catalog)
    failures = len(status.failures)
    counts = status.counts
    review = counts["cases_needing_review"]
    app.say(
        f"\nDone. {counts['documents']} document(s), {counts['pages']} page(s) "
        f"({ocr_result.ocr_done} OCR'd in this run), {counts['meetings']} meeting(s), "
        f"{counts['personal_cases']} personal case(s) of {named.persons} person(s)"
        + (f", {review} flagged for review" if review else "")
        + f".\nTables: {_relative(exported.out_dir, ws.root)} (cases.csv opens in Excel; *.parquet for pandas/DuckDB)."
        + "\nPlots and a checklist of what to fix: bureau report"
    )
    if failures:
        warn(f"{failures} input(s) or page(s) failed; `bureau status` lists them with the reasons")
    failed = ingested.failed or ingested.still_failing or ocr_result.failed or segmented.failed
    _finish(bool(failed))


@cli.command()
@click.argument("document")
@click.argument("page", type=click.IntRange(min=1))
@pass_app
def correct(app: AppContext, document: str, page: int) -> None:
    """Fix the text of one page in $EDITOR; the fix is used instead of OCR on every later run.

    DOCUMENT is a path under data/raw/ (or a document id), PAGE its page number. The corrected text
    is saved as data/corrections/text/DOCUMENT/PAGE.txt, which nothing but this command writes.

    Example: bureau correct f1290_op1_d123/protocol_14 2
    """
    with app.writing() as (ws, catalog):
        target = find_page(ws, catalog, document, page)
        edited = click.edit(target.text, extension=".txt", require_save=True)
        if edited is None:
            app.say("No change; nothing saved.")
            return
        save_text_correction(ws, catalog, target, edited)
    app.say(
        f"Saved {_relative(ws.text_correction_path(target.document, page), ws.root).rstrip('/')}; "
        "`bureau run` re-reads this document from it."
    )


@cli.command()
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the page (default: data/extracted/report.html).",
)
@pass_app
def report(app: AppContext, out_path: Path | None) -> None:
    """Write one HTML page: the corpus, plots, repeat cases, and what to check and fix.

    The page is a single file that opens in any browser without a network. It is rewritten only when
    what it shows changed.

    Example: bureau report --out ~/fond_1290_report.html
    """
    from bureaucli.report import report_stage

    with app.writing() as (ws, catalog):
        result = report_stage(ws, catalog, out=out_path)
    where = _relative(result.path, ws.root).rstrip("/")
    if result.up_to_date:
        app.say(f"report: {where} is up to date ({result.cases} cases, {result.problems} to check)")
    else:
        app.say(
            f"report: {result.cases} cases, {result.problems} thing(s) to check → {where} "
            f"({result.size / 1024:,.0f} KB, {result.seconds:.1f} s)"
        )


@cli.command()
@click.option(
    "--port", type=click.IntRange(0, 65535), default=0, help="Port to listen on (default: a free one)."
)
@click.option("--no-browser", is_flag=True, help="Print the address; do not open a browser.")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Anything but 127.0.0.1 lets other machines in (with the token); it warns.",
)
@pass_app
def review(app: AppContext, port: int, no_browser: bool, host: str) -> None:
    """Check and correct pages and cases in the browser, beside the scan.

    Starts a local web application on the workspace. The first line printed is the address to open
    (with a random access token); Ctrl-C stops it. Saves write data/corrections/ as `bureau correct`
    does, each under the workspace lock: while a `bureau run` works, a save answers "busy, try again".

    Example: bureau review --port 8765 --no-browser
    """
    import webbrowser

    from bureaucli.review_app import LOCAL_HOSTS, serve

    ws = app.workspace()
    Catalog(ws.catalog_path).close()  # create or upgrade the catalog before the first request

    def started(url: str) -> None:
        if host not in LOCAL_HOSTS:
            warn(
                f"warning: listening on {host}: anyone who can reach this machine and has the address with "
                "its token can read and change this workspace's corrections"
            )
        if not no_browser:
            webbrowser.open(url)

    serve(ws, host, port, click.echo, started)


@cli.command()
@click.option(
    "--gold",
    "gold_dir",
    required=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Folder of gold annotations NNN.json (format: see README).",
)
@click.option("-v", "--verbose", is_flag=True, help="List every miss: missed, spurious, wrong decision …")
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@pass_app
def evaluate(app: AppContext, gold_dir: Path, verbose: bool, as_json: bool) -> None:
    """Score what the workspace extracted against gold annotations.

    Documents are matched to gold files by name (protocol_14.pdf ↔ protocol_14.json); gold persons to
    extracted cases by surname similarity with a compatible first initial.

    Example: bureau evaluate --gold ../shared/corpus/gold -v
    """
    from bureaucli.evaluate import load_gold

    ws = app.workspace()
    with Catalog(ws.catalog_path) as catalog:
        report = evaluate_workspace(catalog, load_gold(gold_dir))
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(
        f"documents {report.documents}, gold cases {report.gold_cases}, extracted {report.extracted_cases}, "
        f"matched {report.matched}\n"
        f"case precision {report.precision:.3f}  recall {report.recall:.3f}  F1 {report.f1:.3f}\n"
        f"surname accuracy {report.surname_accuracy:.3f}  decision accuracy {report.decision_accuracy:.3f}  "
        f"accusation F1 {report.accusation_f1:.3f}  meeting date accuracy {report.date_accuracy:.3f}"
    )
    if verbose:
        for miss in report.misses:
            click.echo(f"  {miss}")


def main() -> None:
    cli(prog_name="bureau")
