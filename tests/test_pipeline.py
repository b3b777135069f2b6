"""The whole loop a historian lives in: run, export, look, correct, re-run — on transcripts (no OCR)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from bureaucli.errors import ExitCode
from bureaucli.export import SCHEMAS
from conftest import status_json

PAGE_1 = """ПРОТОКОЛ № 21
заседания бюро Слободского райкома ВКП(б)
от 9 июня 1937 г.

Присутствовали: члены бюро тт. Лаврентьев, Окунева, Сысоев.

1. СЛУШАЛИ: Персональное дело тов. Мохова Игната Петровича, директора Слободского
кожевенного завода, члена ВКП(б) с 1921 г., п/б № 0412233, о срыве плана и связи с
врагом народа Тарасовым (докл. т. Сысоев).
ПОСТАНОВИЛИ: Мохова И.П. с работы директора снять, из рядов ВКП(б) исключить,
материалы передать в НКВД.

2. СЛУШАЛИ: Об утверждении плана сплава леса.
ПОСТАНОВИЛИ: План утвердить.
"""

PAGE_2 = """3. СЛУШАЛИ: Персональное дело тов. Кирилловой Анны Семеновны, учительницы
средней школы № 2, кандидата в члены ВКП(б) с 1932 г., об утере партийного документа.
ПОСТАНОВИЛИ: Объявить Кирилловой А.С. строгий выговор с занесением в учетную карточку.
"""


@pytest.fixture
def corpus(workspace: Path) -> Path:
    (workspace / "data" / "raw" / "f1290_op1_d7").mkdir(parents=True)
    (workspace / "data" / "raw" / "f1290_op1_d7" / "protocol_21.txt").write_text(
        PAGE_1 + "\f" + PAGE_2, encoding="utf-8"
    )
    return workspace


def cases_table(workspace: Path) -> pd.DataFrame:
    return pd.read_parquet(workspace / "data" / "extracted" / "tables" / "cases.parquet")


def test_run_extracts_cases_with_provenance(corpus, bureau):
    result = bureau("run")
    assert result.exit_code == 0, result.output
    assert "2 personal case(s)" in result.stdout
    cases = cases_table(corpus).set_index("surname")
    assert list(cases.index) == ["Мохов", "Кириллова"]
    mokhov = cases.loc["Мохов"]
    assert mokhov["first_name"] == "Игнат" and mokhov["patronymic"] == "Петрович"
    assert set(mokhov["decisions"]) == {"remove_from_post", "expel", "refer_to_prosecution"}
    assert mokhov["meeting_date"] == dt.date(1937, 6, 9)
    assert mokhov["document"] == "f1290_op1_d7/protocol_21.txt"
    assert list(mokhov["pages"]) == ["1"]
    assert mokhov["citation"] == "Ф. 1290. Оп. 1. Д. 7. [f1290_op1_d7/protocol_21.txt, стр. 1]"
    kirillova = cases.loc["Кириллова"]
    assert kirillova["gender"] == "f" and list(kirillova["pages"]) == ["2"]
    assert list(kirillova["decisions"]) == ["severe_reprimand"]


def test_span_offsets_index_the_page_text_not_the_document(corpus, bureau):
    """Regression: name_page was the item's first page and the offsets counted from the document start."""
    bureau("run")
    pages = (
        (corpus / "data" / "raw" / "f1290_op1_d7" / "protocol_21.txt").read_text(encoding="utf-8").split("\f")
    )
    for case in cases_table(corpus).itertuples():
        page = pages[case.name_page - 1]
        assert page[case.name_start : case.name_end] == case.name_as_written, case.case_id
    mentions = pd.read_parquet(corpus / "data" / "extracted" / "tables" / "mentions.parquet")
    assert 2 in set(mentions["page_no"])
    for mention in mentions.itertuples():
        assert pages[mention.page_no - 1][mention.start : mention.end] == mention.as_written


