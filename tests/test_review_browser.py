"""`bureau review` in headless Chromium, driving the real server on a small workspace: a typed scan and
two transcripts. Open the queue, accept a stale correction, fix a word on the scan, change a decision,
split a person; then `bureau run` exports what was fixed."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pandas as pd
import pytest

from ocr_pages import PLAIN_TEXT, REPO_ROOT, needs_tesseract, render, save_page
from test_review import DOC_5, DOC_31, PROTOCOL_5, PROTOCOL_31, page_id, run_bureau

sys.path.insert(0, str(REPO_ROOT / "tools"))
from screenshot_review import review_server  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
SCAN = "kotelnich/protocol_31"

pytestmark = [needs_tesseract, pytest.mark.ocr, pytest.mark.slow]


@pytest.fixture
def browser():
    if not CHROMIUM.exists():
        pytest.skip(
            f"no Chromium at {CHROMIUM}: install the Debian package chromium (tools/install_system_deps.sh)"
        )
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed: pip install -e '.[dev]'"
    )
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            yield browser, sync_api
        finally:
            browser.close()


@pytest.fixture
def workspace_with_work(tmp_path) -> Path:
    """A scan and two transcripts after `bureau run`, with a text correction gone stale (its transcript changed)."""
    root = tmp_path / "ws"
    raw = root / "data" / "raw"
    save_page(render(PLAIN_TEXT).image, raw / SCAN / "0001.png")
    (raw / DOC_5).parent.mkdir(parents=True)
    (raw / DOC_5).write_text(PROTOCOL_5, encoding="utf-8")
    (raw / DOC_31).write_text(PROTOCOL_31, encoding="utf-8")
    stale = root / "data" / "corrections" / "text" / DOC_31 / "1.txt"
    stale.parent.mkdir(parents=True)
    stale.write_text(PROTOCOL_31.replace("бывшего директора", "бывшего главного инженера"), encoding="utf-8")
    assert run_bureau(root, "run").exit_code == 0
    (raw / DOC_31).write_text(PROTOCOL_31 + "\nПредседатель бюро\n", encoding="utf-8")
    assert run_bureau(root, "run").exit_code == 0
    return root


@pytest.fixture
def server(workspace_with_work):
    """`bureau review` in a process of its own; yields the URL it printed first."""
    with review_server(workspace_with_work) as url:
        yield url


def test_a_newcomer_fixes_a_word_a_decision_and_a_person_in_the_browser(workspace_with_work, server, browser):
    root = workspace_with_work
    assert server.startswith("http://127.0.0.1:") and "/?token=" in server
    base = server.split("/?")[0]
    browser, sync_api = browser
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    outside: list[str] = []
    flash = sync_api.expect(page.locator("#flash"))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("request", lambda request: None if request.url.startswith(base) else outside.append(request.url))

    # the queue: keyboard moves the selection; the stale correction is accepted with one key
    page.goto(server)
    assert page.url == f"{base}/", "the token leaves the address bar"
    rows = page.locator("#queue tr.entry")
    assert rows.count() >= 2 and rows.filter(has_text=f"text/{DOC_31}/1.txt").count() == 1
    page.keyboard.press("j")
    assert page.locator("#queue tr.current").inner_text() == rows.nth(1).inner_text()
    page.keyboard.press("k")
    while page.locator("#queue tr.current.stale").count() == 0:
        page.keyboard.press("j")
    page.keyboard.press("a")
    flash.to_have_text(re.compile("^Accepted"))
    assert page.locator("#queue tr.entry.stale").count() == 0

    # the scan beside its text: boxes drawn, a line and its box linked, a misread word fixed
    page.goto(f"{base}/page/{page_id(root, SCAN)}")
    page.wait_for_load_state("load")
    assert page.locator("rect.word").count() > 40
    line = page.locator("#lines .line", has_text="бухгалтера")
    line.click()
    assert page.locator("rect.ocr-line.active").count() == 1, "clicking a line highlights its box"
    page.locator("rect.word").first.click(force=True)
    assert page.locator("#lines .line.active").count() == 1, "and clicking a box its line"
    line.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(line.inner_text().replace("бухгалтера", "счетовода"))
    page.keyboard.press("Control+KeyS")
    flash.to_have_text(re.compile("^Saved"))
    assert page.locator("#lines .line", has_text="счетовода").count() == 1
    assert page.locator("form.case").count() == 2, "the cases read from the corrected text are shown"

    # a decision, and a person split off
    page.goto(f"{base}/page/{page_id(root, DOC_5)}")
    kirillova = page.locator("form.case", has_text="Кириллов")
    kirillova.locator("select[name=decisions]").select_option(["reprimand"])
    kirillova.locator("button[type=submit]").click()
    flash.to_have_text(re.compile("^Saved decisions"))
    page.goto(f"{base}/page/{page_id(root, DOC_31)}")
    page.locator("form.case button.split").click()
    flash.to_have_text(re.compile("^Wrote split"))
    page.screenshot(path=root / "review.png")
    assert errors == [] and outside == []

    corrections = root / "data" / "corrections"
    assert "счетовода" in (corrections / "text" / SCAN / "1.txt").read_text(encoding="utf-8")
    assert ",decisions,reprimand" in (corrections / "cases.csv").read_text(encoding="utf-8")
    assert (corrections / "persons.csv").read_text(encoding="utf-8").count("split,") == 1

    assert run_bureau(root, "run").exit_code == 0
    cases = pd.read_parquet(root / "data" / "extracted" / "tables" / "cases.parquet").set_index("surname")
    assert "счетовод" in cases.loc["Зыков", "position"]
    assert list(cases.loc["Кириллова", "decisions"]) == ["reprimand"]
    mokhov = cases.loc["Мохов"]
    assert mokhov.person_id.nunique() == 2, "the split keeps the two cases apart"
    assert "главного инженера" in mokhov[mokhov.document == DOC_31].position.iloc[0], "accepted correction"
    assert json.loads(run_bureau(root, "status", "--json").stdout)["stale_corrections"] == []
