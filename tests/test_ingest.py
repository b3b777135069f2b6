"""Ingest: documents and pages recorded, bad inputs reported and recorded, re-ingest incremental."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bureaucli.errors import ExitCode
from bureaucli.ingest import natural_key
from conftest import status_json
from inputs import (
    PROTOCOL_PAGE,
    bomb_png,
    encrypted_pdf,
    image_pdf,
    multipage_tiff,
    page_image,
    text_pdf,
)


def catalog_rows(workspace: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(workspace / "data" / "extracted" / "catalog.sqlite") as conn:
        return conn.execute(sql).fetchall()


def test_documents_of_every_kind_are_recorded_with_their_pages(workspace, bureau):
    raw = workspace / "data" / "raw"
    for name in ("1.png", "2.png", "10.png"):
        page_image(raw / "folder_doc" / name, dpi=300)
    multipage_tiff(raw / "scan.tif", pages=3)
    image_pdf(raw / "images.pdf", pages=2)
    text_pdf(raw / "born_digital.pdf")
    (raw / "transcript.txt").write_text(PROTOCOL_PAGE + "\f" + PROTOCOL_PAGE, encoding="utf-8")

    result = bureau("ingest")

    assert result.exit_code == 0, result.output
    assert "5 new, 0 changed, 0 unchanged, 0 removed" in result.stdout
    docs = dict(catalog_rows(workspace, "SELECT path, kind || ':' || page_count FROM documents"))
    assert docs == {
        "folder_doc": "image_folder:3",
        "scan.tif": "tiff:3",
        "images.pdf": "pdf:2",
        "born_digital.pdf": "pdf:1",
        "transcript.txt": "transcript:2",
    }
    folder_pages = catalog_rows(
        workspace,
        "SELECT p.source_path, p.dpi, p.needs_ocr FROM pages p JOIN documents d USING (doc_id) "
        "WHERE d.path = 'folder_doc' ORDER BY p.page_no",
    )
    assert [row[0] for row in folder_pages] == ["folder_doc/1.png", "folder_doc/2.png", "folder_doc/10.png"]
    assert all(row[1] == 300 and row[2] == 1 for row in folder_pages)
    layers = dict(
        catalog_rows(
            workspace,
            "SELECT d.path, p.needs_ocr FROM pages p JOIN documents d USING (doc_id) WHERE p.page_no = 1",
        )
    )
    assert layers["born_digital.pdf"] == 0, "a page with a text layer needs no OCR"
    assert layers["images.pdf"] == 1
    assert layers["transcript.txt"] == 0


def test_ids_derive_from_paths_and_survive_reingest(workspace, bureau):
    page_image(workspace / "data" / "raw" / "d" / "1.png")
    bureau("ingest")
    before = catalog_rows(workspace, "SELECT doc_id, page_id FROM pages")
    (workspace / "data" / "extracted" / "catalog.sqlite").unlink()
    bureau("ingest")
    assert catalog_rows(workspace, "SELECT doc_id, page_id FROM pages") == before


def test_reingest_reports_unchanged_changed_and_removed(workspace, bureau, monkeypatch):
    raw = workspace / "data" / "raw"
    (raw / "a.txt").write_text(PROTOCOL_PAGE, encoding="utf-8")
    (raw / "b.txt").write_text(PROTOCOL_PAGE, encoding="utf-8")
    page_image(raw / "c" / "1.png")
    assert "3 new" in bureau("ingest").stdout

    hashed: list[Path] = []
    import bureaucli.pipeline as pipeline

    real_sha = pipeline.file_sha256
    monkeypatch.setattr(pipeline, "file_sha256", lambda p: hashed.append(p) or real_sha(p))
    assert "0 new, 0 changed, 3 unchanged, 0 removed" in bureau("ingest").stdout
    assert hashed == [], "unchanged files are recognised by size and mtime, not re-hashed"

    (raw / "a.txt").write_text(PROTOCOL_PAGE + "\nдополнение", encoding="utf-8")
    (raw / "b.txt").unlink()
    assert "0 new, 1 changed, 1 unchanged, 1 removed" in bureau("ingest").stdout
    assert [p.name for p in hashed] == ["a.txt"]
    statuses = dict(catalog_rows(workspace, "SELECT path, status FROM documents"))
    assert statuses == {"a.txt": "ok", "b.txt": "removed", "c": "ok"}, "removed documents stay in the catalog"


def test_touched_but_identical_file_counts_as_unchanged(workspace, bureau):
    path = workspace / "data" / "raw" / "a.txt"
    path.write_text(PROTOCOL_PAGE, encoding="utf-8")
    bureau("ingest")
    os.utime(path, ns=(1, 1))
    assert "0 changed, 1 unchanged" in bureau("ingest").stdout


BAD_INPUTS = {
    "empty.pdf": "empty file",
    "truncated.pdf": "not a readable PDF",
    "locked.pdf": "encrypted PDF",
    "notes.png": "not an image",
    "noise.tif": "not an image",
    "bomb.png": "decompression bomb",
}


def make_bad_inputs(raw: Path) -> None:
    (raw / "empty.pdf").write_bytes(b"")
    good = image_pdf(raw / "tmp.pdf", pages=2).read_bytes()
    (raw / "tmp.pdf").unlink()
    (raw / "truncated.pdf").write_bytes(good[: len(good) // 3])
    encrypted_pdf(raw / "locked.pdf")
    (raw / "notes.png").write_text("this is a text file, not an image", encoding="utf-8")
    (raw / "noise.tif").write_bytes(os.urandom(4096))
    bomb_png(raw / "bomb.png")


def test_bad_inputs_are_reported_recorded_and_do_not_stop_the_run(workspace, bureau):
    raw = workspace / "data" / "raw"
    make_bad_inputs(raw)
    (raw / "good.txt").write_text(PROTOCOL_PAGE, encoding="utf-8")
    (raw / "readme.docx").write_bytes(b"PK")
    (raw / "scan.xml").write_text("<x/>")

    result = bureau("ingest")

    assert result.exit_code == ExitCode.INPUT_FAILURES
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    for name, reason in BAD_INPUTS.items():
        lines = [line for line in errors if line.startswith(f"{name}:")]
        assert len(lines) == 1 and reason in lines[0], (name, errors)
    assert "Traceback" not in result.output
    assert "ignored 2 file(s) with unsupported extensions (.docx ×1, .xml ×1)" in result.stdout
    status = status_json(bureau)
    assert {f["target"] for f in status["failures"]} == set(BAD_INPUTS)
    assert status["counts"]["documents"] == 1, "the good transcript is ingested"

    again = bureau("ingest")
    assert again.exit_code == ExitCode.INPUT_FAILURES, "inputs that still fail keep the exit code at 3"
    assert "6 unchanged input(s) failed on an earlier run" in again.stderr


def test_bad_page_in_an_image_folder_leaves_the_other_pages(workspace, bureau):
    folder = workspace / "data" / "raw" / "protocol"
    page_image(folder / "1.png")
    (folder / "2.png").write_bytes(b"garbage")
    page_image(folder / "3.png")
    result = bureau("ingest")
    assert result.exit_code == ExitCode.INPUT_FAILURES
    assert result.stderr.startswith("protocol/2.png: not an image")
    assert catalog_rows(workspace, "SELECT page_count FROM documents") == [(2,)]


def test_unreadable_file_is_reported(workspace, bureau, monkeypatch):
    path = workspace / "data" / "raw" / "secret.txt"
    path.write_text(PROTOCOL_PAGE, encoding="utf-8")
    if os.geteuid() == 0:  # root reads anything; make the open fail as it would for a user
        import builtins

        real_open = builtins.open

        def guarded_open(file, *args, **kwargs):
            if str(file) == str(path):
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", guarded_open)
    else:
        path.chmod(0)
    result = bureau("ingest")
    assert result.exit_code == ExitCode.INPUT_FAILURES
    assert "secret.txt: cannot read the file: permission denied" in result.stderr


@pytest.mark.parametrize("encoding", ["cp1251", "koi8-r"])
def test_non_utf8_transcript_is_decoded_with_a_warning(workspace, bureau, encoding):
    text = PROTOCOL_PAGE.replace("№", "N")  # KOI8-R has no №
    (workspace / "data" / "raw" / "old.txt").write_bytes(text.encode(encoding))
    result = bureau("ingest")
    assert result.exit_code == 0
    assert f"old.txt: warning: not UTF-8; decoded as {encoding}" in result.stderr
    assert catalog_rows(workspace, "SELECT text_layer FROM pages") == [(text,)]


def test_changed_document_invalidates_only_its_own_downstream_results(workspace, bureau):
    raw = workspace / "data" / "raw"
    (raw / "a.txt").write_text(PROTOCOL_PAGE, encoding="utf-8")
    (raw / "b.txt").write_text(PROTOCOL_PAGE, encoding="utf-8")
    bureau("ingest")
    with sqlite3.connect(workspace / "data" / "extracted" / "catalog.sqlite") as conn:
        conn.execute("INSERT INTO segmentations SELECT doc_id, 'x', 'now' FROM documents")
    (raw / "a.txt").write_text(PROTOCOL_PAGE + "\nещё", encoding="utf-8")
    bureau("ingest")
    left = catalog_rows(workspace, "SELECT d.path FROM segmentations JOIN documents d USING (doc_id)")
    assert left == [("b.txt",)]


def test_natural_sort_puts_2_before_10():
    assert sorted(["10.png", "2.png", "1.png"], key=natural_key) == ["1.png", "2.png", "10.png"]


def test_missing_raw_folder_is_a_usage_error(tmp_path):
    from click.testing import CliRunner

    from bureaucli.cli import cli

    result = CliRunner().invoke(cli, ["-C", str(tmp_path), "ingest"])
    assert result.exit_code == ExitCode.USAGE_ERROR
    assert "has no data/raw/ folder" in result.stderr


def test_second_concurrent_run_is_refused(workspace, bureau):
    from bureaucli.workspace import Workspace

    ws = Workspace.open(workspace)
    with ws.lock():
        result = bureau("ingest")
    assert result.exit_code == ExitCode.USAGE_ERROR
    assert "another bureau command" in result.stderr


def test_cli_runs_as_a_real_subprocess(workspace):
    (workspace / "data" / "raw" / "a.txt").write_text(PROTOCOL_PAGE, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "bureaucli", "-C", str(workspace), "ingest"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "1 new, 0 changed, 0 unchanged, 0 removed" in proc.stdout


def test_tiff_resolution_stored_as_a_fraction_is_recorded(workspace, bureau):
    """Pillow reads TIFF resolutions as IFDRational; ingest took them for missing and recorded 300 dpi."""
    multipage_tiff(workspace / "data" / "raw" / "scan.tif", pages=2)

    assert bureau("ingest").exit_code == 0

    assert catalog_rows(workspace, "SELECT DISTINCT dpi FROM pages") == [(200,)]
