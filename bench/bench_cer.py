#!/usr/bin/env python3
"""Character error rate of `bureau ocr` on rendered pages, per renderer × layout × quality.

usage: python bench/bench_cer.py [--corpus ../shared/corpus/texts] [--workers 2] [--worst 3]

Every page of the sample protocols (tools/samples/*.txt; with --corpus also DIR/*.txt) is typed by two
renderers, ours (tools/typewriter.py) and the independent ../shared/tools/render_scan.py (skipped
where absent), at clean, worn and bad quality, as plain and as two-column (heard | decided) minutes;
the fonts cycle through cmu, freemono and liberation. The pages go into a scratch workspace as one
image folder each, `bureau ingest` and `bureau ocr` run over it as subprocesses, and the page texts in
the catalog are scored against each page's ground truth in reading order (for columns: every item's
heard part followed by its own decision). CER is the edit distance over all pages of a cell divided
by their truth length, after collapsing whitespace. Pages that overflow onto a second sheet are left
out, since a sheet break cuts items apart differently in each renderer.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from PIL import Image
from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parents[1]
SHARED_RENDERER = ROOT.parent / "shared" / "tools" / "render_scan.py"
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tools"), str(SHARED_RENDERER.parent)]

import typewriter  # noqa: E402

QUALITIES = ("clean", "worn", "bad")
LAYOUTS = ("plain", "columns")
FONTS = ("cmu", "freemono", "liberation")
ITEM_NUMBER = re.compile(r"^((?:§\s*|п\.\s*)?\d+[а-я]?\.?)\s+(.*)$")


@dataclass(frozen=True)
class TruthPage:
    renderer: str
    layout: str
    quality: str
    name: str
    image: Image.Image
    truth: str

    @property
    def document(self) -> str:
        """The page's image folder under data/raw/, which names the document in the catalog."""
        return f"{self.renderer}/{self.layout}/{self.quality}/{self.name}"


def shared_renderer() -> ModuleType | None:
    """../shared/tools/render_scan.py as a module, or None where it is absent."""
    if not SHARED_RENDERER.is_file():
        return None
    import render_scan

    return render_scan


def render_scan_truth(renderer: ModuleType, text: str, layout: str) -> str:
    """The reading-order truth of a render_scan.py sheet, rebuilt from the lines it types.

    Its two-column lines hold the heard part in the first `width // 2 + 1` characters and the decision
    after them; the items are separated by blank lines under a `СЛУШАЛИ: ПОСТАНОВИЛИ:` heading row.
    """
    lines = renderer.two_columns(text) if layout == "columns" else renderer.wrap(text, 64)
    heading = next(
        (i for i, line in enumerate(lines) if line.startswith("СЛУШАЛИ:") and "ПОСТАНОВИЛИ:" in line), None
    )
    if heading is None:
        return "\n".join(lines)
    split_at = lines[heading].index("ПОСТАНОВИЛИ:")
    truth = lines[:heading]
    item: list[str] = []
    for line in [*lines[heading + 1 :], ""]:
        if line.strip():
            item.append(line)
            continue
        if item:
            heard = " ".join(part[:split_at].strip() for part in item).strip()
            decided = " ".join(part[split_at:].strip() for part in item).strip()
            numbered = ITEM_NUMBER.match(heard)
            opening = f"{numbered.group(1)} СЛУШАЛИ: {numbered.group(2)}" if numbered else f"СЛУШАЛИ: {heard}"
            truth.append(f"{opening} ПОСТАНОВИЛИ: {decided}" if decided else opening)
            item = []
    return "\n".join(truth)


def sample_texts(corpus: Path | None) -> list[tuple[str, str]]:
    """(name, text) of every page (form-feed chunk) of the sample protocols and the optional corpus."""
    files = sorted((ROOT / "tools" / "samples").glob("*.txt"))
    if corpus is not None:
        files += sorted(corpus.glob("*.txt"))
    texts = []
    for path in files:
        chunks = [chunk.strip("\n") for chunk in path.read_text(encoding="utf-8").split("\f")]
        texts += [(f"{path.stem}-p{n}", chunk) for n, chunk in enumerate(chunks, 1) if chunk.strip()]
    return texts


