"""Two-column protocols: re-read the word boxes so each item's decision follows its own heard part.

Many 1930s minutes were typed with СЛУШАЛИ on the left and ПОСТАНОВИЛИ on the right, item by item, under
a full-width header. Plain OCR reading order mixes or separates the columns and loses which decision
belongs to which case. From Tesseract's word boxes we find a vertical gutter that a run of rows respects
(the header and signatures above and below it cross it), split each row at the gutter, cut the rows into
items where a new item number starts the left column (or, without numbers, at a blank line), and emit
`N. СЛУШАЛИ: … ПОСТАНОВИЛИ: …` per item. Pages without such a gutter are left to plain OCR.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import Levenshtein

from bureaucli.settings import OcrSettings

HEARD_LABEL = "СЛУШАЛИ"
DECIDED_LABEL = "ПОСТАНОВИЛИ"
ITEM_NUMBER = re.compile(r"^(?:§\s*)?\d{1,3}[а-яa-z]?[.)]$|^§\s*\d{1,3}[а-яa-z]?$", re.IGNORECASE)
TSV_COLUMNS = ("level", "page_num", "block_num", "par_num", "line_num", "word_num")
WORD_LEVEL = 5
SPECK_HEIGHT_SHARE = 0.4
SPECK_MAX_CONFIDENCE = 50.0
"""A word box lower than this share of the median word height, read with less confidence than this, is a
speck of dirt or toner on a worn sheet, not text."""


@dataclass(frozen=True)
class Word:
    text: str
    left: int
    top: int
    width: int
    height: int
    conf: float
    line_key: tuple[int, int, int]
    """Tesseract's (block, paragraph, line) numbers."""

    @property
    def right(self) -> int:
        return self.left + self.width

    @property
    def bottom(self) -> int:
        return self.top + self.height


@dataclass(frozen=True)
class Row:
    """Words at one height across the whole page, left to right."""

    words: tuple[Word, ...]

    @property
    def top(self) -> int:
        return min(word.top for word in self.words)

    @property
    def bottom(self) -> int:
        return max(word.bottom for word in self.words)

    def text(self) -> str:
        return " ".join(word.text for word in self.words)


@dataclass(frozen=True)
class Gutter:
    left: float
    right: float
    first_row: int
    last_row: int
    """Rows first_row..last_row (inclusive) are typed in two columns."""

    @property
    def middle(self) -> float:
        return (self.left + self.right) / 2


def words_from_tsv(tsv: str) -> list[Word]:
    """The recognised words of Tesseract's TSV output (empty boxes dropped)."""
    words = []
    for line in tsv.splitlines()[1:]:
        cells = line.split("\t")
        if len(cells) < 12 or cells[0] != str(WORD_LEVEL) or not cells[11].strip():
            continue
        left, top, width, height = (int(value) for value in cells[6:10])
        line_key = (int(cells[2]), int(cells[3]), int(cells[4]))
        words.append(Word(cells[11].strip(), left, top, width, height, float(cells[10]), line_key))
    return words


def drop_specks(words: list[Word]) -> list[Word]:
    """The words without the specks Tesseract reads as `.`, `;` or a lone letter in the margins of a worn sheet.

    Left in, they shift item numbers off the left margin and hide the СЛУШАЛИ/ПОСТАНОВИЛИ heading row.
    """
    if not words:
        return words
    height = statistics.median(word.height for word in words)
    return [w for w in words if w.height >= SPECK_HEIGHT_SHARE * height or w.conf >= SPECK_MAX_CONFIDENCE]


def group_rows(words: list[Word]) -> list[Row]:
    """Tesseract's lines, with lines at the same height merged (psm 3/4 read columns as separate blocks)."""
    lines: dict[tuple[int, int, int], list[Word]] = {}
    for word in words:
        lines.setdefault(word.line_key, []).append(word)
    rows: list[list[Word]] = []
    for line in sorted(lines.values(), key=lambda ws: statistics.median(w.top + w.height / 2 for w in ws)):
        middle = statistics.median(w.top + w.height / 2 for w in line)
        if rows and min(w.top for w in rows[-1]) <= middle <= max(w.bottom for w in rows[-1]):
            rows[-1].extend(line)
        else:
            rows.append(list(line))
    return [Row(tuple(sorted(row, key=lambda w: w.left))) for row in rows]


def char_width(words: list[Word]) -> float:
    widths = [word.width / len(word.text) for word in words if len(word.text) >= 3]
    return statistics.median(widths) if widths else 1.0


