"""`bureau review`: the queue of what to check, in the report's order, one page of it at a time.

Each section is counted and read by its own query with LIMIT/OFFSET, so a workspace of 10,000 pages
answers as fast as one of ten. Only the stale corrections are worked out in Python: they are the
user's own edits, a handful.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bureaucli.catalog import Catalog, loads
from bureaucli.corrections import CASES_FILE, read_case_corrections
from bureaucli.status import stale_corrections_of
from bureaucli.workspace import Workspace

QUEUE_PAGE_SIZE = 50
# --- the queue ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilter:
    document: str = ""
    body: str = ""
    date_from: str = ""
    date_to: str = ""

    def active(self) -> bool:
        return any((self.document, self.body, self.date_from, self.date_to))

    def meetings_sql(self) -> tuple[str, list[str]]:
        """Conditions on a meeting `m` for the body and date filters."""
        sql, params = [], []
        if self.body:
            sql.append("m.body LIKE ?")
            params.append(f"%{self.body}%")
        if self.date_from:
            sql.append("m.date >= ?")
            params.append(self.date_from)
        if self.date_to:
            sql.append("m.date <= ?")
            params.append(self.date_to)
        return " AND ".join(sql), params


@dataclass(frozen=True)
class QueueEntry:
    kind: str
    document: str
    page_no: int | None
    page_id: str | None
    problem: str
    target: str = ""
    """the case id, stale correction label or pair the entry is about"""
    accept: str = ""
    """a stale correction that one click can accept: its label"""


@dataclass(frozen=True)
class QueueSource:
    key: str
    title: str
    count: Callable[[Catalog, Workspace, QueueFilter], int]
    rows: Callable[[Catalog, Workspace, QueueFilter, int, int], list[QueueEntry]]


def _where(base: str, flt: QueueFilter, doc: str, meeting: str | None, page: str | None) -> tuple[str, list]:
    """`base` plus the filter: document path `doc`; body/date through meeting `meeting` or the page."""
    sql, params = [base], []
    if flt.document:
        sql.append(f"{doc} LIKE ?")
        params.append(f"%{flt.document}%")
    conditions, more = flt.meetings_sql()
    if conditions:
        if meeting:
            sql.append(f"EXISTS (SELECT 1 FROM meetings m WHERE m.meeting_id = {meeting} AND {conditions})")
        elif page:
            sql.append(
                f"EXISTS (SELECT 1 FROM meetings m, json_each(m.pages) j WHERE m.doc_id = {page}.doc_id "
                f"AND CAST(j.value AS INTEGER) = {page}.page_no AND {conditions})"
            )
        else:
            sql.append("0")
        params += more
    return " AND ".join(sql), params


Where = str | Callable[[Workspace], tuple[str, list]]


def _sql_source(
    key: str,
    title: str,
    tables: str,
    where: Where,
    order: str,
    columns: str,
    entry: Callable[[Any], QueueEntry],
    meeting: str | None = None,
    page: str | None = None,
) -> QueueSource:
    """A queue section read by SQL: `where` is a condition, or makes one (with parameters) from the workspace;
    body and date filters go through the meeting id `meeting`, or the pages of the meetings covering `page`."""

    def parts(ws: Workspace, flt: QueueFilter) -> tuple[str, list]:
        base, params = where(ws) if callable(where) else (where, [])
        sql, more = _where(base, flt, "d.path", meeting, page)
        return sql, [*params, *more]

    def count(catalog: Catalog, ws: Workspace, flt: QueueFilter) -> int:
        sql, params = parts(ws, flt)
        return catalog.scalar(f"SELECT count(*) FROM {tables} WHERE {sql}", params)

    def rows(catalog: Catalog, ws: Workspace, flt: QueueFilter, offset: int, limit: int) -> list[QueueEntry]:
        sql, params = parts(ws, flt)
        found = catalog.query(
            f"SELECT {columns} FROM {tables} WHERE {sql} ORDER BY {order} LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [entry(row) for row in found]

    return QueueSource(key, title, count, rows)


def _corrected_pages(ws: Workspace) -> tuple[str, list]:
    """Low-confidence pages, but those with a text correction (which replaces their OCR)."""
    root = ws.corrections_dir / "text"
    corrected = [f"{path.parent.relative_to(root).as_posix()}\f{path.stem}" for path in root.glob("**/*.txt")]
    return (
        "d.status = 'ok' AND o.low_confidence = 1 AND "
        "(d.path || char(12) || p.page_no) NOT IN (SELECT value FROM json_each(?))",
        [json.dumps(corrected)],
    )


def _decided_by_correction(ws: Workspace) -> tuple[str, list]:
    rows, _invalid = read_case_corrections(ws.corrections_dir)
    decided = [r.case_id for r in rows if r.field == "decisions" and r.value.strip()]
    return (
        "i.is_personal_case = 1 AND i.decisions = '[]' AND NOT EXISTS (SELECT 1 FROM cases c WHERE "
        "c.item_id = i.item_id AND (c.decisions != '[]' OR c.case_id IN (SELECT value FROM json_each(?))))",
        [json.dumps(decided)],
    )


def _first_page(pages: str) -> int | None:
    values = loads(pages)
    return int(values[0]) if values else None


def _page_id(catalog: Catalog, doc_id: str | None, page_no: int | None) -> str | None:
    if doc_id is None or page_no is None:
        return None
    return catalog.scalar("SELECT page_id FROM pages WHERE doc_id = ? AND page_no = ?", (doc_id, page_no))


def _item_source(
    key: str, title: str, where: Where, shown: str, problem: Callable[[Any], str]
) -> QueueSource:
    """A section of agenda items, at the first page each is on; `shown` is the column `problem` describes."""
    return _sql_source(
        key,
        title,
        "items i JOIN documents d USING (doc_id)",
        where,
        "d.path, i.ordinal",
        f"d.path, i.pages, i.item_no, {shown}, i.item_id, (SELECT page_id FROM pages WHERE doc_id = i.doc_id "
        "AND page_no = CAST(json_extract(i.pages, '$[0]') AS INTEGER))",
        lambda r: QueueEntry(key, r[0], _first_page(r[1]), r[5], problem(r), target=r[4]),
        meeting="i.meeting_id",
    )


def _low_page(r: Any) -> QueueEntry:
    return QueueEntry("low_confidence", r[0], r[1], r[2], f"mean confidence {r[3] or 0:.0f}", target=r[2])


def _flagged_case(r: Any) -> QueueEntry:
    return QueueEntry("needs_review", r[0], r[1], r[6], f"{r[3]}: {'; '.join(loads(r[4]))}", target=r[5])


def _build_sources() -> list[QueueSource]:
    pages = "pages p JOIN documents d USING (doc_id) JOIN ocr_results o ON o.page_id = p.page_id"
    return [
        _sql_source(
            "low_confidence",
            "Pages with low OCR confidence",
            pages,
            _corrected_pages,
            "o.mean_confidence, d.path, p.page_no",
            "d.path, p.page_no, p.page_id, o.mean_confidence",
            _low_page,
            page="p",
        ),
        _sql_source(
            "needs_review",
            "Cases flagged for review",
            "cases c JOIN items i USING (item_id) JOIN documents d ON d.doc_id = c.doc_id",
            "c.review_reasons != '[]'",
            "d.path, c.name_page, c.case_id",
            "d.path, c.name_page, c.doc_id, c.name_as_written, c.review_reasons, c.case_id, "
            "(SELECT page_id FROM pages WHERE doc_id = c.doc_id AND page_no = c.name_page)",
            _flagged_case,
            meeting="i.meeting_id",
        ),
        _item_source(
            "undecided",
            "Personal cases without a parsed decision",
            _decided_by_correction,
            "i.decision_text",
            lambda r: f"item {r[2] or '?'}: «{_excerpt(r[3]) or 'no decision text'}»",
        ),
        _item_source(
            "decided_no_case",
            "Items with a decision and no case",
            "i.is_personal_case = 1 AND i.decisions != '[]' AND NOT EXISTS "
            "(SELECT 1 FROM cases c WHERE c.item_id = i.item_id)",
            "i.decisions",
            lambda r: f"item {r[2] or '?'}: {', '.join(loads(r[3]))}, but no person found",
        ),
    ]


def _excerpt(text: str | None, size: int = 120) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= size else text[: size - 1] + "…"


_TEXT_FILE = re.compile(r"^text/(?P<document>.+)/(?P<page>\d+)\.txt$")
_CASES_LINE = re.compile(rf"^{re.escape(CASES_FILE)} line (?P<line>\d+)$")


def stale_entries(ws: Workspace, catalog: Catalog, flt: QueueFilter) -> list[QueueEntry]:
    """Stale corrections (a handful: they are the user's own edits), with the page each concerns."""
    case_of_line = {c.line: c.case_id for c in read_case_corrections(ws.corrections_dir)[0]}
    entries = []
    for stale in stale_corrections_of(ws, catalog):
        document, page_no, page_id, meeting, accept, target = "—", None, None, None, "", stale.file
        if match := _TEXT_FILE.match(stale.file):
            document, page_no = match["document"], int(match["page"])
            row = catalog.query(
                "SELECT p.page_id FROM pages p JOIN documents d USING (doc_id) WHERE d.path = ? AND p.page_no = ?",
                (document, page_no),
            )
            if row:
                page_id, accept = row[0][0], stale.file
        elif match := _CASES_LINE.match(stale.file):
            case_id = target = case_of_line.get(int(match["line"]), "")
            row = catalog.query(
                "SELECT d.path, c.name_page, c.doc_id, i.meeting_id FROM cases c JOIN documents d "
                "ON d.doc_id = c.doc_id JOIN items i USING (item_id) WHERE c.case_id = ?",
                (case_id,),
            )
            if row:
                document, page_no, meeting = row[0][0], row[0][1], row[0][3]
                page_id, accept = _page_id(catalog, row[0][2], page_no), stale.file
        entry = QueueEntry(
            "stale", document, page_no, page_id, f"{stale.file}: {stale.reason}", target, accept
        )
        if _stale_matches(catalog, flt, entry, meeting):
            entries.append(entry)
    return entries


def _stale_matches(catalog: Catalog, flt: QueueFilter, entry: QueueEntry, meeting: str | None) -> bool:
    if flt.document and flt.document not in entry.document:
        return False
    conditions, params = flt.meetings_sql()
    if not conditions:
        return True
    if meeting:
        sql = f"SELECT count(*) FROM meetings m WHERE m.meeting_id = ? AND {conditions}"
        return bool(catalog.scalar(sql, [meeting, *params]))
    if entry.page_id:
        sql = (
            "SELECT count(*) FROM pages p, meetings m, json_each(m.pages) j WHERE p.page_id = ? AND "
            f"m.doc_id = p.doc_id AND CAST(j.value AS INTEGER) = p.page_no AND {conditions}"
        )
        return bool(catalog.scalar(sql, [entry.page_id, *params]))
    return False


def _stale_source() -> QueueSource:
    return QueueSource(
        "stale",
        "Stale corrections",
        lambda catalog, ws, flt: len(stale_entries(ws, catalog, flt)),
        lambda catalog, ws, flt, offset, limit: stale_entries(ws, catalog, flt)[offset : offset + limit],
    )


def _pair_source() -> QueueSource:
    return _sql_source(
        "duplicates",
        "Possible duplicates: one person or two?",
        "review_pairs r JOIN cases c ON c.case_id = r.case_a JOIN cases b ON b.case_id = r.case_b "
        "JOIN items i ON i.item_id = c.item_id JOIN documents d ON d.doc_id = c.doc_id",
        "1",
        "r.score DESC, r.case_a, r.case_b",
        "d.path, c.name_page, c.name_as_written, b.name_as_written, r.score, r.evidence, r.case_a, r.case_b, "
        "(SELECT page_id FROM pages WHERE doc_id = c.doc_id AND page_no = c.name_page)",
        lambda r: QueueEntry(
            "duplicates",
            r[0],
            r[1],
            r[8],
            f"{r[2]} ~ {r[3]} (score {r[4]:.0f}: {r[5]})",
            target=f"{r[6]} {r[7]}",
        ),
        meeting="i.meeting_id",
    )


def _failure_source() -> QueueSource:
    return _sql_source(
        "failures",
        "Failures",
        "failures f LEFT JOIN documents d ON d.doc_id = f.doc_id LEFT JOIN pages p ON p.page_id = f.target",
        "1",
        "f.stage, f.target",
        "coalesce(d.path, f.target), p.page_no, p.page_id, f.stage, f.reason, f.target",
        lambda r: QueueEntry("failures", r[0], r[1], r[2], f"[{r[3]}] {r[4]}", target=r[5]),
        page="p",
    )


def queue_sources() -> list[QueueSource]:
    """The queue's sections in the report's order."""
    return [*_build_sources(), _stale_source(), _pair_source(), _failure_source()]


@dataclass
class QueuePage:
    entries: list[tuple[int, str, QueueEntry]]
    """(position in the whole queue, section title, entry)"""
    counts: list[tuple[str, str, int]]
    total: int
    offset: int


def queue_page(catalog: Catalog, ws: Workspace, flt: QueueFilter, offset: int, limit: int) -> QueuePage:
    """One page of the queue: counts per section, then rows from the sections the page spans."""
    counts, entries, start = [], [], 0
    for source in queue_sources():
        n = source.count(catalog, ws, flt)
        counts.append((source.key, source.title, n))
        lo, hi = max(offset, start), min(offset + limit, start + n)
        if lo < hi:
            rows = source.rows(catalog, ws, flt, lo - start, hi - lo)
            entries += [(lo + k, source.title, row) for k, row in enumerate(rows)]
        start += n
    return QueuePage(entries, counts, start, offset)
