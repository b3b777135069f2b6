"""`bureau review`: one page of a document as the page view shows it — text, word boxes and cases.

Everything is read for the one page (and the texts of its document's pages, to place the items that
run over a page break); the ids come from the catalog, and only OCR files under `data/extracted/ocr/`
are opened.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image
from rapidfuzz import fuzz

from bureaucli import layout
from bureaucli.catalog import Catalog, loads
from bureaucli.corrections import (
    CASE_LIST_FIELDS,
    EDITABLE_CASE_FIELDS,
    CorrectionState,
    StaleCorrection,
    TextCorrection,
    parse_case_value,
    read_case_corrections,
)
from bureaucli.errors import ConfigError
from bureaucli.pipeline import document_pages
from bureaucli.records import ACCUSATIONS, DECISIONS, SECTORS
from bureaucli.workspace import Workspace

LINE_MATCH_MIN = 50
"""rapidfuzz ratio (0-100) above which a line of the page text is drawn over an OCR line of the scan."""
VOCABULARIES: dict[str, tuple[str, ...]] = {
    "decisions": DECISIONS,
    "accusations": ACCUSATIONS,
    "sector": SECTORS,
    "gender": ("m", "f"),
}


class NotFound(ConfigError):
    """A request named a page or case the catalog does not have."""


@dataclass
class Box:
    left: int
    top: int
    width: int
    height: int

    @classmethod
    def around(cls, words: list[layout.Word]) -> Box:
        left, top = min(w.left for w in words), min(w.top for w in words)
        return cls(left, top, max(w.right for w in words) - left, max(w.bottom for w in words) - top)


@dataclass
class WordBox:
    text: str
    box: Box
    conf: float
    low: bool
    line: int
    """index of the OCR line"""
    start: int = -1
    """offset of the word in the page text, -1 when the line was not found there"""


@dataclass
class TextLine:
    number: int
    start: int
    segments: list[tuple[str, str]]
    """(text, case id whose name this is, or "")"""
    ocr_line: int | None
    cases: list[str] = field(default_factory=list)
    """cases whose item covers this line"""


@dataclass
class CaseView:
    case_id: str
    item_no: str | None
    fields: dict[str, Any]
    review_reasons: list[str]
    person_id: str | None
    person_cases: int
    corrected: list[str]
    item_span: tuple[int, int]
    """the case's item in the page text (clipped to the page)"""
    name_span: tuple[int, int] | None
    """the name in the page text, when it is on this page"""
    lines: list[int] = field(default_factory=list)
    name_words: list[int] = field(default_factory=list)


@dataclass
class PageView:
    page_id: str
    doc_id: str
    document: str
    page_no: int
    page_count: int
    source: str
    lines: list[TextLine]
    words: list[WordBox]
    ocr_lines: list[Box]
    size: tuple[int, int] | None
    """width and height of the image OCR read (after preprocessing), None without OCR"""
    skew: float
    mean_confidence: float | None
    preprocessing: list[str]
    cases: list[CaseView]
    stale: StaleCorrection | None
    low_word: float


def _page_row(catalog: Catalog, page_id: str) -> Any:
    rows = catalog.query(
        """SELECT p.*, d.path AS document, d.kind, d.page_count, o.tsv_path, o.mean_confidence, o.preprocessing,
                  o.skew_angle FROM pages p JOIN documents d USING (doc_id)
           LEFT JOIN ocr_results o ON o.page_id = p.page_id WHERE p.page_id = ? AND d.status = 'ok'""",
        (page_id,),
    )
    if not rows:
        raise NotFound(f"no page {page_id!r} in the catalog")
    return rows[0]


