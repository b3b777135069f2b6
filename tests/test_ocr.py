"""`bureau ocr`: accuracy bounds, word boxes and confidence, the cache, missing Tesseract, failed pages,
text layers, and Ctrl-C — on small pages rendered at test time."""

from __future__ import annotations

import dataclasses
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from bureaucli import imaging, ocr
from bureaucli.errors import ExitCode
from bureaucli.ocr import (
    EngineInfo,
    OcrPageError,
    OcrTask,
    PageImageRef,
    character_error_rate,
    load_page_image,
    ocr_cache_key,
    ocr_page,
)
from bureaucli.settings import OcrSettings
from conftest import status_json
from inputs import text_pdf
from ocr_pages import COLUMNS_TEXT, PLAIN_TEXT, needs_tesseract, ocr_image, render, save_page, typewriter

ENGINE = EngineInfo(version="5.3.0", lang="rus", traineddata_sha256="ab" * 32)
INSTALL = "apt-get install tesseract-ocr tesseract-ocr-rus"


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Three short pages: clean and worn plain text, and a clean two-column page."""
    folder = tmp_path_factory.mktemp("pages")
    rendered = {
        "clean": render(PLAIN_TEXT, quality="clean"),
        "worn": render(PLAIN_TEXT, quality="worn", rotation=None, seed=1),
        "columns": render(COLUMNS_TEXT, layout="columns", quality="clean"),
    }
    return {name: save_page(page.image, folder / f"{name}.png") for name, page in rendered.items()}


@pytest.fixture
def scans(workspace: Path, pages: dict[str, Path]) -> Path:
    """Protocol d1/protocol_1 with two pages (clean, worn) and d2/protocol_2 with the two-column page."""
    first = workspace / "data" / "raw" / "f1_op1_d1" / "protocol_1"
    second = workspace / "data" / "raw" / "f1_op1_d2" / "protocol_2"
    for folder, names in ((first, ("clean", "worn")), (second, ("columns",))):
        folder.mkdir(parents=True)
        for number, name in enumerate(names, 1):
            shutil.copy(pages[name], folder / f"{number:04d}.png")
    return workspace


@pytest.fixture
def fresh_engine_info():
    """`engine_info` is cached per process; tests that break Tesseract must not see or leave a cached one."""
    ocr.engine_info.cache_clear()
    yield
    ocr.engine_info.cache_clear()


def ocr_rows(workspace: Path) -> dict[str, sqlite3.Row]:
    """The OCR results by `document/page_no`."""
    with sqlite3.connect(workspace / "data" / "extracted" / "catalog.sqlite") as conn:
        conn.row_factory = sqlite3.Row
        rows = conn.execute(
            """SELECT d.path || '/' || p.page_no AS page, o.* FROM ocr_results o
               JOIN pages p USING (page_id) JOIN documents d USING (doc_id)"""
        ).fetchall()
    return {row["page"]: row for row in rows}


# --- accuracy, word boxes, confidence -------------------------------------------------------------


@pytest.mark.ocr
@needs_tesseract
@pytest.mark.parametrize(("quality", "bound"), [("clean", 0.01), ("worn", 0.02)])
def test_character_error_rate_is_within_bounds(quality, bound, tmp_path):
    page = render(PLAIN_TEXT, quality=quality, rotation=None, seed=1)
    result = ocr_image(save_page(page.image, tmp_path / "page.png"), tmp_path)
    assert character_error_rate(result.text, page.text) <= bound
    assert result.layout == "single"


@pytest.mark.ocr
@needs_tesseract
def test_ocr_records_text_word_boxes_and_confidence(scans, bureau):
    assert bureau("ingest").exit_code == 0
    result = bureau("ocr", "--workers", "2")
    assert result.exit_code == 0, result.output
    assert "ocr: 3 page(s) OCR'd" in result.stdout
    rows = ocr_rows(scans)
    assert set(rows) == {"f1_op1_d1/protocol_1/1", "f1_op1_d1/protocol_1/2", "f1_op1_d2/protocol_2/1"}
    for row in rows.values():
        assert Path(row["text_path"]).read_text(encoding="utf-8") == row["text"]
        tsv = Path(row["tsv_path"]).read_text(encoding="utf-8").splitlines()
        assert tsv[0].split("\t") == [
            *("level", "page_num", "block_num", "par_num", "line_num", "word_num"),
            *("left", "top", "width", "height", "conf", "text"),
        ]
        assert row["word_count"] == sum(
            1 for line in tsv[1:] if line.startswith("5\t") and line.split("\t")[11].strip()
        )
        assert 80 < row["mean_confidence"] <= 100 and row["low_confidence"] == 0
    assert rows["f1_op1_d2/protocol_2/1"]["layout"] == "two_column"
    assert rows["f1_op1_d2/protocol_2/1"]["text"].startswith("ПРОТОКОЛ № 8")
    assert status_json(bureau)["counts"]["pages_ocr_done"] == 3


@pytest.mark.ocr
@needs_tesseract
def test_low_confidence_flag_follows_the_threshold_without_ocr_again(scans, bureau):
    """Regression: the threshold is not in the cache key, so cached pages kept the flag of the old one."""
    assert bureau("ingest").exit_code == 0 and bureau("ocr").exit_code == 0
    (scans / "bureau.toml").write_text("[ocr]\nlow_confidence = 99.5\n", encoding="utf-8")
    again = bureau("ocr")
    assert "0 page(s) OCR'd" in again.stdout
    assert all(row["low_confidence"] == 1 for row in ocr_rows(scans).values())
    assert status_json(bureau)["counts"]["pages_low_confidence"] == 3
    (scans / "bureau.toml").unlink()
    bureau("ocr")
    assert all(row["low_confidence"] == 0 for row in ocr_rows(scans).values())


# --- cache ------------------------------------------------------------------------------------------


@pytest.mark.ocr
@needs_tesseract
def test_a_second_run_ocrs_nothing_and_redo_pages_and_documents_limit_the_work(scans, bureau):
    assert bureau("ingest").exit_code == 0
    assert "3 page(s) OCR'd" in bureau("ocr").stdout
    text_file = Path(ocr_rows(scans)["f1_op1_d1/protocol_1/1"]["text_path"])
    written = text_file.stat().st_mtime_ns
    again = bureau("ocr")
    assert again.exit_code == 0 and "ocr: 0 page(s) OCR'd, 3 cached" in again.stdout
    assert text_file.stat().st_mtime_ns == written
    assert "1 page(s) OCR'd" in bureau("ocr", "--redo", "--pages", "2").stdout
    assert "1 page(s) OCR'd" in bureau("ocr", "--redo", "f1_op1_d2/protocol_2").stdout
    assert "2 page(s) OCR'd" in bureau("ocr", "--redo", "f1_op1_d1/*").stdout
    assert text_file.stat().st_mtime_ns != written


@pytest.mark.parametrize(
    ("change", "new_key"),
    [
        ({"lang": "rus+eng"}, True),
        ({"binarize": True}, True),
        ({"deskew": False}, True),
        ({"upscale_below_dpi": 150}, True),
        ({"psm": 4}, True),
        ({"render_dpi": 400}, True),
        ({"workers": 7}, False),
        ({"page_timeout": 5.0}, False),
        ({"low_confidence": 50.0}, False),
        ({"retries": 3}, False),
    ],
)
def test_cache_key_changes_with_what_shapes_the_text_only(change, new_key):
    before = ocr_cache_key("f" * 64, OcrSettings(), ENGINE)
    after = ocr_cache_key("f" * 64, dataclasses.replace(OcrSettings(), **change), ENGINE)
    assert (before != after) == new_key


def test_cache_key_changes_with_the_image_and_the_engine():
    key = ocr_cache_key("f" * 64, OcrSettings(), ENGINE)
    assert ocr_cache_key("e" * 64, OcrSettings(), ENGINE) != key
    assert ocr_cache_key("f" * 64, OcrSettings(), dataclasses.replace(ENGINE, version="5.4.0")) != key
    assert (
        ocr_cache_key("f" * 64, OcrSettings(), dataclasses.replace(ENGINE, traineddata_sha256="cd" * 32))
        != key
    )


@needs_tesseract
def test_a_worker_with_another_tesseract_refuses_the_page(pages, tmp_path):
    """A cluster worker OCRs only with the engine the driver's cache key names; the local pool's workers
    are the driver's machine and are not asked."""
    driver = dataclasses.replace(ocr.engine_info("rus"), version="0.0.1")
    source = PageImageRef(str(pages["clean"]), "image", 0, 300.0)
    task = OcrTask("p1", source, str(tmp_path), OcrSettings(), driver)

    with pytest.raises(OcrPageError, match=r"this worker has Tesseract .* the driver 0\.0\.1"):
        ocr_page(task)
    assert ocr_page(dataclasses.replace(task, engine=ocr.engine_info("rus"))).text.strip()


