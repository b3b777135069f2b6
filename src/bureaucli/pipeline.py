"""Thin orchestration of the stages: ask the catalog what is stale, run the pure stage logic, record results.

Each stage function takes a Workspace and an open Catalog, writes through the catalog only, and returns
a small report dataclass the CLI prints. Reporting to the user goes through `Reporter`, so the library
never prints by itself.

The stages' own logic (Tesseract, pymorphy3, the parser) is imported inside the stage functions, only
when there is work for it: a no-op `bureau run` must finish in well under a second.
"""

from __future__ import annotations

import fnmatch
import hashlib
import itertools
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from bureaucli.archival import Inventory
from bureaucli.catalog import Catalog, dumps, loads, now
from bureaucli.corrections import (
    CASES_FILE,
    PERSONS_FILE,
    CorrectionState,
    StaleCorrection,
    read_case_corrections,
    text_corrections,
    write_atomically,
)
from bureaucli.errors import ConfigError, InputError
from bureaucli.export import SCHEMAS, anchor_case_corrections, build_tables, write_tables
from bureaucli.ingest import (
    DocumentSource,
    ProbedDocument,
    SourceFile,
    count_tiff_frames,
    discover,
    doc_id_for,
    document_sha,
    file_sha256,
    group_documents,
    page_id_for,
    probe_document,
)
from bureaucli.progress import NoProgress, Progress
from bureaucli.records import DocumentParse, DocumentText, PageText
from bureaucli.settings import SegmentSettings
from bureaucli.workspace import Workspace

if TYPE_CHECKING:
    from bureaucli.evaluate import EvaluationReport, GoldDocument
    from bureaucli.ocr import OcrPageResult, PageImageRef

Reporter = Callable[[str], None]
"""Receives one-line messages for the user (errors and warnings name the file)."""


def _silent(_message: str) -> None:
    pass


@dataclass
class IngestReport:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: list[str] = field(default_factory=list)
    still_failing: int = 0
    """Inputs that failed on an earlier run and have not changed since."""
    unsupported: dict[str, int] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        return f"{self.new} new, {self.changed} changed, {self.unchanged} unchanged, {self.removed} removed"


def ingest_stage(ws: Workspace, catalog: Catalog, report: Reporter = _silent) -> IngestReport:
    """Record every document and page under data/raw/; only new or changed files are read."""
    result = IngestReport()
    discovery = discover(ws.raw_dir)
    result.unsupported = discovery.unsupported
    known = {
        row["path"]: (row["size"], row["mtime_ns"])
        for row in catalog.query("SELECT path, size, mtime_ns FROM files")
    }
    cached = {row["path"]: row for row in catalog.query("SELECT path, sha256, frames FROM files")}
    changed_files = {f.path for f in discovery.files if known.get(f.path) != (f.size, f.mtime_ns)}
    file_shas: dict[str, str] = {}
    file_errors: dict[str, str] = {}
    frames: dict[str, int] = {}
    for file in discovery.files:
        if file.path in changed_files:
            try:
                file_shas[file.path] = file_sha256(ws.raw_dir / file.path)
            except InputError as exc:
                file_errors[file.path] = str(exc)
                file_shas[file.path] = ""
            frames[file.path] = (
                count_tiff_frames(ws.raw_dir / file.path)
                if file.path.lower().endswith((".tif", ".tiff"))
                else 1
            )
        else:
            file_shas[file.path] = cached[file.path]["sha256"]
            frames[file.path] = cached[file.path]["frames"] or 1

    documents = group_documents(discovery.files, lambda f: frames[f.path])
    stored = {row["path"]: row for row in catalog.query("SELECT doc_id, path, sha256, status FROM documents")}
    inventory = Inventory.read(ws.raw_dir)
    seen: set[str] = set()
    for source in documents:
        seen.add(source.path)
        doc_id = doc_id_for(source.path)
        previous = stored.get(source.path)
        sha = document_sha(source, file_shas)
        if previous is not None and previous["status"] != "removed" and previous["sha256"] == sha:
            if any(
                f.path in changed_files for f in source.files
            ):  # touched, same content: note the new mtime
                with catalog.transaction():
                    _record_files(catalog, source.files, file_shas, frames)
            result.unchanged += 1
            result.still_failing += previous["status"] == "failed"
            continue
        try:
            unreadable = [f for f in source.files if f.path in file_errors]
            if unreadable and source.kind != "image_folder":
                raise InputError(file_errors[unreadable[0].path])
            probed = probe_document(ws.raw_dir, source, file_shas, ws.settings.ingest)
            probed.file_errors.update({f.path: file_errors[f.path] for f in unreadable})
        except InputError as exc:
            with catalog.transaction():
                _record_failed_document(catalog, doc_id, source, sha, str(exc), file_shas)
            report(f"{source.path}: {exc}")
            result.failed.append(source.path)
            continue
        for path, reason in probed.file_errors.items():
            report(f"{path}: {reason}")
            result.failed.append(path)
        for warning in probed.warnings:
            report(f"{source.path}: warning: {warning}")
        ref = inventory.ref_for(source.path, ws.settings.ingest.archive)
        with catalog.transaction():
            _record_document(catalog, doc_id, probed, ref)
            _record_files(catalog, source.files, file_shas, frames)
        if previous is None or previous["status"] == "removed":
            result.new += 1
        else:
            result.changed += 1

    for path, row in stored.items():
        if path not in seen and row["status"] != "removed":
            with catalog.transaction():
                catalog.conn.execute(
                    "UPDATE documents SET status = 'removed', changed_at = ? WHERE doc_id = ?",
                    (now(), row["doc_id"]),
                )
                catalog.conn.execute(
                    "DELETE FROM failures WHERE doc_id = ? AND stage = 'ingest'", (row["doc_id"],)
                )
            result.removed += 1
    _refresh_references(catalog, inventory, ws.settings.ingest.archive)
    return result


