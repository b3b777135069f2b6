"""`bureau report`: the aggregates on hand-made rows, the page's size and escaping, the command on a
transcript workspace, and the page in a real (headless) browser."""

from __future__ import annotations

import datetime as dt
import random
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bureaucli.cli import cli
from bureaucli.corrections import StaleCorrection
from bureaucli.export import SCHEMAS
from bureaucli.report import Count, aggregate, cases_per_month, decisions_by_year, render_html, repeat_persons

CHROMIUM = Path("/usr/bin/chromium")


def row(table: str, **fields: Any) -> dict[str, Any]:
    """A row of an export table: lists empty, flags false, the rest None, then `fields`."""
    values: dict[str, Any] = {}
    for column, kind in SCHEMAS[table]:
        values[column] = [] if kind == "list" else False if kind == "bool" else None
    values.update(fields)
    return values


def tables(**rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    return {name: rows.get(name, []) for name in SCHEMAS}


def case(case_id: str, date: str | None = None, **fields: Any) -> dict[str, Any]:
    fields.setdefault("document", "f1/p.txt")
    fields.setdefault("name_page", 1)
    fields.setdefault("name_as_written", "Орлова П.Н.")
    fields.setdefault("item_id", case_id.rsplit(".", 1)[0])
    return row("cases", case_id=case_id, meeting_date=dt.date.fromisoformat(date) if date else None, **fields)


# --- aggregates -----------------------------------------------------------------------------------


def test_cases_per_month_fills_the_gaps_and_counts_undated_cases():
    cases = [case("a.c1", "1936-12-30"), case("b.c1", "1937-03-02"), case("c.c1", "1936-12-01"), case("d.c1")]
    months, undated = cases_per_month(cases)
    assert months == [Count("1936-12", 2), Count("1937-01", 0), Count("1937-02", 0), Count("1937-03", 1)]
    assert undated == 1
    assert cases_per_month([case("d.c1")]) == ([], 1)


def test_decisions_by_year_counts_every_decision_of_a_case():
    stacked = decisions_by_year(
        [
            case("a.c1", "1937-03-14", decisions=["remove_from_post", "expel"]),
            case("b.c1", "1937-05-01", decisions=["expel"]),
            case("c.c1", "1939-11-02", decisions=["reinstate"]),
            case("d.c1", "1939-12-02"),
            case("e.c1", None, decisions=["expel"]),
        ]
    )
    assert stacked.periods == ["1937", "1938", "1939"]
    assert list(stacked.counts) == ["expel", "remove_from_post", "reinstate", "none"], "vocabulary order"
    assert stacked.counts["expel"] == [2, 0, 0]
    assert stacked.counts["reinstate"] == [0, 0, 1] and stacked.counts["none"] == [0, 0, 1]


def test_repeat_persons_give_decisions_in_date_order():
    cases = [
        case("b.c1", "1939-11-02", decisions=["reinstate"], person_id="P1"),
        case("a.c1", "1937-03-14", decisions=["expel", "refer_to_prosecution"], person_id="P1"),
        case("z.c1", None, person_id="P1"),
        case("a.c2", "1937-03-14", decisions=["reprimand"], person_id="P2"),
        case("c.c1", "1938-01-10", decisions=["severe_reprimand"], person_id="P3", surname="Кириллова"),
        case("d.c1", "1936-02-01", decisions=["reprimand"], person_id="P3"),
    ]
    persons = [row("persons", person_id="P1", canonical_name="Мохов Игнат Петрович")]
    histories = repeat_persons(cases, persons)
    assert [(h.person_id, h.name) for h in histories] == [
        ("P1", "Мохов Игнат Петрович"),
        ("P3", "Орлова П.Н."),
    ]
    mokhov, orlova = histories
    assert mokhov.sequence == "expel+refer_to_prosecution 1937-03 → reinstate 1939-11 → no decision ?"
    assert mokhov.expelled_then_restored and not orlova.expelled_then_restored
    assert orlova.sequence == "reprimand 1936-02 → severe_reprimand 1938-01"


def test_overview_counts_pages_by_source_and_lists_archival_files():
    data = aggregate(
        tables(
            documents=[
                row("documents", status="ok", archive="ГАНО", fond="П-30", opis="1", delo="1187", cases=3),
                row("documents", status="ok", fond="П-30", opis="1", delo="1190", cases=1),
                row("documents", status="ok", cases=2),
                row("documents", status="failed"),
                row("documents", status="removed"),
            ],
            pages=[
                row("pages", page_id="p1", text_source="ocr", low_confidence=True),
                row("pages", page_id="p2", text_source="ocr", low_confidence=True),
                row("pages", page_id="p3", text_source="text_layer"),
            ],
            cases=[case("a.c1", "1937-03-14", needs_review=True), case("b.c1", "1938-01-02")],
        ),
        corrected_pages=frozenset({"p2"}),
    )
    o = data.overview
    assert (o.documents, o.documents_failed) == (3, 1)
    assert (o.pages, o.pages_ocr, o.pages_text_layer) == (3, 2, 1)
    assert (o.pages_corrected, o.pages_low_confidence) == (1, 1), "a corrected page is no longer low"
    assert (o.cases, o.cases_needing_review) == (2, 1)
    assert (o.first_date, o.last_date) == (dt.date(1937, 3, 14), dt.date(1938, 1, 2))
    assert [(h.label, h.documents, h.cases) for h in o.holdings] == [
        ("ГАНО. Ф. П-30. Оп. 1. Д. 1187", 1, 3),
        ("Ф. П-30. Оп. 1. Д. 1190", 1, 1),
        ("no archival reference", 1, 2),
    ]


def test_qa_rows_name_document_page_and_the_command_that_fixes_them():
    pdf = "ф.П-1290/оп.1/д.124/protocol 1937.pdf"
    data = aggregate(
        tables(
            pages=[
                row("pages", page_id="q2", document=pdf, page_no=2, low_confidence=True, ocr_confidence=41.5),
                row("pages", page_id="q3", document=pdf, page_no=3, low_confidence=True, ocr_confidence=30.0),
                row("pages", page_id="q4", document=pdf, page_no=4, ocr_confidence=91.0),
                row("pages", page_id="t1", document="f1/p.txt", page_no=1),
            ],
            items=[
                row(
                    "items", item_id="i1", document=pdf, item_no="5", is_personal_case=True, pages=["4", "5"]
                ),
                row("items", item_id="i2", document=pdf, is_personal_case=True, pages=["4"]),
                row("items", item_id="i3", document=pdf, pages=["4"]),
                row("items", item_id="i4", document=pdf, is_personal_case=True, decisions=["expel"]),
            ],
            cases=[
                case("i2.c1", decisions=["reprimand"], document=pdf, name_page=4),
                case(
                    "t.c1",
                    needs_review=True,
                    review_reasons=["low OCR confidence (52)"],
                    name_as_written="Мохова",
                ),
            ],
            failures=[
                row("failures", stage="ingest", target="broken.pdf", reason="not a readable PDF"),
                row("failures", stage="ocr", target="q4", reason="timed out"),
            ],
        ),
        corrected_pages=frozenset({"q3"}),
        stale=[
            StaleCorrection("text/f1/p.txt/1.txt", "the page's scan changed since this correction was made"),
            StaleCorrection("text/f1/p.txt/9.txt", "no such document page in data/raw/; not applied"),
            StaleCorrection("cases.csv line 3", "the text of case t.c1 changed since this correction"),
        ],
        case_of_line={3: "t.c1"},
    )
    qa = {q.key: [(r.document, r.page, r.problem, r.command) for r in q.rows] for q in data.qa}
    quoted = "'ф.П-1290/оп.1/д.124/protocol 1937.pdf'"
    assert qa["low_confidence"] == [(pdf, 2, "mean confidence 42", f"bureau correct {quoted} 2")], (
        "q3 is corrected"
    )
    assert qa["undecided"] == [(pdf, 4, "item 5: «no decision text»", f"bureau correct {quoted} 4")]
    assert qa["needs_review"] == [
        ("f1/p.txt", 1, "Мохова: low OCR confidence (52)", "bureau correct f1/p.txt 1")
    ]
    assert qa["failures"] == [
        ("broken.pdf", None, "[ingest] not a readable PDF", "replace data/raw/broken.pdf; bureau run"),
        (pdf, 4, "[ocr] timed out", f"bureau correct {quoted} 4"),
    ]
    assert [r[:2] + r[3:] for r in qa["stale_corrections"]] == [
        ("f1/p.txt", 1, "bureau correct f1/p.txt 1"),
        ("f1/p.txt", 9, "move away data/corrections/text/f1/p.txt/9.txt"),
        ("f1/p.txt", 1, "edit data/corrections/cases.csv, line 3"),
    ]


# --- the page -------------------------------------------------------------------------------------


def test_text_read_by_ocr_is_escaped_everywhere():
    hostile = "<script>alert(1)</script>"
    data = aggregate(
        tables(
            cases=[
                case(
                    "a.c1",
                    "1937-03-14",
                    person_id="P1",
                    name_as_written=hostile,
                    body='<img src=x onerror="alert(2)"> $x^2$ & Co',
                    sector="<i>industry</i>",
                    accusations=["<b>x</b>"],
                    needs_review=True,
                    review_reasons=["</td></tr></table>"],
                ),
                case("b.c1", "1939-01-01", person_id="P1", decisions=["reinstate"]),
            ],
            persons=[row("persons", person_id="P1", canonical_name=hostile)],
            failures=[row("failures", stage="ingest", target="<x>.pdf", reason=hostile)],
        )
    )
    page = render_html(data, hostile)
    assert not re.search(r"<script|<img|<i>industry|<b>x|</td></tr></table>", page), "no markup from the data"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "$x^2$ &amp; Co" in page, "a body with $…$ is plain text in the plot, not TeX"
    assert page.count("<svg") == 5
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//|@import|url\(\s*[\"']?https?:", page), (
        "no fetches"
    )


