#!/usr/bin/env python3
"""Render text as typewritten archive scans: the project's own test and sample material.

usage: typewriter.py TEXT.txt OUT [--layout plain|columns] [--quality clean|worn|bad] [--dpi 300]
                     [--font cmu|freemono|liberation] [--seed N] [--rotate DEG] [--format png|png1|tif|pdf]

Pages of the input are separated by form feeds; a page that overflows continues on the next sheet.
`--layout columns` types the items as 1930s two-column minutes: the header full width, a
`СЛУШАЛИ:  ПОСТАНОВИЛИ:` row, then each item's heard part on the left and its decision on the right.
Every page comes with its ground truth in reading order (for columns: each item's heard part followed
by its own decision), so OCR output can be scored against it.
"""

from __future__ import annotations

import argparse
import random
import re
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype")
FONTS = {
    "cmu": FONT_DIR / "cmu" / "cmuntt.ttf",
    "freemono": FONT_DIR / "freefont" / "FreeMono.ttf",
    "liberation": FONT_DIR / "liberation" / "LiberationMono-Regular.ttf",
}
QUALITIES = ("clean", "worn", "bad")
PAGE_INCHES = (8.27, 11.69)
MARGIN_INCHES = 0.85
FONT_POINTS_AT_300DPI = 40
LINE_PITCH = 1.55
LINE_CHARS = 64
COLUMN_GAP_CHARS = 3

ITEM_START = re.compile(r"^[ \t]*((?:§\s*)?\d{1,3}[а-я]?[.)]?)?[ \t]*СЛУШАЛИ\s*:?[ \t]*", re.M)
DECIDED_LABEL = re.compile(r"ПОСТАНОВИЛИ\s*:?[ \t]*")
HEARD_LABEL = "СЛУШАЛИ:"
DECIDED_WORD = "ПОСТАНОВИЛИ:"


@dataclass(frozen=True)
class Degradation:
    """How a quality level spoils a page: paper tone, ink, jitter, noise, blur and skew."""

    paper: tuple[int, int]
    ink_max: int
    jitter_px: int
    noise_sigma: float
    speckle_rate: float
    blur_radius: float
    fade: float
    """Strength (0-1) of a smooth ink fading across the sheet."""
    max_rotation: float


DEGRADATIONS = {
    "clean": Degradation((255, 255), 0, 0, 0.0, 0.0, 0.0, 0.0, 0.0),
    "worn": Degradation((222, 240), 90, 1, 10.0, 0.0, 0.7, 0.25, 1.0),
    "bad": Degradation((205, 230), 135, 2, 18.0, 0.0015, 1.1, 0.4, 2.0),
}


@dataclass(frozen=True)
class RenderedPage:
    image: Image.Image
    text: str
    """What a perfect reader would transcribe, in reading order."""
    rotation: float
    """Degrees the sheet was turned (counter-clockwise positive), 0 when straight."""


@dataclass(frozen=True)
class TypedLine:
    left: str
    right: str | None = None
    """Right-column text of a two-column row; None for a full-width line."""


def wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(textwrap.wrap(paragraph, width=width, break_long_words=False) or [""])
    return lines


def _unwrap(text: str) -> str:
    return " ".join(text.split())


def plain_lines(page_text: str) -> tuple[list[TypedLine], list[str]]:
    """Lines of a plain page and, for each sheet line, the truth line it carries."""
    lines = wrap(page_text, LINE_CHARS)
    return [TypedLine(line) for line in lines], lines


