"""Small typewritten test pages rendered at test time, and a way to OCR them with chosen settings.

The pages come from tools/typewriter.py on a short sheet (fewer lines, so Tesseract reads one in a
fraction of a second); every render is deterministic for its seed.
"""

from __future__ import annotations

import dataclasses
import functools
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bureaucli.ocr import OcrPageResult, OcrTask, PageImageRef, character_error_rate, ocr_page
from bureaucli.settings import OcrSettings

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "tools"))

import typewriter  # noqa: E402

SHORT_SHEET = (8.27, 4.2)
"""Inches: a strip of an A4 sheet with room for about 13 typed lines."""
FULL_SHEET = typewriter.PAGE_INCHES

PLAIN_TEXT = """ПРОТОКОЛ № 31
заседания бюро Котельничского райкома ВКП(б) от 12 мая 1938 г.

1. СЛУШАЛИ: Персональное дело тов. Зыкова Степана Ильича, бухгалтера
льнозавода, члена ВКП(б) с 1927 г., о растрате денег кассы взаимопомощи.
ПОСТАНОВИЛИ: Зыкова С.И. из партии исключить, дело передать прокурору.

2. СЛУШАЛИ: О тов. Пестовой Марии Федоровне, учительнице, утерявшей
кандидатскую карточку. ПОСТАНОВИЛИ: Объявить Пестовой М.Ф. выговор.
"""

COLUMNS_TEXT = """ПРОТОКОЛ № 8
заседания партбюро затона от 2 июня 1936 г.

1. СЛУШАЛИ: Персональное дело тов. Шубина Е.К., шкипера баржи, за пьянство.
ПОСТАНОВИЛИ: Шубину объявить строгий выговор.

2. СЛУШАЛИ: О тов. Вахрамеевой Л.П., табельщице, о сокрытии родства с кулаком.
ПОСТАНОВИЛИ: Вахрамееву из кандидатов исключить.
"""


def _has_russian_tesseract() -> bool:
    if shutil.which("tesseract") is None:
        return False
    listing = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, check=False)
    return "rus" in (listing.stdout + listing.stderr).split()


needs_tesseract = pytest.mark.skipif(
    not _has_russian_tesseract(), reason="Tesseract with the rus model is not installed"
)


@functools.cache
def render(
    text: str,
    *,
    layout: str = "plain",
    quality: str = "clean",
    rotation: float | None = 0.0,
    dpi: int = 300,
    seed: int = 0,
    font: str = "cmu",
    sheet_inches: tuple[float, float] = SHORT_SHEET,
) -> typewriter.RenderedPage:
    """The first sheet of `text`, short unless told (cached: each test page is typed once per session)."""
    return typewriter.render(
        text,
        layout=layout,
        quality=quality,
        dpi=dpi,
        font=font,
        seed=seed,
        rotation=rotation,
        sheet_inches=sheet_inches,
    )[0]


def save_page(image: Image.Image, path: Path, dpi: int = 300) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, dpi=(dpi, dpi))
    return path


def ocr_image(path: Path, out_dir: Path, dpi: float | None = 300.0, **settings: Any) -> OcrPageResult:
    """Run bureau's page OCR on one image file with the default settings changed by `settings`."""
    task = OcrTask(
        path.stem,
        PageImageRef(str(path), "image", 0, dpi),
        str(out_dir),
        dataclasses.replace(OcrSettings(), **settings),
    )
    return ocr_page(task)


def page_cer(page: typewriter.RenderedPage, folder: Path, dpi: int = 300, **settings: Any) -> float:
    """Character error rate of bureau's OCR of a rendered page against its truth."""
    path = save_page(page.image, folder / "page.png", dpi)
    return character_error_rate(ocr_image(path, folder, float(dpi), **settings).text, page.text)
