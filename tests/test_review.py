"""`bureau review` through Flask's test client: the token, paths from requests, escaping, the queue, and
saves that write what `bureau correct` writes. The real server in a browser is in test_review_browser.py."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from bureaucli.catalog import Catalog
from bureaucli.cli import cli
from bureaucli.corrections import add_person_override, set_case_fields
from bureaucli.review_app import COOKIE, TOKEN_HEADER, ImageCache, create_app
from bureaucli.review_page import align_lines
from bureaucli.workspace import Workspace
from test_report import PROTOCOL_5, PROTOCOL_31

TOKEN = "test-token"
HOST = "127.0.0.1:8765"

DOC_5 = "f1290_op1_d7/protocol_5.txt"
DOC_31 = "f1290_op1_d7/protocol_31.txt"


def run_bureau(root: Path, *args: str, **kwargs):
    return CliRunner().invoke(cli, ["-C", str(root), *args], catch_exceptions=False, **kwargs)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """Two transcripts after `bureau run`: Мохов expelled and reinstated, Кириллова without a decision."""
    root = tmp_path_factory.mktemp("review") / "ws"
    folder = root / "data" / "raw" / "f1290_op1_d7"
    folder.mkdir(parents=True)
    (folder / "protocol_5.txt").write_text(PROTOCOL_5, encoding="utf-8")
    (folder / "protocol_31.txt").write_text(PROTOCOL_31, encoding="utf-8")
    assert run_bureau(root, "run").exit_code == 0
    return root


@pytest.fixture
def root(template, tmp_path) -> Path:
    copy = tmp_path / "ws"
    shutil.copytree(template, copy)
    return copy


@pytest.fixture
def client(root):
    app = create_app(Workspace.open(root), TOKEN, frozenset({HOST}))
    client = app.test_client()
    client.set_cookie(COOKIE, TOKEN, domain="127.0.0.1")
    return client


def get(client, url: str):
    return client.get(url, headers={"Host": HOST})


def post(client, url: str, data: dict, token: str = TOKEN):
    return client.post(url, json=data, headers={"Host": HOST, TOKEN_HEADER: token})


def page_id(root: Path, document: str, page_no: int = 1) -> str:
    with Catalog(root / "data" / "extracted" / "catalog.sqlite") as catalog:
        return catalog.scalar(
            "SELECT page_id FROM pages p JOIN documents d USING (doc_id) WHERE d.path = ? AND p.page_no = ?",
            (document, page_no),
        )


def case_id(root: Path, surname: str, document: str = DOC_5) -> str:
    cases = pd.read_parquet(root / "data" / "extracted" / "tables" / "cases.parquet")
    return cases[(cases.surname == surname) & (cases.document == document)].case_id.iloc[0]


def corrections(root: Path) -> list[str]:
    base = root / "data" / "corrections"
    return sorted(p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file())


def counts(html: str) -> dict[str, int]:
    """The queue's sections and their sizes, as the queue page shows them."""
    found = re.findall(r'<span class="(?:count-bad|ok)">([^<:]+(?::[^<:]+)?): ([\d,]+)</span>', html)
    return {title: int(n.replace(",", "")) for title, n in found}


# --- safe by default ------------------------------------------------------------------------------


def test_requests_without_the_token_are_refused(root):
    app = create_app(Workspace.open(root), TOKEN, frozenset({HOST}))
    client = app.test_client()
    assert get(client, "/").status_code == 403
    assert get(client, "/?token=wrong").status_code == 403
    assert get(client, "/static/review.js").status_code == 403
    first = get(client, "/?token=test-token&document=protocol_5")
    assert first.status_code == 302 and first.headers["Location"] == "/?document=protocol_5", (
        "token leaves the URL"
    )
    assert "HttpOnly" in first.headers["Set-Cookie"] and "SameSite=Strict" in first.headers["Set-Cookie"]
    assert get(client, "/").status_code == 200, "the cookie carries the token"
    target = f"/api/case/{case_id(root, 'Кириллова')}"
    assert post(client, target, {"fields": {"sector": "party"}}, token="").status_code == 403, (
        "writes need the header"
    )
    assert client.get("/", headers={"Host": "attacker.example:8765"}).status_code == 400, "DNS rebinding"
    assert corrections(root) == []


