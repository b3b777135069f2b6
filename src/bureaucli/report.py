"""`bureau report`: one self-contained HTML page with the corpus at a glance, its plots and what to fix.

The aggregates are pure functions of the export tables (`build_tables`), so they are tested without a
workspace. The plots are matplotlib SVG written into the page, which loads nothing from the network and
runs no script: it opens from a USB stick in any browser. Every text that comes from the catalog is
HTML-escaped, since names and bodies are read by OCR.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import shlex
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bureaucli import __version__
from bureaucli.catalog import Catalog
from bureaucli.corrections import CASES_FILE, StaleCorrection, read_case_corrections, text_corrections
from bureaucli.export import build_tables
from bureaucli.records import DECISIONS
from bureaucli.workspace import Workspace

Rows = dict[str, list[dict[str, Any]]]

REPORT_FILE = "report.html"
QA_SHOWN = 100
"""Rows shown per QA list; the rest are summed up in an "and N more" line (the tables have them all)."""
PERSONS_SHOWN = 2000
BODIES_PLOTTED = 15
TABLE_ROWS_SHOWN = 200
EXCERPT = 120
NO_PAGE = "—"
DIGEST_META = "bureau-report-digest"
DECISION_ORDER = {code: k for k, code in enumerate((*DECISIONS, "none"))}
"""Decision codes in vocabulary order; `none` stands for cases without a decision."""


# --- aggregates -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    label: str
    n: int


@dataclass(frozen=True)
class Holding:
    """One archival file (delo) the corpus covers."""

    archive: str
    fond: str
    opis: str
    delo: str
    documents: int
    cases: int

    @property
    def label(self) -> str:
        parts = [self.archive] if self.archive else []
        parts += [
            f"{name} {value}"
            for name, value in (("Ф.", self.fond), ("Оп.", self.opis), ("Д.", self.delo))
            if value
        ]
        return ". ".join(parts) or "no archival reference"


@dataclass
class Overview:
    documents: int
    documents_failed: int
    pages: int
    pages_ocr: int
    pages_text_layer: int
    pages_corrected: int
    pages_low_confidence: int
    meetings: int
    items: int
    cases: int
    cases_needing_review: int
    persons: int
    first_date: dt.date | None
    last_date: dt.date | None
    holdings: list[Holding]


@dataclass
class Stacked:
    """Counts per period and category, for a stacked bar chart."""

    periods: list[str]
    counts: dict[str, list[int]]
    """category -> one count per period; only categories that occur, in vocabulary order"""


@dataclass(frozen=True)
class Step:
    """One case in a person's history: when, and what was decided."""

    month: str
    """YYYY-MM, or ? when the meeting date is unknown"""
    decisions: tuple[str, ...]

    def __str__(self) -> str:
        return f"{'+'.join(self.decisions) or 'no decision'} {self.month}"


@dataclass
class PersonHistory:
    person_id: str
    name: str
    steps: list[Step]

    @property
    def sequence(self) -> str:
        """`expel 1937-03 → reinstate 1939-11`"""
        return " → ".join(str(step) for step in self.steps)

    @property
    def expelled_then_restored(self) -> bool:
        """Expelled, and reinstated or the expulsion overturned at a later meeting."""
        expelled = [i for i, s in enumerate(self.steps) if "expel" in s.decisions]
        return bool(expelled) and any(
            {"reinstate", "overturn_decision"} & set(s.decisions) for s in self.steps[expelled[0] + 1 :]
        )


@dataclass(frozen=True)
class QaRow:
    document: str
    page: int | None
    problem: str
    command: str
    """what to run (or edit) to fix it"""


@dataclass
class QaList:
    key: str
    title: str
    hint: str
    full_list: str
    """where every row is, when the page shows only the first QA_SHOWN"""
    rows: list[QaRow] = field(default_factory=list)


@dataclass
class ReportData:
    overview: Overview
    cases_per_month: list[Count]
    """every month from the first to the last meeting, with zeros"""
    undated_cases: int
    decisions_by_year: Stacked
    accusations: list[Count]
    sectors: list[Count]
    bodies: list[Count]
    repeat_persons: list[PersonHistory]
    qa: list[QaList]


def report_digest(data: ReportData) -> str:
    """What a report shows, and the code that shows it: equal digests, equal reports (but the date)."""
    from bureaucli.pipeline import code_fingerprint
    from bureaucli.templating import template_sources

    page = code_fingerprint(__name__) + template_sources("report.html", "_macros.html", "bureau.css")
    return hashlib.sha256((page + repr(data)).encode()).hexdigest()


