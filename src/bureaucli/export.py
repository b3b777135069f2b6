"""Export: the catalog as tables a historian takes away — CSV for Excel, Parquet with real types.

Every table is built from the catalog alone, with the user's case corrections applied on top. Files
are written to temporary names first and renamed into place together at the end, so an interrupted
export leaves the previous tables intact.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bureaucli.catalog import Catalog, loads

if TYPE_CHECKING:
    import pyarrow as pa

from bureaucli.corrections import CASES_FILE, CaseCorrection, StaleCorrection, parse_case_value

SCHEMAS: dict[str, list[tuple[str, str]]] = {
    "cases": [
        ("case_id", "str"),
        ("document", "str"),
        ("pages", "list"),
        ("folios", "list"),
        ("citation", "str"),
        ("body", "str"),
        ("protocol_no", "str"),
        ("meeting_date", "date"),
        ("meeting_date_text", "str"),
        ("item_no", "str"),
        ("name_as_written", "str"),
        ("surname", "str"),
        ("first_name", "str"),
        ("patronymic", "str"),
        ("initials", "str"),
        ("gender", "str"),
        ("name_latin", "str"),
        ("person_id", "str"),
        ("position", "str"),
        ("organization", "str"),
        ("sector", "str"),
        ("party_status", "str"),
        ("party_card", "str"),
        ("birth_year", "int"),
        ("accusations", "list"),
        ("decisions", "list"),
        ("decision_text", "str"),
        ("heard_text", "str"),
        ("ocr_confidence", "float"),
        ("needs_review", "bool"),
        ("review_reasons", "list"),
        ("corrected_fields", "list"),
        ("doc_id", "str"),
        ("meeting_id", "str"),
        ("item_id", "str"),
        ("name_page", "int"),
        ("name_start", "int"),
        ("name_end", "int"),
    ],
    "documents": [
        ("doc_id", "str"),
        ("document", "str"),
        ("kind", "str"),
        ("status", "str"),
        ("error", "str"),
        ("page_count", "int"),
        ("sha256", "str"),
        ("archive", "str"),
        ("fond", "str"),
        ("opis", "str"),
        ("delo", "str"),
        ("first_folio", "int"),
        ("folio_side", "str"),
        ("meetings", "int"),
        ("cases", "int"),
    ],
    "pages": [
        ("page_id", "str"),
        ("doc_id", "str"),
        ("document", "str"),
        ("page_no", "int"),
        ("folio", "str"),
        ("citation", "str"),
        ("source_file", "str"),
        ("width", "int"),
        ("height", "int"),
        ("dpi", "float"),
        ("text_source", "str"),
        ("ocr_confidence", "float"),
        ("low_confidence", "bool"),
        ("layout", "str"),
        ("skew_angle", "float"),
        ("chars", "int"),
    ],
    "meetings": [
        ("meeting_id", "str"),
        ("doc_id", "str"),
        ("document", "str"),
        ("ordinal", "int"),
        ("protocol_no", "str"),
        ("meeting_date", "date"),
        ("meeting_date_text", "str"),
        ("body", "str"),
        ("closed", "bool"),
        ("extract", "bool"),
        ("pages", "list"),
        ("citation", "str"),
        ("items", "int"),
        ("cases", "int"),
    ],
    "items": [
        ("item_id", "str"),
        ("meeting_id", "str"),
        ("doc_id", "str"),
        ("document", "str"),
        ("item_no", "str"),
        ("is_personal_case", "bool"),
        ("heard_text", "str"),
        ("decision_text", "str"),
        ("reporter", "str"),
        ("decisions", "list"),
        ("accusations", "list"),
        ("pages", "list"),
        ("cases", "int"),
    ],
    "mentions": [
        ("mention_id", "str"),
        ("doc_id", "str"),
        ("document", "str"),
        ("meeting_id", "str"),
        ("item_id", "str"),
        ("role", "str"),
        ("as_written", "str"),
        ("page_no", "int"),
        ("start", "int"),
        ("end", "int"),
    ],
    "persons": [
        ("person_id", "str"),
        ("canonical_name", "str"),
        ("variants", "list"),
        ("case_ids", "list"),
        ("cases", "int"),
        ("first_date", "date"),
        ("last_date", "date"),
        ("decision_sequence", "list"),
    ],
    "review_pairs": [
        ("case_a", "str"),
        ("name_a", "str"),
        ("person_a", "str"),
        ("case_b", "str"),
        ("name_b", "str"),
        ("person_b", "str"),
        ("score", "float"),
        ("evidence", "str"),
    ],
    "failures": [("stage", "str"), ("target", "str"), ("doc_id", "str"), ("reason", "str"), ("at", "str")],
}


SPAN_OFFSET_COLUMNS = frozenset({"name_start", "name_end"})


@dataclass
class Tables:
    rows: dict[str, list[dict[str, Any]]]
    stale_corrections: list[StaleCorrection] = field(default_factory=list)

    def digest(self) -> str:
        blob = json.dumps(self.rows, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()

    def case_digests(self) -> dict[str, str]:
        """A hash of what every case row says, to tell what changed between two exports.

        Character offsets are left out: a fix earlier on the page moves a name without changing the case.
        """
        digests = {}
        for row in self.rows["cases"]:
            content = {key: value for key, value in row.items() if key not in SPAN_OFFSET_COLUMNS}
            blob = json.dumps(content, sort_keys=True, default=str).encode()
            digests[row["case_id"]] = hashlib.sha256(blob).hexdigest()[:16]
        return digests


def iso_date(text: str | None) -> dt.date | None:
    """A full ISO date, or None for missing and partial (YYYY-MM) dates."""
    try:
        return dt.date.fromisoformat(text) if text and len(text) == 10 else None
    except ValueError:
        return None


def build_tables(catalog: Catalog, case_corrections: list[CaseCorrection]) -> Tables:
    """All export tables from the catalog; removed documents are left out."""
    live = "d.status = 'ok'"
    cases = [
        _case_row(row)
        for row in catalog.query(f"{CASES_SQL} WHERE {live} ORDER BY c.doc_id, i.ordinal, c.ordinal")
    ]
    stale = apply_case_corrections(catalog, cases, case_corrections)
    person_cases: dict[str, list[tuple[str, str, list[str]]]] = {}
    for case in cases:
        if case["person_id"]:
            date = case["meeting_date"].isoformat() if case["meeting_date"] else ""
            person_cases.setdefault(case["person_id"], []).append((date, case["case_id"], case["decisions"]))
    rows = {
        "cases": cases,
        "documents": [
            dict(row)
            for row in catalog.query(
                """SELECT d.doc_id, d.path AS document, d.kind, d.status, d.error, d.page_count, d.sha256, d.archive,
                          d.fond, d.opis, d.delo, d.first_folio, d.folio_side,
                          (SELECT count(*) FROM meetings m WHERE m.doc_id = d.doc_id) AS meetings,
                          (SELECT count(*) FROM cases c WHERE c.doc_id = d.doc_id) AS cases
                   FROM documents d ORDER BY d.path"""
            )
        ],
        "pages": [
            {**dict(row), "low_confidence": bool(row["low_confidence"])}
            for row in catalog.query(
                f"""SELECT p.page_id, p.doc_id, d.path AS document, p.page_no, p.folio, p.citation,
                           p.source_path AS source_file, p.width, p.height, p.dpi,
                           CASE WHEN o.page_id IS NOT NULL THEN 'ocr' WHEN p.text_layer IS NOT NULL THEN 'text_layer'
                                ELSE 'none' END AS text_source,
                           o.mean_confidence AS ocr_confidence, coalesce(o.low_confidence, 0) AS low_confidence,
                           o.layout, o.skew_angle, length(coalesce(o.text, p.text_layer, '')) AS chars
                    FROM pages p JOIN documents d USING (doc_id) LEFT JOIN ocr_results o USING (page_id)
                    WHERE {live} ORDER BY d.path, p.page_no"""
            )
        ],
        "meetings": [
            {
                **dict(row),
                "meeting_date": iso_date(row["meeting_date"]),
                "closed": bool(row["closed"]),
                "extract": bool(row["extract"]),
                "pages": [str(p) for p in loads(row["pages"])],
            }
            for row in catalog.query(
                f"""SELECT m.meeting_id, m.doc_id, d.path AS document, m.ordinal, m.protocol_no,
                           m.date AS meeting_date, m.date_text AS meeting_date_text, m.body, m.closed, m.extract,
                           m.pages, (SELECT citation FROM pages p WHERE p.doc_id = m.doc_id
                                     AND p.page_no = json_extract(m.pages, '$[0]')) AS citation,
                           (SELECT count(*) FROM items i WHERE i.meeting_id = m.meeting_id) AS items,
                           (SELECT count(*) FROM cases c JOIN items i USING (item_id)
                            WHERE i.meeting_id = m.meeting_id) AS cases
                    FROM meetings m JOIN documents d USING (doc_id) WHERE {live} ORDER BY d.path, m.ordinal"""
            )
        ],
        "items": [
            {
                **dict(row),
                "is_personal_case": bool(row["is_personal_case"]),
                "decisions": loads(row["decisions"]),
                "accusations": loads(row["accusations"]),
                "pages": [str(p) for p in loads(row["pages"])],
            }
            for row in catalog.query(
                f"""SELECT i.item_id, i.meeting_id, i.doc_id, d.path AS document, i.item_no, i.is_personal_case,
                           i.heard_text, i.decision_text, i.reporter, i.decisions, i.accusations, i.pages,
                           (SELECT count(*) FROM cases c WHERE c.item_id = i.item_id) AS cases
                    FROM items i JOIN documents d USING (doc_id) WHERE {live} ORDER BY d.path, i.ordinal"""
            )
        ],
        "mentions": [
            dict(row)
            for row in catalog.query(
                f"""SELECT n.mention_id, n.doc_id, d.path AS document, n.meeting_id, n.item_id, n.role,
                           n.as_written, n.page_no, n.start, n."end"
                    FROM mentions n JOIN documents d USING (doc_id) WHERE {live} ORDER BY d.path, n.start"""
            )
        ],
        "persons": [
            _person_row(row, sorted(person_cases.get(row["person_id"], [])))
            for row in catalog.query("SELECT * FROM persons ORDER BY person_id")
        ],
        "review_pairs": [
            dict(row)
            for row in catalog.query(
                """SELECT r.case_a, ca.name_as_written AS name_a, pa.person_id AS person_a,
                          r.case_b, cb.name_as_written AS name_b, pb.person_id AS person_b, r.score, r.evidence
                   FROM review_pairs r JOIN cases ca ON ca.case_id = r.case_a JOIN cases cb ON cb.case_id = r.case_b
                   LEFT JOIN case_persons pa ON pa.case_id = r.case_a
                   LEFT JOIN case_persons pb ON pb.case_id = r.case_b
                   ORDER BY r.score DESC, r.case_a, r.case_b"""
            )
        ],
        "failures": [dict(row) for row in catalog.failures()],
    }
    return Tables(rows=rows, stale_corrections=stale)


CASES_SQL = """
SELECT c.*, d.path AS document, m.meeting_id, m.body, m.protocol_no, m.date AS meeting_date,
       m.date_text AS meeting_date_text, i.item_no, i.heard_text,
       n.surname, n.first_name, n.patronymic, n.initials, n.gender, n.name_latin,
       cp.person_id,
       (SELECT json_group_array(p.folio) FROM pages p WHERE p.doc_id = c.doc_id
            AND p.page_no IN (SELECT value FROM json_each(c.pages))) AS folios,
       (SELECT p.citation FROM pages p WHERE p.doc_id = c.doc_id
            AND p.page_no = json_extract(c.pages, '$[0]')) AS citation