def _record_files(
    catalog: Catalog, files: tuple[SourceFile, ...], shas: dict[str, str], frames: dict[str, int]
) -> None:
    """Remember size, mtime and hash of files that were read, so the next ingest need not read them."""
    catalog.conn.executemany(
        "INSERT OR REPLACE INTO files (path, size, mtime_ns, sha256, frames) VALUES (?, ?, ?, ?, ?)",
        [(f.path, f.size, f.mtime_ns, shas[f.path], frames.get(f.path, 1)) for f in files if shas[f.path]],
    )


def _record_failed_document(
    catalog: Catalog, doc_id: str, source: DocumentSource, sha: str, reason: str, shas: dict[str, str]
) -> None:
    """A document that cannot be read: keep whatever was extracted before, mark it failed, remember why."""
    stamp = now()
    catalog.conn.execute(
        """INSERT INTO documents (doc_id, path, kind, sha256, status, error, ingested_at, changed_at)
           VALUES (?, ?, ?, ?, 'failed', ?, ?, ?)
           ON CONFLICT (doc_id) DO UPDATE SET status = 'failed', error = excluded.error,
               sha256 = excluded.sha256, changed_at = excluded.changed_at""",
        (doc_id, source.path, source.kind, sha, reason, stamp, stamp),
    )
    catalog.record_failure("ingest", source.path, reason, doc_id)
    _record_files(catalog, source.files, shas, {})


def _record_document(catalog: Catalog, doc_id: str, probed: ProbedDocument, ref) -> None:  # noqa: ANN001
    stamp = now()
    source = probed.source
    catalog.conn.execute(
        """INSERT INTO documents (doc_id, path, kind, sha256, size, page_count, status, error,
                                  archive, fond, opis, delo, first_folio, folio_side, ingested_at, changed_at)
           VALUES (?, ?, ?, ?, ?, ?, 'ok', NULL, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (doc_id) DO UPDATE SET kind = excluded.kind, sha256 = excluded.sha256,
               size = excluded.size, page_count = excluded.page_count, status = 'ok', error = NULL,
               archive = excluded.archive, fond = excluded.fond, opis = excluded.opis, delo = excluded.delo,
               first_folio = excluded.first_folio, folio_side = excluded.folio_side,
               changed_at = excluded.changed_at""",
        (
            doc_id,
            source.path,
            source.kind,
            probed.sha256,
            sum(f.size for f in source.files),
            len(probed.pages),
            ref.archive,
            ref.fond,
            ref.opis,
            ref.delo,
            ref.first_folio,
            ref.folio_side,
            stamp,
            stamp,
        ),
    )
    catalog.conn.executemany(
        """INSERT INTO pages (page_id, doc_id, page_no, source_path, source_index, content_sha256,
                              width, height, dpi, text_layer, needs_ocr, folio, citation)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (page_id) DO UPDATE SET source_path = excluded.source_path,
               source_index = excluded.source_index, content_sha256 = excluded.content_sha256,
               width = excluded.width, height = excluded.height, dpi = excluded.dpi,
               text_layer = excluded.text_layer, needs_ocr = excluded.needs_ocr,
               folio = excluded.folio, citation = excluded.citation""",
        [
            (
                page_id_for(doc_id, page.page_no),
                doc_id,
                page.page_no,
                page.source_path,
                page.source_index,
                page.content_sha256,
                page.width,
                page.height,
                page.dpi,
                page.text_layer,
                int(page.needs_ocr),
                ref.folio(page.page_no),
                ref.citation(source.path, page.page_no),
            )
            for page in probed.pages
        ],
    )
    catalog.conn.execute("DELETE FROM pages WHERE doc_id = ? AND page_no > ?", (doc_id, len(probed.pages)))
    catalog.conn.execute("DELETE FROM segmentations WHERE doc_id = ?", (doc_id,))
    catalog.conn.execute("DELETE FROM failures WHERE doc_id = ? AND stage = 'ingest'", (doc_id,))
    catalog.conn.execute("DELETE FROM failures WHERE stage = 'ingest' AND target = ?", (source.path,))
    for path, reason in probed.file_errors.items():
        catalog.record_failure("ingest", path, reason, doc_id)