# --- missing Tesseract or language data ---------------------------------------------------------------


def test_missing_tesseract_is_one_clear_message_and_exit_2(scans, bureau, monkeypatch, fresh_engine_info):
    assert bureau("ingest").exit_code == 0
    monkeypatch.setenv("PATH", str(scans / "empty-path"))
    result = bureau("ocr")
    assert result.exit_code == ExitCode.USAGE_ERROR == 2
    assert result.stderr.strip().splitlines() == [
        f"Error: Tesseract OCR is not installed or does not run; install it: {INSTALL}"
    ]
    monkeypatch.setattr(ocr, "TESSERACT", str(scans / "no" / "tesseract"))
    assert bureau("ocr").exit_code == 2


@pytest.mark.ocr
@needs_tesseract
def test_missing_russian_model_is_one_clear_message_and_exit_2(scans, bureau, monkeypatch, fresh_engine_info):
    assert bureau("ingest").exit_code == 0
    (scans / "tessdata").mkdir()
    monkeypatch.setenv("TESSDATA_PREFIX", str(scans / "tessdata"))
    result = bureau("ocr")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"Error: Tesseract has no language data for 'rus'; install it: {INSTALL}"
    ]
    assert ocr_rows(scans) == {}


@pytest.mark.ocr
@needs_tesseract
def test_missing_model_of_another_language_names_its_package(scans, bureau, fresh_engine_info):
    assert bureau("ingest").exit_code == 0
    result = bureau("ocr", "--lang", "rus+xyz")
    assert result.exit_code == 2 and "apt-get install tesseract-ocr tesseract-ocr-xyz" in result.stderr


