"""Two-column protocols (heard | decided) re-read from word boxes so each decision follows its own case.

Most tests build word boxes of monospaced typed lines directly (no Tesseract); the last ones OCR
rendered pages from both renderers.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from bureaucli.layout import Word, two_column_text, words_from_tsv
from bureaucli.settings import OcrSettings
from ocr_pages import COLUMNS_TEXT, REPO_ROOT, needs_tesseract, ocr_image, render, save_page

PITCH = 20
"""Pixels per typed character."""
LINE = 50
"""Pixels per typed line."""
GUTTER_COLUMN = 33
"""Where the right column starts, in characters."""


def typed(
    *lines: str, specks: tuple[tuple[int, int, str, float], ...] = (), bearing: int = 2, sway: int = 0
) -> list[Word]:
    """Word boxes of monospaced lines, each `bearing` px narrower than its characters' advance, as
    Tesseract's are; odd lines shifted `sway` px right, even ones left. `specks` adds (row, column, text,
    confidence) noise boxes four pixels high."""
    words = []
    for row, line in enumerate(lines):
        shift = sway if row % 2 else -sway
        for match in re.finditer(r"\S+", line):
            left, width = match.start() * PITCH + shift, len(match.group()) * PITCH - bearing
            words.append(Word(match.group(), left, row * LINE, width, 30, 91.0, (1, 1, row)))
    for row, column, text, conf in specks:
        words.append(Word(text, column * PITCH, row * LINE + 20, 4, 4, conf, (1, 1, row)))
    return words


def pair(left: str, right: str = "", gutter: int = GUTTER_COLUMN) -> str:
    return left.ljust(gutter) + right


HEADER = ("ПРОТОКОЛ № 5", "заседания бюро Слободского райкома ВКП(б)", "")
ROWS = (
    ("СЛУШАЛИ:", "ПОСТАНОВИЛИ:"),
    None,
    ("1. Персональное дело тов.", "Шубину объявить строгий"),
    ("Шубина Е.К., шкипера", "выговор."),
    ("баржи, за пьянство.", ""),
    None,
    ("2. О тов. Вахрамеевой Л.П.,", "Вахрамееву из кандидатов"),
    ("табельщице, о сокрытии", "исключить."),
    ("родства с кулаком.", ""),
    None,
)
"""The two-column table: (heard, decided) per typed row, None for a blank line."""
FOOTER = "Секретарь бюро /Лаврентьев/"


def table(gutter: int = GUTTER_COLUMN) -> list[str]:
    return [pair(*row, gutter=gutter) if row else "" for row in ROWS] + [FOOTER]


READ_IN_ORDER = """ПРОТОКОЛ № 5
заседания бюро Слободского райкома ВКП(б)

1. СЛУШАЛИ: Персональное дело тов.
Шубина Е.К., шкипера
баржи, за пьянство.
ПОСТАНОВИЛИ: Шубину объявить строгий
выговор.

2. СЛУШАЛИ: О тов. Вахрамеевой Л.П.,
табельщице, о сокрытии
родства с кулаком.
ПОСТАНОВИЛИ: Вахрамееву из кандидатов
исключить.

