"""OCR of one page: load the scan, preprocess it, run Tesseract once for text and word boxes, write both.

`ocr_page` is the pure per-page function the orchestration runs in worker processes: a task carries only
paths and settings, the result only text and numbers. Tesseract writes its text and TSV in one run; a page
typed as two columns (heard | decided) is then re-read from the word boxes so each item's decision
follows its own heard part (see `bureaucli.layout`).

Tesseract runs as a plain subprocess on an image file we write, as pytesseract would run it, without
importing pytesseract: its import pulls in pandas and costs half a second on every `bureau` start.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pypdfium2
from PIL import Image, UnidentifiedImageError
from rapidfuzz.distance import Levenshtein

from bureaucli import imaging, layout
from bureaucli.errors import BureauError, MissingDependencyError
from bureaucli.ingest import declared_dpi
from bureaucli.settings import OcrSettings

TESSERACT = "tesseract"
"""The Tesseract program, found on PATH."""
INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-rus"
PREPROCESSING_VERSION = 7
"""Bump when preprocessing or layout code changes what OCR produces, so cached pages are redone."""
RUN_ONLY_SETTINGS = frozenset({"workers", "page_timeout", "low_confidence", "scheduler", "retries"})
"""OCR settings that change how pages are run or flagged but never the text they give."""
SOURCE_KINDS = ("image", "tiff", "pdf")


class OcrPageError(BureauError):
    """One page could not be read; the run records it and goes on with the other pages."""


@dataclass(frozen=True)
class PageImageRef:
    path: str
    """Absolute path of the source file."""
    kind: str
    """"image" (PNG/JPEG/single TIFF), "tiff" (frame of a multi-page TIFF), "pdf" (page of a PDF)."""
    index: int
    """0-based frame / page index within the file (0 for single images)."""
    dpi: float | None
    """Declared resolution, None if unknown."""


@dataclass(frozen=True)
class EngineInfo:
    version: str
    lang: str
    traineddata_sha256: str
    """One hash over the traineddata files of every language in `lang`."""


@dataclass(frozen=True)
class OcrTask:
    page_id: str
    source: PageImageRef
    out_dir: str
    """`<page_id>.txt` and `<page_id>.tsv` are written here, each atomically."""
    settings: OcrSettings
    engine: EngineInfo | None = None
    """The driver's Tesseract, checked against the worker's own when given (a cluster's workers may differ)."""


@dataclass(frozen=True)
class OcrPageResult:
    page_id: str
    text: str
    text_path: str
    tsv_path: str
    mean_confidence: float | None
    word_count: int
    layout: str
    """"single" | "two_column"."""
    skew_angle: float
    """Degrees measured, counter-clockwise positive (0.0 if not deskewed)."""
    preprocessing: tuple[str, ...]
    """Steps applied, e.g. ("render:300dpi", "grayscale", "upscale:150->300", "denoise", "deskew:-1.20")."""
    seconds: float


def limit_tesseract_threads() -> None:
    """One OpenMP thread per Tesseract process: the process pool already uses every core.

    A value the user set is kept.
    """
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")


@lru_cache(maxsize=8)
def engine_info(lang: str) -> EngineInfo:
    """Tesseract's version and the hash of its language data; raises MissingDependencyError if absent."""
    try:
        listing = subprocess.run([TESSERACT, "--list-langs"], capture_output=True, text=True, check=True)
        banner = subprocess.run([TESSERACT, "--version"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise MissingDependencyError(
            f"Tesseract OCR is not installed or does not run; install it: {INSTALL_HINT}"
        ) from exc
    # "tesseract 5.3.0" (some builds add "-…" or print the banner on stderr)
    words = (banner.stdout + banner.stderr).split()
    version = words[1].split("-")[0] if len(words) > 1 else "unknown"
    output = listing.stdout + listing.stderr
    found = re.search(r'"([^"]+)"', output)
    installed = set(output.split())
    digest = hashlib.sha256()
    for language in lang.split("+"):
        traineddata = Path(found.group(1) if found else "") / f"{language}.traineddata"
        if language not in installed or not traineddata.is_file():
            raise MissingDependencyError(
                f"Tesseract has no language data for {language!r}; install it: "
                f"apt-get install tesseract-ocr tesseract-ocr-{language}"
            )
        with traineddata.open("rb") as data:
            digest.update(hashlib.file_digest(data, "sha256").digest())
    return EngineInfo(version, lang, digest.hexdigest())


def ocr_cache_key(image_sha256: str, settings: OcrSettings, engine: EngineInfo) -> str:
    """A key that changes whenever the page's OCR output could: image, settings that shape it, engine."""
    shaping = {k: v for k, v in dataclasses.asdict(settings).items() if k not in RUN_ONLY_SETTINGS}
    blob = json.dumps(
        {
            "image": image_sha256,
            "settings": shaping,
            "engine": dataclasses.asdict(engine),
            "preprocessing_version": PREPROCESSING_VERSION,
        },
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def character_error_rate(recognised: str, truth: str) -> float:
    """Levenshtein distance over the length of the truth, after collapsing all whitespace to one space."""
    got, want = " ".join(recognised.split()), " ".join(truth.split())
    if not want:
        return 0.0 if not got else 1.0
    return Levenshtein.distance(got, want) / len(want)


def load_page_image(source: PageImageRef, render_dpi: int) -> tuple[Image.Image, float | None]:
    """The page's pixels and resolution; PDF pages are rendered at `render_dpi`.

    The resolution the image file declares wins over the catalog's: TIFF headers hold it as fractions,
    which the catalog has recorded as the 300-dpi default.
    """
    if source.kind == "pdf":
        document = pypdfium2.PdfDocument(source.path)
        try:
            page = document[source.index]
            image = page.render(scale=render_dpi / 72, grayscale=True).to_pil()
        finally:
            document.close()
        return image, float(render_dpi)
    Image.MAX_IMAGE_PIXELS = None  # ingest already refused images above the user's size limit
    with Image.open(source.path) as image:
        image.seek(source.index)
        image.load()  # the pixels stay in memory when the file is closed
        declared = declared_dpi(image.info.get("dpi"))
    return image, declared or source.dpi


def _run_tesseract(image_path: Path, output_base: Path, settings: OcrSettings) -> tuple[str, str]:
    """Text and word TSV of one image from a single Tesseract run."""
    limit_tesseract_threads()
    command = [TESSERACT, str(image_path), str(output_base), "-l", settings.lang, "--psm", str(settings.psm)]
    try:
        done = subprocess.run(
            [*command, "txt", "tsv"], capture_output=True, text=True, timeout=settings.page_timeout
        )
    except subprocess.TimeoutExpired as exc:  # the process is killed before this is raised
        raise OcrPageError(f"timed out after {settings.page_timeout:g} s") from exc
    except OSError as exc:
        raise MissingDependencyError(f"Tesseract OCR is not installed; install it: {INSTALL_HINT}") from exc
    if done.returncode:
        reason = done.stderr.strip().splitlines()[-1:] or [f"exit code {done.returncode}"]
        raise OcrPageError(f"Tesseract failed: {reason[0]}")
    text = output_base.with_suffix(".txt").read_text(encoding="utf-8")
    tsv = output_base.with_suffix(".tsv").read_text(encoding="utf-8")
    return text, tsv


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def _check_engine(expected: EngineInfo, own: EngineInfo) -> None:
    """Refuse to OCR with another Tesseract or language data than the cache key was computed for."""
    if own != expected:
        raise OcrPageError(
            f"this worker has Tesseract {own.version} with {own.lang} data {own.traineddata_sha256[:12]}, "
            f"the driver {expected.version} with {expected.traineddata_sha256[:12]}; "
            "install the same Tesseract and language data on every worker"
        )


def ocr_page(task: OcrTask) -> OcrPageResult:
    """OCR one page and write `<page_id>.txt` and `<page_id>.tsv`; raises OcrPageError when it fails."""
    started = time.perf_counter()
    settings = task.settings
    if task.source.kind not in SOURCE_KINDS:
        raise OcrPageError(f"unknown page source kind {task.source.kind!r}")
    if task.engine is not None:
        _check_engine(task.engine, engine_info(settings.lang))
    try:
        image, dpi = load_page_image(task.source, settings.render_dpi)
        prepared = imaging.prepare(image, dpi, settings)
    except (OSError, UnidentifiedImageError, ValueError, EOFError, pypdfium2.PdfiumError) as exc:
        raise OcrPageError(f"cannot read page image: {exc}") from exc
    out_dir = Path(task.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    work_dir = Path(tempfile.mkdtemp(prefix=f".{task.page_id}.", dir=out_dir))
    try:
        # An uncompressed TIFF is written in milliseconds and spares Tesseract decoding a PNG again.
        image_path = work_dir / "page.tif"
        resolution = {"dpi": (prepared.dpi, prepared.dpi)} if prepared.dpi else {}
        prepared.image.save(image_path, compression=None, **resolution)
        plain_text, tsv = _run_tesseract(image_path, work_dir / "ocr", settings)
        words = layout.words_from_tsv(tsv)
        columns_text = layout.two_column_text(words, settings)
        text = plain_text if columns_text is None else columns_text
        text_path, tsv_path = out_dir / f"{task.page_id}.txt", out_dir / f"{task.page_id}.tsv"
        _write_atomically(text_path, text)
        os.replace(work_dir / "ocr.tsv", tsv_path)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    confidences = [word.conf for word in words if word.conf >= 0]
    return OcrPageResult(
        page_id=task.page_id,
        text=text,
        text_path=str(text_path),
        tsv_path=str(tsv_path),
        mean_confidence=sum(confidences) / len(confidences) if confidences else None,
        word_count=len(words),
        layout="single" if columns_text is None else "two_column",
        skew_angle=prepared.skew_angle,
        preprocessing=(f"render:{settings.render_dpi}dpi",) * (task.source.kind == "pdf") + prepared.steps,
        seconds=time.perf_counter() - started,
    )
