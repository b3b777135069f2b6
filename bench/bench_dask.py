#!/usr/bin/env python3
"""OCR on a dask cluster against the local pool: wall time, and scaling from one dask worker to two.

usage: python bench/bench_dask.py --pages 12 --rounds 2

Renders N pages of the sample protocols with tools/typewriter.py (clean, worn and bad; every fourth in
two columns) into a temporary workspace and ingests them; then, per round, OCRs every page again
(`--redo`) through bureau's real OCR stage (catalog, cache keys, executor, ocr_page, atomic writes) with:
  (a) the local process pool, W=2 workers;
  (b) a dask LocalCluster of 1 worker process with 1 thread;
  (c) a dask LocalCluster of 2 worker processes with 1 thread each.
Prints each run's wall time with the 1-minute load average around it (other work on the machine skews
the figures), the best of the rounds, and the scaling ratio (b)/(c). Checks that every configuration
gives the same page texts. Needs `pip install 'bureaucli[dask]'`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tools")]

import typewriter  # noqa: E402

from bureaucli.catalog import Catalog  # noqa: E402
from bureaucli.pipeline import ingest_stage, ocr_stage  # noqa: E402
from bureaucli.workspace import Workspace  # noqa: E402

LOCAL = "(a) local pool, 2 workers"
DASK_1 = "(b) dask, 1 worker"
DASK_2 = "(c) dask, 2 workers"


def render_pages(count: int, folder: Path) -> None:
    """`count` typewritten pages of the sample protocols, in every quality, every fourth in two columns."""
    texts = sorted((ROOT / "tools" / "samples").glob("*.txt"))
    for number in range(count):
        page = typewriter.render(
            texts[number % len(texts)].read_text(encoding="utf-8"),
            layout="columns" if number % 4 == 3 else "plain",
            quality=typewriter.QUALITIES[number % len(typewriter.QUALITIES)],
            seed=number,
        )[0]
        page.image.save(folder / f"{number + 1:04d}.png", dpi=(300, 300))


@contextmanager
def dask_cluster(workers: int) -> Iterator[str]:
    """The address of a loopback LocalCluster with `workers` single-threaded worker processes."""
    from distributed import Client, LocalCluster

    started = time.perf_counter()
    with LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        with Client(cluster.scheduler_address, set_as_default=False) as client:
            client.wait_for_workers(workers)
        print(f"  ({workers}-worker cluster up in {time.perf_counter() - started:.1f} s)")
        yield cluster.scheduler_address


def timed_ocr(ws: Workspace, label: str, **ocr_settings: object) -> tuple[float, dict[str, str]]:
    """Seconds of one full OCR stage over every page, and the page texts it stored."""
    configured = ws.with_settings(ws.settings.replace("ocr", **ocr_settings))
    load_before = os.getloadavg()[0]
    with Catalog(ws.catalog_path) as catalog:
        started = time.perf_counter()
        report = ocr_stage(configured, catalog, redo=True)
        seconds = time.perf_counter() - started
        texts = {
            row["page_id"]: row["text"] for row in catalog.query("SELECT page_id, text FROM ocr_results")
        }
    if report.failed:
        raise SystemExit(f"{label}: {len(report.failed)} page(s) failed")
    print(f"{label:28} {seconds:6.2f} s  (load average {load_before:.2f} -> {os.getloadavg()[0]:.2f})")
    return seconds, texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_dask_") as temp:
        folder = Path(temp) / "data" / "raw" / "bench" / "protocol"
        folder.mkdir(parents=True)
        render_pages(args.pages, folder)
        ws = Workspace.open(temp)
        with Catalog(ws.catalog_path) as catalog:
            ingest_stage(ws, catalog)
        print(f"{args.pages} pages at 300 dpi, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
        best: dict[str, float] = {}
        texts: dict[str, dict[str, str]] = {}

        def record(label: str, **ocr_settings: object) -> None:
            seconds, texts[label] = timed_ocr(ws, label, **ocr_settings)
            best[label] = min(best.get(label, seconds), seconds)

        for number in range(1, args.rounds + 1):
            print(f"round {number}:")
            record(LOCAL, workers=2, scheduler="")
            for label, workers in ((DASK_1, 1), (DASK_2, 2)):
                with dask_cluster(workers) as address:
                    record(label, scheduler=address)
        if any(found != texts[LOCAL] for found in texts.values()):
            raise SystemExit("page texts differ between configurations")
        print(f"best of {args.rounds} round(s), per page:")
        for label, seconds in best.items():
            print(f"  {label:28} {seconds:6.2f} s  {seconds / args.pages:.2f} s/page")
        print(
            f"scaling 1 -> 2 dask workers: {best[DASK_1] / best[DASK_2]:.2f}x faster; "
            f"dask with 2 workers takes {best[DASK_2] / best[LOCAL]:.2f}x the local pool's time"
        )
        print("same page texts in every configuration")


if __name__ == "__main__":
    main()
