#!/usr/bin/env python3
"""Regenerate the sample scans under `data/raw/` from `tools/samples/*.txt`, deterministically.

usage: python tools/make_samples.py [--raw data/raw]

Each sample becomes one document in a different form the ingest stage must handle:
  f1290_op1_d123/protocol_14/0001.png …   a folder of 1-bit page images
  ф.П-1290/оп.1/д.124/protocol_1937-05.pdf  an image-only PDF of a worn copy
  gorkom_1938/protocol_22.tif               a multi-page grayscale TIFF at 150 dpi (+ inventory.csv row)
  depot_1936/protocol_9/0001.png            a page typed in two columns (heard | decided)
The gold annotation of each is `tools/samples/<name>.json`; this script checks every quoted span of it
against the text before writing anything.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import typewriter  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tools" / "samples"
INVENTORY_HEADER = ("path", "archive", "fond", "opis", "delo", "first_folio", "folio_side")


@dataclass(frozen=True)
class Sample:
    name: str
    target: str
    """Where the document goes under data/raw/: a folder for page images, else a file without suffix."""
    fmt: str
    layout: str
    quality: str
    dpi: int
    seed: int
    inventory: tuple[str, ...] | None = None
    """archive, fond, opis, delo, first_folio, folio_side for inventory.csv."""


SAMPLES_TO_MAKE = (
    Sample("protocol_14", "f1290_op1_d123/protocol_14", "png1", "plain", "worn", 300, 14),
    Sample("protocol_1937-05", "ф.П-1290/оп.1/д.124/protocol_1937-05", "pdf", "plain", "worn", 200, 5),
    Sample(
        "protocol_22",
        "gorkom_1938/protocol_22",
        "tif",
        "plain",
        "clean",
        150,
        22,
        ("ГАНО", "П-30", "1", "1187", "45", "recto-verso"),
    ),
    Sample("protocol_9", "depot_1936/protocol_9", "png1", "columns", "worn", 300, 9),
)


def check_gold(text: str, gold: dict) -> list[str]:
    """Spans of the gold annotation that do not occur verbatim in the text."""
    quoted = [item["decision_text"] for item in gold["items"]]
    quoted += [person["as_written"] for item in gold["items"] for person in item["persons"]]
    return [span for span in quoted if span not in text]


def make(sample: Sample, raw: Path) -> list[Path]:
    text = (SAMPLES / f"{sample.name}.txt").read_text(encoding="utf-8")
    missing = check_gold(text, json.loads((SAMPLES / f"{sample.name}.json").read_text(encoding="utf-8")))
    if missing:
        raise SystemExit(f"{sample.name}.json quotes text not in {sample.name}.txt: {missing}")
    # A fixed rotation for the clean TIFF so the sample also exercises deskewing.
    rotation = 1.4 if sample.quality == "clean" else None
    pages = typewriter.render(
        text,
        layout=sample.layout,
        quality=sample.quality,
        dpi=sample.dpi,
        seed=sample.seed,
        rotation=rotation,
    )
    target = raw / sample.target
    if sample.fmt == "png1":
        target.mkdir(parents=True, exist_ok=True)
        written = typewriter.save(pages, target / "page", sample.fmt)
        return [path.rename(target / path.name.removeprefix("page-")) for path in written]
    target.parent.mkdir(parents=True, exist_ok=True)
    return typewriter.save(pages, target, sample.fmt)


def write_inventory(raw: Path) -> Path:
    path = raw / "inventory.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(INVENTORY_HEADER)
        for sample in SAMPLES_TO_MAKE:
            if sample.inventory:
                writer.writerow((f"{sample.target}.{sample.fmt}", *sample.inventory))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, default=ROOT / "data" / "raw")
    args = parser.parse_args()
    for sample in SAMPLES_TO_MAKE:
        top = args.raw / sample.target.split("/")[0]
        if top.exists():
            shutil.rmtree(top)
    for sample in SAMPLES_TO_MAKE:
        for path in make(sample, args.raw):
            print(f"{path.relative_to(args.raw)}  {path.stat().st_size // 1024} KiB")
    print(write_inventory(args.raw).relative_to(args.raw))


if __name__ == "__main__":
    main()