def test_paths_from_requests_never_reach_the_file_system(root, client):
    outside = root.parent / "secret.txt"
    outside.write_text("secret", encoding="utf-8")
    for url in (
        "/page/..%2F..%2Fsecret.txt",
        "/page/../../secret.txt/image/captured",
        f"/page/{page_id(root, DOC_5)}/image/..%2F..%2Fsecret.txt",
    ):
        response = get(client, url)
        assert response.status_code in (400, 404), url
        assert b"secret" not in response.data
    for url, data in (
        ("/api/page/..%2F..%2Fsecret.txt/text", {"text": "x"}),
        ("/api/case/../../secret/person", {"action": "split"}),
        (f"/api/case/{case_id(root, 'Мохов')}/person", {"action": "merge", "other": "../../secret.txt"}),
        ("/api/accept", {"file": "../../secret.txt"}),
        (f"/api/case/{case_id(root, 'Мохов')}", {"fields": {"../../x": "1"}}),
    ):
        assert post(client, url, data).status_code in (400, 404), url
    assert corrections(root) == [] and outside.read_text(encoding="utf-8") == "secret"


def test_ocr_files_outside_the_workspace_are_not_read(root, client):
    """A catalog row naming a TSV elsewhere (a moved workspace, a crafted catalog) draws no boxes from it."""
    stray = root.parent / "words.tsv"
    stray.write_text(
        "level\n1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n5\t1\t1\t1\t1\t1\t1\t1\t9\t9\t96\tСЕКРЕТ\n"
    )
    pid = page_id(root, DOC_5)
    with sqlite3.connect(root / "data" / "extracted" / "catalog.sqlite") as conn:
        conn.execute(
            "INSERT INTO ocr_results (page_id, cache_key, text, tsv_path, done_at) VALUES (?, 'k', ?, ?, 'now')",
            (pid, PROTOCOL_5, str(stray)),
        )
    page = get(client, f"/page/{pid}")
    assert page.status_code == 200 and "СЕКРЕТ" not in page.get_data(as_text=True)


def test_markup_in_text_and_fields_is_escaped(root, client):
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    pid = page_id(root, DOC_5)
    assert post(client, f"/api/page/{pid}/text", {"text": PROTOCOL_5 + hostile + "\n"}).status_code == 200
    kirillova = case_id(root, "Кириллова")
    saved = post(
        client, f"/api/case/{kirillova}", {"fields": {"position": hostile, "decisions": ["reprimand"]}}
    )
    assert saved.status_code == 200, saved.get_json()
    html = get(client, f"/page/{pid}").get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'value="&lt;script&gt;alert(1)' in html, "the field is shown escaped"
    assert get(client, f"/?document={hostile}").status_code == 200


# --- saves ----------------------------------------------------------------------------------------


def test_saving_a_page_writes_what_bureau_correct_writes(root, client, monkeypatch):
    fixed = PROTOCOL_5.replace("учительницы", "учительницы\nПОСТАНОВИЛИ: Кириллову А.С. из партии исключить.")
    response = post(client, f"/api/page/{page_id(root, DOC_5)}/text", {"text": fixed})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["saved"] == f"data/corrections/text/{DOC_5}/1.txt"
    path = root / response.get_json()["saved"]
    by_review = path.read_bytes()
    with Catalog(root / "data" / "extracted" / "catalog.sqlite") as catalog:
        anchor = catalog.query("SELECT target, anchor_sha FROM correction_anchors")
        decisions = catalog.scalar("SELECT decisions FROM cases WHERE name_as_written LIKE 'Кирилл%'")
    assert json.loads(decisions) == ["expel"], "the document was segmented again at once"

    path.unlink()
    monkeypatch.setattr("click.edit", lambda text, **_: fixed)
    assert run_bureau(root, "correct", DOC_5, "1").exit_code == 0
    assert corrections(root) == [f"text/{DOC_5}/1.txt"]
    assert path.read_bytes() == by_review
    with Catalog(root / "data" / "extracted" / "catalog.sqlite") as catalog:
        assert [tuple(r) for r in catalog.query("SELECT target, anchor_sha FROM correction_anchors")] == [
            tuple(r) for r in anchor
        ]


