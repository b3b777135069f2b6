#!/usr/bin/env python3
"""OCR speed: `bureau ocr` against bare Tesseract CLI processes and OCRmyPDF, on the same pages.

usage: python bench/bench_ocr.py [--pages 16] [--workers 2] [--rounds 2]

Takes N rendered pages (both renderers, every quality and layout; see bench_cer.py), puts them into a
scratch workspace and runs `bureau ingest` (not timed). Then, in each round, one after the other:
  (a) bare `tesseract IMG OUT -l rus --psm 6 txt tsv`, W processes at a time, OMP_THREAD_LIMIT=1;
  (b) `bureau ocr --redo --workers W` as a subprocess: interpreter start-up, catalog, preprocessing,
      Tesseract, layout and writing included, as a user would wait for it;
  (c) `ocrmypdf -l rus --jobs W --tesseract-pagesegmode 6` over the same pages as one PDF, when it is
      installed (in the venv or on PATH), else "not installed".
Prints each wall time, the ratio to (a) per round and the best ratio over the rounds, the load average
(the machine may be shared), and the CER of (a) and (b) against the truth, per layout.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import bench_cer
from bench_cer import Tally, TruthPage

from bureaucli.settings import OcrSettings

TESSERACT_ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}


def spread(pages: list[TruthPage], count: int) -> list[TruthPage]:
    """`count` pages taken evenly from the list, so renderers, qualities and layouts all appear."""
    return [pages[index * len(pages) // count] for index in range(min(count, len(pages)))]


def bare_name(page: TruthPage) -> str:
    return page.document.replace("/", "_")


def bare_tesseract(images: list[tuple[Path, str]], workers: int, out: Path) -> None:
    """Run `tesseract` on each (image, output name), `workers` processes at a time."""
    settings = OcrSettings()

    def run(image_and_name: tuple[Path, str]) -> None:
        image, name = image_and_name
        command = ["tesseract", str(image), str(out / name), "-l", settings.lang]
        command += ["--psm", str(settings.psm), "txt", "tsv"]
        subprocess.run(command, env=TESSERACT_ENV, check=True, capture_output=True)

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(run, images))


def ocrmypdf_command() -> str | None:
    beside = Path(sys.executable).with_name("ocrmypdf")
    return str(beside) if beside.exists() else shutil.which("ocrmypdf")


def ocrmypdf(program: str, source: Path, workers: int, out: Path) -> None:
    command = [program, "-l", "rus", "--jobs", str(workers), "--tesseract-pagesegmode", "6"]
    command += ["--output-type", "pdf", "--optimize", "0", "--quiet", str(source), str(out / "ocr.pdf")]
    subprocess.run(command, env=TESSERACT_ENV, check=True, capture_output=True)


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def load() -> str:
    return "/".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    pages = spread(list(bench_cer.render_pages(bench_cer.sample_texts(None))), args.pages)
    program = ocrmypdf_command()
    with tempfile.TemporaryDirectory(prefix="bench_ocr_") as temp:
        workspace, bare_out, other_out = Path(temp) / "ws", Path(temp) / "bare", Path(temp) / "ocrmypdf"
        for folder in (bare_out, other_out):
            folder.mkdir()
        bench_cer.write_workspace(pages, workspace)
        images = [
            (workspace / "data" / "raw" / page.document / "0001.png", bare_name(page)) for page in pages
        ]
        source = Path(temp) / "pages.pdf"
        pictures = [page.image for page in pages]
        pictures[0].save(source, save_all=True, append_images=pictures[1:], resolution=300)
        bench_cer.run_bureau(workspace, "ingest")
        print(f"{len(pages)} pages at 300 dpi, {args.workers} workers, load average before {load()}")
        ratios: list[tuple[float, float | None]] = []
        for number in range(1, args.rounds + 1):
            bare = timed(lambda: bare_tesseract(images, args.workers, bare_out))
            ours = timed(
                lambda: bench_cer.run_bureau(workspace, "ocr", "--redo", "--workers", str(args.workers))
            )
            other = timed(lambda: ocrmypdf(program, source, args.workers, other_out)) if program else None
            ratios.append((ours / bare, other / bare if other else None))
            print(
                f"round {number}: (a) bare tesseract {bare:.2f} s ({bare / len(pages):.2f} s/page)  "
                f"(b) bureau ocr {ours:.2f} s = {ours / bare:.3f}×  "
                + (
                    f"(c) ocrmypdf {other:.2f} s = {other / bare:.3f}×"
                    if other
                    else "(c) ocrmypdf not installed"
                )
                + f"  load {load()}"
            )
        best = min(ours for ours, _ in ratios)
        others = [other for _, other in ratios if other]
        print(f"best ratio bureau/bare {best:.3f}" + (f", ocrmypdf/bare {min(others):.3f}" if others else ""))
        texts = bench_cer.page_texts(workspace)
        for layout in bench_cer.LAYOUTS:
            ours_tally, bare_tally = Tally(), Tally()
            for page in pages:
                if page.layout == layout:
                    ours_tally.add(texts[page.document], page.truth)
                    bare_text = (bare_out / f"{bare_name(page)}.txt").read_text(encoding="utf-8")
                    bare_tally.add(bare_text, page.truth)
            print(
                f"CER {layout:8} pages={ours_tally.pages:2d}  bureau {ours_tally.cer:.2%}  "
                f"bare tesseract {bare_tally.cer:.2%}"
            )


if __name__ == "__main__":
    main()