def synthetic_corpus(n_cases: int, seed: int = 7) -> dict[str, list[dict[str, Any]]]:
    """Export rows of a large corpus with long QA lists: 1921–1955, 60 bodies, a third of persons repeat."""
    rnd = random.Random(seed)
    decisions = ["expel", "severe_reprimand", "reprimand", "warning", "remove_from_post", "reinstate"]
    bodies = [f"бюро {k}-го Краснопресненского районного комитета ВКП(б) города Москвы" for k in range(60)]
    cases, items, pages = [], [], []
    for k in range(n_cases):
        document = f"ф.П-{k % 40}/оп.1/д.{k // 40}/protocol_{k // 8}.pdf"
        date = dt.date(1921, 1, 1) + dt.timedelta(days=rnd.randrange(35 * 365))
        decided = [] if k % 10 == 0 else rnd.sample(decisions, rnd.randint(1, 2))
        cases.append(
            case(
                f"D{k // 8}.i{k % 8}.c1",
                date.isoformat(),
                document=document,
                name_page=k % 8 + 1,
                name_as_written=f"Преображенского Константина Ильича {k}",
                person_id=f"P{k % (n_cases * 2 // 3)}",
                decisions=decided,
                accusations=rnd.sample(["trotskyism", "negligence", "ties_to_enemies", "religion"], 2),
                sector=rnd.choice(["industry", "transport", "party", None]),
                body=rnd.choice(bodies),
                needs_review=k % 3 == 0,
                review_reasons=["low OCR confidence (48)", "label repaired with edit distance 2"][
                    : k % 3 + 1
                ],
            )
        )
        items.append(
            row(
                "items",
                item_id=f"D{k // 8}.i{k % 8}",
                document=document,
                item_no=str(k % 8 + 1),
                is_personal_case=True,
                decisions=decided,
                decision_text="Вопрос о тов. Преображенском передать на рассмотрение " * 4,
                pages=[str(k % 8 + 1)],
            )
        )
        pages.append(
            row(
                "pages",
                page_id=f"D{k}.p1",
                document=document,
                page_no=1,
                text_source="ocr",
                low_confidence=k % 4 == 0,
            )
        )
    persons = [
        row("persons", person_id=f"P{k}", canonical_name=f"Преображенский К. И. {k}") for k in range(n_cases)
    ]
    failures = [
        row("failures", stage="ocr", target=f"D{k}.p1", reason="Tesseract timed out " * 5) for k in range(500)
    ]
    return tables(cases=cases, items=items, pages=pages, persons=persons, failures=failures)


