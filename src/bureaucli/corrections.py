"""The user's corrections under `data/corrections/`: read on every run, never written by the pipeline.

- `text/<document>/<page>.txt` — corrected text of one page (document = its path under data/raw/), used
  instead of OCR or the text layer. `bureau correct DOCUMENT PAGE` writes these.
- `cases.csv` — columns `case_id,field,value`: a field of an extracted case overridden after every run.
- `persons.csv` — linkage overrides (see `bureaucli.linkage`).

A correction is *anchored* the first time a run sees it: the catalog remembers what it was made against
(the page's image hash, the case's source text hash). If that changes later — a new scan of the page, a
case whose text now reads differently — the correction is stale: reported by `bureau status`, not applied.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from bureaucli.catalog import Catalog, now
from bureaucli.errors import ConfigError
from bureaucli.workspace import Workspace

TEXT_DIR = "text"
CASES_FILE = "cases.csv"
PERSONS_FILE = "persons.csv"

CASE_TEXT_FIELDS = (
    "name_as_written",
    "surname",
    "first_name",
    "patronymic",
    "initials",
    "gender",
    "name_latin",
    "position",
    "organization",
    "sector",
    "party_status",
    "party_card",
    "decision_text",
)
CASE_LIST_FIELDS = ("decisions", "accusations")
CASE_OTHER_FIELDS = ("birth_year", "needs_review")
EDITABLE_CASE_FIELDS = CASE_TEXT_FIELDS + CASE_LIST_FIELDS + CASE_OTHER_FIELDS


@dataclass(frozen=True)
class TextCorrection:
    document: str
    page_no: int
    path: Path

    def read(self) -> str:
        return self.path.read_text(encoding="utf-8")


@dataclass(frozen=True)
class CaseCorrection:
    case_id: str
    field: str
    value: str
    line: int


@dataclass(frozen=True)
class StaleCorrection:
    file: str
    reason: str


def find_text_corrections(corrections_dir: Path) -> tuple[list[TextCorrection], list[StaleCorrection]]:
    """Every `text/<document>/<page>.txt`, and the files there that cannot be a page correction."""
    root = corrections_dir / TEXT_DIR
    found: list[TextCorrection] = []
    invalid: list[StaleCorrection] = []
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in filenames:
            path = Path(dirpath) / name
            relative = PurePosixPath(path.relative_to(corrections_dir)).as_posix()
            stem, suffix = os.path.splitext(name)
            if suffix != ".txt" or not stem.isdigit() or Path(dirpath) == root:
                invalid.append(StaleCorrection(relative, "not text/<document>/<page number>.txt; ignored"))
                continue
            document = PurePosixPath(Path(dirpath).relative_to(root)).as_posix()
            found.append(TextCorrection(document=document, page_no=int(stem), path=path))
    return found, invalid


def read_case_corrections(corrections_dir: Path) -> tuple[list[CaseCorrection], list[StaleCorrection]]:
    """Rows of cases.csv; rows naming an unknown field are returned as invalid, not applied."""
    path = corrections_dir / CASES_FILE
    if not path.exists():
        return [], []
    rows: list[CaseCorrection] = []
    invalid: list[StaleCorrection] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if not {"case_id", "field", "value"} <= set(reader.fieldnames or []):
            raise ConfigError(f"{path}: needs the columns case_id,field,value")
        for line, row in enumerate(reader, start=2):
            case_id, field = (row["case_id"] or "").strip(), (row["field"] or "").strip()
            if not case_id:
                continue
            if field not in EDITABLE_CASE_FIELDS:
                invalid.append(
                    StaleCorrection(f"{CASES_FILE} line {line}", f"unknown field {field!r}; ignored")
                )
                continue
            rows.append(CaseCorrection(case_id, field, row["value"] or "", line))
    return rows, invalid


def parse_case_value(field: str, value: str) -> object:
    """A cases.csv value in the type of its column (lists are `;`-joined, as in the exported CSV)."""
    value = value.strip()
    if field in CASE_LIST_FIELDS:
        return [part.strip() for part in value.split(";") if part.strip()]
    if field == "birth_year":
        return int(value) if value else None
    if field == "needs_review":
        return value.lower() in {"1", "true", "yes", "да"}
    return value or None


@dataclass
class CorrectionState:
    """Text corrections found on disk: those applied by page id, and those that are stale."""

    applied: dict[str, TextCorrection] = field(default_factory=dict)
    stale: list[StaleCorrection] = field(default_factory=list)


def text_corrections(ws: Workspace, catalog: Catalog, anchor_new: bool) -> CorrectionState:
    """Match correction files to pages; `anchor_new` records what new corrections were made against."""
    found, invalid = find_text_corrections(ws.corrections_dir)
    state = CorrectionState(stale=list(invalid))
    if not found:
        return state
    pages = {
        (row["path"], row["page_no"]): (row["page_id"], row["content_sha256"])
        for row in catalog.query(
            "SELECT d.path, p.page_no, p.page_id, p.content_sha256 FROM pages p JOIN documents d USING (doc_id) "
            "WHERE d.status = 'ok'"
        )
    }
    anchors = {
        row["target"]: row["anchor_sha"]
        for row in catalog.query("SELECT target, anchor_sha FROM correction_anchors WHERE kind = 'text'")
    }
    fresh: list[tuple[str, str]] = []
    for correction in found:
        label = f"text/{correction.document}/{correction.page_no}.txt"
        page = pages.get((correction.document, correction.page_no))
        if page is None:
            state.stale.append(StaleCorrection(label, "no such document page in data/raw/; not applied"))
            continue
        page_id, content_sha = page
        anchor = anchors.get(page_id)
        if anchor is None:
            fresh.append((page_id, content_sha))
        elif anchor != content_sha:
            state.stale.append(
                StaleCorrection(
                    label,
                    "the page's scan changed since this correction was made; not applied "
                    f"(check it, then save it again with `bureau correct {correction.document} {correction.page_no}`)",
                )
            )
            continue
        state.applied[page_id] = correction
    if anchor_new and fresh:
        with catalog.transaction():
            catalog.conn.executemany(
                "INSERT OR IGNORE INTO correction_anchors (kind, target, anchor_sha, first_seen) VALUES ('text', ?, ?, ?)",
                [(page_id, sha, now()) for page_id, sha in fresh],
            )
    return state