# --- failures ------------------------------------------------------------------------------------------


@pytest.mark.ocr
@needs_tesseract
def test_a_page_that_fails_is_recorded_and_the_others_go_on(scans, bureau):
    assert bureau("ingest").exit_code == 0
    page = scans / "data" / "raw" / "f1_op1_d1" / "protocol_1" / "0002.png"
    good = page.read_bytes()
    page.write_bytes(good[:200])  # damaged after ingest: the file no longer decodes
    result = bureau("ocr")
    assert result.exit_code == ExitCode.INPUT_FAILURES == 3
    assert "2 page(s) OCR'd" in result.stdout and "1 failed" in result.stdout
    assert "f1_op1_d1/protocol_1 page 2: OCR failed: cannot read page image" in result.stderr
    failures = status_json(bureau)["failures"]
    assert [(f["stage"], f["reason"].split(":")[0]) for f in failures] == [
        ("ocr", "f1_op1_d1/protocol_1 page 2")
    ]
    page.write_bytes(good)
    fixed = bureau("ocr")
    assert fixed.exit_code == 0 and "1 page(s) OCR'd" in fixed.stdout and "2 cached" in fixed.stdout
    assert status_json(bureau)["failures"] == []


@pytest.mark.ocr
@needs_tesseract
def test_a_page_over_the_timeout_fails_with_the_reason(pages, tmp_path):
    with pytest.raises(OcrPageError, match=r"timed out after 0\.01 s"):
        ocr_image(pages["clean"], tmp_path, page_timeout=0.01)
    assert not list(tmp_path.glob(".clean.*")), "the work folder is removed"


def test_resolution_declared_in_a_tiff_header_is_used(tmp_path):
    """Regression: TIFF headers hold the resolution as fractions; ingest recorded the 300-dpi default for a
    150-dpi TIFF, so its pages were never upscaled."""
    page = render(PLAIN_TEXT, dpi=150)
    tiff = typewriter.save([page, page], tmp_path / "protocol", "tif")[0]
    image, dpi = load_page_image(PageImageRef(str(tiff), "tiff", 1, 300.0), 300)
    assert dpi == 150.0
    assert "upscale:150->300" in imaging.prepare(image, dpi, OcrSettings()).steps


