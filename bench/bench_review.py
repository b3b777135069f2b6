#!/usr/bin/env python3
"""`bureau review` page view speed: a full 300-dpi page with about 400 word boxes.

usage: python bench/bench_review.py [--text ../shared/corpus/texts/001.txt] [--rounds 5]

Types the text (its pages run together) as one sheet at 300 dpi, A4 wide and long enough for ~400 words (tools/typewriter.py), puts it into a scratch workspace and
runs `bureau run` (not timed). Then starts `bureau review` as a user would (a subprocess) and measures:
  (a) the server's response to the page view (HTML with every word box), over HTTP;
  (b) the page image, as OCR saw it and as captured, screen-sized (what the page view loads first) and
      full: the first request (made from the scan) and again (kept in memory);
  (c) with Playwright and Debian's Chromium, from navigation to the image loaded and every word box
      laid out, in a fresh browser context each round (nothing in the browser's cache; the server has the
      image made already, so a first visit to a page adds (b) "made").
Prints the best and median of each over the rounds, the word count, and the load average (the machine
is shared: other users' work stretches every figure).

With --align DIR: how well the page view puts each line of a page's text beside its line on the scan
(review_page.align_lines), on the first sheet of every DIR/*.txt typed clean and worn and OCR'd. A line
is right when it is matched to the OCR line of the same rank (sheets where Tesseract found as many lines
as were typed). Two texts: the OCR text itself, and the true text — the page as a user who fixed every
OCR error would save it.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))

import typewriter  # noqa: E402
from screenshot_review import review_server  # noqa: E402

from bureaucli.catalog import Catalog  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
SHEET = (8.27, 19.0)
"""Inches: A4 wide, but long enough for about 400 typed words (an A4 sheet holds about 240): a bigger
image than A4 with more boxes, so the figures are on the safe side."""


def workspace(text: str, root: Path) -> str:
    page = typewriter.render(text.replace("\f", "\n"), dpi=300, seed=3, sheet_inches=SHEET)[0]
    target = root / "data" / "raw" / "bench" / "0001.png"
    target.parent.mkdir(parents=True)
    page.image.save(target, dpi=(300, 300))
    subprocess.run([sys.executable, "-m", "bureaucli", "-C", str(root), "-q", "run"], check=True)
    with Catalog(root / "data" / "extracted" / "catalog.sqlite") as catalog:
        row = catalog.query("SELECT page_id, word_count FROM pages JOIN ocr_results USING (page_id)")[0]
    print(f"page: {page.image.width}x{page.image.height} px at 300 dpi, {row['word_count']} words by OCR")
    return row["page_id"]


def timed(opener: urllib.request.OpenerDirector, url: str) -> tuple[float, int]:
    started = time.perf_counter()
    with opener.open(url) as response:
        size = len(response.read())
    return time.perf_counter() - started, size


def report(name: str, seconds: list[float]) -> None:
    print(
        f"  {name:<44} best {min(seconds) * 1000:7.0f} ms   median {statistics.median(seconds) * 1000:7.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--text", type=Path, default=REPO.parent / "shared" / "corpus" / "texts" / "001.txt")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--align", type=Path, metavar="DIR", help="measure line alignment on DIR/*.txt instead"
    )
    args = parser.parse_args()
    if args.align:
        alignment(sorted(args.align.glob("*.txt")))
        return
    text = args.text.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="bench_review.") as scratch:
        root = Path(scratch)
        page_id = workspace(text, root)
        with review_server(root) as url:
            base = url.split("/?")[0]
            opener = urllib.request.build_opener(
                urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
            )
            opener.open(url).read()
            view = []
            for _ in range(args.rounds):
                seconds, size = timed(opener, f"{base}/page/{page_id}")
                view.append(seconds)
            print(f"server ({args.rounds} rounds; page view HTML {size / 1024:.0f} KB):")
            report("(a) page view with every word box", view)
            for name, size in [(v, s) for v in ("prepared", "captured") for s in ("screen", "full")]:
                address = f"{base}/page/{page_id}/image/{name}" + ("?size=screen" if size == "screen" else "")
                seconds, length = timed(opener, address)
                kept = [timed(opener, address)[0] for _ in range(args.rounds)]
                report(f"(b) image {name}, {size}: made ({length / 1024:.0f} KB JPEG)", [seconds])
                report(f"    image {name}, {size}: kept", kept)
            browser_times(url, base, page_id, args.rounds)
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


PHASES = """(() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const image = performance.getEntriesByType("resource").find((r) => r.name.includes("/image/"));
  return {"HTML received": nav.responseEnd, "DOM ready": nav.domContentLoadedEventEnd,
          "image received": image ? image.responseEnd : 0, "load": nav.loadEventEnd};
})()"""


def browser_times(url: str, base: str, page_id: str, rounds: int) -> None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("(c) skipped: playwright is not installed")
        return
    if not Path(CHROMIUM).exists():
        print(f"(c) skipped: no {CHROMIUM}")
        return
    seconds: list[float] = []
    phases: list[dict[str, float]] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            for _ in range(rounds):
                context = browser.new_context(viewport={"width": 1400, "height": 900})
                page = context.new_page()
                page.goto(url)
                started = time.perf_counter()
                page.goto(f"{base}/page/{page_id}", wait_until="load")
                boxes = page.locator("rect.word")
                boxes.last.wait_for(state="visible")
                laid_out = page.evaluate(
                    "[...document.querySelectorAll('rect.word')].filter(r => r.getBoundingClientRect().width > 0).length"
                )
                seconds.append(time.perf_counter() - started)
                phases.append(page.evaluate(PHASES))
                context.close()
        finally:
            browser.close()
    print(f"browser ({rounds} fresh contexts, {laid_out} word boxes laid out):")
    report("(c) navigation → image loaded, boxes drawn", seconds)
    for phase in phases[0]:
        report(f"    of which, from navigation: {phase}", [p[phase] / 1000 for p in phases])


def alignment(texts: list[Path]) -> None:
    from bureaucli.ocr import OcrTask, PageImageRef, ocr_page
    from bureaucli.review_page import align_lines, ocr_line_texts
    from bureaucli.settings import OcrSettings

    tally = {"OCR text": [0, 0], "true text": [0, 0]}
    skipped = 0
    with tempfile.TemporaryDirectory(prefix="bench_align.") as scratch:
        for path in texts:
            for quality in ("clean", "worn"):
                page = typewriter.render(path.read_text(encoding="utf-8"), quality=quality, seed=5)[0]
                image = Path(scratch) / f"{path.stem}_{quality}.png"
                page.image.save(image, dpi=(300, 300))
                result = ocr_page(
                    OcrTask(image.stem, PageImageRef(str(image), "image", 0, 300.0), scratch, OcrSettings())
                )
                ocr_lines = ocr_line_texts(Path(result.tsv_path).read_text(encoding="utf-8"))
                for name, text in (("OCR text", result.text), ("true text", page.text)):
                    lines = text.split("\n")
                    ranks = [k for k, line in enumerate(lines) if line.strip()]
                    if len(ranks) != len(ocr_lines):
                        skipped += 1
                        continue
                    found = align_lines(lines, ocr_lines)
                    tally[name][0] += sum(found[k] == rank for rank, k in enumerate(ranks))
                    tally[name][1] += len(ranks)
    for name, (right, total) in tally.items():
        print(
            f"{name:<10} {right}/{total} lines beside their own line on the scan ({right / max(total, 1):.1%})"
        )
    print(f"({skipped} text(s) of a sheet left out: Tesseract found another number of lines than were typed)")


if __name__ == "__main__":
    main()
