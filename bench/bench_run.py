#!/usr/bin/env python3
"""Benchmark of the incremental loop on a generated text corpus (no OCR): full run, no-op run, one correction.

usage: python bench/bench_run.py [--pages 1000]

Targets on a 2-core machine: no-op re-run ≤ 1 s, re-run after one page correction ≤ 2 s, and the
non-OCR stages together ≥ 1,000 pages/s on the first run. Each figure is the wall time of a real
`bureau` subprocess, as a user would see it (interpreter start-up included).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]


def bureau(workspace: Path, *args: str) -> tuple[float, str]:
    """Wall time of one `bureau` run and the line its export stage printed."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bureaucli", "-C", str(workspace), *args],
        check=True,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    return seconds, next((line for line in done.stdout.splitlines() if line.startswith("export:")), "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        workspace = Path(temp)
        raw = workspace / "data" / "raw"
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "tools" / "synth_protocols.py"),
                str(raw),
                "--pages",
                str(args.pages),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bureaucli", "--version"], capture_output=True, check=True)
        startup = time.perf_counter() - started
        first, _ = bureau(workspace, "run")
        noop, noop_export = bureau(workspace, "run")
        correction = workspace / "data" / "corrections" / "text" / "protocol_0001.txt" / "2.txt"
        correction.parent.mkdir(parents=True)
        page = (raw / "protocol_0001.txt").read_text(encoding="utf-8").split("\f")[1]
        # A historian's typical fix: the first decision on the page was misread.
        decided = page.index("ПОСТАНОВИЛИ:") + len("ПОСТАНОВИЛИ:")
        correction.write_text(
            page[:decided] + " Объявить строгий выговор." + page[decided:], encoding="utf-8"
        )
        corrected, corrected_export = bureau(workspace, "run")
        cases = len(pq.read_table(workspace / "data" / "extracted" / "tables" / "cases.parquet"))
    print(f"corpus: {args.pages} pages, {cases} cases; interpreter + import start-up {startup:.2f} s")
    print(
        f"first full run (ingest→export): {first:.2f} s = {args.pages / first:,.0f} pages/s (target ≥ 1,000)"
    )
    print(f"no-op re-run:                   {noop:.2f} s (target ≤ 1 s)   {noop_export}")
    print(f"re-run after one correction:    {corrected:.2f} s (target ≤ 2 s)   {corrected_export}")


if __name__ == "__main__":
    main()