def test_every_table_round_trips_through_pandas_with_documented_types(corpus, bureau):
    assert bureau("run").exit_code == 0
    tables = corpus / "data" / "extracted" / "tables"
    for name, columns in SCHEMAS.items():
        frame = pd.read_parquet(tables / f"{name}.parquet")
        assert list(frame.columns) == [c for c, _ in columns], name
        schema = pq.read_schema(tables / f"{name}.parquet")
        for column, kind in columns:
            arrow = str(schema.field(column).type)
            expected = {
                "str": "string",
                "int": "int64",
                "float": "double",
                "bool": "bool",
                "date": "date32[day]",
            }
            assert arrow == expected.get(kind, "list<element: string>"), (name, column, arrow)
        raw = (tables / f"{name}.csv").read_bytes()
        assert raw.startswith("\ufeff".encode()), "CSV starts with a BOM so Excel reads Cyrillic"
        csv = pd.read_csv(tables / f"{name}.csv", encoding="utf-8-sig")
        assert list(csv.columns) == list(frame.columns)
        assert len(csv) == len(frame)
    csv_cases = pd.read_csv(tables / "cases.csv", encoding="utf-8-sig")
    assert "remove_from_post;expel;refer_to_prosecution" in set(csv_cases["decisions"])


def test_parallel_segmentation_gives_the_serial_result(corpus, bureau, monkeypatch):
    raw = corpus / "data" / "raw" / "f1290_op1_d7"
    for number in (22, 23):
        (raw / f"protocol_{number}.txt").write_text(PAGE_2 + "\f" + PAGE_1, encoding="utf-8")
    bureau("run")
    serial = cases_table(corpus)
    (corpus / "data" / "extracted" / "catalog.sqlite").unlink()
    (corpus / "bureau.toml").write_text("[ocr]\nworkers = 2\n", encoding="utf-8")
    monkeypatch.setattr("bureaucli.pipeline.PARALLEL_MIN_DOCUMENTS", 2)
    result = bureau("run")
    assert "3 document(s) segmented" in result.stdout
    pd.testing.assert_frame_equal(serial, cases_table(corpus))


def test_uncertain_pairs_and_case_histories_are_exported(corpus, bureau):
    raw = corpus / "data" / "raw" / "f1290_op1_d7"
    for number, date, name in (("30", "5 мая 1938", "Мохова И.П."), ("40", "2 октября 1939", "Мохава И.П.")):
        page = PAGE_1.replace("9 июня 1937", date).replace("Мохова Игната Петровича", name)
        (raw / f"protocol_{number}.txt").write_text(page, encoding="utf-8")
    bureau("run")
    tables = corpus / "data" / "extracted" / "tables"
    persons = pd.read_parquet(tables / "persons.parquet").set_index("canonical_name")
    mokhov = persons.loc["Мохов И. П."]
    assert [entry[:10] for entry in mokhov["decision_sequence"]] == ["1937-06-09", "1938-05-05"]
    cases = cases_table(corpus).set_index("case_id")
    dates = [cases.loc[case_id, "meeting_date"].isoformat() for case_id in mokhov["case_ids"]]
    assert dates == sorted(dates), "a person's cases are listed in date order"
    review = pd.read_csv(tables / "review_pairs.csv", encoding="utf-8-sig")
    assert "Мохава И.П." in set(review["name_a"]) | set(review["name_b"]), (
        "the OCR-damaged Мохава is listed for review, not silently merged or dropped"
    )
    assert review["evidence"].str.contains("surname").all()


def test_initials_read_as_digits_are_repaired_before_the_name_is_declined(corpus, bureau):
    damaged = PAGE_2.replace("Кирилловой Анны Семеновны", "Мальцевой 3.Л.").replace(
        "Кирилловой А.С.", "Мальцевой 3.Л."
    )
    (corpus / "data" / "raw" / "f1290_op1_d7" / "protocol_21.txt").write_text(
        PAGE_1 + "\f" + damaged, encoding="utf-8"
    )
    bureau("run")
    case = cases_table(corpus).set_index("surname").loc["Мальцева"]
    assert case["initials"] == "З.Л." and case["gender"] == "f"
    assert case["name_as_written"] == "Мальцевой 3.Л.", "the span stays exactly as written"


