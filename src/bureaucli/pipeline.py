"""Thin orchestration of the stages: ask the catalog what is stale, run the pure stage logic, record results.

Each stage function takes a Workspace and an open Catalog, writes through the catalog only, and returns
a small report dataclass the CLI prints. Reporting to the user goes through `Reporter`, so the library
never prints by itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bureaucli.archival import Inventory
from bureaucli.catalog import Catalog, now
from bureaucli.errors import InputError
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
from bureaucli.workspace import Workspace

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
