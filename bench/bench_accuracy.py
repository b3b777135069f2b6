#!/usr/bin/env python3
"""Extraction accuracy on scans: render the dev corpus, run the whole pipeline, score against the gold.

usage: .venv/bin/python bench/bench_accuracy.py [--conditions plain/clean,plain/worn,plain/bad,columns/worn]
           [--docs 001,004 | --limit N] [--workdir DIR] [--json OUT] [-v]

A condition is `layout/quality[/font]` (layout plain|columns, quality clean|worn|bad, font
cmu|freemono|liberation, default cmu). For each condition the corpus texts are rendered as page images
with `../shared/tools/render_scan.py` into `WORKDIR/<condition>/data/raw/NNN/` (one image folder per
document, so the document stem is the gold stem), then `bureau run` and `bureau evaluate --json` are run
on that workspace. With --workdir the workspaces are kept, and a later call reuses the rendered pages and
the OCR output, redoing only what changed (after a parser change: segmentation and names), so the OCR
cost is paid once, and each document's OCR text is left in `<workspace>/ocr_texts/` for
`bench/score_segment.py --texts`. Without it everything goes into a temporary folder removed at the end.
The `text` condition runs the same pipeline on the corpus `.txt` files themselves, as a baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
RENDER = ROOT.parent / "shared" / "tools" / "render_scan.py"
BUREAU = Path(sys.executable).with_name("bureau")
DEFAULT_CONDITIONS = "text,plain/clean,plain/worn,plain/bad,columns/worn"
METRICS = (
    ("P", "precision"),
    ("R", "recall"),
    ("F1", "f1"),
    ("surname", "surname_accuracy"),
    ("decision", "decision_accuracy"),
    ("accus.F1", "accusation_f1"),
    ("date", "date_accuracy"),
)


@dataclass(frozen=True)
class Condition:
    layout: str
    quality: str
    font: str

    @classmethod
    def parse(cls, spec: str) -> Condition:
        parts = spec.split("/")
        if parts == ["text"]:
            return cls("text", "-", "-")
        if len(parts) not in (2, 3):
            raise SystemExit(f"bad condition {spec!r}: expected layout/quality[/font] or text")
        return cls(parts[0], parts[1], parts[2] if len(parts) == 3 else "cmu")

    @property
    def name(self) -> str:
        return "text" if self.layout == "text" else f"{self.layout}-{self.quality}-{self.font}"


def render_documents(condition: Condition, texts: list[Path], raw: Path) -> None:
    """Put each corpus text into `raw` as the condition asks: a copy, or a folder of page images."""
    raw.mkdir(parents=True, exist_ok=True)
    for text in texts:
        if condition.layout == "text":
            shutil.copyfile(text, raw / text.name)
            continue
        folder = raw / text.stem
        if folder.is_dir() and any(folder.glob("*.png")):
            continue  # rendered by an earlier call
        folder.mkdir()
        subprocess.run(
            [
                sys.executable,
                str(RENDER),
                str(text),
                str(folder / "page"),
                "--layout",
                condition.layout,
                "--quality",
                condition.quality,
                "--font",
                condition.font,
                "--seed",
                str(int(text.stem) if text.stem.isdigit() else 0),
                "--format",
                "png",
            ],
            check=True,
            capture_output=True,
        )


def run_condition(condition: Condition, texts: list[Path], gold: Path, workspace: Path) -> dict:
    started = time.monotonic()
    render_documents(condition, texts, workspace / "data" / "raw")
    rendered = time.monotonic()
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    run = subprocess.run(
        [str(BUREAU), "-q", "-C", str(workspace), "run"], capture_output=True, text=True, env=env
    )
    if run.returncode not in (0, 1) or "Internal error" in run.stderr:  # 1 alone: some document failed
        raise SystemExit(f"bureau run failed on {condition.name}:\n{run.stderr}")
    scored = subprocess.run(
        [str(BUREAU), "-C", str(workspace), "evaluate", "--gold", str(gold), "--json"],
        capture_output=True,
        text=True,
    )
    if scored.returncode != 0:
        raise SystemExit(f"bureau evaluate failed on {condition.name}:\n{scored.stderr}")
    report = json.loads(scored.stdout)
    if condition.layout != "text":
        dump_ocr_texts(workspace)
    report["seconds_render"] = round(rendered - started, 1)
    report["seconds_run"] = round(time.monotonic() - rendered, 1)
    return report


def dump_ocr_texts(workspace: Path) -> Path:
    """Each document's OCR text (pages joined by form feeds) as `ocr_texts/NNN.txt`, so that parser changes
    can be tried on it at once: `bench/score_segment.py --texts WORKSPACE/ocr_texts`."""
    target = workspace / "ocr_texts"
    target.mkdir(exist_ok=True)
    with sqlite3.connect(workspace / "data" / "extracted" / "catalog.sqlite") as conn:
        rows = conn.execute(
            """SELECT d.path, p.page_no, COALESCE(o.text, p.text_layer, '') FROM documents d
               JOIN pages p USING (doc_id) LEFT JOIN ocr_results o USING (page_id)
               WHERE d.status = 'ok' ORDER BY d.path, p.page_no"""
        ).fetchall()
    pages: dict[str, list[str]] = {}
    for path, _page_no, text in rows:
        pages.setdefault(Path(path).stem, []).append(text)
    for stem, texts in pages.items():
        (target / f"{stem}.txt").write_text("\f".join(texts), encoding="utf-8")
    return target


def subset_gold(texts: list[Path], gold_dir: Path, target: Path) -> Path:
    """A gold folder holding only the chosen documents (evaluate counts a missing document as empty)."""
    target.mkdir(parents=True, exist_ok=True)
    for text in texts:
        shutil.copyfile(gold_dir / f"{text.stem}.json", target / f"{text.stem}.json")
    return target


def print_table(results: dict[str, dict]) -> None:
    header = f"{'condition':<24} {'docs':>4} {'gold':>5} {'found':>5} " + " ".join(
        f"{label:>8}" for label, _ in METRICS
    )
    print(header)
    print("-" * len(header))
    for name, report in results.items():
        values = " ".join(f"{report[key]:>8.3f}" for _, key in METRICS)
        print(
            f"{name:<24} {report['documents']:>4} {report['gold_cases']:>5} {report['extracted_cases']:>5} {values}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conditions", default=DEFAULT_CONDITIONS)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--docs", help="comma-separated document stems, e.g. 001,004")
    parser.add_argument("--limit", type=int, help="only the first N documents")
    parser.add_argument("--workdir", type=Path, help="keep (and reuse) the workspaces here")
    parser.add_argument("--json", type=Path, help="also write every report (with misses) here")
    parser.add_argument("-v", "--verbose", action="store_true", help="list each condition's misses")
    args = parser.parse_args()
    if not RENDER.is_file() and args.conditions != "text":
        raise SystemExit(f"renderer not found: {RENDER}")
    texts = sorted((args.corpus / "texts").glob("*.txt"))
    if args.docs:
        wanted = set(args.docs.split(","))
        texts = [t for t in texts if t.stem in wanted]
    if args.limit:
        texts = texts[: args.limit]
    conditions = [Condition.parse(spec) for spec in args.conditions.split(",")]
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench_accuracy_"))
    results: dict[str, dict] = {}
    try:
        gold = subset_gold(texts, args.corpus / "gold", workdir / "gold" / "-".join(t.stem for t in texts))
        for condition in conditions:
            report = run_condition(condition, texts, gold, workdir / condition.name)
            results[condition.name] = report
            print(
                f"{condition.name}: F1 {report['f1']:.3f}, decisions {report['decision_accuracy']:.3f} "
                f"(render {report['seconds_render']} s, run {report['seconds_run']} s)",
                file=sys.stderr,
            )
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    print_table(results)
    if args.verbose:
        for name, report in results.items():
            print(f"\n{name}:")
            print("\n".join(f"  {line}" for line in report["misses"]))
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