def test_ids_are_stable_across_runs(corpus, bureau):
    bureau("run")
    first = cases_table(corpus)[["case_id", "person_id"]]
    (corpus / "data" / "extracted" / "catalog.sqlite").unlink()
    bureau("run")
    pd.testing.assert_frame_equal(first, cases_table(corpus)[["case_id", "person_id"]])


def test_noop_rerun_changes_nothing(corpus, bureau):
    bureau("run")
    tables = corpus / "data" / "extracted" / "tables"
    stamps = {p.name: p.stat().st_mtime_ns for p in tables.iterdir()}
    result = bureau("run")
    assert "0 document(s) segmented" in result.stdout
    assert "are up to date" in result.stdout
    assert {p.name: p.stat().st_mtime_ns for p in tables.iterdir()} == stamps


def test_noop_rerun_does_not_rebuild_the_tables(corpus, bureau, monkeypatch):
    bureau("run")

    def must_not_run(*args: object) -> None:
        raise AssertionError("tables rebuilt although nothing changed")

    monkeypatch.setattr("bureaucli.pipeline.build_tables", must_not_run)
    result = bureau("run")
    assert "are up to date (2 cases)" in result.stdout
    monkeypatch.undo()
    corrections = corpus / "data" / "corrections"
    corrections.mkdir()
    case_id = cases_table(corpus)["case_id"][0]
    (corrections / "cases.csv").write_text(
        f"case_id,field,value\n{case_id},position,сторож\n", encoding="utf-8"
    )
    assert "0 added, 0 removed, 1 changed" in bureau("run").stdout, "a cases.csv edit alone re-exports"


