"""The SQLite catalog: the one source of truth that every stage reads from and writes to.

WAL journaling and one transaction per unit of work (a document, a batch of OCR'd pages) mean a crash
or Ctrl-C leaves the catalog as it was after the last finished unit; the next run resumes from there.
Lists are stored as JSON arrays.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 3
"""Bump with every schema change, adding the steps that bring an older catalog up to it to MIGRATIONS."""

MIGRATIONS: dict[int, tuple[str, ...]] = {
    # Version 2: case and mention spans became page-local; documents are re-segmented (no OCR is redone).
    2: ("ALTER TABLE cases ADD COLUMN name_page INTEGER", "DELETE FROM segmentations"),
    3: (),  # review_pairs joined the exported tables: its generation triggers come with the schema script
}

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,          -- relative to data/raw/, POSIX separators
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    frames INTEGER                  -- pages in a TIFF (decides whether it is a document of its own)
);

CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,             -- pdf | tiff | image | image_folder | transcript
    sha256 TEXT,
    size INTEGER,
    page_count INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,           -- ok | failed | removed
    error TEXT,
    archive TEXT, fond TEXT, opis TEXT, delo TEXT,
    first_folio INTEGER, folio_side TEXT,
    ingested_at TEXT NOT NULL,
    changed_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS pages (
    page_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    page_no INTEGER NOT NULL,
    source_path TEXT NOT NULL,      -- the file holding the page, relative to data/raw/
    source_index INTEGER NOT NULL,  -- frame of a TIFF / page of a PDF, 0-based
    content_sha256 TEXT NOT NULL,   -- what the page shows: image bytes, PDF page or transcript text
    width INTEGER, height INTEGER, dpi REAL,
    text_layer TEXT,                -- born-digital PDF text or transcript text; NULL when the page needs OCR
    needs_ocr INTEGER NOT NULL,
    folio TEXT,
    citation TEXT,
    UNIQUE (doc_id, page_no)
);

CREATE TABLE IF NOT EXISTS ocr_results (
    page_id TEXT PRIMARY KEY REFERENCES pages(page_id) ON DELETE CASCADE,
    cache_key TEXT NOT NULL,
    text TEXT NOT NULL,
    text_path TEXT, tsv_path TEXT,
    mean_confidence REAL, word_count INTEGER, low_confidence INTEGER NOT NULL DEFAULT 0,
    layout TEXT, skew_angle REAL, preprocessing TEXT, seconds REAL,
    done_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ocr_results_cache_key ON ocr_results(cache_key);

CREATE TABLE IF NOT EXISTS failures (
    stage TEXT NOT NULL,
    target TEXT NOT NULL,           -- file path (ingest) or page id (ocr) or document path (segment)
    doc_id TEXT,
    reason TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (stage, target)
);

CREATE TABLE IF NOT EXISTS segmentations (
    doc_id TEXT PRIMARY KEY REFERENCES documents(doc_id) ON DELETE CASCADE,
    input_sha TEXT NOT NULL,
    done_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS meetings (
    meeting_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    protocol_no TEXT, date TEXT, date_text TEXT, body TEXT, title TEXT,
    closed INTEGER NOT NULL, extract INTEGER NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, pages TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS items (
    item_id TEXT PRIMARY KEY,
    meeting_id TEXT REFERENCES meetings(meeting_id) ON DELETE CASCADE,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    item_no TEXT, heard_text TEXT, decision_text TEXT, reporter TEXT,
    is_personal_case INTEGER NOT NULL,
    decisions TEXT NOT NULL, accusations TEXT NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, pages TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS cases (
    case_id TEXT PRIMARY KEY,
    item_id TEXT NOT NULL REFERENCES items(item_id) ON DELETE CASCADE,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    name_as_written TEXT NOT NULL,
    name_page INTEGER, name_start INTEGER NOT NULL, name_end INTEGER NOT NULL,  -- offsets in that page's text
    position TEXT, organization TEXT, party_status TEXT, party_card TEXT, birth_year INTEGER,
    decisions TEXT NOT NULL, decision_text TEXT, accusations TEXT NOT NULL, sector TEXT,
    review_reasons TEXT NOT NULL, ocr_confidence REAL, pages TEXT NOT NULL,
    span_sha TEXT NOT NULL          -- hash of the item text the case was read from (anchors corrections)
);

CREATE TABLE IF NOT EXISTS mentions (
    mention_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    meeting_id TEXT, item_id TEXT,
    role TEXT NOT NULL, as_written TEXT NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, page_no INTEGER NOT NULL  -- offsets in that page's text
);

CREATE TABLE IF NOT EXISTS case_names (
    case_id TEXT PRIMARY KEY REFERENCES cases(case_id) ON DELETE CASCADE,
    surname TEXT, first_name TEXT, patronymic TEXT, initials TEXT, gender TEXT,
    name_latin TEXT, name_confidence REAL, name_key TEXT
);

CREATE TABLE IF NOT EXISTS persons (
    person_id TEXT PRIMARY KEY,
    canonical_name TEXT NOT NULL,
    variants TEXT NOT NULL,
    case_ids TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS case_persons (
    case_id TEXT PRIMARY KEY REFERENCES cases(case_id) ON DELETE CASCADE,
    person_id TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS review_pairs (
    case_a TEXT NOT NULL, case_b TEXT NOT NULL, score REAL NOT NULL, evidence TEXT NOT NULL,
    PRIMARY KEY (case_a, case_b)
);

CREATE TABLE IF NOT EXISTS correction_anchors (
    kind TEXT NOT NULL,             -- text | case
    target TEXT NOT NULL,           -- page id or case id
    anchor_sha TEXT NOT NULL,       -- what the correction was made against (page image / case text)
    first_seen TEXT NOT NULL,
    PRIMARY KEY (kind, target)
);

CREATE INDEX IF NOT EXISTS meetings_doc ON meetings(doc_id);
CREATE INDEX IF NOT EXISTS items_doc ON items(doc_id);
CREATE INDEX IF NOT EXISTS items_meeting ON items(meeting_id);
CREATE INDEX IF NOT EXISTS cases_doc ON cases(doc_id);
CREATE INDEX IF NOT EXISTS cases_item ON cases(item_id);
CREATE INDEX IF NOT EXISTS mentions_doc ON mentions(doc_id);
CREATE INDEX IF NOT EXISTS case_persons_person ON case_persons(person_id);
"""

