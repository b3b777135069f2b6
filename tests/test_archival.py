"""Archival references: folder names, inventory.csv, folio labels and citations."""

from __future__ import annotations

import sqlite3

import pytest

from bureaucli.archival import ArchivalRef, Inventory, ref_from_path
from bureaucli.errors import ConfigError


@pytest.mark.parametrize(
    ("path", "fond", "opis", "delo"),
    [
        ("ф.П-1290/оп.1/д.123/protocol.pdf", "П-1290", "1", "123"),
        ("f1290_op1_d123/0001.png", "1290", "1", "123"),
        ("Ф. 17/Оп. 3/Д. 987/scan.tif", "17", "3", "987"),
        ("fond_17/op_162/d_5", "17", "162", "5"),
        ("ф1290_оп2_д15а.pdf", "1290", "2", "15а"),
    ],
)
def test_fond_opis_delo_from_folder_names(path, fond, opis, delo):
    ref = ref_from_path(path)
    assert (ref.fond, ref.opis, ref.delo) == (fond, opis, delo)


def test_path_without_reference_has_none():
    assert ref_from_path("scans/protocol_14.pdf") == ArchivalRef()


def test_recto_folios_count_pages():
    ref = ArchivalRef(fond="П-1290", opis="1", delo="123", first_folio=45)
    assert [ref.folio(n) for n in (1, 2, 3)] == ["45", "46", "47"]


def test_recto_verso_folios_alternate_with_ob():
    ref = ArchivalRef(fond="П-1290", opis="1", delo="123", first_folio=45, folio_side="recto-verso")
    assert [ref.folio(n) for n in (1, 2, 3, 4)] == ["45", "45 об.", "46", "46 об."]


def test_citation_in_archival_style():
    ref = ArchivalRef(
        archive="ЦГАКО", fond="П-1290", opis="1", delo="123", first_folio=45, folio_side="recto-verso"
    )
    assert ref.citation("x.pdf", 2) == "ЦГАКО. Ф. П-1290. Оп. 1. Д. 123. Л. 45 об."


def test_citation_without_folio_names_the_file_page():
    ref = ArchivalRef(fond="1290", opis="1", delo="123")
    assert ref.citation("f1290_op1_d123/p.pdf", 3) == "Ф. 1290. Оп. 1. Д. 123. [f1290_op1_d123/p.pdf, стр. 3]"


def test_citation_without_any_reference_is_the_file_and_page():
    assert ArchivalRef().citation("scans/a.pdf", 2) == "scans/a.pdf, стр. 2"


def test_inventory_row_for_a_folder_applies_to_documents_inside(tmp_path):
    (tmp_path / "inventory.csv").write_text(
        "path,archive,fond,opis,delo,first_folio,folio_side\n"
        "obkom,ЦГАКО,П-1290,1,123,45,recto-verso\n"
        "obkom/special.pdf,ГАКО,П-2,4,5,10,recto\n",
        encoding="utf-8",
    )
    inventory = Inventory.read(tmp_path)
    assert (
        inventory.ref_for("obkom/1937/p14.pdf").citation("", 3) == "ЦГАКО. Ф. П-1290. Оп. 1. Д. 123. Л. 46."
    )
    assert inventory.ref_for("obkom/special.pdf").folio(2) == "11", "the longest path match wins"
    assert (
        inventory.ref_for("elsewhere/f1_op2_d3/a.pdf", "ЦА").citation("", 1)
        == "ЦА. Ф. 1. Оп. 2. Д. 3. [, стр. 1]"
    )


@pytest.mark.parametrize(
    ("row", "message"),
    [("a,,1,1,1,x1,recto", "first_folio must be a whole number"), ("a,,1,1,1,1,verso", "folio_side must be")],
)
def test_bad_inventory_rows_name_the_line(tmp_path, row, message):
    (tmp_path / "inventory.csv").write_text(
        "path,archive,fond,opis,delo,first_folio,folio_side\n" + row + "\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=f"inventory.csv line 2: {message}"):
        Inventory.read(tmp_path)


def test_ingest_stores_folios_and_citations_and_follows_inventory_edits(workspace, bureau):
    from inputs import page_image

    raw = workspace / "data" / "raw"
    for n in (1, 2, 3):
        page_image(raw / "ф.П-1290" / "оп.1" / "д.123" / "protocol" / f"{n}.png")
    (raw / "inventory.csv").write_text(
        "path,archive,fond,opis,delo,first_folio,folio_side\nф.П-1290/оп.1/д.123/protocol,ЦГАКО,,,,45,recto-verso\n",
        encoding="utf-8",
    )
    assert bureau("ingest").exit_code == 0
    db = workspace / "data" / "extracted" / "catalog.sqlite"
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT folio, citation FROM pages ORDER BY page_no").fetchall()
    assert rows[1] == ("45 об.", "ЦГАКО. Ф. П-1290. Оп. 1. Д. 123. Л. 45 об.")
    (raw / "inventory.csv").write_text(
        "path,archive,fond,opis,delo,first_folio,folio_side\nф.П-1290/оп.1/д.123/protocol,ЦГАКО,,,,12,recto\n",
        encoding="utf-8",
    )
    bureau("ingest")
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT folio FROM pages ORDER BY page_no").fetchall() == [
            ("12",),
            ("13",),
            ("14",),
        ]
