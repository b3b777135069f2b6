"""Preprocessing of a page image before OCR: grayscale, upscaling, denoising, deskewing, optional binarization.

Each step is recorded (e.g. `upscale:150->300`, `deskew:-1.20`) so a result can say what was done to
the page. The functions are pure: they take a Pillow image and return a new one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

from bureaucli.settings import OcrSettings

SKEW_SAMPLE_WIDTH = 640
"""Width (px) of the reduced copy on which the skew is measured: enough to resolve 0.05°, cheap to scan."""
COARSE_STEP_DEGREES = 0.2
FINE_STEP_DEGREES = 0.02
GRAINY_INK_SHARE = 0.10
"""A typed page is mostly bare paper (ink covers 0.5-3 % of the sample pages). When Otsu's threshold calls
more than this share of a page ink, it has split the grain of noisy paper around a sparse text, and
Tesseract, which thresholds the same way, would read the grain as text for minutes."""
MAX_PAGE_INCHES = 17.0
"""Wider than A3: an image this wide at its declared resolution carries a wrong one (72 dpi is common)."""
DENOISE_RADIUS = 1.0
"""Gaussian blur radius (px at 300 dpi) that smooths the grain while strokes stay sharp enough to read."""


@dataclass(frozen=True)
class PreparedImage:
    image: Image.Image
    steps: tuple[str, ...]
    skew_angle: float
    """Measured skew in degrees, counter-clockwise positive (0.0 when not deskewed)."""
    dpi: float | None
    """Resolution of `image` (after any upscaling), None when unknown."""


def to_grayscale(image: Image.Image) -> Image.Image:
    """8-bit grayscale; transparent areas become white paper."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(paper, rgba)
    return image.convert("L")


def upscale(image: Image.Image, dpi: float, target_dpi: int) -> Image.Image:
    scale = target_dpi / dpi
    size = (round(image.width * scale), round(image.height * scale))
    return image.resize(size, Image.Resampling.BICUBIC)


def otsu_threshold(gray: np.ndarray) -> int:
    """The gray level that best separates ink from paper (Otsu's between-class variance)."""
    histogram = np.bincount(gray.ravel(), minlength=256).astype(np.float64)
    levels = np.arange(256, dtype=np.float64)
    weight_dark = np.cumsum(histogram)
    weight_light = weight_dark[-1] - weight_dark
    sum_dark = np.cumsum(histogram * levels)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_dark = sum_dark / weight_dark
        mean_light = (sum_dark[-1] - sum_dark) / weight_light
        between = weight_dark * weight_light * (mean_dark - mean_light) ** 2
    return int(np.nanargmax(np.nan_to_num(between, nan=-1.0)))


def binarize(image: Image.Image) -> tuple[Image.Image, int]:
    """Black ink on white paper at the Otsu threshold of a grayscale image; returns the threshold too."""
    gray = np.asarray(image, dtype=np.uint8)
    threshold = otsu_threshold(gray)
    return Image.fromarray(np.where(gray > threshold, 255, 0).astype(np.uint8)), threshold


def ink_share(image: Image.Image) -> float:
    """Share of a grayscale page that Otsu's threshold calls ink, on a sparse sample of its pixels."""
    sample = np.asarray(image, dtype=np.uint8)[::4, ::4]
    return float((sample <= otsu_threshold(sample)).mean())


