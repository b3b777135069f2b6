"""Ingest: find the documents under `data/raw/` and read what each page is, without changing any input.

A document is a PDF, a multi-page TIFF, a `.txt` transcript (pages separated by form feeds), or a folder
of page images (pages in natural sort order). Single images lying directly in `data/raw/` are documents
of their own. Probing a file is pure (it only reads the file); `bureaucli.pipeline` records the results.
"""

from __future__ import annotations

import hashlib
import os
import re
import warnings
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from PIL import Image, UnidentifiedImageError

from bureaucli.archival import INVENTORY_NAME
from bureaucli.errors import InputError
from bureaucli.settings import IngestSettings

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
TIFF_SUFFIXES = {".tif", ".tiff"}
DOCUMENT_SUFFIXES = IMAGE_SUFFIXES | {".pdf", ".txt"}
TEXT_ENCODINGS = ("cp1251", "koi8-r")


@dataclass(frozen=True)
class SourceFile:
    path: str
    """Relative to data/raw/, POSIX separators."""
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class DocumentSource:
    path: str
    kind: str
    """pdf | tiff | image | image_folder | transcript"""
    files: tuple[SourceFile, ...]


@dataclass(frozen=True)
class PageInfo:
    page_no: int
    source_path: str
    source_index: int
    content_sha256: str
    width: int | None = None
    height: int | None = None
    dpi: float | None = None
    text_layer: str | None = None

    @property
    def needs_ocr(self) -> bool:
        return self.text_layer is None


@dataclass
class ProbedDocument:
    source: DocumentSource
    sha256: str
    pages: list[PageInfo] = field(default_factory=list)
    file_errors: dict[str, str] = field(default_factory=dict)
    """Files of an image folder that could not be read, with the reason; the other pages still count."""
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Discovery:
    files: list[SourceFile]
    unsupported: dict[str, int]
    """Ignored files counted by extension."""


def natural_key(name: str) -> list[int | str]:
    """Sort key that puts `2.png` before `10.png`."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]


def discover(raw_dir: Path) -> Discovery:
    """Every input file under raw_dir (hidden files and inventory.csv aside), with its size and mtime."""
    files: list[SourceFile] = []
    unsupported: dict[str, int] = defaultdict(int)
    for dirpath, dirnames, filenames in os.walk(raw_dir):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if name.startswith(".") or (dirpath == str(raw_dir) and name == INVENTORY_NAME):
                continue
            full = os.path.join(dirpath, name)
            suffix = os.path.splitext(name)[1].lower()
            if suffix not in DOCUMENT_SUFFIXES:
                unsupported[suffix or "(no extension)"] += 1
                continue
            try:
                stat = os.stat(full)
            except OSError:
                continue  # vanished or a dangling link; it is simply not there
            relative = PurePosixPath(Path(full).relative_to(raw_dir)).as_posix()
            files.append(SourceFile(path=relative, size=stat.st_size, mtime_ns=stat.st_mtime_ns))
    files.sort(key=lambda f: natural_key(f.path))
    return Discovery(files=files, unsupported=dict(unsupported))


def group_documents(
    files: list[SourceFile], tiff_frames: Callable[[SourceFile], int]
) -> list[DocumentSource]:
    """Group input files into documents; `tiff_frames` says how many pages a TIFF file holds."""
    documents: list[DocumentSource] = []
    folders: dict[str, list[SourceFile]] = defaultdict(list)
    for file in files:
        suffix = PurePosixPath(file.path).suffix.lower()
        parent = str(PurePosixPath(file.path).parent)
        if suffix == ".pdf":
            documents.append(DocumentSource(file.path, "pdf", (file,)))
        elif suffix == ".txt":
            documents.append(DocumentSource(file.path, "transcript", (file,)))
        elif suffix in TIFF_SUFFIXES and tiff_frames(file) > 1:
            documents.append(DocumentSource(file.path, "tiff", (file,)))
        elif parent == ".":
            documents.append(DocumentSource(file.path, "image", (file,)))
        else:
            folders[parent].append(file)
    for folder, members in folders.items():
        members.sort(key=lambda f: natural_key(PurePosixPath(f.path).name))
        documents.append(DocumentSource(folder, "image_folder", tuple(members)))
    documents.sort(key=lambda d: natural_key(d.path))
    return documents


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open_input(path) as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def open_input(path: Path):  # noqa: ANN201 - a binary file object
    """Open an input for reading, turning OS errors into a one-line reason."""
    try:
        return open(path, "rb")  # noqa: SIM115 - the caller closes it
    except PermissionError:
        raise InputError("cannot read the file: permission denied (check its permissions)") from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}") from None


def count_tiff_frames(path: Path) -> int:
    """Pages in a TIFF; 1 when it cannot be read (probing then reports why)."""
    try:
        with open_input(path) as handle, Image.open(handle) as image:
            return getattr(image, "n_frames", 1)
    except Exception:  # noqa: BLE001 - an unreadable file is reported by probe_document
        return 1


def probe_document(
    raw_dir: Path, source: DocumentSource, file_shas: dict[str, str], settings: IngestSettings
) -> ProbedDocument:
    """Read a document's pages. Raises InputError when the document cannot be used at all."""
    if source.kind == "image_folder":
        return _probe_image_folder(raw_dir, source, file_shas, settings)
    (file,) = source.files
    path = raw_dir / file.path
    if file.size == 0:
        raise InputError("empty file (0 bytes)")
    sha = file_shas[file.path]
    probed = ProbedDocument(source=source, sha256=sha)
    if source.kind == "pdf":
        probed.pages = _probe_pdf(path, file.path, sha, settings)
    elif source.kind == "transcript":
        pages, warning = _probe_transcript(path, file.path)
        probed.pages = pages
        if warning:
            probed.warnings.append(warning)
    else:
        probed.pages = _probe_image(path, file.path, sha, settings)
    if not probed.pages:
        raise InputError("no pages found in the document")
    return probed


