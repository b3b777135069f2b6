"""A stand-in `tesseract` for the documentation test: the real one, remembered by input.

Called as `tesseract IMAGE OUTBASE ARGS…`, it answers from a cache keyed by the image's bytes and ARGS
when it has seen them, else runs the real Tesseract and keeps the files it wrote (OUTBASE.txt, .tsv …).
Every other call (`--version`, `--list-langs`) goes straight to the real one. The documentation's
examples OCR the same sample pages on many fresh workspaces; this keeps that to one OCR per page.
Environment: TESSERACT_MEMO_REAL (the real program), TESSERACT_MEMO_DIR (the cache).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    real = os.environ["TESSERACT_MEMO_REAL"]
    if len(argv) < 2 or argv[0].startswith("-") or not Path(argv[0]).is_file():
        return subprocess.run([real, *argv], check=False).returncode
    image, output_base = Path(argv[0]), Path(argv[1])
    digest = hashlib.sha256(image.read_bytes())
    digest.update("\0".join(argv[2:]).encode())
    cached = Path(os.environ["TESSERACT_MEMO_DIR"]) / digest.hexdigest()
    if not cached.is_dir():
        done = subprocess.run([real, *argv], check=False)
        if done.returncode:
            return done.returncode
        fresh = cached.with_name(f"{cached.name}.{os.getpid()}")
        fresh.mkdir(parents=True)
        for output in output_base.parent.glob(output_base.name + ".*"):
            shutil.copyfile(output, fresh / output.name[len(output_base.name) :])
        try:
            fresh.rename(cached)
        except OSError:  # another worker OCR'd the same page meanwhile
            shutil.rmtree(fresh)
    for kept in cached.iterdir():
        shutil.copyfile(kept, output_base.parent / (output_base.name + kept.name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