def _ink_points(image: Image.Image) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates of ink pixels on a reduced, binarized copy of the page."""
    factor = max(1, image.width // SKEW_SAMPLE_WIDTH)
    small = np.asarray(image.reduce(factor) if factor > 1 else image, dtype=np.uint8)
    ys, xs = np.nonzero(small <= otsu_threshold(small))
    return xs.astype(np.float64), ys.astype(np.float64)


def _profile_sharpness(xs: np.ndarray, ys: np.ndarray, degrees: float) -> float:
    """How strongly ink concentrates in horizontal lines when the page is read at `degrees` of skew."""
    rows = ys + xs * np.tan(np.radians(degrees))
    profile = np.bincount(np.round(rows - rows.min()).astype(np.int64))
    return float(np.dot(profile, profile))


def measure_skew(image: Image.Image, max_degrees: float) -> float:
    """Skew of the text lines (degrees, counter-clockwise positive) within ±max_degrees.

    Projection profiles: the angle at which the row sums of ink are most peaked is the one at which the
    typed lines run horizontally. A coarse scan is refined around its best angle.
    """
    xs, ys = _ink_points(image)
    if len(xs) < 50 or max_degrees <= 0:
        return 0.0
    coarse = np.arange(-max_degrees, max_degrees + COARSE_STEP_DEGREES / 2, COARSE_STEP_DEGREES)
    best = max(coarse, key=lambda angle: _profile_sharpness(xs, ys, angle))
    fine = np.arange(best - COARSE_STEP_DEGREES, best + COARSE_STEP_DEGREES + 1e-9, FINE_STEP_DEGREES)
    best = max(fine, key=lambda angle: _profile_sharpness(xs, ys, angle))
    return round(float(np.clip(best, -max_degrees, max_degrees)), 2)


def paper_tone(pixels: np.ndarray) -> int:
    """The gray level of the bare paper: the median of a sparse sample (ink covers a small part of a page)."""
    return int(np.median(pixels[::8, ::8]))


def _shear(pixels: np.ndarray, shifts: np.ndarray, axis: int, fill: int) -> np.ndarray:
    """Move each column (axis 0: down) or row (axis 1: right) by its whole-pixel shift, filling with `fill`.

    Shifts grow monotonically along the other axis, so equal shifts form contiguous bands moved as slices.
    """
    out = np.full_like(pixels, fill)
    length = pixels.shape[axis]
    for shift in np.unique(shifts):
        band = np.flatnonzero(shifts == shift)
        across = slice(band[0], band[-1] + 1)
        target = slice(shift, None) if shift >= 0 else slice(None, length + shift)
        source = slice(None, length - shift) if shift >= 0 else slice(-shift, None)
        if axis == 0:
            out[target, across] = pixels[source, across]
        else:
            out[across, target] = pixels[across, source]
    return out


def rotate(image: Image.Image, degrees: float) -> Image.Image:
    """Turn a grayscale page by `degrees` (counter-clockwise positive) as two shears by whole pixels.

    For the few degrees a scan is skewed this reads as well as an interpolated rotation: no blur and a
    scale error below 0.2 %, in a fraction of the time. The corners turned in take the paper's tone:
    white wedges on gray paper would pull Tesseract's global threshold above the paper, and the whole
    noisy sheet would be read as ink.
    """
    pixels = np.asarray(image, dtype=np.uint8)
    height, width = pixels.shape
    slope = np.tan(np.radians(degrees))
    fill = paper_tone(pixels)
    level = _shear(pixels, np.round((np.arange(width) - width / 2) * -slope).astype(np.int64), 0, fill)
    upright = _shear(level, np.round((np.arange(height) - height / 2) * slope).astype(np.int64), 1, fill)
    return Image.fromarray(upright)


def prepare(image: Image.Image, dpi: float | None, settings: OcrSettings) -> PreparedImage:
    """Apply the configured preprocessing to one page image and record each step taken."""
    steps: list[str] = []
    if image.mode not in ("L", "1"):
        image = to_grayscale(image)
        steps.append("grayscale")
    if dpi and image.width / dpi > MAX_PAGE_INCHES:
        dpi = None  # a resolution that does not fit the pixel size; Tesseract estimates its own
    if dpi and dpi < settings.upscale_below_dpi and dpi < settings.render_dpi:
        image = upscale(image.convert("L"), dpi, settings.render_dpi)
        steps.append(f"upscale:{dpi:g}->{settings.render_dpi}")
        dpi = float(settings.render_dpi)
    if image.mode == "L" and ink_share(image) > GRAINY_INK_SHARE:
        image = image.filter(ImageFilter.GaussianBlur(DENOISE_RADIUS * (dpi or 300) / 300))
        steps.append("denoise")
    skew = 0.0
    if settings.deskew:
        gray = image.convert("L")
        skew = measure_skew(gray, settings.max_skew_degrees)
        if abs(skew) >= settings.min_skew_degrees:
            # Whole-pixel shears keep a bilevel page bilevel: it stays 1-bit, which Tesseract reads and
            # thresholds far faster than the same page as 8-bit gray.
            upright = rotate(gray, -skew)
            image = upright.convert("1", dither=Image.Dither.NONE) if image.mode == "1" else upright
            steps.append(f"deskew:{skew:.2f}")
        else:
            skew = 0.0
    if settings.binarize and image.mode != "1":
        image, threshold = binarize(image.convert("L"))
        steps.append(f"binarize:otsu={threshold}")
    return PreparedImage(image, tuple(steps), skew, dpi)