def document_corrections(ws: Workspace, catalog: Catalog, doc_id: str, path: str) -> CorrectionState:
    """The text corrections of one document's pages, applied or stale as a run would find them."""
    state = CorrectionState()
    for row in catalog.query(
        "SELECT p.page_id, p.page_no, p.content_sha256, a.anchor_sha FROM pages p LEFT JOIN correction_anchors a "
        "ON a.kind = 'text' AND a.target = p.page_id WHERE p.doc_id = ?",
        (doc_id,),
    ):
        file = ws.text_correction_path(path, row["page_no"])
        if not file.is_file():
            continue
        if row["anchor_sha"] is not None and row["anchor_sha"] != row["content_sha256"]:
            state.stale.append(
                StaleCorrection(
                    f"text/{path}/{row['page_no']}.txt",
                    "the page's scan changed since this correction was made",
                )
            )
        else:
            state.applied[row["page_id"]] = TextCorrection(path, row["page_no"], file)
    return state


def ocr_words(ws: Workspace, tsv_path: str | None) -> tuple[list[layout.Word], tuple[int, int] | None]:
    """The words of the page's TSV and the size of the image it was read from; only files under ocr/."""
    if not tsv_path:
        return [], None
    path = Path(tsv_path).resolve()
    if not path.is_relative_to(ws.ocr_dir.resolve()) or not path.is_file():
        return [], None
    tsv = path.read_text(encoding="utf-8")
    size = None
    for line in tsv.splitlines()[1:2]:
        cells = line.split("\t")
        if len(cells) >= 10 and cells[0] == "1":
            size = (int(cells[8]), int(cells[9]))
    return layout.words_from_tsv(tsv), size


def _ocr_lines(words: list[layout.Word]) -> list[list[layout.Word]]:
    lines: dict[tuple[int, int, int], list[layout.Word]] = {}
    for word in words:
        lines.setdefault(word.line_key, []).append(word)
    return list(lines.values())


def _joined(lines: list[list[layout.Word]]) -> list[str]:
    return [" ".join(w.text for w in line) for line in lines]


def ocr_line_texts(tsv: str) -> list[str]:
    """The lines of a Tesseract TSV as text, in its order: what the page text is aligned to."""
    return _joined(_ocr_lines(layout.words_from_tsv(tsv)))


def align_lines(text_lines: list[str], ocr_lines: list[str]) -> list[int | None]:
    """For each line of the page text, the OCR line it reads (best fuzzy match, each used once)."""
    used: set[int] = set()
    found: list[int | None] = []
    last = -1
    for line in text_lines:
        best, best_score = None, float(LINE_MATCH_MIN)
        if line.strip():
            for k, candidate in enumerate(ocr_lines):
                if k in used:
                    continue
                score = fuzz.ratio(line.strip(), candidate) - 0.01 * abs(k - last - 1)
                if score > best_score:
                    best, best_score = k, score
        if best is not None:
            used.add(best)
            last = best
        found.append(best)
    return found


def page_view(ws: Workspace, catalog: Catalog, page_id: str) -> PageView:
    """Everything the page view shows: the text, the word boxes, and the cases read from the page."""
    row = _page_row(catalog, page_id)
    corrections = document_corrections(ws, catalog, row["doc_id"], row["document"])
    sourced = {p.page_id: p for p in document_pages(catalog, row["doc_id"], corrections)}
    own = sourced[page_id]
    stale = next(
        (s for s in corrections.stale if s.file == f"text/{row['document']}/{row['page_no']}.txt"), None
    )
    words, size = ocr_words(ws, row["tsv_path"])
    grouped = _ocr_lines(words)
    ocr_texts = _joined(grouped)
    text = own.page.text
    raw_lines = text.split("\n")
    aligned = align_lines(raw_lines, ocr_texts)
    threshold = ws.settings.ocr.low_confidence
    boxes: list[WordBox] = []
    for number, line in enumerate(grouped):
        for word in line:
            boxes.append(
                WordBox(
                    word.text,
                    Box(word.left, word.top, word.width, word.height),
                    word.conf,
                    0 <= word.conf < threshold,
                    number,
                )
            )
    starts, offset = [], 0
    for line in raw_lines:
        starts.append(offset)
        offset += len(line) + 1
    _place_words(boxes, raw_lines, starts, aligned)
    cases = page_cases(
        ws,
        catalog,
        row["doc_id"],
        row["page_no"],
        [p.page.text for p in sourced.values()],
        list(sourced).index(page_id),
    )
    lines = [TextLine(k, starts[k], [(line, "")], aligned[k]) for k, line in enumerate(raw_lines)]
    _mark_cases(lines, cases, boxes)
    preprocessing = loads(row["preprocessing"])
    return PageView(
        page_id=page_id,
        doc_id=row["doc_id"],
        document=row["document"],
        page_no=row["page_no"],
        page_count=row["page_count"],
        source=own.source,
        lines=lines,
        words=boxes,
        ocr_lines=[Box.around(line) for line in grouped],
        size=size,
        skew=row["skew_angle"] or 0.0,
        mean_confidence=row["mean_confidence"],
        preprocessing=preprocessing,
        cases=cases,
        stale=stale,
        low_word=threshold,
    )