def _refresh_references(catalog: Catalog, inventory: Inventory, archive_default: str) -> None:
    """Re-derive fond/opis/delo, folios and citations when inventory.csv or the settings changed."""
    rows = catalog.query(
        "SELECT doc_id, path, archive, fond, opis, delo, first_folio, folio_side FROM documents WHERE status = 'ok'"
    )
    for row in rows:
        ref = inventory.ref_for(row["path"], archive_default)
        current = (ref.archive, ref.fond, ref.opis, ref.delo, ref.first_folio, ref.folio_side)
        if current == tuple(row)[2:]:
            continue
        pages = catalog.query("SELECT page_id, page_no FROM pages WHERE doc_id = ?", (row["doc_id"],))
        with catalog.transaction():
            catalog.conn.execute(
                """UPDATE documents SET archive = ?, fond = ?, opis = ?, delo = ?, first_folio = ?, folio_side = ?
                   WHERE doc_id = ?""",
                (*current, row["doc_id"]),
            )
            catalog.conn.executemany(
                "UPDATE pages SET folio = ?, citation = ? WHERE page_id = ?",
                [
                    (ref.folio(p["page_no"]), ref.citation(row["path"], p["page_no"]), p["page_id"])
                    for p in pages
                ],
            )


# --- page texts and text corrections -------------------------------------------------------------


@dataclass(frozen=True)
class SourcedPage:
    page: PageText
    page_id: str
    source: str
    """text_layer | ocr | correction | missing (OCR not done or failed)"""


def document_pages(catalog: Catalog, doc_id: str, corrections: CorrectionState) -> list[SourcedPage]:
    """The text each page of a document is read from: a correction, else OCR, else its text layer."""
    rows = catalog.query(
        """SELECT p.page_id, p.page_no, p.text_layer, o.text AS ocr_text, o.mean_confidence
           FROM pages p LEFT JOIN ocr_results o USING (page_id) WHERE p.doc_id = ? ORDER BY p.page_no""",
        (doc_id,),
    )
    pages = []
    for row in rows:
        correction = corrections.applied.get(row["page_id"])
        if correction is not None:
            page, source = PageText(row["page_no"], correction.read()), "correction"
        elif row["ocr_text"] is not None:
            page, source = PageText(row["page_no"], row["ocr_text"], row["mean_confidence"]), "ocr"
        elif row["text_layer"] is not None:
            page, source = PageText(row["page_no"], row["text_layer"]), "text_layer"
        else:
            page, source = PageText(row["page_no"], ""), "missing"
        pages.append(SourcedPage(page, row["page_id"], source))
    return pages


# --- segment --------------------------------------------------------------------------------------


@dataclass
class SegmentReport:
    segmented: int = 0
    up_to_date: int = 0
    awaiting_ocr: int = 0
    cases: int = 0
    failed: list[str] = field(default_factory=list)
    stale_corrections: list[StaleCorrection] = field(default_factory=list)


def code_fingerprint(*modules: str) -> str:
    """Hash of the source of the given modules: results made by older code are stale."""
    import importlib.util

    digest = hashlib.sha256()
    for name in modules:
        spec = importlib.util.find_spec(name)
        digest.update(Path(spec.origin if spec and spec.origin else name).read_bytes())
    return digest.hexdigest()[:16]


SEGMENT_CODE = ("bureaucli.segment", "bureaucli.textnorm", "bureaucli.coding")


@dataclass(frozen=True)
class SegmentTask:
    doc_id: str
    path: str
    pages: list[PageText]
    input_sha: str
    settings: SegmentSettings


def segment_document(task: SegmentTask) -> DocumentParse:
    """The pure per-document step, run in worker processes when there are many documents."""
    from bureaucli.segment import parse_document

    return parse_document(task.pages, task.settings)


PARALLEL_MIN_DOCUMENTS = 32
"""Fewer documents than this are parsed in this process: starting workers would cost more than it saves."""