Секретарь бюро /Лаврентьев/
"""


def test_two_columns_are_read_item_by_item():
    assert two_column_text(typed(*HEADER, *table()), OcrSettings()) == READ_IN_ORDER


def test_single_column_page_is_left_to_plain_ocr():
    plain = typed(
        *HEADER,
        "1. СЛУШАЛИ: Персональное дело тов. Шубина Е.К., шкипера баржи,",
        "за пьянство.  Докладчик т. Сысоев.",
        "ПОСТАНОВИЛИ: Шубину объявить строгий выговор с занесением в",
        "учетную карточку.  Решение сообщить в райком ВКП(б).",
        "2. СЛУШАЛИ: О тов. Вахрамеевой Л.П., табельщице затона, о",
        "сокрытии родства с кулаком.  ПОСТАНОВИЛИ: Вахрамееву из",
        "кандидатов в члены ВКП(б) исключить.",
    )
    assert two_column_text(plain, OcrSettings()) is None


def test_words_from_tsv_keeps_words_with_their_boxes_and_lines():
    tsv = (
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
        "4\t1\t1\t1\t1\t0\t10\t20\t300\t30\t-1\t\n"
        "5\t1\t1\t1\t1\t1\t10\t20\t120\t30\t96.5\tПРОТОКОЛ\n"
        "5\t1\t1\t1\t1\t2\t140\t20\t20\t30\t95\t \n"
        "5\t1\t2\t1\t3\t1\t12\t80\t60\t28\t41.25\tбюро\n"
    )
    assert words_from_tsv(tsv) == [
        Word("ПРОТОКОЛ", 10, 20, 120, 30, 96.5, (1, 1, 1)),
        Word("бюро", 12, 80, 60, 28, 41.25, (2, 1, 3)),
    ]


def test_left_line_flush_with_the_gutter_stays_in_its_item():
    """Regression: a heard line typed up to the gutter's edge below the last two-column row ended the
    table there, so the rest of the heard part came out after the decision as if it were a footer."""
    lines = table()
    lines[-3:-1] = [pair("родства с кулаком, о чем она"), pair("умолчала при вступлении в ВКП"), ""]
    assert len(lines[-3].rstrip()) == 29
    text = two_column_text(typed(*HEADER, *lines), OcrSettings())
    assert text is not None
    assert "умолчала при вступлении в ВКП\nПОСТАНОВИЛИ: Вахрамееву из кандидатов" in text


def test_punctuation_speck_in_the_gutter_does_not_end_the_table():
    """Regression: a dash read from a speck between the columns broke the first item's rows off the table."""
    widest = max(len(row[0]) for row in ROWS if row)
    words = typed(*HEADER, *table(gutter=widest + 3))
    row = len(HEADER) + 3
    words.append(Word("—", (widest + 1) * PITCH, row * LINE + 10, PITCH, 10, 60.0, (1, 1, row)))
    text = two_column_text(words, OcrSettings())
    assert text is not None and text.replace("— ", "") == READ_IN_ORDER


def test_narrow_gutter_of_two_spaces_is_found():
    """Regression: render_scan.py leaves two spaces between the columns; binning the boxes lost part of
    that gap and the page was read as one column, every heard part run together with its decision."""
    widest = max(len(row[0]) for row in ROWS if row)
    words = typed(*HEADER, *table(gutter=widest + 2), bearing=0)
    assert two_column_text(words, OcrSettings()) == READ_IN_ORDER


def test_two_space_gutter_between_lines_shifted_sideways_is_found():
    """Regression: render_scan.py shifts each typed line a few pixels sideways; the band left blank by all
    rows together fell under the minimum gutter width though every row kept its two-space gap."""
    widest = max(len(row[0]) for row in ROWS if row)
    words = typed(*HEADER, *table(gutter=widest + 2), sway=4)
    assert two_column_text(words, OcrSettings()) == READ_IN_ORDER


def test_table_of_long_cases_and_short_decisions_is_two_columns():
    """Regression (dev corpus 011, page 2): lists of arrested persons in the heard column beside one-line
    decisions put under a fifth of the characters right of the gutter, and the page was read line by
    line, every list entry run together with a line of its decision."""
    heard = [
        "8. Об исключении из партии лиц,",
        "арестованных органами НКВД: 1)",
        "Ахметова Фатима Рашидовна, 1916",
        "г. рожд., член ВКП(б) с 1932",
        "года. 2) Юферев Анатолий",
        "Егорович, рожд. 1901 г., чл.",
        "ВКП(б) с 1928 г., п/б №",
        "1377791, председатель артели",
        "«Красный гончар».",
        "9. О механически выбывших из",
        "ВКП(б): 1. Соколов Лев",
        "Яковлевич, чл. ВКП(б) с 1924",
        "г., партбилет № 2038866, бывший",
        "секретарь первичной",
        "парторганизации колхоза",
        "«Восход».",
    ]
    decided = {
        0: "8. Исключить из",
        1: "рядов ВКП(б) как",
        2: "врагов народа.",
        9: "9. Считать",
        10: "выбывшими.",
    }
    lines = [pair(line, decided.get(row, "")) for row, line in enumerate(heard)]
    text = two_column_text(typed(*HEADER, *lines), OcrSettings())
    assert text is not None
    assert "«Красный гончар».\nПОСТАНОВИЛИ: 8. Исключить из\nрядов ВКП(б) как\nврагов народа." in text
    assert text.endswith("«Восход».\nПОСТАНОВИЛИ: 9. Считать\nвыбывшими.\n")


