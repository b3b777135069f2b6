#!/usr/bin/env python3
"""OCR speed and accuracy: bureau's page path against bare Tesseract (and OCRmyPDF when installed).

usage: PYTHONPATH=src python bench/bench_ocr.py --pages 12 --workers 2

Renders N pages of the sample protocols (clean, worn and bad quality; every fourth page typed in two
columns) into a temporary folder, then times on the same pages, one after the other:
  (a) bare `tesseract IMG OUT -l rus --psm 6 txt tsv`, W processes at a time, OMP_THREAD_LIMIT=1;
  (b) bureau: LocalExecutor(W) running ocr_page (load, preprocess, one Tesseract run, layout, write);
  (c) `ocrmypdf` over the pages as one PDF with --jobs W, when it is installed.
and prints wall times, ratios to (a), and the character error rate of (b) per quality and layout.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tools")]

import typewriter  # noqa: E402

from bureaucli.executor import LocalExecutor  # noqa: E402
from bureaucli.ocr import OcrPageResult, OcrTask, PageImageRef, character_error_rate, ocr_page  # noqa: E402
from bureaucli.settings import OcrSettings  # noqa: E402

QUALITIES = ("clean", "worn", "bad")


@dataclass(frozen=True)
class BenchPage:
    path: Path
    truth: str
    quality: str
    layout: str


def render_pages(count: int, folder: Path) -> list[BenchPage]:
    texts = sorted((ROOT / "tools" / "samples").glob("*.txt"))
    pages: list[BenchPage] = []
    for number in range(count):
        quality = QUALITIES[number % len(QUALITIES)]
        layout = "columns" if number % 4 == 3 else "plain"
        text = texts[number % len(texts)].read_text(encoding="utf-8")
        rendered = typewriter.render(text, layout=layout, quality=quality, seed=number)[0]
        path = folder / f"page{number:03d}.png"
        rendered.image.save(path, dpi=(300, 300))
        pages.append(BenchPage(path, rendered.text, quality, layout))
    return pages


def bare_tesseract(pages: list[BenchPage], workers: int, out: Path) -> float:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def run(page: BenchPage) -> None:
        command = [
            "tesseract",
            str(page.path),
            str(out / page.path.stem),
            "-l",
            "rus",
            "--psm",
            "6",
            "txt",
            "tsv",
        ]
        subprocess.run(command, env=env, check=True, capture_output=True)

    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(run, pages))
    return time.perf_counter() - started


def bureau(pages: list[BenchPage], workers: int, out: Path) -> tuple[float, dict[str, OcrPageResult]]:
    settings = OcrSettings(workers=workers)
    tasks = [
        OcrTask(page.path.stem, PageImageRef(str(page.path), "image", 0, 300.0), str(out), settings)
        for page in pages
    ]
    results: dict[str, OcrPageResult] = {}
    started = time.perf_counter()
    with LocalExecutor(workers) as executor:
        for task, outcome in executor.map_unordered(ocr_page, tasks):
            if isinstance(outcome, BaseException):
                raise outcome
            results[task.page_id] = outcome
    return time.perf_counter() - started, results


def ocrmypdf(pages: list[BenchPage], workers: int, out: Path) -> float | None:
    if shutil.which("ocrmypdf") is None:
        print("(c) ocrmypdf: not installed (apt-get install ocrmypdf), skipped")
        return None
    from PIL import Image

    images = [Image.open(page.path) for page in pages]
    source = out / "pages.pdf"
    images[0].save(source, save_all=True, append_images=images[1:], resolution=300)
    command = ["ocrmypdf", "-l", "rus", "--jobs", str(workers), "--tesseract-pagesegmode", "6"]
    command += ["--output-type", "pdf", "--optimize", "0", "--quiet", str(source), str(out / "ocr.pdf")]
    started = time.perf_counter()
    subprocess.run(command, env={**os.environ, "OMP_THREAD_LIMIT": "1"}, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=12)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_ocr_") as temp:
        folder = Path(temp)
        for name in ("pages", "bare", "bureau", "ocrmypdf"):
            (folder / name).mkdir()
        pages = render_pages(args.pages, folder / "pages")
        print(f"{len(pages)} pages at 300 dpi, {args.workers} workers")
        bare_seconds = bare_tesseract(pages, args.workers, folder / "bare")
        print(f"(a) bare tesseract: {bare_seconds:.2f} s ({bare_seconds / len(pages):.2f} s/page)")
        our_seconds, results = bureau(pages, args.workers, folder / "bureau")
        print(f"(b) bureau ocr_page: {our_seconds:.2f} s, ratio to bare {our_seconds / bare_seconds:.3f}")
        other_seconds = ocrmypdf(pages, args.workers, folder / "ocrmypdf")
        if other_seconds is not None:
            print(f"(c) ocrmypdf: {other_seconds:.2f} s, ratio to bare {other_seconds / bare_seconds:.3f}")
        errors: dict[tuple[str, str], list[float]] = defaultdict(list)
        plain_errors: dict[tuple[str, str], list[float]] = defaultdict(list)
        for page in pages:
            key = (page.layout, page.quality)
            errors[key].append(character_error_rate(results[page.path.stem].text, page.truth))
            bare_text = (folder / "bare" / f"{page.path.stem}.txt").read_text(encoding="utf-8")
            plain_errors[key].append(character_error_rate(bare_text, page.truth))
        print("CER (bureau / bare tesseract reading order), by layout and quality:")
        for key in sorted(errors):
            ours, bare = errors[key], plain_errors[key]
            print(
                f"  {key[0]:8} {key[1]:6} pages={len(ours):2d}  bureau {sum(ours) / len(ours):.4f}"
                f"  bare {sum(bare) / len(bare):.4f}"
            )


if __name__ == "__main__":
    main()