def segment_stage(
    ws: Workspace, catalog: Catalog, report: Reporter = _silent, only_doc: str | None = None
) -> SegmentReport:
    """Parse meetings, items and personal cases of every document whose page texts changed (or of one)."""
    result = SegmentReport()
    corrections = text_corrections(ws, catalog, anchor_new=True)
    result.stale_corrections = corrections.stale
    base = ws.settings.fingerprint("segment") + code_fingerprint(*SEGMENT_CODE)
    done = {
        row["doc_id"]: row["input_sha"]
        for row in catalog.query("SELECT doc_id, input_sha FROM segmentations")
    }
    failed_ocr = {row["target"] for row in catalog.query("SELECT target FROM failures WHERE stage = 'ocr'")}

    def stale_documents() -> Iterator[SegmentTask]:
        """Documents whose page texts changed since they were parsed, read from the catalog lazily."""
        chosen = "" if only_doc is None else " AND doc_id = ?"
        for doc in catalog.query(
            f"SELECT doc_id, path FROM documents WHERE status = 'ok'{chosen} ORDER BY path",
            () if only_doc is None else (only_doc,),
        ):
            pages = document_pages(catalog, doc["doc_id"], corrections)
            if any(p.source == "missing" and p.page_id not in failed_ocr for p in pages):
                result.awaiting_ocr += 1
                continue
            digest = hashlib.sha256(base.encode())
            for page in pages:
                digest.update(b"\f" + page.page.text.encode())
            input_sha = digest.hexdigest()
            if done.get(doc["doc_id"]) == input_sha:
                result.up_to_date += 1
                continue
            yield SegmentTask(
                doc["doc_id"], doc["path"], [p.page for p in pages], input_sha, ws.settings.segment
            )

    from bureaucli.executor import SerialExecutor, make_executor

    pending = stale_documents()
    first = list(itertools.islice(pending, PARALLEL_MIN_DOCUMENTS))
    many = len(first) == PARALLEL_MIN_DOCUMENTS
    executor = make_executor(ws.settings.workers) if many else SerialExecutor()
    tasks = itertools.chain(first, pending)
    with executor:
        for task, parsed in executor.map_unordered(segment_document, tasks):
            if isinstance(parsed, BaseException):  # one unparsable document must not stop the others
                reason = (
                    f"could not be segmented ({type(parsed).__name__}: {parsed}); please report this document"
                )
                with catalog.transaction():
                    catalog.record_failure("segment", task.path, reason, task.doc_id)
                report(f"{task.path}: {reason}")
                result.failed.append(task.path)
                continue
            with catalog.transaction():
                result.cases += store_parse(catalog, task.doc_id, DocumentText(task.pages), parsed)
                catalog.conn.execute(
                    "INSERT OR REPLACE INTO segmentations (doc_id, input_sha, done_at) VALUES (?, ?, ?)",
                    (task.doc_id, task.input_sha, now()),
                )
                catalog.clear_failure("segment", task.path)
            result.segmented += 1
    result.failed.sort()
    return result


def store_parse(catalog: Catalog, doc_id: str, text: DocumentText, parsed: DocumentParse) -> int:
    """Replace a document's meetings, items, cases and mentions; returns the number of cases."""
    conn = catalog.conn
    for table in ("mentions", "cases", "items", "meetings"):
        conn.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))  # noqa: S608 - fixed table names
    meeting_ids = {}
    for meeting in parsed.meetings:
        meeting_id = f"{doc_id}.m{meeting.ordinal}"
        meeting_ids[meeting.ordinal] = meeting_id
        conn.execute(
            """INSERT INTO meetings (meeting_id, doc_id, ordinal, protocol_no, date, date_text, body, title, closed,
                   extract, start, "end", pages)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                meeting_id,
                doc_id,
                meeting.ordinal,
                meeting.protocol_no,
                meeting.date,
                meeting.date_text,
                meeting.body,
                meeting.title,
                int(meeting.closed),
                int(meeting.extract),
                meeting.span.start,
                meeting.span.end,
                dumps(text.pages_of(meeting.span)),
            ),
        )
        _store_mentions(conn, doc_id, meeting_id, None, meeting_id, meeting.mentions, text)
    cases = 0
    for item in parsed.items:
        item_id = f"{doc_id}.i{item.ordinal}"
        meeting_id = meeting_ids.get(item.meeting_ordinal)
        conn.execute(
            """INSERT INTO items (item_id, meeting_id, doc_id, ordinal, item_no, heard_text, decision_text, reporter,
                   is_personal_case, decisions, accusations, start, "end", pages)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                item_id,
                meeting_id,
                doc_id,
                item.ordinal,
                item.item_no,
                item.heard_text,
                item.decision_text,
                item.reporter,
                int(item.is_personal_case),
                dumps(item.decisions),
                dumps(item.accusations),
                item.span.start,
                item.span.end,
                dumps(text.pages_of(item.span)),
            ),
        )
        span_sha = hashlib.sha256(text.text[item.span.start : item.span.end].encode()).hexdigest()[:16]
        confidence = text.confidence(item.span)
        for case in item.cases:
            conn.execute(
                """INSERT INTO cases (case_id, item_id, doc_id, ordinal, name_as_written, name_page, name_start,
                       name_end, position, organization, party_status, party_card, birth_year, decisions,
                       decision_text, accusations, sector, review_reasons, ocr_confidence, pages, span_sha)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    f"{item_id}.c{case.ordinal}",
                    item_id,
                    doc_id,
                    case.ordinal,
                    case.name_as_written,
                    *text.local_span(case.name_span),
                    case.position,
                    case.organization,
                    case.party_status,
                    case.party_card,
                    case.birth_year,
                    dumps(case.decisions),
                    case.decision_text,
                    dumps(case.accusations),
                    case.sector,
                    dumps(case.review_reasons),
                    confidence,
                    dumps(text.pages_of(item.span)),
                    span_sha,
                ),
            )
            cases += 1
        _store_mentions(conn, doc_id, meeting_id, item_id, item_id, item.mentions, text)
    return cases


def _store_mentions(conn, doc_id, meeting_id, item_id, prefix, mentions, text: DocumentText) -> None:  # noqa: ANN001
    conn.executemany(
        """INSERT INTO mentions (mention_id, doc_id, meeting_id, item_id, role, as_written, start, "end", page_no)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            (f"{prefix}.n{k}", doc_id, meeting_id, item_id, m.role, m.as_written, start, end, page_no)
            for k, m in enumerate(mentions, start=1)
            for page_no, start, end in [text.local_span(m.span)]
        ],
    )