def is_ink(word: Word) -> bool:
    """Whether a word holds a letter or digit: dashes and dots alone are often specks read as text."""
    return any(char.isalnum() for char in word.text)


def find_gutter(rows: list[Row], settings: OcrSettings) -> Gutter | None:
    """The vertical gap that the longest run of rows respects with words on both sides, if wide enough.

    Among gaps split by equally many rows the one whose run goes on longest wins: a left-column line
    typed up to the gutter's edge must not end the table early. Specks (see `is_ink`) cross no gutter.
    """
    inked = [[word for word in row.words if is_ink(word)] for row in rows]
    words = [word for row_words in inked for word in row_words]
    if len(rows) < settings.column_min_rows or not words:
        return None
    pitch = char_width(words)
    bin_size = max(1.0, pitch / 4)
    x0 = min(word.left for word in words)
    bins = int((max(word.right for word in words) - x0) / bin_size) + 1
    covered = np.zeros((len(rows), bins), dtype=bool)
    for index, row_words in enumerate(inked):
        for word in row_words:
            covered[index, int((word.left - x0) / bin_size) : int((word.right - x0) / bin_size) + 1] = True
    ink_left = np.cumsum(covered, axis=1) > 0
    ink_right = np.cumsum(covered[:, ::-1], axis=1)[:, ::-1] > 0
    lowest, highest = int(bins * settings.column_min_share), int(bins * (1 - settings.column_min_share))
    best: Gutter | None = None
    best_rank = (0, 0)
    for candidate in range(lowest, highest + 1):
        start, split = 0, 0
        for index in range(len(rows) + 1):
            if index == len(rows) or covered[index, candidate]:
                rank = (split, index - start)
                if split >= settings.column_min_rows and rank > best_rank:
                    left, right, narrowest = _gap_around(
                        inked[start:index], x0 + (candidate + 0.5) * bin_size
                    )
                    if narrowest >= settings.column_gutter_chars * pitch:
                        best_rank = rank
                        best = Gutter(left, right, start, index - 1)
                start, split = index + 1, 0
            elif ink_left[index, candidate] and ink_right[index, candidate]:
                split += 1
    if best is None:
        return None
    best = _without_margins(rows, best, settings)
    return best if _columns_hold_text(rows[best.first_row : best.last_row + 1], best, settings) else None


def line_pitch(rows: list[Row]) -> float:
    pitches = [b.top - a.top for a, b in zip(rows, rows[1:], strict=False)]
    return statistics.median(pitches) if pitches else 0.0


def _without_margins(rows: list[Row], gutter: Gutter, settings: OcrSettings) -> Gutter:
    """Narrow the run to its two-column rows plus the one-sided rows that touch them without a blank line.

    A short title above the table or a signature below it does not cross the gutter either.
    """
    split = [
        any(w.right <= gutter.middle for w in row.words) and any(w.left >= gutter.middle for w in row.words)
        for row in rows
    ]
    first = next(i for i in range(gutter.first_row, gutter.last_row + 1) if split[i])
    last = next(i for i in range(gutter.last_row, gutter.first_row - 1, -1) if split[i])
    blank_line = settings.column_item_gap_lines * line_pitch(rows)
    while first > gutter.first_row and rows[first].top - rows[first - 1].top <= blank_line:
        first -= 1
    while last < gutter.last_row and rows[last + 1].top - rows[last].top <= blank_line:
        last += 1
    return Gutter(gutter.left, gutter.right, first, last)


def _gap_around(rows: list[list[Word]], x: float) -> tuple[float, float, float]:
    """The blank band around `x` that no word of these rows enters, and the narrowest gap around `x` in a
    row with words on both sides. A typed line shifted sideways narrows the band, not its own gap."""
    left = max((w.right for words in rows for w in words if w.right <= x), default=x)
    right = min((w.left for words in rows for w in words if w.left >= x), default=x)
    gaps = [
        min(w.left for w in words if w.left >= x) - max(w.right for w in words if w.right <= x)
        for words in rows
        if any(w.right <= x for w in words) and any(w.left >= x for w in words)
    ]
    return float(left), float(right), float(min(gaps, default=right - left))


def _columns_hold_text(rows: list[Row], gutter: Gutter, settings: OcrSettings) -> bool:
    left = sum(len(w.text) for row in rows for w in row.words if w.right <= gutter.middle)
    right = sum(len(w.text) for row in rows for w in row.words if w.left >= gutter.middle)
    total = left + right
    # A hanging margin of labels is a narrow *left* column; decisions, in the right one, are often a few
    # words beside long heard texts (lists of the arrested), so they need only a quarter of that share.
    share = settings.column_min_share
    return total > 0 and left >= share * total and right >= share / 4 * total