def document_sha(source: DocumentSource, file_shas: dict[str, str]) -> str:
    """Content hash of a document: its file's hash, or for an image folder a hash over its pages' names and hashes."""
    if source.kind != "image_folder":
        return file_shas[source.files[0].path]
    combined = hashlib.sha256()
    for file in source.files:
        combined.update(f"{PurePosixPath(file.path).name}\0{file_shas[file.path]}\n".encode())
    return combined.hexdigest()


def _probe_image_folder(
    raw_dir: Path, source: DocumentSource, file_shas: dict[str, str], settings: IngestSettings
) -> ProbedDocument:
    probed = ProbedDocument(source=source, sha256=document_sha(source, file_shas))
    for file in source.files:
        try:
            if file.size == 0:
                raise InputError("empty file (0 bytes)")
            frames = _probe_image(raw_dir / file.path, file.path, file_shas[file.path], settings)
        except InputError as exc:
            probed.file_errors[file.path] = str(exc)
            continue
        for frame in frames:
            probed.pages.append(_renumber(frame, len(probed.pages) + 1))
    if not probed.pages:
        raise InputError("none of the folder's images could be read")
    return probed


def _renumber(page: PageInfo, page_no: int) -> PageInfo:
    return PageInfo(
        page_no=page_no,
        source_path=page.source_path,
        source_index=page.source_index,
        content_sha256=page.content_sha256,
        width=page.width,
        height=page.height,
        dpi=page.dpi,
        text_layer=page.text_layer,
    )


def _probe_image(path: Path, relative: str, sha: str, settings: IngestSettings) -> list[PageInfo]:
    limit = int(settings.max_image_megapixels * 1_000_000)
    try:
        with open_input(path) as handle, warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            Image.MAX_IMAGE_PIXELS = None  # we check the declared size ourselves, before decoding anything
            with Image.open(handle) as image:
                frames = getattr(image, "n_frames", 1)
                pages = []
                for index in range(frames):
                    image.seek(index)
                    width, height = image.size
                    if width * height > limit:
                        raise InputError(
                            f"image declares {width}×{height} pixels ({width * height / 1e6:.0f} megapixels), "
                            f"over the {settings.max_image_megapixels:g}-megapixel limit "
                            "(a decompression bomb or a broken header)"
                        )
                    dpi = round(declared_dpi(image.info.get("dpi")) or settings.default_dpi, 1)
                    content = sha if frames == 1 else hashlib.sha256(f"{sha}:{index}".encode()).hexdigest()
                    pages.append(PageInfo(index + 1, relative, index, content, width, height, dpi))
                if frames == 1:
                    image.verify()  # reads the whole image stream: catches truncated files now, not at OCR
                return pages
    except InputError:
        raise
    except UnidentifiedImageError:
        raise InputError("not an image Pillow can read (wrong extension or damaged file)") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise InputError(f"damaged image ({exc})") from None