def tally(values: Iterable[str]) -> list[Count]:
    """Counts, most frequent first, then alphabetical."""
    return [Count(label, n) for label, n in sorted(Counter(values).items(), key=lambda kv: (-kv[1], kv[0]))]


def _month(date: dt.date | None) -> str:
    return date.strftime("%Y-%m") if date else "?"


def _page(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _holding_order(archive: str, fond: str, opis: str, delo: str) -> tuple[object, ...]:
    """By fond, opis and delo, numbers as numbers (Д. 99 before Д. 1187); files without a fond last."""

    def natural(text: str) -> tuple[object, ...]:
        return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))

    return (not fond, natural(fond), natural(opis), natural(delo), archive)


def overview(rows: Rows, corrected_pages: frozenset[str] = frozenset()) -> Overview:
    documents = [d for d in rows["documents"] if d["status"] == "ok"]
    sources = Counter(p["text_source"] for p in rows["pages"])
    dates = [c["meeting_date"] for c in rows["cases"] if c["meeting_date"]]
    files: Counter[tuple[str, ...]] = Counter()
    file_cases: Counter[tuple[str, ...]] = Counter()
    for doc in documents:
        key = tuple(str(doc[k] or "") for k in ("archive", "fond", "opis", "delo"))
        files[key] += 1
        file_cases[key] += doc["cases"] or 0
    return Overview(
        documents=len(documents),
        documents_failed=sum(d["status"] == "failed" for d in rows["documents"]),
        pages=len(rows["pages"]),
        pages_ocr=sources["ocr"],
        pages_text_layer=sources["text_layer"],
        pages_corrected=sum(p["page_id"] in corrected_pages for p in rows["pages"]),
        pages_low_confidence=sum(
            p["low_confidence"] and p["page_id"] not in corrected_pages for p in rows["pages"]
        ),
        meetings=len(rows["meetings"]),
        items=len(rows["items"]),
        cases=len(rows["cases"]),
        cases_needing_review=sum(bool(c["needs_review"]) for c in rows["cases"]),
        persons=len(rows["persons"]),
        first_date=min(dates, default=None),
        last_date=max(dates, default=None),
        holdings=[
            Holding(*key, documents=files[key], cases=file_cases[key])
            for key in sorted(files, key=lambda key: _holding_order(*key))
        ],
    )


def cases_per_month(cases: Sequence[dict[str, Any]]) -> tuple[list[Count], int]:
    """Cases per month of the meeting, every month from the first to the last; and the undated count."""
    dates = [c["meeting_date"] for c in cases if c["meeting_date"]]
    if not dates:
        return [], len(cases)
    counts = Counter(_month(d) for d in dates)
    first, last = min(dates), max(dates)
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return [Count(m, counts[m]) for m in months], len(cases) - len(dates)


def decisions_by_year(cases: Sequence[dict[str, Any]]) -> Stacked:
    """Dated cases per year and decision; a case with several decisions counts under each."""
    per: Counter[tuple[int, str]] = Counter()
    for case in cases:
        if case["meeting_date"]:
            for decision in set(case["decisions"] or ["none"]):
                per[case["meeting_date"].year, decision] += 1
    if not per:
        return Stacked([], {})
    years = range(min(y for y, _ in per), max(y for y, _ in per) + 1)
    categories = sorted({d for _, d in per}, key=lambda d: (DECISION_ORDER.get(d, len(DECISION_ORDER)), d))
    return Stacked([str(y) for y in years], {d: [per[y, d] for y in years] for d in categories})


def repeat_persons(cases: Sequence[dict[str, Any]], persons: Sequence[dict[str, Any]]) -> list[PersonHistory]:
    """Persons with more than one case and their decisions in date order (undated cases last)."""
    names = {p["person_id"]: p["canonical_name"] for p in persons}
    by_person: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for case in cases:
        if case["person_id"]:
            by_person[case["person_id"]].append(case)
    histories = []
    for person_id, own in by_person.items():
        if len(own) < 2:
            continue
        own.sort(key=lambda c: (c["meeting_date"] is None, c["meeting_date"] or dt.date.min, c["document"]))
        steps = [Step(_month(c["meeting_date"]), tuple(c["decisions"])) for c in own]
        name = names.get(person_id) or own[0]["surname"] or own[0]["name_as_written"]
        histories.append(PersonHistory(person_id, name, steps))
    histories.sort(key=lambda h: (-len(h.steps), h.name, h.person_id))
    return histories


