"""Builders of input files for tests: good and deliberately broken scans, PDFs and transcripts."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

from PIL import Image, ImageDraw

PROTOCOL_PAGE = """ПРОТОКОЛ № 7
заседания бюро Вятского райкома ВКП(б)
от 3 апреля 1937 г.

1. СЛУШАЛИ: Персональное дело тов. Орлова П.Н., счетовода сплавконторы.
ПОСТАНОВИЛИ: Орлова П.Н. из рядов ВКП(б) исключить.
"""


def page_image(
    path: Path, size: tuple[int, int] = (850, 1100), dpi: int = 100, text: str = "Протокол"
) -> Path:
    image = Image.new("L", size, 255)
    ImageDraw.Draw(image).text((40, 40), text, fill=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, dpi=(dpi, dpi))
    return path


def multipage_tiff(path: Path, pages: int = 3) -> Path:
    frames = [Image.new("L", (400, 500), 255) for _ in range(pages)]
    path.parent.mkdir(parents=True, exist_ok=True)
    frames[0].save(path, save_all=True, append_images=frames[1:], dpi=(200, 200))
    return path


def image_pdf(path: Path, pages: int = 2) -> Path:
    frames = [Image.new("L", (600, 800), 255) for _ in range(pages)]
    path.parent.mkdir(parents=True, exist_ok=True)
    frames[0].save(path, save_all=True, append_images=frames[1:], resolution=100.0)
    return path


def _pdf(objects: list[bytes], trailer_extra: bytes = b"") -> bytes:
    """A minimal PDF with a correct cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, trailer_extra, xref)
    )
    return out.getvalue()


def text_pdf(path: Path, line: str = "Protocol of the bureau meeting " * 3) -> Path:
    """A born-digital PDF page with a text layer (Latin text: the base-14 fonts have no Cyrillic)."""
    stream = b"BT /F1 12 Tf 50 700 Td (" + line.encode("latin-1") + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_pdf(objects))
    return path


def encrypted_pdf(path: Path) -> Path:
    """A PDF under the standard security handler whose password is not empty."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <" + b"ab" * 32 + b"> /U <" + b"cd" * 32 + b"> /P -4 >>",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_pdf(objects, b"/Encrypt 4 0 R /ID [<" + b"01" * 16 + b"> <" + b"01" * 16 + b">] "))
    return path


def bomb_png(path: Path, width: int = 20_000, height: int = 20_000) -> Path:
    """A tiny PNG whose header declares a huge image (400 megapixels by default)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    data = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