def column_lines(page_text: str) -> tuple[list[TypedLine], list[str]]:
    """Lay out one page of a protocol as two-column minutes; returns sheet lines and truth lines.

    A decision ends at the first blank line; what follows the last item (signatures) is typed full width.
    """
    starts = [m for m in ITEM_START.finditer(page_text)]
    if not starts:
        return plain_lines(page_text)
    half = (LINE_CHARS - COLUMN_GAP_CHARS) // 2
    header = page_text[: starts[0].start()].rstrip("\n")
    typed = [TypedLine(line) for line in wrap(header, LINE_CHARS)] if header else []
    truth = [line for line in wrap(header, LINE_CHARS)] if header else []
    typed += [TypedLine(HEARD_LABEL, DECIDED_WORD), TypedLine("")]
    footer = ""
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(page_text)
        chunk = page_text[match.end() : end].strip("\n")
        decided_match = DECIDED_LABEL.search(chunk)
        heard = chunk[: decided_match.start()] if decided_match else chunk
        decided = chunk[decided_match.end() :] if decided_match else ""
        decided, _, rest = decided.partition("\n\n")
        if index == len(starts) - 1:
            footer = rest.strip("\n")
        number = match.group(1) or ""
        left = wrap(f"{number} {_unwrap(heard)}".strip(), half)
        right = wrap(_unwrap(decided), half)
        for row in range(max(len(left), len(right))):
            typed.append(
                TypedLine(left[row] if row < len(left) else "", right[row] if row < len(right) else "")
            )
        typed.append(TypedLine(""))
        label = f"{number} {HEARD_LABEL}".strip()
        truth.append(f"{label} {_unwrap(heard)} {DECIDED_WORD} {_unwrap(decided)}")
    if footer:
        typed += [TypedLine(line) for line in wrap(footer, LINE_CHARS)]
        truth += wrap(footer, LINE_CHARS)
    return typed, truth


def _fade_field(size: tuple[int, int], rng: np.random.Generator, strength: float) -> np.ndarray:
    """A smooth multiplier (1 - strength .. 1) that lightens the ink unevenly across the sheet."""
    width, height = size
    coarse = rng.random((4, 3)).astype(np.float32)
    field = np.asarray(
        Image.fromarray((coarse * 255).astype(np.uint8)).resize((width, height), Image.Resampling.BICUBIC),
        dtype=np.float32,
    )
    return 1.0 - strength * field / 255.0


