"""Preprocessing: each step does what it says, and helps or does not hurt OCR on degraded pages."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from bureaucli import imaging
from bureaucli.ocr import OcrPageError
from bureaucli.settings import OcrSettings
from ocr_pages import FULL_SHEET, PLAIN_TEXT, needs_tesseract, page_cer, render

CER_TOLERANCE = 0.005
"""Half a percent: one or two characters of a short test page, Tesseract's noise between near-equal images."""


@pytest.mark.parametrize("degrees", [2.5, -1.5])
def test_measure_skew_finds_the_rotation_of_a_page(degrees):
    page = render(PLAIN_TEXT, quality="clean", rotation=degrees)
    assert imaging.measure_skew(page.image, max_degrees=5.0) == pytest.approx(degrees, abs=0.3)


def test_rotate_levels_a_skewed_page():
    page = render(PLAIN_TEXT, quality="worn", rotation=2.5)
    skew = imaging.measure_skew(page.image, 5.0)
    upright = imaging.rotate(page.image, -skew)
    assert upright.size == page.image.size
    assert abs(imaging.measure_skew(upright, 5.0)) <= 0.2


def test_prepare_records_deskew_only_above_the_minimum_angle():
    skewed = imaging.prepare(render(PLAIN_TEXT, rotation=2.0).image, 300.0, OcrSettings())
    straight = imaging.prepare(render(PLAIN_TEXT, rotation=0.1).image, 300.0, OcrSettings())
    assert skewed.steps == (f"deskew:{skewed.skew_angle:.2f}",) and skewed.skew_angle == pytest.approx(
        2.0, abs=0.3
    )
    assert straight.steps == () and straight.skew_angle == 0.0


def test_deskew_keeps_a_bilevel_page_bilevel():
    """Regression: a skewed 1-bit scan came out of deskewing as 8-bit gray, eight times the bytes for
    Tesseract to threshold again (bureau took 1.19x the time of bare Tesseract on 1-bit pages)."""
    page = render(PLAIN_TEXT, rotation=2.0).image.convert("1", dither=Image.Dither.NONE)
    prepared = imaging.prepare(page, 300.0, OcrSettings())
    assert prepared.steps[0].startswith("deskew:") and prepared.image.mode == "1"


def test_deskew_fills_turned_in_corners_with_the_paper_tone():
    """Regression: white corners on gray paper made Tesseract read a whole worn sheet as noise (CER 11)."""
    gray_paper = Image.new("L", (800, 600), 207)
    gray_paper.paste(0, (100, 280, 700, 320))
    turned = np.asarray(imaging.rotate(gray_paper, 2.0))
    assert turned[0, -1] == turned[-1, 0] == 207
    assert (turned == 255).sum() == 0


def test_upscale_brings_a_150_dpi_scan_to_300():
    page = render(PLAIN_TEXT, dpi=150)
    prepared = imaging.prepare(page.image, 150.0, OcrSettings())
    assert prepared.dpi == 300.0 and "upscale:150->300" in prepared.steps
    assert prepared.image.size == (page.image.width * 2, page.image.height * 2)
    assert imaging.prepare(page.image, 300.0, OcrSettings()).image.size == page.image.size
    assert imaging.prepare(page.image, None, OcrSettings()).image.size == page.image.size, "unknown dpi"


def test_a_resolution_that_does_not_fit_the_page_is_not_trusted():
    """A full A4 scan at 300 dpi whose header says 72 dpi would be upscaled to 10,000 pixels wide."""
    page = render(PLAIN_TEXT)
    prepared = imaging.prepare(page.image, 72.0, OcrSettings(deskew=False))
    assert prepared.image.size == page.image.size and prepared.dpi is None and prepared.steps == ()


def test_grayscale_of_rgb_and_of_transparent_images():
    rgb = Image.new("RGB", (40, 30), (200, 180, 150))
    prepared = imaging.prepare(rgb, 300.0, OcrSettings(deskew=False))
    assert prepared.image.mode == "L" and prepared.steps == ("grayscale",)
    transparent = Image.new("RGBA", (40, 30), (0, 0, 0, 0))
    assert np.asarray(imaging.to_grayscale(transparent)).min() == 255, "transparent areas are paper"


def test_binarize_separates_ink_from_paper():
    page = render(PLAIN_TEXT, quality="worn", rotation=0.0)
    prepared = imaging.prepare(page.image, 300.0, OcrSettings(binarize=True, deskew=False))
    pixels = np.asarray(prepared.image)
    assert set(np.unique(pixels)) == {0, 255}
    assert 0.01 < (pixels == 0).mean() < 0.2, "ink is a small share of a typed page"
    assert prepared.steps[-1].startswith("binarize:otsu=")


@pytest.mark.ocr
@needs_tesseract
@pytest.mark.parametrize("quality", ["worn", "bad"])
def test_deskew_helps_ocr_of_a_skewed_page(quality, tmp_path):
    page = render(PLAIN_TEXT, quality=quality, rotation=3.5, seed=3)
    with_step, without = page_cer(page, tmp_path), page_cer(page, tmp_path, deskew=False)
    assert with_step <= without / 2 and with_step < 0.02, (with_step, without)


@pytest.mark.ocr
@needs_tesseract
@pytest.mark.parametrize("quality", ["clean", "worn"])
def test_upscale_helps_or_does_not_hurt_ocr_of_a_150_dpi_scan(quality, tmp_path):
    page = render(PLAIN_TEXT, quality=quality, dpi=150, seed=4)
    with_step = page_cer(page, tmp_path, dpi=150)
    without = page_cer(page, tmp_path, dpi=150, upscale_below_dpi=0)
    assert with_step <= without + CER_TOLERANCE, (with_step, without)


@pytest.mark.ocr
@needs_tesseract
@pytest.mark.parametrize("quality", ["worn", "bad"])
def test_binarization_does_not_hurt_ocr_of_a_degraded_page(quality, tmp_path):
    page = render(PLAIN_TEXT, quality=quality, rotation=None, seed=5)
    with_step, without = page_cer(page, tmp_path, binarize=True), page_cer(page, tmp_path)
    assert with_step <= without + CER_TOLERANCE, (with_step, without)


def test_denoise_leaves_ordinary_degraded_pages_alone():
    for quality in ("clean", "worn", "bad"):
        prepared = imaging.prepare(
            render(PLAIN_TEXT, quality=quality, rotation=0.0).image, 300.0, OcrSettings()
        )
        assert "denoise" not in prepared.steps, quality


@pytest.mark.ocr
@needs_tesseract
def test_sparse_page_on_grainy_paper_is_not_read_as_grain(tmp_path, monkeypatch):
    """Regression: ten lines of thin type on a whole noisy sheet; Tesseract's Otsu threshold split the
    paper's grain and read it as text for over a minute (CER 25). The denoise step smooths the grain."""
    page = render(PLAIN_TEXT, quality="bad", font="freemono", seed=4, rotation=-1.0, sheet_inches=FULL_SHEET)
    assert "denoise" in imaging.prepare(page.image, 300.0, OcrSettings()).steps
    assert page_cer(page, tmp_path) < 0.08
    monkeypatch.setattr(imaging, "GRAINY_INK_SHARE", 1.0)
    with pytest.raises(OcrPageError, match="timed out"):
        page_cer(page, tmp_path, page_timeout=3)