def test_report_of_10000_cases_stays_under_5_mb():
    data = aggregate(synthetic_corpus(10_000))
    started = time.monotonic()
    page = render_html(data, "Personal cases — synthetic")
    seconds = time.monotonic() - started
    size = len(page.encode())
    print(f"10,000 cases: {size / 1e6:.2f} MB in {seconds:.1f} s")
    assert size < 5_000_000
    assert len(data.repeat_persons) > 3000
    assert "… and 3,234 more (all in cases.csv, column needs_review)" in page
    assert "see persons.csv, column decision_sequence" in page


# --- the command ----------------------------------------------------------------------------------

PROTOCOL_5 = """ПРОТОКОЛ № 5
заседания бюро Слободского райкома ВКП(б)
от 14 марта 1937 г.

1. СЛУШАЛИ: Персональное дело тов. Мохова Игната Петровича, директора Слободского
кожевенного завода, члена ВКП(б) с 1921 г., о связи с врагом народа Тарасовым.
ПОСТАНОВИЛИ: Мохова И.П. из рядов ВКП(б) исключить.

2. СЛУШАЛИ: Персональное дело тов. Кирилловой Анны Семеновны, учительницы
средней школы № 2, об утере партийного документа.
"""

PROTOCOL_31 = """ПРОТОКОЛ № 31
заседания бюро Слободского райкома ВКП(б)
от 2 ноября 1939 г.

1. СЛУШАЛИ: Апелляция тов. Мохова Игната Петровича, бывшего директора Слободского
кожевенного завода, исключенного из ВКП(б) в 1937 г.
ПОСТАНОВИЛИ: Мохова И.П. в членах ВКП(б) восстановить.
"""