def starts_with_label(text: str, label: str, max_distance: int) -> bool:
    """Whether `text` opens with `label`, allowing OCR damage, spaced-out letters and any case."""
    letters = re.sub(r"[\W\d_]", "", text[: len(label) * 3]).upper()
    return Levenshtein.distance(letters[: len(label)], label) <= max_distance


@dataclass
class ItemRows:
    number: str | None
    opens_item: bool
    """False for rows running on from an item begun on the previous page."""
    left: list[str]
    right: list[str]


def _split_items(rows: list[Row], gutter: Gutter, settings: OcrSettings) -> list[ItemRows]:
    """Cut the table into items: at a left-margin item number above the previous one, or at a blank line
    before a row that starts both columns (typists began heard and decided parts of an item on the same
    line)."""
    lefts = [[w for w in row.words if w.left + w.width / 2 < gutter.middle] for row in rows]
    rights = [[w for w in row.words if w.left + w.width / 2 >= gutter.middle] for row in rows]
    column_start = min((ws[0].left for ws in lefts if ws), default=0)
    indent = char_width([w for row in rows for w in row.words])
    numbered = [
        bool(ws) and ws[0].left - column_start <= indent and ITEM_NUMBER.match(ws[0].text) is not None
        for ws in lefts
    ]
    blank_line = settings.column_item_gap_lines * line_pitch(rows)
    distance = settings.column_label_max_distance
    items: list[ItemRows] = []
    after_heading = False
    last_number = 0
    for index, row in enumerate(rows):
        if numbered[index]:
            # "1)" under item 6 is an entry of the list in its heard text, not item 1
            value = int(re.sub(r"\D", "", lefts[index][0].text) or 0)
            numbered[index] = value > last_number
            last_number = max(last_number, value) if numbered[index] else last_number
        left_text = " ".join(w.text for w in lefts[index])
        right_text = " ".join(w.text for w in rights[index])
        if (
            len(left_text) <= len(HEARD_LABEL) + 2
            and starts_with_label(left_text, HEARD_LABEL, distance)
            and starts_with_label(right_text, DECIDED_LABEL, distance)
        ):
            after_heading = True  # the СЛУШАЛИ: / ПОСТАНОВИЛИ: heading row of the table
            continue
        gap_before = index > 0 and row.top - rows[index - 1].top > blank_line
        opens = (
            numbered[index] or (gap_before and bool(lefts[index]) and bool(rights[index])) or after_heading
        )
        after_heading = False
        if opens or not items:
            number = lefts[index][0].text if numbered[index] else None
            if number:
                left_text = left_text[len(number) :].lstrip()
            items.append(ItemRows(number, opens, [], []))
        if left_text:
            items[-1].left.append(left_text)
        if right_text:
            items[-1].right.append(right_text)
    return items


def _item_text(item: ItemRows, settings: OcrSettings) -> str:
    heard = "\n".join(item.left)
    decided = "\n".join(item.right)
    distance = settings.column_label_max_distance
    if not item.opens_item and not heard:
        return decided  # a decision running on from the previous page
    if item.opens_item and heard and not starts_with_label(heard, HEARD_LABEL, distance):
        heard = f"{HEARD_LABEL}: {heard}"
    if decided and not starts_with_label(decided, DECIDED_LABEL, distance):
        decided = f"{DECIDED_LABEL}: {decided}"
    opening = f"{item.number} {heard}" if item.number else heard
    return "\n".join(part for part in (opening, decided) if part)


def two_column_text(words: list[Word], settings: OcrSettings) -> str | None:
    """The page text with each item's heard part followed by its decision, or None for a plain page."""
    rows = group_rows(drop_specks(words))
    gutter = find_gutter(rows, settings)
    if gutter is None:
        return None
    header = [row.text() for row in rows[: gutter.first_row]]
    items = _split_items(rows[gutter.first_row : gutter.last_row + 1], gutter, settings)
    footer = [row.text() for row in rows[gutter.last_row + 1 :]]
    blocks = ["\n".join(header)] if header else []
    blocks += [_item_text(item, settings) for item in items]
    if footer:
        blocks.append("\n".join(footer))
    return "\n\n".join(blocks) + "\n"