def test_numbered_list_in_a_heard_column_is_no_new_item():
    """Regression (dev corpus 010): "1)" opening a list of the arrested at the column's edge under item 6
    was read as item 1, and the decision beside it was split from the persons it is about."""
    lines = [
        pair("6. Сообщение УНКВД об аресте:", "Перечисленных исключить из"),
        pair("1) Кочурова К.А., член партии", "рядов ВКП(б) как врагов"),
        pair("с 1924 г.; 2) Виноградова К.Л.,", "народа, партийные"),
        pair("член ВКП(б) с 1925 г.", "документы изъять и"),
        pair("бывшая заведующая отделом", "сдать в обком."),
        pair("кадров."),
    ]
    text = two_column_text(typed(*HEADER, "", *lines), OcrSettings())
    assert text is not None
    assert "СЛУШАЛИ: 1)" not in text
    assert text.count("ПОСТАНОВИЛИ:") == 1
    assert "6. СЛУШАЛИ: Сообщение УНКВД об аресте:\n1) Кочурова" in text


def test_specks_before_item_numbers_and_after_labels_are_dropped():
    """Regression: specks read as `;.` left of an item number and `^` after СЛУШАЛИ: hid the number and
    the heading row, so items came out as `СЛУШАЛИ: 2. …` under a stray `СЛУШАЛИ: ^` item."""
    heading, first_item = len(HEADER), len(HEADER) + 2
    specks = ((heading, 12, "^", 0.0), (first_item, 0, ";.", 0.0), (first_item + 4, 1, "о", 26.0))
    words = typed(*HEADER, *(" " * 3 + line if line else line for line in table()), specks=specks)
    text = two_column_text(words, OcrSettings())
    assert text == READ_IN_ORDER


@pytest.mark.ocr
@needs_tesseract
def test_rendered_two_column_page_reads_each_decision_after_its_case(tmp_path):
    page = render(COLUMNS_TEXT, layout="columns", quality="worn", rotation=None, seed=2)
    result = ocr_image(save_page(page.image, tmp_path / "columns.png"), tmp_path)
    assert result.layout == "two_column"
    assert_items_in_order(result.text, [("Шубин", "Шубину"), ("Вахрамеевой", "Вахрамееву")])


@pytest.mark.ocr
@needs_tesseract
def test_two_column_page_of_the_independent_renderer(tmp_path):
    renderer_dir = REPO_ROOT.parent / "shared" / "tools"
    if not (renderer_dir / "render_scan.py").is_file():
        pytest.skip("../shared/tools/render_scan.py is not present")
    sys.path.insert(0, str(renderer_dir))
    try:
        import render_scan
    finally:
        sys.path.remove(str(renderer_dir))
    image = render_scan.render(COLUMNS_TEXT, "worn", 2, "liberation", "columns")[0]
    result = ocr_image(save_page(image, tmp_path / "columns.png"), Path(tmp_path))
    assert result.layout == "two_column"
    assert_items_in_order(result.text, [("Шубин", "Шубину"), ("Вахрамеевой", "Вахрамееву")])


def assert_items_in_order(text: str, items: list[tuple[str, str]]) -> None:
    """`N. СЛУШАЛИ: <heard word> … ПОСТАНОВИЛИ: <decided word> …` for each item, one after the other."""
    pattern = r"".join(
        rf"{number}\.\s*СЛУШАЛИ:.*?{heard}.*?ПОСТАНОВИЛИ:.*?{decided}.*?"
        for number, (heard, decided) in enumerate(items, 1)
    )
    assert re.search(pattern, text, re.DOTALL), text