def correct_command(document: str, page: int | None) -> str:
    return f"bureau correct {shlex.quote(document)} {page if page is not None else 'PAGE'}"


def _excerpt(text: str | None) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


def low_confidence_pages(pages: Sequence[dict[str, Any]], corrected_pages: frozenset[str]) -> QaList:
    qa = QaList(
        "low_confidence",
        "Pages with low OCR confidence",
        "Tesseract was unsure of these pages: check the text against the scan and fix it. "
        "Lowest confidence first; corrected pages are left out.",
        "pages.csv, column low_confidence",
    )
    flagged = [p for p in pages if p["low_confidence"] and p["page_id"] not in corrected_pages]
    for page in sorted(flagged, key=lambda p: (p["ocr_confidence"] or 0.0, p["document"], p["page_no"])):
        qa.rows.append(
            QaRow(
                page["document"],
                page["page_no"],
                f"mean confidence {page['ocr_confidence'] or 0:.0f}",
                correct_command(page["document"], page["page_no"]),
            )
        )
    return qa


def undecided_items(items: Sequence[dict[str, Any]], cases: Sequence[dict[str, Any]]) -> QaList:
    """Personal-case items where neither the item nor any of its cases (corrections included) has a decision."""
    qa = QaList(
        "undecided",
        "Personal cases without a parsed decision",
        "No decision was recognised in ПОСТАНОВИЛИ: fix a misread page, or set the decisions in "
        f"data/corrections/{CASES_FILE}.",
        "items.csv, personal cases with no decisions",
    )
    decided = {c["item_id"] for c in cases if c["decisions"]}
    for item in items:
        if item["is_personal_case"] and not item["decisions"] and item["item_id"] not in decided:
            page = _page(item["pages"][0]) if item["pages"] else None
            problem = (
                f"item {item['item_no'] or '?'}: «{_excerpt(item['decision_text']) or 'no decision text'}»"
            )
            qa.rows.append(QaRow(item["document"], page, problem, correct_command(item["document"], page)))
    return qa


def review_cases(cases: Sequence[dict[str, Any]]) -> QaList:
    qa = QaList(
        "needs_review",
        "Cases flagged for review",
        "The parser was unsure of these cases: fix the page text, or single fields in "
        f"data/corrections/{CASES_FILE}.",
        "cases.csv, column needs_review",
    )
    for case in cases:
        if case["needs_review"]:
            page = _page(case["name_page"])
            reasons = "; ".join(case["review_reasons"]) or "marked in cases.csv"
            qa.rows.append(
                QaRow(
                    case["document"],
                    page,
                    f"{case['name_as_written']}: {reasons}",
                    correct_command(case["document"], page),
                )
            )
    return qa


def failure_rows(failures: Sequence[dict[str, Any]], pages: Sequence[dict[str, Any]]) -> QaList:
    qa = QaList(
        "failures",
        "Failures",
        "Inputs and pages the pipeline could not process; the other documents were processed.",
        "failures.csv and bureau status",
    )
    page_of = {p["page_id"]: (p["document"], p["page_no"]) for p in pages}
    for failure in failures:
        stage, target = failure["stage"], failure["target"]
        document, page = page_of.get(target, (target, None)) if stage == "ocr" else (target, None)
        if stage == "ingest":
            command = f"replace data/raw/{target}; bureau run"
        else:  # OCR: type the page's text; segment: fix the page that breaks parsing
            command = correct_command(document, page)
        qa.rows.append(QaRow(document, page, f"[{stage}] {failure['reason']}", command))
    return qa


_TEXT_CORRECTION = re.compile(r"^text/(?P<document>.+)/(?P<page>\d+)\.txt$")
_CASES_LINE = re.compile(rf"^{re.escape(CASES_FILE)} line (?P<line>\d+)$")