def _type_sheet(
    lines: list[TypedLine],
    font: ImageFont.FreeTypeFont,
    dpi: int,
    sheet_inches: tuple[float, float],
    spoil: Degradation,
    rng: random.Random,
) -> Image.Image:
    width, height = round(sheet_inches[0] * dpi), round(sheet_inches[1] * dpi)
    paper = rng.randint(*spoil.paper)
    sheet = Image.new("L", (width, height), paper)
    draw = ImageDraw.Draw(sheet)
    advance = font.getlength("M")
    pitch = font.size * LINE_PITCH
    margin = MARGIN_INCHES * dpi
    right_column_x = margin + advance * ((LINE_CHARS - COLUMN_GAP_CHARS) // 2 + COLUMN_GAP_CHARS)
    for row, line in enumerate(lines):
        y = margin + row * pitch
        runs = (
            [(margin, line.left)]
            if line.right is None
            else [(margin, line.left), (right_column_x, line.right)]
        )
        for x_start, run in runs:
            x = x_start + rng.randint(-spoil.jitter_px * 2, spoil.jitter_px * 2)
            for char in run:
                if not char.isspace():
                    dy = rng.randint(-spoil.jitter_px, spoil.jitter_px)
                    draw.text((x, y + dy), char, font=font, fill=rng.randint(0, spoil.ink_max))
                x += advance
    return sheet


def _spoil(sheet: Image.Image, spoil: Degradation, seed: int, rotation: float) -> Image.Image:
    if spoil.noise_sigma or spoil.fade or spoil.speckle_rate:
        rng = np.random.default_rng(seed)
        pixels = np.asarray(sheet, dtype=np.float32)
        paper = float(np.median(pixels))
        pixels = paper - (paper - pixels) * _fade_field(sheet.size, rng, spoil.fade)
        pixels += rng.normal(0.0, spoil.noise_sigma, pixels.shape).astype(np.float32)
        pixels[rng.random(pixels.shape) < spoil.speckle_rate] = 40.0
        sheet = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    if spoil.blur_radius:
        sheet = sheet.filter(ImageFilter.GaussianBlur(spoil.blur_radius * sheet.size[0] / 2481))
    if rotation:
        fill = int(np.median(np.asarray(sheet.resize((64, 64)))))
        sheet = sheet.rotate(rotation, resample=Image.Resampling.BICUBIC, fillcolor=fill)
    return sheet


def render(
    text: str,
    *,
    layout: str = "plain",
    quality: str = "clean",
    dpi: int = 300,
    font: str = "cmu",
    seed: int = 0,
    rotation: float | None = None,
    sheet_inches: tuple[float, float] = PAGE_INCHES,
) -> list[RenderedPage]:
    """Typewritten sheets of `text`; `rotation` overrides the random skew of the quality level.

    `sheet_inches` (width, height) shortens the sheet for small, fast test pages; lines keep their length.
    """
    if layout not in ("plain", "columns") or quality not in QUALITIES:
        raise ValueError(f"unknown layout {layout!r} or quality {quality!r}")
    spoil = DEGRADATIONS[quality]
    rng = random.Random(seed)
    typeface = ImageFont.truetype(str(FONTS[font]), round(FONT_POINTS_AT_300DPI * dpi / 300))
    per_sheet = int((sheet_inches[1] - 2 * MARGIN_INCHES) * dpi // (typeface.size * LINE_PITCH))
    lay_out = column_lines if layout == "columns" else plain_lines
    pages: list[RenderedPage] = []
    for page_text in text.strip("\f\n").split("\f"):
        typed, truth = lay_out(page_text.strip("\n"))
        sheets = [typed[start : start + per_sheet] for start in range(0, max(len(typed), 1), per_sheet)]
        for sheet_lines in sheets:
            turn = rng.uniform(-spoil.max_rotation, spoil.max_rotation) if rotation is None else rotation
            image = _type_sheet(sheet_lines, typeface, dpi, sheet_inches, spoil, rng)
            image = _spoil(image, spoil, seed * 1000 + len(pages), turn)
            # An overflowing page is split by sheet lines; its truth then is the sheet's own text.
            page_truth = truth if len(sheets) == 1 else [_line_text(line) for line in sheet_lines]
            image.info["dpi"] = (dpi, dpi)
            pages.append(RenderedPage(image, "\n".join(page_truth).strip("\n"), turn))
    return pages


def _line_text(line: TypedLine) -> str:
    return line.left if line.right is None else f"{line.left} {line.right}".strip()


def bilevel(image: Image.Image, threshold: int = 150) -> Image.Image:
    """A 1-bit copy made by a fixed threshold (no dithering: dots would read as noise)."""
    return image.point(lambda value: 255 if value > threshold else 0, mode="1")


def save(pages: list[RenderedPage], out: Path, fmt: str) -> list[Path]:
    """Write pages as `out-0001.png`… (png: grayscale, png1: 1-bit) or one multi-page `out.tif` / `out.pdf`."""
    images = [page.image for page in pages]
    dpi = images[0].info.get("dpi", (300, 300))
    if fmt in ("png", "png1"):
        paths = []
        for number, image in enumerate(images, 1):
            path = out.with_name(f"{out.name}-{number:04d}.png")
            (bilevel(image) if fmt == "png1" else image).save(path, dpi=dpi, optimize=True)
            paths.append(path)
        return paths
    if fmt == "tif":
        path = out.with_suffix(".tif")
        images[0].save(path, save_all=True, append_images=images[1:], dpi=dpi, compression="tiff_deflate")
        return [path]
    if fmt == "pdf":
        path = out.with_suffix(".pdf")
        fixed = time.strptime("2000-01-01", "%Y-%m-%d")  # the same pages always give the same bytes
        images[0].save(
            path,
            save_all=True,
            append_images=images[1:],
            resolution=dpi[0],
            quality=60,
            creationDate=fixed,
            modDate=fixed,
        )
        return [path]
    raise ValueError(f"unknown format {fmt!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("text", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--layout", default="plain", choices=("plain", "columns"))
    parser.add_argument("--quality", default="clean", choices=QUALITIES)
    parser.add_argument("--dpi", type=int, default=300)
    parser.add_argument("--font", default="cmu", choices=sorted(FONTS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rotate", type=float, default=None)
    parser.add_argument("--format", default="png", choices=("png", "png1", "tif", "pdf"))
    args = parser.parse_args()
    pages = render(
        args.text.read_text(encoding="utf-8"),
        layout=args.layout,
        quality=args.quality,
        dpi=args.dpi,
        font=args.font,
        seed=args.seed,
        rotation=args.rotate,
    )
    for path in save(pages, args.out, args.format):
        print(path)


if __name__ == "__main__":
    main()
