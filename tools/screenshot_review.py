#!/usr/bin/env python3
"""The README's screenshot of `bureau review`: the sample scans, a page beside its text and cases.

usage: python tools/screenshot_review.py [--out docs/review.png]

Copies data/raw/ into a scratch workspace, runs `bureau run`, starts `bureau review`, opens the first
page of f1290_op1_d123/protocol_14 in headless Chromium (Debian's /usr/bin/chromium), selects the first
case (its lines and name light up on the scan) and saves the window as a PNG.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bureaucli.catalog import Catalog

REPO = Path(__file__).resolve().parents[1]
DOCUMENT = "f1290_op1_d123/protocol_14"


@contextmanager
def review_server(root: Path) -> Iterator[str]:
    """`bureau review` on the workspace at `root` in a process of its own; yields the address it printed."""
    server = subprocess.Popen(
        [sys.executable, "-m", "bureaucli", "-C", str(root), "review", "--no-browser"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        yield server.stdout.readline().strip()
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "review.png")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="review_shot.") as scratch:
        root = Path(scratch) / "sample"
        shutil.copytree(REPO / "data" / "raw", root / "data" / "raw")
        subprocess.run([sys.executable, "-m", "bureaucli", "-C", str(root), "-q", "run"], check=True)
        with Catalog(root / "data" / "extracted" / "catalog.sqlite") as catalog:
            page_id = catalog.scalar(
                "SELECT page_id FROM pages JOIN documents d USING (doc_id) WHERE d.path = ? AND page_no = 1",
                (DOCUMENT,),
            )
        with review_server(root) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
            page = browser.new_page(viewport={"width": 1440, "height": 860})
            page.goto(url)
            page.goto(f"{url.split('/?')[0]}/page/{page_id}", wait_until="load")
            page.click("#zoom-in")
            page.click("#zoom-in")
            page.locator("form.case").first.click(position={"x": 5, "y": 5})
            page.locator("#lines .line.in-case").first.click()
            page.screenshot(path=args.out)
            browser.close()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