def test_saving_a_case_writes_only_the_changed_fields_to_cases_csv(root, client):
    kirillova = case_id(root, "Кириллова")
    page = get(client, f"/page/{page_id(root, DOC_5)}").get_data(as_text=True)
    assert f'id="case-{kirillova}"' in page
    fields = {"surname": "Кириллова", "decisions": ["reprimand", "remove_from_post"], "decision_text": ""}
    answer = post(client, f"/api/case/{kirillova}", {"fields": fields}).get_json()
    assert answer == {"changed": ["decisions"]}
    rows = list(csv.reader(io.StringIO((root / "data/corrections/cases.csv").read_text(encoding="utf-8"))))
    assert rows == [["case_id", "field", "value"], [kirillova, "decisions", "reprimand;remove_from_post"]]
    again = post(client, f"/api/case/{kirillova}", {"fields": fields}).get_json()
    assert again == {"changed": []}, "the saved value is now the case's own"

    assert run_bureau(root, "run").exit_code == 0
    cases = pd.read_parquet(root / "data" / "extracted" / "tables" / "cases.parquet").set_index("case_id")
    assert list(cases.loc[kirillova, "decisions"]) == ["reprimand", "remove_from_post"]


def test_a_write_while_a_run_holds_the_lock_answers_busy(root, client):
    kirillova = case_id(root, "Кириллова")
    with Workspace.open(root).lock():
        busy = post(client, f"/api/case/{kirillova}", {"fields": {"sector": "party"}})
        assert get(client, "/").status_code == 200, "reading goes on"
    assert busy.status_code == 409 and busy.get_json()["error"].startswith("busy, try again")
    assert corrections(root) == []
    assert post(client, f"/api/case/{kirillova}", {"fields": {"sector": "party"}}).status_code == 200


def test_split_and_merge_write_persons_csv(root, client):
    mokhov_5, mokhov_31 = case_id(root, "Мохов"), case_id(root, "Мохов", DOC_31)
    assert post(client, f"/api/case/{mokhov_31}/person", {"action": "split"}).status_code == 200
    assert post(client, f"/api/case/{mokhov_31}/person", {"action": "split"}).status_code == 200
    assert run_bureau(root, "run").exit_code == 0
    persons = pd.read_parquet(root / "data" / "extracted" / "tables" / "cases.parquet").set_index("case_id")
    assert persons.loc[mokhov_5, "person_id"] != persons.loc[mokhov_31, "person_id"]
    assert (
        post(client, f"/api/case/{mokhov_31}/person", {"action": "merge", "other": mokhov_5}).status_code
        == 200
    )
    assert (root / "data/corrections/persons.csv").read_text(encoding="utf-8").splitlines() == [
        "action,mention_id,other_mention_id,canonical_name",
        f"split,{mokhov_31},,",
        f"merge,{mokhov_31},{mokhov_5},",
    ], "a row already there is not repeated"


def test_accepting_a_stale_text_correction_applies_it_again(root, client):
    correction = root / "data" / "corrections" / "text" / DOC_31 / "1.txt"
    correction.parent.mkdir(parents=True)
    correction.write_text(
        PROTOCOL_31.replace("восстановить", "восстановить, объявив выговор"), encoding="utf-8"
    )
    assert run_bureau(root, "run").exit_code == 0
    (root / "data" / "raw" / DOC_31).write_text(PROTOCOL_31 + "\nПредседатель\n", encoding="utf-8")
    assert run_bureau(root, "run").exit_code == 0
    label = f"text/{DOC_31}/1.txt"
    queue = get(client, "/").get_data(as_text=True)
    assert f'data-accept="{label}"' in queue
    assert post(client, "/api/accept", {"file": label}).status_code == 200
    assert f'data-accept="{label}"' not in get(client, "/").get_data(as_text=True)
    status = json.loads(run_bureau(root, "status", "--json").stdout)
    assert status["stale_corrections"] == []
    assert post(client, "/api/accept", {"file": label}).status_code == 404, "nothing stale to accept"