def _place_words(
    boxes: list[WordBox], lines: list[str], starts: list[int], aligned: list[int | None]
) -> None:
    """Give each word of an aligned OCR line its offset in the page text, where the line still has it."""
    by_line: dict[int, list[WordBox]] = {}
    for box in boxes:
        by_line.setdefault(box.line, []).append(box)
    for k, ocr_line in enumerate(aligned):
        if ocr_line is None:
            continue
        cursor = 0
        for box in by_line.get(ocr_line, []):
            found = lines[k].find(box.text, cursor)
            if found >= 0:
                box.start = starts[k] + found
                cursor = found + len(box.text)


CASE_SELECT = """SELECT c.*, i.item_no, i.start AS item_start, i."end" AS item_end, n.surname, n.first_name,
       n.patronymic, n.initials, n.gender, n.name_latin, cp.person_id,
       (SELECT count(*) FROM case_persons x WHERE x.person_id = cp.person_id) AS person_cases
FROM cases c JOIN items i USING (item_id) LEFT JOIN case_names n USING (case_id)
LEFT JOIN case_persons cp USING (case_id)"""


def _cases(
    ws: Workspace, catalog: Catalog, condition: str, params: tuple
) -> list[tuple[Any, dict, list[str]]]:
    """Case rows, each with its fields as the export gives them (corrections applied) and the corrected ones."""
    rows = catalog.query(f"{CASE_SELECT} WHERE {condition} ORDER BY c.ordinal", params)
    corrections = _case_corrections_for(ws, catalog, [r["case_id"] for r in rows])
    found = []
    for r in rows:
        fields: dict[str, Any] = {name: r[name] for name in EDITABLE_CASE_FIELDS if name != "needs_review"}
        for name in CASE_LIST_FIELDS:
            fields[name] = loads(r[name])
        fields["needs_review"] = r["review_reasons"] != "[]"
        corrected = []
        for correction in corrections.get(r["case_id"], []):
            try:
                fields[correction.field] = parse_case_value(correction.field, correction.value)
            except ValueError:
                continue
            corrected.append(correction.field)
        found.append((r, fields, corrected))
    return found


def case_fields(ws: Workspace, catalog: Catalog, case_id: str) -> dict[str, Any]:
    """The editable fields of one case as the export would give them."""
    found = _cases(ws, catalog, "c.case_id = ?", (case_id,))
    if not found:
        raise NotFound(f"no case {case_id!r} in the catalog")
    return found[0][1]


def page_cases(
    ws: Workspace, catalog: Catalog, doc_id: str, page_no: int, texts: list[str], index: int
) -> list[CaseView]:
    """The cases whose name or item is on the page (`texts`: the document's pages, this one at `index`)."""
    page_start = sum(len(t) + 1 for t in texts[:index])
    page_end = page_start + len(texts[index])
    views = []
    for r, fields, corrected in _cases(
        ws,
        catalog,
        'c.doc_id = ? AND (c.name_page = ? OR (i.start < ? AND i."end" > ?))',
        (doc_id, page_no, page_end, page_start),
    ):
        views.append(
            CaseView(
                case_id=r["case_id"],
                item_no=r["item_no"],
                fields=fields,
                review_reasons=loads(r["review_reasons"]),
                person_id=r["person_id"],
                person_cases=r["person_cases"] or 0,
                corrected=corrected,
                item_span=(
                    max(r["item_start"], page_start) - page_start,
                    min(r["item_end"], page_end) - page_start,
                ),
                name_span=(r["name_start"], r["name_end"]) if r["name_page"] == page_no else None,
            )
        )
    return views