def stale_rows(
    stale: Sequence[StaleCorrection],
    case_of_line: dict[int, str],
    cases: Sequence[dict[str, Any]],
    pages: Sequence[dict[str, Any]],
) -> QaList:
    """Corrections not applied; `case_of_line` maps cases.csv line numbers to the case ids they name."""
    qa = QaList(
        "stale_corrections",
        "Stale corrections",
        "Corrections under data/corrections/ that were not applied: their page or case is gone, or it "
        "changed since the correction was made.",
        "bureau status",
    )
    case_by_id = {c["case_id"]: c for c in cases}
    live_pages = {(p["document"], p["page_no"]) for p in pages}
    for correction in stale:
        document, page, command = NO_PAGE, None, f"move away data/corrections/{correction.file}"
        if match := _TEXT_CORRECTION.match(correction.file):
            document, page = match["document"], int(match["page"])
            if (document, page) in live_pages:  # the scan changed: check the text, save it again
                command = correct_command(document, page)
        elif match := _CASES_LINE.match(correction.file):
            command = f"edit data/corrections/{CASES_FILE}, line {match['line']}"
            case = case_by_id.get(case_of_line.get(int(match["line"]), ""))
            if case is not None:
                document, page = case["document"], _page(case["name_page"])
        qa.rows.append(QaRow(document, page, f"{correction.file}: {correction.reason}", command))
    return qa


def aggregate(
    rows: Rows,
    corrected_pages: frozenset[str] = frozenset(),
    stale: Sequence[StaleCorrection] = (),
    case_of_line: dict[int, str] | None = None,
) -> ReportData:
    """Everything the report shows, from the export tables and the state of the corrections."""
    cases = rows["cases"]
    per_month, undated = cases_per_month(cases)
    return ReportData(
        overview=overview(rows, corrected_pages),
        cases_per_month=per_month,
        undated_cases=undated,
        decisions_by_year=decisions_by_year(cases),
        accusations=tally(a for c in cases for a in (c["accusations"] or ["(none recorded)"])),
        sectors=tally(c["sector"] or "(unknown)" for c in cases),
        bodies=tally(c["body"] or "(unknown)" for c in cases),
        repeat_persons=repeat_persons(cases, rows["persons"]),
        qa=[
            low_confidence_pages(rows["pages"], corrected_pages),
            undecided_items(rows["items"], cases),
            review_cases(cases),
            failure_rows(rows["failures"], rows["pages"]),
            stale_rows(stale, case_of_line or {}, cases, rows["pages"]),
        ],
    )


# --- plots ----------------------------------------------------------------------------------------

PLOT_RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "text.parse_math": False,  # a `$` in an OCR'd name is text, not TeX
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#dddddd",
}
WIDTH = 7.5
BAR = "#4c72b0"


_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_ARTIST_ID = re.compile(r' id="[a-z][a-z0-9.]*_\d+"')
"""matplotlib names every artist (`patch_1`); nothing refers to those ids, and they repeat across plots."""


def _svg(figure: Any, name: str) -> str:
    """The figure as an inline <svg> element: no XML prolog, no date, ids unique in the page."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": name}):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    return _ARTIST_ID.sub("", _METADATA.sub("", text[text.index("<svg") :]))


def _barh(counts: list[Count], name: str, label_width: int = 45) -> str:
    from matplotlib.figure import Figure

    shown = counts[::-1]
    figure = Figure(figsize=(WIDTH, 0.6 + 0.26 * len(shown)))
    axes = figure.add_subplot()
    labels = [c.label if len(c.label) <= label_width else c.label[: label_width - 1] + "…" for c in shown]
    axes.barh(range(len(shown)), [c.n for c in shown], color=BAR)
    axes.set_yticks(range(len(shown)), labels)
    axes.grid(axis="y", visible=False)
    axes.set_xlabel("cases")
    axes.xaxis.get_major_locator().set_params(integer=True)
    return _svg(figure, name)


def _per_month(counts: list[Count]) -> str:
    import matplotlib.dates as mdates
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH, 2.6))
    axes = figure.add_subplot()
    months = [dt.date.fromisoformat(c.label + "-01") for c in counts]
    axes.bar(months, [c.n for c in counts], width=26, align="edge", color=BAR)
    locator = mdates.AutoDateLocator(maxticks=12)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.grid(axis="x", visible=False)
    axes.set_ylabel("cases")
    return _svg(figure, "per_month")


def _stacked(stacked: Stacked) -> str:
    import matplotlib
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH, 3.0))
    axes = figure.add_subplot()
    colors = matplotlib.colormaps["tab20"]
    bottom = [0] * len(stacked.periods)
    for decision, counts in stacked.counts.items():
        axes.bar(
            stacked.periods,
            counts,
            bottom=bottom,
            label=decision,
            color=colors(DECISION_ORDER.get(decision, 19)),
        )
        bottom = [b + n for b, n in zip(bottom, counts, strict=True)]
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8)
    axes.grid(axis="x", visible=False)
    axes.yaxis.get_major_locator().set_params(integer=True)
    if len(stacked.periods) > 16:
        axes.tick_params(axis="x", labelrotation=90)
    axes.set_ylabel("decisions")
    return _svg(figure, "decisions")


def render_plots(data: ReportData) -> dict[str, str]:
    """Inline SVG per plot; plots without data are left out. matplotlib is imported only here."""
    plots: dict[str, str] = {}
    if not data.overview.cases:
        return plots
    import matplotlib

    with matplotlib.rc_context(PLOT_RC):
        if data.cases_per_month:
            plots["per_month"] = _per_month(data.cases_per_month)
        if data.decisions_by_year.periods:
            plots["decisions"] = _stacked(data.decisions_by_year)
        if data.accusations:
            plots["accusations"] = _barh(data.accusations, "accusations")
        if data.sectors:
            plots["sectors"] = _barh(data.sectors, "sectors")
        if data.bodies:
            plots["bodies"] = _barh(data.bodies[:BODIES_PLOTTED], "bodies", label_width=60)
    return plots


# --- HTML -----------------------------------------------------------------------------------------


def _report_filters() -> dict[str, Any]:
    """Rows of the report's tables, made from the aggregates in the template."""
    return {
        "share": lambda c, total: (c.label, c.n, f"{c.n / total:.1%}"),
        "holding_row": lambda h: (h.label, h.documents, h.cases),
        "count_row": lambda c: (c.label, c.n),
        "numeric": lambda column: f"{column}:n",
        "history_row": lambda h: (h.name, len(h.steps), h.sequence, h.person_id),
        "qa_row": lambda r: (r.document, NO_PAGE if r.page is None else r.page, r.problem, r.command),
    }


