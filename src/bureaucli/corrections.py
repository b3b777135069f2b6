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
import io
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


# --- writing: `bureau correct` and `bureau review` ---------------------------------------------------


def write_atomically(path: Path, text: str) -> None:
    """Write through a temp file renamed into place: a crash never leaves half a correction."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def format_case_value(value: object) -> str:
    """A field's value as cases.csv holds it: lists `;`-joined, flags true/false, nothing as empty."""
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def set_case_fields(corrections_dir: Path, case_id: str, values: dict[str, object]) -> Path:
    """Set fields of one case in cases.csv: its rows for these fields are replaced, every other row kept."""
    unknown = sorted(set(values) - set(EDITABLE_CASE_FIELDS))
    if unknown:
        raise ConfigError(f"{CASES_FILE}: not editable field(s) {', '.join(unknown)}")
    path = corrections_dir / CASES_FILE
    rows: list[list[str]] = []
    if path.exists():
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    header = rows[0] if rows else ["case_id", "field", "value"]
    if not {"case_id", "field", "value"} <= set(header):
        raise ConfigError(f"{path}: needs the columns case_id,field,value")
    at = {name: header.index(name) for name in ("case_id", "field", "value")}

    def replaced(row: list[str]) -> bool:
        cell = dict(zip(header, row, strict=False))
        return (cell.get("case_id") or "").strip() == case_id and (cell.get("field") or "").strip() in values

    kept = [row for row in rows[1:] if not replaced(row)]
    for name, value in values.items():
        row = [""] * len(header)
        row[at["case_id"]], row[at["field"]], row[at["value"]] = case_id, name, format_case_value(value)
        kept.append(row)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *kept])
    write_atomically(path, buffer.getvalue())
    return path


def add_person_override(
    corrections_dir: Path, action: str, mention_id: str, other: str = "", name: str = ""
) -> Path:
    """Append a row to persons.csv (written with its header when new); a row already there is not repeated."""
    from bureaucli.linkage import OVERRIDE_ACTIONS, OVERRIDE_COLUMNS

    if action not in OVERRIDE_ACTIONS:
        raise ConfigError(f"{PERSONS_FILE}: unknown action {action!r}")
    path = corrections_dir / PERSONS_FILE
    text = path.read_text(encoding="utf-8-sig") if path.exists() else ",".join(OVERRIDE_COLUMNS) + "\n"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([action, mention_id, other, name])
    line = buffer.getvalue()
    if line not in text.splitlines(keepends=True):
        write_atomically(path, text + ("" if text.endswith("\n") else "\n") + line)
    return path


def reanchor_case_corrections(catalog: Catalog, case_id: str) -> None:
    """Accept the cases.csv rows of a case whose text changed: anchor them to what the case reads now."""
    with catalog.transaction():
        catalog.conn.execute(
            "UPDATE correction_anchors SET anchor_sha = (SELECT span_sha FROM cases WHERE case_id = ?), "
            "first_seen = ? WHERE kind = 'case' AND target = ? AND EXISTS (SELECT 1 FROM cases WHERE case_id = ?)",
            (case_id, now(), case_id, case_id),
        )