def _case_corrections_for(ws: Workspace, catalog: Catalog, case_ids: list[str]) -> dict[str, list]:
    """cases.csv rows of these cases that a run would apply (their case reads as when they were made)."""
    rows, _invalid = read_case_corrections(ws.corrections_dir)
    wanted = set(case_ids)
    rows = [r for r in rows if r.case_id in wanted]
    if not rows:
        return {}
    marks = ",".join("?" * len(wanted))
    spans = dict(
        catalog.query(f"SELECT case_id, span_sha FROM cases WHERE case_id IN ({marks})", list(wanted))
    )
    anchors = dict(
        catalog.query(
            f"SELECT target, anchor_sha FROM correction_anchors WHERE kind = 'case' AND target IN ({marks})",
            list(wanted),
        )
    )
    found: dict[str, list] = {}
    for row in rows:
        if anchors.get(row.case_id, spans.get(row.case_id)) == spans.get(row.case_id):
            found.setdefault(row.case_id, []).append(row)
    return found


def _mark_cases(lines: list[TextLine], cases: list[CaseView], boxes: list[WordBox]) -> None:
    """Split each line at the names of the cases and note which cases' items cover it, in text and boxes."""
    for case in cases:
        item_start, item_end = case.item_span
        name_start, name_end = case.name_span or (-1, -1)
        for line in lines:
            end = line.start + sum(len(t) for t, _ in line.segments)
            if line.start < item_end and end > item_start:
                line.cases.append(case.case_id)
                case.lines.append(line.number)
            if name_start >= 0 and line.start < name_end and end > name_start:
                line.segments = _split(line.segments, line.start, name_start, name_end, case.case_id)
        case.name_words = [
            k for k, box in enumerate(boxes) if box.start >= 0 and name_start <= box.start < name_end
        ]


def _split(segments: list[tuple[str, str]], start: int, lo: int, hi: int, mark: str) -> list[tuple[str, str]]:
    out, offset = [], start
    for text, owner in segments:
        end = offset + len(text)
        if owner or end <= lo or offset >= hi:
            out.append((text, owner))
        else:
            a, b = max(lo, offset) - offset, min(hi, end) - offset
            out += [
                (piece, who) for piece, who in ((text[:a], ""), (text[a:b], mark), (text[b:], "")) if piece
            ]
        offset = end
    return out


IMAGE_VIEWS = ("captured", "prepared")
SCREEN_WIDTH = 1400
"""Pixels across the image the page view loads first: sharp on a screen, a fifth of a 300-dpi page's bytes;
the full image is loaded when the user zooms in."""


def page_image(ws: Workspace, catalog: Catalog, page_id: str, view: str, width: int | None = None) -> bytes:
    """The page's image as JPEG: as captured, or as OCR saw it after preprocessing (made again, on demand);
    no wider than `width` when given."""
    from bureaucli import imaging
    from bureaucli.ocr import load_page_image
    from bureaucli.pipeline import page_image_ref

    row = _page_row(catalog, page_id)
    if view not in IMAGE_VIEWS or row["kind"] == "transcript":
        raise NotFound(f"no {view} image of page {page_id}")
    source = page_image_ref(ws, row)
    if not Path(source.path).resolve().is_relative_to(ws.raw_dir.resolve()):
        raise NotFound(f"page {page_id} has no image under data/raw/")
    image, dpi = load_page_image(source, ws.settings.ocr.render_dpi)
    if view == "prepared":
        image = imaging.prepare(image, dpi, ws.settings.ocr).image
    image = image.convert("L")
    if width and image.width > width:
        image = image.resize((width, round(image.height * width / image.width)), Image.Resampling.BOX)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()