@pytest.fixture(scope="module")
def reported(tmp_path_factory) -> Path:
    """A transcript workspace after `bureau run` and `bureau report`: one person expelled and reinstated,
    a case without a decision, a broken PDF, a correction of a page that does not exist."""
    root = tmp_path_factory.mktemp("reported")
    folder = root / "data" / "raw" / "f1290_op1_d7"
    folder.mkdir(parents=True)
    (folder / "protocol_5.txt").write_text(PROTOCOL_5, encoding="utf-8")
    (folder / "protocol_31.txt").write_text(PROTOCOL_31, encoding="utf-8")
    (root / "data" / "raw" / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    stray = root / "data" / "corrections" / "text" / "f1290_op1_d7" / "protocol_5.txt" / "9.txt"
    stray.parent.mkdir(parents=True)
    stray.write_text("нет такой страницы", encoding="utf-8")
    assert run_bureau(root, "run").exit_code == 3, "the broken PDF fails, the rest is done"
    result = run_bureau(root, "report")
    assert result.exit_code == 0, result.output
    return root


def run_bureau(root: Path, *args: str):
    return CliRunner().invoke(cli, ["-C", str(root), *args], catch_exceptions=False)


def test_report_command_writes_the_page_and_skips_when_nothing_changed(reported, tmp_path):
    path = reported / "data" / "extracted" / "report.html"
    page = path.read_text(encoding="utf-8")
    assert page.count("<svg") == 5
    assert "expel 1937-03 → reinstate 1939-11" in page
    assert "1 of them expelled and later reinstated" in page
    for fix in (
        "bureau correct f1290_op1_d7/protocol_5.txt 1",
        "replace data/raw/broken.pdf; bureau run",
        "move away data/corrections/text/f1290_op1_d7/protocol_5.txt/9.txt",
    ):
        assert f"<code>{fix}</code>" in page

    stamp = path.stat().st_mtime_ns
    again = run_bureau(reported, "report")
    assert again.stdout == "report: data/extracted/report.html is up to date (3 cases, 4 to check)\n"
    assert path.stat().st_mtime_ns == stamp

    elsewhere = tmp_path / "fond_1290.html"
    result = run_bureau(reported, "report", "--out", str(elsewhere))
    assert result.stdout.startswith(f"report: 3 cases, 4 thing(s) to check → {elsewhere} (")
    assert elsewhere.read_text(encoding="utf-8").split("</header>")[1] == page.split("</header>")[1]


def test_report_follows_a_case_correction(reported, tmp_path):
    out = tmp_path / "report.html"
    run_bureau(reported, "report", "--out", str(out))
    case_id = re.search(
        r"D\w+\.i2\.c1", (reported / "data" / "extracted" / "tables" / "cases.csv").read_text()
    )
    corrections = reported / "data" / "corrections" / "cases.csv"
    corrections.write_text(f"case_id,field,value\n{case_id[0]},decisions,other\n", encoding="utf-8")
    try:
        result = run_bureau(reported, "report", "--out", str(out))
    finally:
        corrections.unlink()
    assert "3 thing(s) to check" in result.stdout, "the case now has a decision"
    assert 'Personal cases without a parsed decision <span class="ok">(0)</span>' in out.read_text()


def test_report_of_an_empty_workspace_says_there_is_no_data_yet(bureau, workspace):
    result = bureau("report")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("report: 0 cases, 0 thing(s) to check → data/extracted/report.html (")
    page = (workspace / "data" / "extracted" / "report.html").read_text(encoding="utf-8")
    assert page.count("No data yet.") == 5 and "<svg" not in page


def test_matplotlib_is_imported_only_to_draw():
    code = "import sys, bureaucli.cli, bureaucli.report; assert 'matplotlib' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


# --- in a browser ---------------------------------------------------------------------------------


def test_report_renders_in_headless_chromium_offline_without_errors(reported, tmp_path):
    if not CHROMIUM.exists():
        pytest.skip(
            f"no Chromium at {CHROMIUM}: install the Debian package chromium (tools/install_system_deps.sh)"
        )
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed: pip install -e '.[dev]'"
    )
    url = (reported / "data" / "extracted" / "report.html").as_uri()
    requests: list[str] = []
    errors: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.on("request", lambda request: requests.append(request.url))
            page.on(
                "console", lambda message: errors.append(message.text) if message.type == "error" else None
            )
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(url, wait_until="load")
            plots = page.eval_on_selector_all(
                "figure svg",
                "svgs => svgs.map(s => { const r = s.getBoundingClientRect();"
                " return [r.width, r.height, s.querySelectorAll('text').length]; })",
            )
            page.click("figure summary")
            table_height = page.eval_on_selector(
                "figure details table", "t => t.getBoundingClientRect().height"
            )
            page.screenshot(path=tmp_path / "report.png", full_page=True)
        finally:
            browser.close()
    assert len(plots) == 5
    assert all(width > 200 and height > 50 and labels > 2 for width, height, labels in plots), plots
    assert table_height > 0, "the table behind a plot opens"
    assert requests == [url], "the page loads nothing but itself"
    assert errors == []
    assert (tmp_path / "report.png").stat().st_size > 10_000