# --- names ----------------------------------------------------------------------------------------


@dataclass
class NamesReport:
    normalized: int = 0
    persons: int = 0
    review_pairs: int = 0
    relinked: bool = False
    unused_overrides: list[str] = field(default_factory=list)


NAMES_CODE = ("bureaucli.names", "bureaucli.linkage", "bureaucli.textnorm")
EXPORT_CODE = ("bureaucli.export", "bureaucli.corrections")


def names_stage(ws: Workspace, catalog: Catalog) -> NamesReport:
    """Normalize the name of every new case, then link cases into persons across the corpus."""
    result = NamesReport()
    code = code_fingerprint(*NAMES_CODE) + ws.settings.fingerprint("names")
    if catalog.get_meta("names_code") != code:
        with catalog.transaction():
            catalog.conn.execute("DELETE FROM case_names")
            catalog.set_meta("names_code", code)
    pending = catalog.query(
        """SELECT c.case_id, c.name_as_written, i.heard_text, i.decision_text
           FROM cases c JOIN items i USING (item_id) LEFT JOIN case_names n USING (case_id)
           WHERE n.case_id IS NULL"""
    )
    rows = []
    if pending:
        from bureaucli.names import normalize_person
        from bureaucli.textnorm import normalize

    for case in pending:
        context = f"{case['heard_text'] or ''}\n{case['decision_text'] or ''}"
        # The span keeps the page's raw characters; read the name through the parser's OCR repairs
        # (initials read as digits, Latin look-alikes, old spelling) before declining it.
        name = normalize_person(normalize(case["name_as_written"]).text, context)
        rows.append(
            (
                case["case_id"],
                name.surname,
                name.first_name,
                name.patronymic,
                name.initials,
                name.gender,
                name.name_latin,
                name.confidence,
                name.key,
            )
        )
    if rows:
        with catalog.transaction():
            catalog.conn.executemany("INSERT INTO case_names VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    result.normalized = len(rows)

    overrides_path = ws.corrections_dir / PERSONS_FILE
    link_rows = catalog.query(
        """SELECT n.*, c.position, c.organization, m.date FROM case_names n JOIN cases c USING (case_id)
           JOIN items i USING (item_id) LEFT JOIN meetings m USING (meeting_id)
           JOIN documents d ON d.doc_id = c.doc_id WHERE d.status = 'ok' ORDER BY n.case_id"""
    )
    digest = hashlib.sha256(code.encode())
    for row in link_rows:
        digest.update(repr(tuple(row)).encode())
    if overrides_path.exists():
        digest.update(overrides_path.read_bytes())
    link_input = digest.hexdigest()
    linked_cases = catalog.scalar("SELECT count(*) FROM case_persons")
    if catalog.get_meta("link_input") == link_input and linked_cases == len(link_rows):
        result.persons = catalog.scalar("SELECT count(*) FROM persons")
        return result
    from bureaucli.linkage import LinkMention, link_persons, read_overrides
    from bureaucli.names import PersonName

    mentions = [
        LinkMention(
            mention_id=row["case_id"],
            name=PersonName(
                surname=row["surname"] or "",
                first_name=row["first_name"],
                patronymic=row["patronymic"],
                initials=row["initials"],
                gender=row["gender"],
                name_latin=row["name_latin"] or "",
                confidence=row["name_confidence"] or 0.0,
                key=row["name_key"] or "",
            ),
            date=row["date"],
            organization=" ".join(filter(None, (row["position"], row["organization"]))) or None,
        )
        for row in link_rows
    ]
    linked = link_persons(mentions, ws.settings.names, read_overrides(overrides_path))
    with catalog.transaction():
        for table in ("persons", "case_persons", "review_pairs"):
            catalog.conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
        catalog.conn.executemany(
            "INSERT INTO persons VALUES (?, ?, ?, ?)",
            [
                (p.person_id, p.canonical_name, dumps(p.variants), dumps(p.mention_ids))
                for p in linked.persons
            ],
        )
        catalog.conn.executemany("INSERT INTO case_persons VALUES (?, ?)", list(linked.person_of.items()))
        catalog.conn.executemany(
            "INSERT OR REPLACE INTO review_pairs VALUES (?, ?, ?, ?)",
            [(r.mention_a, r.mention_b, r.score, r.evidence) for r in linked.review],
        )
        catalog.set_meta("link_input", link_input)
        catalog.set_meta("unused_overrides", dumps(linked.unused_overrides))
    result.relinked = True
    result.persons = len(linked.persons)
    result.review_pairs = len(linked.review)
    result.unused_overrides = linked.unused_overrides
    return result


# --- export ---------------------------------------------------------------------------------------


@dataclass
class ExportReport:
    out_dir: Path
    files: list[Path] = field(default_factory=list)
    up_to_date: bool = False
    cases: int = 0
    added: int = 0
    removed: int = 0
    changed: int = 0
    stale_corrections: list[StaleCorrection] = field(default_factory=list)


def export_stage(
    ws: Workspace,
    catalog: Catalog,
    out_dir: Path | None = None,
    formats: tuple[str, ...] | None = None,
    bom: bool | None = None,
) -> ExportReport:
    """Write the tables; nothing is rewritten when their content is what the last export wrote."""
    out_dir = out_dir or ws.tables_dir
    formats = formats or ws.settings.export.formats
    bom = ws.settings.export.csv_bom if bom is None else bom
    expected = [out_dir / f"{name}.{fmt}" for name in SCHEMAS for fmt in formats]
    cases_file = ws.corrections_dir / CASES_FILE
    # Everything the tables are made of: when none of it changed, the tables on disk are current and
    # are not even rebuilt (that is what keeps a no-op `bureau run` fast).
    export_input = "|".join(
        (
            str(catalog.generation()),
            hashlib.sha256(cases_file.read_bytes()).hexdigest() if cases_file.exists() else "-",
            code_fingerprint(*EXPORT_CODE),
            ",".join(sorted(formats)),
            str(bom),
            str(out_dir.resolve()),
        )
    )
    if catalog.get_meta("export_input") == export_input and all(path.exists() for path in expected):
        return ExportReport(
            out_dir=out_dir,
            up_to_date=True,
            cases=int(catalog.get_meta("export_case_count") or 0),
            stale_corrections=[StaleCorrection(*s) for s in loads(catalog.get_meta("export_stale"))],
        )
    corrections, invalid = read_case_corrections(ws.corrections_dir)
    if corrections:
        with catalog.transaction():
            anchor_case_corrections(catalog, corrections, now())
    tables = build_tables(catalog, corrections)
    result = ExportReport(out_dir=out_dir, cases=len(tables.rows["cases"]))
    result.stale_corrections = invalid + tables.stale_corrections
    digest = hashlib.sha256(
        f"{tables.digest()}|{sorted(formats)}|{bom}|{out_dir.resolve()}".encode()
    ).hexdigest()
    if catalog.get_meta("export_digest") == digest and all(path.exists() for path in expected):
        result.up_to_date = True
    else:
        previous = json.loads(catalog.get_meta("export_cases") or "{}")
        current = tables.case_digests()
        result.added = len(current.keys() - previous.keys())
        result.removed = len(previous.keys() - current.keys())
        result.changed = sum(1 for key in current.keys() & previous.keys() if current[key] != previous[key])
        result.files = write_tables(tables, out_dir, formats, bom)
    with catalog.transaction():
        if not result.up_to_date:
            catalog.set_meta("export_digest", digest)
            catalog.set_meta("export_cases", json.dumps(current))
        catalog.set_meta("export_input", export_input)
        catalog.set_meta("export_case_count", str(result.cases))
        catalog.set_meta("export_stale", dumps([(s.file, s.reason) for s in result.stale_corrections]))
    return result


# --- ocr ------------------------------------------------------------------------------------------


@dataclass
class OcrReport:
    ocr_done: int = 0
    cached: int = 0
    reused: int = 0
    """Pages whose identical image was already OCR'd elsewhere in the workspace (copied, not redone)."""
    failed: list[str] = field(default_factory=list)
    low_confidence: int = 0
    seconds: float = 0.0


@dataclass(frozen=True)
class PageSelection:
    """Which pages `bureau ocr` looks at: documents (paths, globs or ids) and page numbers."""

    documents: tuple[str, ...] = ()
    pages: frozenset[int] | None = None

    def wants(self, doc_id: str, path: str, page_no: int) -> bool:
        if self.pages is not None and page_no not in self.pages:
            return False
        return not self.documents or any(
            doc_id == d or path == d or fnmatch.fnmatch(path, d) or path.startswith(d.rstrip("/") + "/")
            for d in self.documents
        )


def parse_page_ranges(text: str) -> frozenset[int]:
    """`1-3,7` → {1, 2, 3, 7}."""
    pages: set[int] = set()
    for part in filter(None, (p.strip() for p in text.split(","))):
        first, _, last = part.partition("-")
        if not first.isdigit() or (last and not last.isdigit()):
            raise ConfigError(f"--pages: {part!r} is not a page number or range like 2-5")
        pages.update(range(int(first), int(last or first) + 1))
    return frozenset(pages)


def ocr_stage(
    ws: Workspace,
    catalog: Catalog,
    *,
    redo: bool = False,
    force: bool = False,
    selection: PageSelection = PageSelection(),
    report: Reporter = _silent,
    progress: Callable[[int], Progress] = lambda total: NoProgress(),
) -> OcrReport:
    """OCR every selected page that needs it and has no result for its current cache key.

    `redo` ignores cached results; `force` also OCRs pages that have a usable text layer.
    """
    settings = ws.settings.ocr
    result = OcrReport()
    _reflag_low_confidence(catalog, settings.low_confidence)
    rows = [
        row
        for row in catalog.query(
            """SELECT p.page_id, p.page_no, p.source_path, p.source_index, p.content_sha256, p.dpi, p.needs_ocr,
                      d.doc_id, d.path, d.kind, o.cache_key
               FROM pages p JOIN documents d USING (doc_id) LEFT JOIN ocr_results o USING (page_id)
               WHERE d.status = 'ok' ORDER BY d.path, p.page_no"""
        )
        # --force re-reads PDF pages that have a text layer; a transcript has no image to read.
        if (row["needs_ocr"] or (force and row["kind"] == "pdf"))
        and selection.wants(row["doc_id"], row["path"], row["page_no"])
    ]
    if not rows:
        return result
    from bureaucli.executor import make_executor
    from bureaucli.ocr import OcrTask, engine_info, ocr_cache_key, ocr_page

    engine = engine_info(settings.lang)
    ws.ocr_dir.mkdir(parents=True, exist_ok=True)
    tasks: list[OcrTask] = []
    keys: dict[str, str] = {}
    for row in rows:
        key = ocr_cache_key(row["content_sha256"], settings, engine)
        keys[row["page_id"]] = key
        if not redo and row["cache_key"] == key:
            result.cached += 1
            continue
        if not redo and _reuse_identical_page(catalog, row["page_id"], key):
            result.reused += 1
            continue
        source = page_image_ref(ws, row)
        out_dir = str(ws.ocr_dir / row["doc_id"])
        # a cluster's workers are other machines: each checks it has the engine the cache key names
        tasks.append(
            OcrTask(row["page_id"], source, out_dir, settings, engine if settings.scheduler else None)
        )
    if not tasks:
        return result
    doc_of = {row["page_id"]: (row["doc_id"], row["path"], row["page_no"]) for row in rows}
    bar = progress(len(tasks))
    started = time.monotonic()
    try:
        with make_executor(ws.settings.workers, settings.scheduler, settings.retries) as executor:
            for task, outcome in executor.map_unordered(ocr_page, tasks):
                doc_id, path, page_no = doc_of[task.page_id]
                with catalog.transaction():
                    if isinstance(outcome, BaseException):
                        reason = str(outcome) or type(outcome).__name__
                        catalog.record_failure(
                            "ocr", task.page_id, f"{path} page {page_no}: {reason}", doc_id
                        )
                        report(f"{path} page {page_no}: OCR failed: {reason}")
                        result.failed.append(task.page_id)
                    else:
                        low = (
                            outcome.mean_confidence is not None
                            and outcome.mean_confidence < settings.low_confidence
                        )
                        _store_ocr(catalog, outcome, keys[task.page_id], low)
                        catalog.clear_failure("ocr", task.page_id)
                        result.ocr_done += 1
                        result.low_confidence += low
                bar.update(1)
    finally:
        bar.close()
        result.seconds = time.monotonic() - started
    return result


def page_image_ref(ws: Workspace, row: Any) -> PageImageRef:
    """Where a page's image is, from its catalog row (the document's `kind` and the page's source columns)."""
    from bureaucli.ocr import PageImageRef

    kind = "pdf" if row["kind"] == "pdf" else ("tiff" if row["kind"] == "tiff" else "image")
    return PageImageRef(str(ws.raw_dir / row["source_path"]), kind, row["source_index"], row["dpi"])


def _reflag_low_confidence(catalog: Catalog, threshold: float) -> None:
    """Flag the OCR'd pages against the current threshold: it is not part of the cache key, so a changed
    threshold re-flags cached pages instead of OCRing them again. Only flags that change are written."""
    with catalog.transaction():
        catalog.conn.execute(
            """UPDATE ocr_results SET low_confidence = (coalesce(mean_confidence < ?1, 0))
               WHERE low_confidence != (coalesce(mean_confidence < ?1, 0))""",
            (threshold,),
        )


def _store_ocr(catalog: Catalog, outcome: OcrPageResult, cache_key: str, low: bool) -> None:
    catalog.conn.execute(
        """INSERT OR REPLACE INTO ocr_results (page_id, cache_key, text, text_path, tsv_path, mean_confidence,
               word_count, low_confidence, layout, skew_angle, preprocessing, seconds, done_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            outcome.page_id,
            cache_key,
            outcome.text,
            outcome.text_path,
            outcome.tsv_path,
            outcome.mean_confidence,
            outcome.word_count,
            int(low),
            outcome.layout,
            outcome.skew_angle,
            dumps(outcome.preprocessing),
            outcome.seconds,
            now(),
        ),
    )


def _reuse_identical_page(catalog: Catalog, page_id: str, cache_key: str) -> bool:
    """Copy the result of another page with the same image and OCR parameters, if there is one."""
    with catalog.transaction():
        copied = catalog.conn.execute(
            """INSERT OR REPLACE INTO ocr_results
               SELECT ?, cache_key, text, text_path, tsv_path, mean_confidence, word_count, low_confidence, layout,
                      skew_angle, preprocessing, seconds, ?
               FROM ocr_results WHERE cache_key = ? AND page_id != ? LIMIT 1""",
            (page_id, now(), cache_key, page_id),
        ).rowcount
    return copied > 0


# --- corrections ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageTarget:
    document: str
    page_no: int
    page_id: str
    content_sha256: str
    text: str


def find_page(ws: Workspace, catalog: Catalog, document: str, page_no: int) -> PageTarget:
    """A page by document path (or id) and number, with the text the pipeline currently reads for it."""
    doc = catalog.query(
        "SELECT doc_id, path FROM documents WHERE (path = ? OR doc_id = ?) AND status = 'ok'",
        (document.strip("/"), document),
    )
    if not doc:
        raise ConfigError(f"no document {document!r} in the catalog; `bureau status` or the tables list them")
    corrections = text_corrections(ws, catalog, anchor_new=False)
    pages = {p.page.page_no: p for p in document_pages(catalog, doc[0]["doc_id"], corrections)}
    if page_no not in pages:
        raise ConfigError(f"{doc[0]['path']} has pages 1-{len(pages)}, not {page_no}")
    page = pages[page_no]
    sha = catalog.scalar("SELECT content_sha256 FROM pages WHERE page_id = ?", (page.page_id,))
    return PageTarget(doc[0]["path"], page_no, page.page_id, sha, page.page.text)


def save_text_correction(ws: Workspace, catalog: Catalog, target: PageTarget, text: str) -> Path:
    """Write a page correction atomically and anchor it to the page's current image."""
    path = ws.text_correction_path(target.document, target.page_no)
    write_atomically(path, text)
    with catalog.transaction():
        catalog.conn.execute(
            "INSERT OR REPLACE INTO correction_anchors (kind, target, anchor_sha, first_seen) VALUES ('text', ?, ?, ?)",
            (target.page_id, target.content_sha256, now()),
        )
    return path


# --- evaluate -------------------------------------------------------------------------------------


def evaluate_workspace(catalog: Catalog, gold: dict[str, GoldDocument]) -> EvaluationReport:
    """Score the catalog's cases against gold documents, matched by file stem."""
    from bureaucli.evaluate import FIELDS, ExtractedCase, ExtractedDocument, score

    extracted: dict[str, ExtractedDocument] = {}
    for doc in catalog.query("SELECT doc_id, path FROM documents WHERE status = 'ok'"):
        stem = PurePosixPath(doc["path"]).stem
        if stem not in gold:
            continue
        dates = tuple(
            row["date"]
            for row in catalog.query(
                "SELECT date FROM meetings WHERE doc_id = ? ORDER BY ordinal", (doc["doc_id"],)
            )
        )
        cases = tuple(
            ExtractedCase(
                surname=row["surname"] or row["name_as_written"],
                first_initial=(row["initials"] or row["first_name"] or "")[:1] or None,
                decisions=frozenset(loads(row["decisions"])),
                accusations=frozenset(loads(row["accusations"])),
                item_no=row["item_no"],
                fields=tuple((name, row[name]) for name in FIELDS),
            )
            for row in catalog.query(
                f"""SELECT c.name_as_written, c.decisions, c.accusations, i.item_no, n.surname, n.initials,
                          n.first_name, {", ".join(f"c.{name}" for name in FIELDS)}
                   FROM cases c JOIN items i USING (item_id) LEFT JOIN case_names n USING (case_id)
                   WHERE c.doc_id = ? ORDER BY i.ordinal, c.ordinal""",
                (doc["doc_id"],),
            )
        )
        extracted[stem] = ExtractedDocument(meeting_dates=dates, cases=cases)
    return score(gold, extracted)