def test_catalog_of_an_older_schema_is_upgraded_in_place(corpus, bureau):
    bureau("run")
    catalog = corpus / "data" / "extracted" / "catalog.sqlite"
    with sqlite3.connect(catalog) as conn:  # make it look like a version-1 catalog
        conn.execute("ALTER TABLE cases DROP COLUMN name_page")
        for (trigger,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            conn.execute(f"DROP TRIGGER {trigger}")
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    result = bureau("run")
    assert result.exit_code == 0, result.output
    assert "1 document(s) segmented" in result.stdout, "spans are recomputed under the new schema"
    assert cases_table(corpus)["name_page"].tolist() == [1, 2]
    with sqlite3.connect(catalog) as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'").fetchone()[0] > 0


def test_text_correction_resegments_and_survives(corpus, bureau, monkeypatch, tmp_path):
    bureau("run")
    editor = tmp_path / "editor.sh"
    editor.write_text(
        "#!/bin/sh\nsed -i 's/Кирилловой Анны/Кирилловой Анны/; s/строгий выговор/выговор/' \"$1\"\n"
    )
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    result = bureau("correct", "f1290_op1_d7/protocol_21.txt", "2")
    assert result.exit_code == 0, result.output
    saved = corpus / "data" / "corrections" / "text" / "f1290_op1_d7" / "protocol_21.txt" / "2.txt"
    assert "Объявить Кирилловой А.С. выговор" in saved.read_text(encoding="utf-8")

    rerun = bureau("run")
    assert "1 document(s) segmented" in rerun.stdout
    assert "0 added, 0 removed, 1 changed" in rerun.stdout
    cases = cases_table(corpus).set_index("surname")
    assert list(cases.loc["Кириллова", "decisions"]) == ["reprimand"]
    pages = pd.read_parquet(corpus / "data" / "extracted" / "tables" / "pages.parquet")
    assert saved.exists(), "the pipeline never deletes a correction"
    assert len(pages) == 2


def test_case_correction_applied_and_stale_when_case_vanishes(corpus, bureau):
    bureau("run")
    case_id = cases_table(corpus).set_index("surname").loc["Мохов", "case_id"]
    corrections = corpus / "data" / "corrections"
    corrections.mkdir()
    (corrections / "cases.csv").write_text(
        f"case_id,field,value\n{case_id},position,директор кожзавода\n{case_id},decisions,expel\nD000.i9.c1,sector,party\n"
        f"{case_id},colour,red\n",
        encoding="utf-8",
    )
    result = bureau("run")
    assert "cases.csv line 4: case D000.i9.c1 no longer exists; not applied" in result.stderr
    assert "cases.csv line 5: unknown field 'colour'; ignored" in result.stderr
    row = cases_table(corpus).set_index("case_id").loc[case_id]
    assert row["position"] == "директор кожзавода" and list(row["decisions"]) == ["expel"]
    assert sorted(row["corrected_fields"]) == ["decisions", "position"]


def test_text_correction_of_a_changed_scan_is_stale(corpus, bureau):
    bureau("run")
    target = corpus / "data" / "corrections" / "text" / "f1290_op1_d7" / "protocol_21.txt"
    target.mkdir(parents=True)
    (target / "2.txt").write_text(PAGE_2.replace("строгий выговор", "выговор"), encoding="utf-8")
    (target / "9.txt").write_text("нет такой страницы", encoding="utf-8")
    bureau("run")
    (corpus / "data" / "raw" / "f1290_op1_d7" / "protocol_21.txt").write_text(
        PAGE_1 + "\f" + PAGE_2 + "\n", encoding="utf-8"
    )
    result = bureau("run")
    assert "2.txt: the page's scan changed since this correction was made" in result.stderr
    status = status_json(bureau)
    stale = {c["file"] for c in status["stale_corrections"]}
    assert stale == {
        "text/f1290_op1_d7/protocol_21.txt/2.txt",
        "text/f1290_op1_d7/protocol_21.txt/9.txt",
    }
    assert (target / "2.txt").exists()


def test_interrupted_export_leaves_previous_tables_intact(corpus, bureau, monkeypatch):
    bureau("run")
    tables = corpus / "data" / "extracted" / "tables"
    before = {p.name: p.read_bytes() for p in tables.iterdir()}
    (corpus / "data" / "raw" / "f1290_op1_d7" / "protocol_21.txt").write_text(PAGE_1, encoding="utf-8")
    calls = {"n": 0}
    real = pq.write_table

    def dying_write(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(pq, "write_table", dying_write)
    result = bureau("run")
    assert result.exit_code == 130
    assert {p.name: p.read_bytes() for p in tables.iterdir()} == before, "no table half-written or replaced"
    monkeypatch.undo()
    assert bureau("run").exit_code == 0
    assert len(cases_table(corpus)) == 1


def test_removed_document_is_left_out_of_exports(corpus, bureau):
    bureau("run")
    (corpus / "data" / "raw" / "f1290_op1_d7" / "protocol_21.txt").unlink()
    result = bureau("run")
    assert "1 removed" in result.stdout
    assert len(cases_table(corpus)) == 0
    documents = pd.read_parquet(corpus / "data" / "extracted" / "tables" / "documents.parquet")
    assert list(documents["status"]) == ["removed"]


def test_status_counts_each_stage(corpus, bureau):
    bureau("run")
    counts = status_json(bureau)["counts"]
    assert counts["documents"] == 1 and counts["pages"] == 2 and counts["personal_cases"] == 2
    assert counts["pages_needing_ocr"] == 0 and counts["documents_segmented"] == 1


def test_catalog_keeps_spans_of_mentions(corpus, bureau):
    bureau("run")
    with sqlite3.connect(corpus / "data" / "extracted" / "catalog.sqlite") as conn:
        roles = conn.execute("SELECT as_written, role FROM mentions").fetchall()
    assert ("т. Сысоев", "reporter") in roles or ("Сысоев", "reporter") in roles, roles
    assert ("Мохова Игната Петровича", "defendant") in roles


def test_run_exit_code_when_an_input_fails(corpus, bureau):
    (corpus / "data" / "raw" / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    result = bureau("run")
    assert result.exit_code == ExitCode.INPUT_FAILURES
    assert result.stderr.startswith("broken.pdf: not a readable PDF")
    assert len(cases_table(corpus)) == 2, "the other documents are processed"
    failures = pd.read_parquet(corpus / "data" / "extracted" / "tables" / "failures.parquet")
    assert list(failures["target"]) == ["broken.pdf"]
    assert json.loads(bureau("status", "--json").stdout)["failures"][0]["stage"] == "ingest"