# --- text layers ------------------------------------------------------------------------------------


@pytest.mark.ocr
@needs_tesseract
def test_born_digital_pdf_page_keeps_its_text_layer_unless_forced(workspace, bureau):
    text_pdf(workspace / "data" / "raw" / "report.pdf")
    assert bureau("ingest").exit_code == 0
    assert "0 page(s) OCR'd" in bureau("ocr").stdout
    assert ocr_rows(workspace) == {}
    forced = bureau("ocr", "--force")
    assert forced.exit_code == 0 and "1 page(s) OCR'd" in forced.stdout
    assert ocr_rows(workspace)["report.pdf/1"]["preprocessing"].startswith('["render:300dpi"')


def test_force_does_not_ocr_transcripts(workspace, bureau):
    """Regression: --force sent the pages of .txt transcripts to Tesseract, which failed on each one."""
    (workspace / "data" / "raw" / "protocol_3.txt").write_text(PLAIN_TEXT, encoding="utf-8")
    assert bureau("ingest").exit_code == 0
    result = bureau("ocr", "--force")
    assert result.exit_code == 0, result.output
    assert "0 page(s) OCR'd" in result.stdout and "failed" not in result.output


# --- Ctrl-C -------------------------------------------------------------------------------------------


@pytest.mark.ocr
@needs_tesseract
def test_ctrl_c_keeps_finished_pages_and_the_next_run_does_only_the_rest(workspace, bureau, tmp_path):
    folder = workspace / "data" / "raw" / "f1_op1_d9" / "protocol_9"
    total = 12
    for number in range(1, total + 1):
        text = PLAIN_TEXT.replace("№ 31", f"№ {number}").split("\n\n")[0]
        save_page(render(text, quality="clean").image, folder / f"{number:04d}.png")
    assert bureau("ingest").exit_code == 0
    command = [sys.executable, "-m", "bureaucli", "-C", str(workspace), "ocr", "--workers", "2"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while len(ocr_rows(workspace)) < 2 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    done = ocr_rows(workspace)
    if process.returncode == 0:
        pytest.skip("every page was OCR'd before the interrupt arrived")
    assert process.returncode == 130, stderr
    assert "Interrupted" in stderr
    assert 2 <= len(done) < total
    assert all(Path(row["text_path"]).read_text(encoding="utf-8") == row["text"] for row in done.values())
    assert not list((workspace / "data" / "extracted" / "ocr").rglob(".*")), "no partial files left"
    assert status_json(bureau)["failures"] == []
    rest = bureau("ocr")
    assert rest.exit_code == 0
    assert f"{total - len(done)} page(s) OCR'd" in rest.stdout and f"{len(done)} cached" in rest.stdout
    assert len(ocr_rows(workspace)) == total


@pytest.mark.ocr
@needs_tesseract
def test_a_text_correction_is_still_applied_after_ocr_redo(scans, bureau):
    assert bureau("run").exit_code == 0
    fixed = PLAIN_TEXT.replace("Объявить Пестовой М.Ф. выговор", "Объявить Пестовой М.Ф. строгий выговор")
    correction = scans / "data" / "corrections" / "text" / "f1_op1_d1" / "protocol_1" / "1.txt"
    correction.parent.mkdir(parents=True)
    correction.write_text(fixed, encoding="utf-8")
    assert bureau("run").exit_code == 0
    assert "1 page(s) OCR'd" in bureau("ocr", "--redo", "--pages", "1", "f1_op1_d1/protocol_1").stdout
    rerun = bureau("run")
    assert rerun.exit_code == 0 and "0 page(s) OCR'd" in rerun.stdout
    cases = pd.read_parquet(scans / "data" / "extracted" / "tables" / "cases.parquet")
    page_1 = cases[(cases["surname"] == "Пестова") & (cases["name_page"] == 1)]
    assert [list(d) for d in page_1["decisions"]] == [["severe_reprimand"]], (
        "the correction wins over new OCR"
    )
    assert correction.read_text(encoding="utf-8") == fixed, "the pipeline never rewrites a correction"
    assert status_json(bureau)["stale_corrections"] == []
