#!/usr/bin/env python3
"""OCR speed: `bureau ocr` against bare Tesseract CLI processes and OCRmyPDF, on the same pages.

usage: python bench/bench_ocr.py [--pages 16] [--workers 2] [--rounds 2] [--format png|png1|jpg]

Takes N rendered pages (both renderers, every quality and layout; see bench_cer.py), puts them into a
scratch workspace as grayscale PNG, 1-bit PNG or JPEG files and runs `bureau ingest` (not timed).
Then, in each round, one after the other:
  (a) bare `tesseract IMG OUT -l rus --psm 6 txt tsv`, W processes at a time, OMP_THREAD_LIMIT=1;
  (b) `bureau ocr --redo --workers W` as a subprocess: interpreter start-up, catalog, preprocessing,
      Tesseract, layout and writing included, as a user would wait for it;
  (c) `ocrmypdf -l rus --jobs W --tesseract-pagesegmode 6` over the same pages as one PDF, when it is
      installed (in the venv or on PATH), else "not installed".
Prints each wall time and CPU time (user + system of every process it started: on a shared machine
other users' work stretches the wall time far more than the CPU time), the ratios to (a) per round,
their best and median over the rounds, the load average, and the CER of (a) and (b) per layout.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import bench_cer
from bench_cer import Tally, TruthPage
from PIL import Image

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


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float
    """User + system seconds of the child processes (and theirs) the action waited for."""

    def ratio(self, other: Timing) -> str:
        return f"{self.wall / other.wall:.3f}× wall, {self.cpu / other.cpu:.3f}× CPU"


def timed(action: Callable[[], object]) -> Timing:
    def children_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    cpu, started = children_cpu(), time.perf_counter()
    action()
    return Timing(time.perf_counter() - started, children_cpu() - cpu)


def load() -> str:
    return "/".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--format", default="png", choices=("png", "png1", "jpg"))
    args = parser.parse_args()
    pages = spread(list(bench_cer.render_pages(bench_cer.sample_texts(None))), args.pages)
    program = ocrmypdf_command()
    with tempfile.TemporaryDirectory(prefix="bench_ocr_") as temp:
        workspace, bare_out, other_out = Path(temp) / "ws", Path(temp) / "bare", Path(temp) / "ocrmypdf"
        for folder in (bare_out, other_out):
            folder.mkdir()
        paths = bench_cer.write_workspace(pages, workspace, args.format)
        images = [(path, bare_name(page)) for path, page in zip(paths, pages, strict=True)]
        source = Path(temp) / "pages.pdf"
        pictures = [Image.open(path) for path in paths]
        pictures[0].save(source, save_all=True, append_images=pictures[1:], resolution=300)
        bench_cer.run_bureau(workspace, "ingest")
        print(
            f"{len(pages)} {args.format} pages at 300 dpi, {args.workers} workers, load average before {load()}"
        )
        rounds: list[tuple[Timing, Timing, Timing | None]] = []
        for number in range(1, args.rounds + 1):
            bare = timed(lambda: bare_tesseract(images, args.workers, bare_out))
            ours = timed(
                lambda: bench_cer.run_bureau(workspace, "ocr", "--redo", "--workers", str(args.workers))
            )
            other = timed(lambda: ocrmypdf(program, source, args.workers, other_out)) if program else None
            rounds.append((bare, ours, other))
            print(f"round {number}, load average after {load()}:")
            print(f"  (a) bare tesseract  {bare.wall:6.2f} s wall {bare.cpu:6.2f} s CPU")
            print(
                f"  (b) bureau ocr      {ours.wall:6.2f} s wall {ours.cpu:6.2f} s CPU  = {ours.ratio(bare)}"
            )
            if other:
                print(
                    f"  (c) ocrmypdf        {other.wall:6.2f} s wall {other.cpu:6.2f} s CPU  = {other.ratio(bare)}"
                )
            else:
                print("  (c) ocrmypdf        not installed")
        for label, index in (("bureau", 1), ("ocrmypdf", 2)):
            timings = [(run[index], run[0]) for run in rounds if run[index]]
            if timings:
                wall = sorted(t.wall / bare.wall for t, bare in timings)
                cpu = sorted(t.cpu / bare.cpu for t, bare in timings)
                print(
                    f"{label}/bare over {len(timings)} rounds: wall best {wall[0]:.3f}× median "
                    f"{statistics.median(wall):.3f}×, CPU best {cpu[0]:.3f}× median {statistics.median(cpu):.3f}×"
                )
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