EXPORTED_TABLES = (
    "documents",
    "pages",
    "ocr_results",
    "failures",
    "meetings",
    "items",
    "cases",
    "mentions",
    "case_names",
    "persons",
    "case_persons",
    "review_pairs",
)
"""Tables the exports are built from: any change to them bumps the catalog's `generation`."""

GENERATION_TRIGGERS = "".join(
    f"""
CREATE TRIGGER IF NOT EXISTS {table}_{event.lower()}_generation AFTER {event} ON {table}
BEGIN UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'; END;"""
    for table in EXPORTED_TABLES
    for event in ("INSERT", "UPDATE", "DELETE")
)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def dumps(values: Iterable[Any]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def loads(text: str | None) -> list[Any]:
    return json.loads(text) if text else []


class Catalog:
    """A connection to `catalog.sqlite` with the schema in place."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(path, timeout=30, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        version = self.get_meta("schema_version")
        if version is None or int(version) < SCHEMA_VERSION:
            self._create_or_upgrade()

    def _create_or_upgrade(self) -> None:
        """Create the schema, or migrate an older one, in one transaction (a crash leaves the old one)."""
        with self.transaction():
            version = self.get_meta("schema_version")  # again: another process may have done it meanwhile
            if version is not None:
                for number in range(int(version) + 1, SCHEMA_VERSION + 1):
                    for step in MIGRATIONS[number]:
                        self.conn.execute(step)
            for statement in (SCHEMA + GENERATION_TRIGGERS).split(";\n"):
                if statement.strip():
                    self.conn.execute(statement)  # idempotent: IF NOT EXISTS
            self.conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('generation', '0')")
            self.set_meta("schema_version", str(SCHEMA_VERSION))

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic unit: everything inside lands together or not at all (also on Ctrl-C)."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def get_meta(self, key: str) -> str | None:
        try:
            row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        except sqlite3.OperationalError:  # a new catalog has no meta table yet
            return None
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def record_failure(self, stage: str, target: str, reason: str, doc_id: str | None = None) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO failures (stage, target, doc_id, reason, at) VALUES (?, ?, ?, ?, ?)",
            (stage, target, doc_id, reason, now()),
        )

    def clear_failure(self, stage: str, target: str) -> None:
        self.conn.execute("DELETE FROM failures WHERE stage = ? AND target = ?", (stage, target))

    def failures(self) -> list[sqlite3.Row]:
        return self.conn.execute("SELECT * FROM failures ORDER BY stage, target").fetchall()

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, tuple(params)).fetchall()

    def generation(self) -> int:
        """A counter that every change to an exported table bumps: equal values mean equal exports."""
        return int(self.get_meta("generation") or 0)

    def scalar(self, sql: str, params: Iterable[Any] = ()) -> Any:
        row = self.conn.execute(sql, tuple(params)).fetchone()
        return row[0] if row else None