def declared_dpi(value: object) -> float | None:
    """The horizontal resolution of a Pillow `dpi` entry (floats, ints or TIFF fractions), if usable."""
    try:
        dpi = float(value[0])  # type: ignore[index]
    except (TypeError, ValueError, IndexError, ZeroDivisionError):
        return None
    return dpi if dpi > 1 else None


def _probe_pdf(path: Path, relative: str, sha: str, settings: IngestSettings) -> list[PageInfo]:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    try:
        with open_input(path) as handle, pdfplumber.open(handle) as pdf:
            pages = []
            for index, page in enumerate(pdf.pages):
                text = page.extract_text() or ""
                letters = sum(ch.isalpha() for ch in text)
                pages.append(
                    PageInfo(
                        page_no=index + 1,
                        source_path=relative,
                        source_index=index,
                        content_sha256=hashlib.sha256(f"{sha}:{index}".encode()).hexdigest(),
                        width=round(float(page.width) * settings.default_dpi / 72),
                        height=round(float(page.height) * settings.default_dpi / 72),
                        dpi=float(settings.default_dpi),
                        text_layer=text if letters >= settings.min_text_layer_chars else None,
                    )
                )
            return pages
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many unrelated types for damaged files
        # pdfplumber wraps pdfminer's errors; the original is its first argument
        cause = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
        if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError):
            raise InputError(
                "encrypted PDF: remove the password first (e.g. qpdf --decrypt IN OUT)"
            ) from None
        detail = f"{type(cause).__name__}: {cause}" if str(cause) else type(cause).__name__
        raise InputError(f"not a readable PDF, truncated or damaged ({detail})") from None


def decode_transcript(data: bytes) -> tuple[str, str | None]:
    """Text of a transcript and a warning when it was not UTF-8 (then cp1251 or KOI8-R, whichever reads as Russian)."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    candidates = []
    for encoding in TEXT_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        candidates.append((_russianness(text), encoding, text))
    if not candidates:
        raise InputError("not UTF-8, cp1251 or KOI8-R text; convert it to UTF-8")
    _, encoding, text = max(candidates)
    return text, f"not UTF-8; decoded as {encoding}"


_FREQUENT = set("оеаинтсрвл")


def _russianness(text: str) -> float:
    """Share of letters that are the most frequent lowercase Russian letters (high for correctly decoded text)."""
    letters = [ch for ch in text if ch.isalpha()]
    return sum(ch in _FREQUENT for ch in letters) / len(letters) if letters else 0.0


def _probe_transcript(path: Path, relative: str) -> tuple[list[PageInfo], str | None]:
    with open_input(path) as handle:
        data = handle.read()
    text, warning = decode_transcript(data)
    if "\x00" in text:
        raise InputError("binary data in a .txt file (NUL bytes); is it really a transcript?")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    pages = text.split("\f")
    if len(pages) > 1 and not pages[-1].strip():
        pages.pop()
    return [
        PageInfo(
            page_no=index + 1,
            source_path=relative,
            source_index=index,
            content_sha256=hashlib.sha256(page.encode()).hexdigest(),
            text_layer=page,
        )
        for index, page in enumerate(pages)
    ], warning


def doc_id_for(path: str) -> str:
    """Stable id of a document: derived from its path under data/raw/, so it survives re-runs."""
    return "D" + hashlib.sha1(path.encode()).hexdigest()[:10]


def page_id_for(doc_id: str, page_no: int) -> str:
    return f"{doc_id}.p{page_no}"