FROM cases c JOIN items i USING (item_id) JOIN documents d ON d.doc_id = c.doc_id
LEFT JOIN meetings m ON m.meeting_id = i.meeting_id
LEFT JOIN case_names n ON n.case_id = c.case_id
LEFT JOIN case_persons cp ON cp.case_id = c.case_id
"""


def _case_row(row: Any) -> dict[str, Any]:
    reasons = loads(row["review_reasons"])
    pages = loads(row["pages"])
    return {
        "case_id": row["case_id"],
        "document": row["document"],
        "pages": [str(p) for p in pages],
        "folios": [f for f in loads(row["folios"]) if f],
        "citation": row["citation"],
        "body": row["body"],
        "protocol_no": row["protocol_no"],
        "meeting_date": iso_date(row["meeting_date"]),
        "meeting_date_text": row["meeting_date_text"],
        "item_no": row["item_no"],
        "name_as_written": row["name_as_written"],
        "surname": row["surname"],
        "first_name": row["first_name"],
        "patronymic": row["patronymic"],
        "initials": row["initials"],
        "gender": row["gender"],
        "name_latin": row["name_latin"],
        "person_id": row["person_id"],
        "position": row["position"],
        "organization": row["organization"],
        "sector": row["sector"],
        "party_status": row["party_status"],
        "party_card": row["party_card"],
        "birth_year": row["birth_year"],
        "accusations": loads(row["accusations"]),
        "decisions": loads(row["decisions"]),
        "decision_text": row["decision_text"],
        "heard_text": row["heard_text"],
        "ocr_confidence": row["ocr_confidence"],
        "needs_review": bool(reasons),
        "review_reasons": reasons,
        "corrected_fields": [],
        "doc_id": row["doc_id"],
        "meeting_id": row["meeting_id"],
        "item_id": row["item_id"],
        "name_page": row["name_page"],
        "name_start": row["name_start"],
        "name_end": row["name_end"],
    }


def _person_row(row: Any, dated: list[tuple[str, str, list[str]]]) -> dict[str, Any]:
    """A person with their exported cases in date order (undated ones first), i.e. what happened next."""
    dates = [iso_date(d) for d, _, _ in dated if d]
    return {
        "person_id": row["person_id"],
        "canonical_name": row["canonical_name"],
        "variants": loads(row["variants"]),
        "case_ids": [case_id for _, case_id, _ in dated],
        "cases": len(dated),
        "first_date": min((d for d in dates if d), default=None),
        "last_date": max((d for d in dates if d), default=None),
        "decision_sequence": [f"{d or '?'}: {', '.join(decisions) or '-'}" for d, _, decisions in dated],
    }


def check_case_corrections(
    catalog: Catalog, corrections: list[CaseCorrection]
) -> tuple[list[CaseCorrection], list[StaleCorrection]]:
    """Split cases.csv rows into those to apply and stale ones (case gone, or its text changed since)."""
    if not corrections:
        return [], []
    spans = dict(catalog.query("SELECT case_id, span_sha FROM cases"))
    anchors = dict(catalog.query("SELECT target, anchor_sha FROM correction_anchors WHERE kind = 'case'"))
    valid: list[CaseCorrection] = []
    stale: list[StaleCorrection] = []
    for correction in corrections:
        label = f"{CASES_FILE} line {correction.line}"
        if correction.case_id not in spans:
            stale.append(StaleCorrection(label, f"case {correction.case_id} no longer exists; not applied"))
        elif correction.case_id in anchors and anchors[correction.case_id] != spans[correction.case_id]:
            stale.append(
                StaleCorrection(
                    label, f"the text of case {correction.case_id} changed since this correction; not applied"
                )
            )
        else:
            valid.append(correction)
    return valid, stale


def apply_case_corrections(
    catalog: Catalog, cases: list[dict[str, Any]], corrections: list[CaseCorrection]
) -> list[StaleCorrection]:
    """Apply cases.csv rows whose case still reads as when the correction was first seen; report the rest."""
    valid, stale = check_case_corrections(catalog, corrections)
    by_id = {case["case_id"]: case for case in cases}
    for correction in valid:
        case = by_id.get(correction.case_id)
        if case is None:  # the case's document was removed
            stale.append(StaleCorrection(f"{CASES_FILE} line {correction.line}", "its document was removed"))
            continue
        try:
            case[correction.field] = parse_case_value(correction.field, correction.value)
        except ValueError:
            stale.append(
                StaleCorrection(
                    f"{CASES_FILE} line {correction.line}",
                    f"{correction.value!r} is not a valid {correction.field}; not applied",
                )
            )
            continue
        if correction.field not in case["corrected_fields"]:
            case["corrected_fields"].append(correction.field)
    return stale


def anchor_case_corrections(catalog: Catalog, corrections: Iterable[CaseCorrection], stamp: str) -> None:
    """Remember the case text each new cases.csv correction was made against."""
    catalog.conn.executemany(
        """INSERT OR IGNORE INTO correction_anchors (kind, target, anchor_sha, first_seen)
           SELECT 'case', case_id, span_sha, ? FROM cases WHERE case_id = ?""",
        [(stamp, c.case_id) for c in corrections],
    )


def arrow_table(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    """A table with the Arrow type of each column kind: str, int, float, bool, date, list (of strings)."""
    import pyarrow as pa

    kinds = {
        "str": pa.string(),
        "int": pa.int64(),
        "float": pa.float64(),
        "bool": pa.bool_(),
        "date": pa.date32(),
        "list": pa.list_(pa.string()),
    }
    schema = pa.schema([(column, kinds[kind]) for column, kind in SCHEMAS[name]])
    columns = {column: [row.get(column) for row in rows] for column, _ in SCHEMAS[name]}
    return pa.Table.from_pydict(columns, schema=schema)


def csv_table(table: pa.Table) -> pa.Table:
    """Lists `;`-joined, so a spreadsheet shows them in one cell."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = []
    for column in table.columns:
        if pa.types.is_list(column.type):
            column = pc.binary_join(column, ";")
        columns.append(column)
    return pa.Table.from_arrays(columns, names=table.column_names)


def write_tables(tables: Tables, out_dir: Path, formats: tuple[str, ...], bom: bool) -> list[Path]:
    """Write every table in every format; all files are renamed into place only after all were written."""
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    out_dir.mkdir(parents=True, exist_ok=True)
    pending: list[tuple[Path, Path]] = []
    try:
        for name in SCHEMAS:
            table = arrow_table(name, tables.rows[name])
            if "parquet" in formats:
                target = out_dir / f"{name}.parquet"
                temp = target.with_name(f".{target.name}.tmp")
                pq.write_table(table, temp)
                pending.append((temp, target))
            if "csv" in formats:
                target = out_dir / f"{name}.csv"
                temp = target.with_name(f".{target.name}.tmp")
                with temp.open("wb") as handle:
                    if bom:
                        handle.write("\ufeff".encode())
                    pa_csv.write_csv(csv_table(table), handle)
                pending.append((temp, target))
    except BaseException:
        for temp, _ in pending:
            temp.unlink(missing_ok=True)
        raise
    for temp, target in pending:
        os.replace(temp, target)
    return [target for _, target in pending]