# --- the queue ------------------------------------------------------------------------------------


def test_queue_lists_what_to_check_filters_and_pages(root, client):
    stray = root / "data" / "corrections" / "text" / DOC_5 / "9.txt"
    stray.parent.mkdir(parents=True)
    stray.write_text("нет такой страницы", encoding="utf-8")
    html = get(client, "/").get_data(as_text=True)
    assert {k: v for k, v in counts(html).items() if v} == {
        "Cases flagged for review": 1,
        "Personal cases without a parsed decision": 1,
        "Stale corrections": 1,
    }
    assert f"/page/{page_id(root, DOC_5)}?at=0" in html, "the undecided item links to its page"
    assert "Personal cases without a parsed decision: 0" in get(client, "/?document=protocol_31").get_data(
        as_text=True
    )
    assert "Personal cases without a parsed decision: 1" in get(client, "/?body=Слободского").get_data(
        as_text=True
    )
    assert "Personal cases without a parsed decision: 0" in get(client, "/?from=1938-01-01").get_data(
        as_text=True
    )

    with sqlite3.connect(root / "data" / "extracted" / "catalog.sqlite") as conn:
        doc = conn.execute("SELECT doc_id FROM documents WHERE path = ?", (DOC_31,)).fetchone()[0]
        conn.executemany(
            "INSERT INTO pages (page_id, doc_id, page_no, source_path, source_index, content_sha256, needs_ocr) "
            "VALUES (?, ?, ?, ?, 0, 'x', 1)",
            [(f"P{k}", doc, k + 2, DOC_31) for k in range(10_000)],
        )
        conn.executemany(
            "INSERT INTO ocr_results (page_id, cache_key, text, mean_confidence, low_confidence, done_at) "
            "VALUES (?, 'k', '', ?, 1, 'now')",
            [(f"P{k}", 50 + k % 17) for k in range(10_000)],
        )
    last = get(client, "/?offset=9990").get_data(as_text=True)
    assert counts(last)["Pages with low OCR confidence"] == 10_000 and "of 10,003" in last, counts(last)
    assert last.count('<tr class="entry') == 13, "the last 10 pages, then the other sections"


def test_line_alignment_follows_the_text_not_the_order():
    ocr = ["ПРОТОКОЛ № 5", "1. СЛУШАЛИ: Персональное дело тов. Мохова", "ПОСТАНОВИЛИ: исключить."]
    text = [
        "ПРОТОКОЛ № 5",
        "",
        "1. СЛУШАЛИ: Персональное дело тов. Мохова И.П.",
        "вставлено",
        "ПОСТАНОВИЛИ: исключить.",
    ]
    assert align_lines(text, ocr) == [0, None, 1, None, 2]


def test_corrections_writers_keep_rows_they_do_not_set(tmp_path):
    cases = tmp_path / "cases.csv"
    cases.write_text(
        "\ufeffcase_id,field,value,note\nA,surname,Орлов,mine\nB,sector,party,\n", encoding="utf-8"
    )
    set_case_fields(tmp_path, "A", {"surname": "Орлова", "accusations": ["religion", "passivity"]})
    assert cases.read_text(encoding="utf-8").splitlines() == [
        "case_id,field,value,note",
        "B,sector,party,",
        "A,surname,Орлова,",
        "A,accusations,religion;passivity,",
    ]
    add_person_override(tmp_path, "split", "A")
    add_person_override(tmp_path, "split", "A")
    assert (tmp_path / "persons.csv").read_text(encoding="utf-8") == (
        "action,mention_id,other_mention_id,canonical_name\nsplit,A,,\n"
    )