def render_pages(
    texts: list[tuple[str, str]], renderers: tuple[str, ...] = ("typewriter", "render_scan")
) -> Iterator[TruthPage]:
    """Every text as a one-sheet page of each renderer, layout and quality (overflowing pages left out)."""
    other = shared_renderer()
    for index, (name, text) in enumerate(texts):
        font = FONTS[index % len(FONTS)]
        for layout in LAYOUTS:
            for quality in QUALITIES:
                if "typewriter" in renderers:
                    sheets = typewriter.render(text, layout=layout, quality=quality, font=font, seed=index)
                    if len(sheets) == 1:
                        yield TruthPage("typewriter", layout, quality, name, sheets[0].image, sheets[0].text)
                if "render_scan" in renderers and other is not None:
                    images = other.render(text, quality, index, font, layout)
                    if len(images) == 1:
                        truth = render_scan_truth(other, text, layout)
                        yield TruthPage("render_scan", layout, quality, name, images[0], truth)


def write_workspace(pages: list[TruthPage], workspace: Path, fmt: str = "png") -> list[Path]:
    """Each page as the one image of its document folder: grayscale PNG, 1-bit PNG (png1) or JPEG (jpg)."""
    paths = []
    for page in pages:
        folder = workspace / "data" / "raw" / page.document
        folder.mkdir(parents=True, exist_ok=True)
        image = typewriter.bilevel(page.image) if fmt == "png1" else page.image
        paths.append(folder / f"0001.{'jpg' if fmt == 'jpg' else 'png'}")
        image.save(paths[-1], dpi=(300, 300), **({"quality": 85} if fmt == "jpg" else {}))
    return paths


def run_bureau(workspace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "bureaucli", "-C", str(workspace), "--quiet", *args]
    return subprocess.run(command, check=True, capture_output=True, text=True)


def page_texts(workspace: Path) -> dict[str, str]:
    """OCR text of every page in the workspace's catalog, by document path."""
    with sqlite3.connect(workspace / "data" / "extracted" / "catalog.sqlite") as conn:
        rows = conn.execute(
            "SELECT d.path, o.text FROM ocr_results o JOIN pages p USING (page_id) JOIN documents d USING (doc_id)"
        ).fetchall()
    return dict(rows)


@dataclass
class Tally:
    """Edit distance and truth length summed over the pages of one table cell."""

    pages: int = 0
    errors: int = 0
    chars: int = 0

    def add(self, recognised: str, truth: str) -> float:
        got, want = " ".join(recognised.split()), " ".join(truth.split())
        distance = Levenshtein.distance(got, want)
        self.pages += 1
        self.errors += distance
        self.chars += len(want)
        return distance / max(len(want), 1)

    def merge(self, other: Tally) -> None:
        self.pages, self.errors, self.chars = (
            self.pages + other.pages,
            self.errors + other.errors,
            self.chars + other.chars,
        )

    @property
    def cer(self) -> float:
        return self.errors / max(self.chars, 1)


def cer_table(pages: list[TruthPage], texts: dict[str, str], worst: int = 0) -> str:
    tallies: dict[tuple[str, str, str], Tally] = defaultdict(Tally)
    scored: list[tuple[float, TruthPage]] = []
    for page in pages:
        cell = tallies[(page.renderer, page.layout, page.quality)]
        scored.append((cell.add(texts.get(page.document, ""), page.truth), page))
    lines = [f"{'renderer':12} {'layout':8} {'quality':7} {'pages':>5} {'CER':>7}"]
    for (renderer, layout, quality), tally in sorted(
        tallies.items(), key=lambda kv: (kv[0][0], kv[0][1], QUALITIES.index(kv[0][2]))
    ):
        lines.append(f"{renderer:12} {layout:8} {quality:7} {tally.pages:5d} {tally.cer:7.2%}")
    totals: dict[str, Tally] = defaultdict(Tally)
    for (renderer, _, _), tally in tallies.items():
        totals[renderer].merge(tally)
    for renderer, total in sorted(totals.items()):
        lines.append(f"{renderer:12} {'all':8} {'all':7} {total.pages:5d} {total.cer:7.2%}")
    for rate, page in sorted(scored, key=lambda pair: pair[0], reverse=True)[:worst]:
        lines.append(f"worst: {page.document}  CER {rate:.2%}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="Also render every *.txt of this folder.")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worst", type=int, default=0, help="List the N pages with the highest CER.")
    parser.add_argument("--keep", type=Path, help="Build the workspace here and keep it (for inspection).")
    args = parser.parse_args()
    pages = list(render_pages(sample_texts(args.corpus)))
    with tempfile.TemporaryDirectory(prefix="bench_cer_") as temp:
        workspace = args.keep or Path(temp)
        write_workspace(pages, workspace)
        run_bureau(workspace, "ingest")
        run_bureau(workspace, "ocr", "--workers", str(args.workers))
        print(cer_table(pages, page_texts(workspace), args.worst))
    if shared_renderer() is None:
        print(f"({SHARED_RENDERER} not found: render_scan rows left out)")


if __name__ == "__main__":
    main()