def render_html(data: ReportData, title: str) -> str:
    """The whole page, plots and styles included (templates/report.html)."""
    from bureaucli.templating import environment, stylesheet

    plots = render_plots(data)
    stacked = data.decisions_by_year
    env = environment().overlay()
    env.filters.update(_report_filters())
    return (
        env.get_template("report.html").render(
            data=data,
            title=title,
            plots=plots,
            css=stylesheet(),
            version=__version__,
            today=dt.date.today().isoformat(),
            digest_meta=DIGEST_META,
            digest=report_digest(data),
            problems=sum(len(qa.rows) for qa in data.qa),
            fonds=len({(h.archive, h.fond) for h in data.overview.holdings if h.fond}),
            decision_rows=[
                [year, *(stacked.counts[d][k] for d in stacked.counts)]
                for k, year in enumerate(stacked.periods)
            ],
            table_rows=TABLE_ROWS_SHOWN,
            persons_shown=PERSONS_SHOWN,
            qa_shown=QA_SHOWN,
            bodies_plotted=BODIES_PLOTTED,
        )
        + "\n"
    )


# --- stage ----------------------------------------------------------------------------------------


@dataclass
class ReportResult:
    path: Path
    up_to_date: bool
    cases: int
    problems: int
    size: int
    seconds: float


def _written_digest(path: Path) -> str | None:
    """The digest a previous report was made from, read from its head."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            head = handle.read(1024)
    except OSError:
        return None
    match = re.search(rf'<meta name="{DIGEST_META}" content="([0-9a-f]+)">', head)
    return match[1] if match else None


def report_stage(ws: Workspace, catalog: Catalog, out: Path | None = None) -> ReportResult:
    """Write the report; nothing is rendered when the data it shows is what the existing file shows."""
    started = time.monotonic()
    path = out or ws.extracted_dir / REPORT_FILE
    case_corrections, invalid = read_case_corrections(ws.corrections_dir)
    tables = build_tables(catalog, case_corrections)
    texts = text_corrections(ws, catalog, anchor_new=False)
    data = aggregate(
        tables.rows,
        corrected_pages=frozenset(texts.applied),
        stale=[*texts.stale, *invalid, *tables.stale_corrections],
        case_of_line={c.line: c.case_id for c in case_corrections},
    )
    up_to_date = _written_digest(path) == report_digest(data)
    if not up_to_date:
        page = render_html(data, f"Personal cases — {ws.root.name}")
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.tmp")
        try:
            temp.write_text(page, encoding="utf-8")
            os.replace(temp, path)
        finally:
            temp.unlink(missing_ok=True)
    return ReportResult(
        path=path,
        up_to_date=up_to_date,
        cases=data.overview.cases,
        problems=sum(len(qa.rows) for qa in data.qa),
        size=path.stat().st_size,
        seconds=time.monotonic() - started,
    )