def test_the_command_prints_the_address_first_and_warns_about_another_host(template):
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bureaucli",
            "-C",
            str(template),
            "review",
            "--no-browser",
            "--host",
            "0.0.0.0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = process.stdout.readline().strip()
        warning = process.stderr.readline()
        with urllib.request.urlopen(url.split("?")[0]) as refused:  # noqa: S310 - our own server
            pytest.fail(f"answered {refused.status} without the token")
    except urllib.error.HTTPError as error:
        assert error.code == 403
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?token=[\w-]{32}", url)
    assert warning.startswith("warning: listening on 0.0.0.0: anyone who can reach this machine")


def test_image_cache_makes_a_prefetched_image_once_and_keeps_the_last_few():
    made: list[str] = []

    def make(name: str):
        return lambda: made.append(name) or name.encode()

    cache = ImageCache(2)
    cache.prefetch(("next",), make("next"))
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and thread.daemon:
            thread.join(timeout=5)
    assert cache.get(("next",), make("again")) == b"next" and made == ["next"]
    cache.get(("b",), make("b"))
    cache.get(("c",), make("c"))
    assert cache.get(("next",), make("next")) == b"next" and made == ["next", "b", "c", "next"], "dropped"


def test_duplicates_and_failures_are_in_the_queue_and_a_pair_opens_ready_to_merge(root, client):
    mokhov_5, mokhov_31 = case_id(root, "Мохов"), case_id(root, "Мохов", DOC_31)
    with sqlite3.connect(root / "data" / "extracted" / "catalog.sqlite") as conn:
        conn.execute(
            "INSERT INTO review_pairs VALUES (?, ?, 81, 'one initial, common surname')", (mokhov_5, mokhov_31)
        )
        conn.execute(
            "INSERT INTO failures VALUES ('ingest', 'broken.pdf', NULL, 'not a readable PDF', 'now')"
        )
    html = get(client, "/").get_data(as_text=True)
    assert counts(html)["Possible duplicates: one person or two?"] == 1 and counts(html)["Failures"] == 1
    assert "[ingest] not a readable PDF" in html
    link = re.search(r'<tr class="entry duplicates" data-href="([^"]+)"', html)[1].replace("&amp;", "&")
    assert link.endswith(f"&merge={mokhov_31}#case-{mokhov_5}")
    page = get(client, link.split("#")[0]).get_data(as_text=True)
    form = page.split(f'id="case-{mokhov_5}"')[1].split("</form>")[0]
    assert f'class="other" placeholder="case_id" value="{mokhov_31}"' in form
    assert "Failures: 0" in get(client, "/?body=райкома").get_data(as_text=True), (
        "an input failure has no body"
    )


def test_accepting_a_stale_case_correction_anchors_it_to_the_new_text(root, client):
    mokhov = case_id(root, "Мохов")
    (root / "data" / "corrections").mkdir()
    (root / "data" / "corrections" / "cases.csv").write_text(
        f"case_id,field,value\n{mokhov},sector,industry\n", encoding="utf-8"
    )
    assert run_bureau(root, "run").exit_code == 0
    (root / "data" / "raw" / DOC_5).write_text(
        PROTOCOL_5.replace("Тарасовым", "Тарасовым и Крюковым"), "utf-8"
    )
    assert run_bureau(root, "run").exit_code == 0
    entry = re.search(
        r'<tr class="entry stale"[^>]*data-accept="([^"]+)"', get(client, "/").get_data(as_text=True)
    )
    assert entry[1] == "cases.csv line 2"
    assert post(client, "/api/accept", {"file": entry[1]}).status_code == 200
    assert json.loads(run_bureau(root, "status", "--json").stdout)["stale_corrections"] == []


def test_a_port_in_use_is_a_one_line_error(template):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["-C", str(template), "review", "--no-browser", "--port", str(port)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: cannot listen on 127.0.0.1 port {port}: Address already in use")
    assert result.stderr.count("\n") == 1
