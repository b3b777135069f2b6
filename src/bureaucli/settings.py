"""Every heuristic and threshold of the pipeline, in one validated dataclass filled from `bureau.toml`.

`bureau.toml` at the workspace root has one table per section, e.g.::

    [ocr]
    lang = "rus+eng"
    workers = 2

Unknown keys and values of the wrong type or out of range are configuration errors (exit code 2),
so a typo never silently falls back to a default.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bureaucli.errors import ConfigError


@dataclass(frozen=True)
class IngestSettings:
    max_image_megapixels: float = 300.0
    """Images declaring more pixels than this are refused as decompression bombs."""
    min_text_layer_chars: int = 40
    """A PDF page whose text layer has fewer letters than this is OCR'd instead."""
    default_dpi: int = 300
    """DPI assumed for images that do not declare one."""
    archive: str = ""
    """Archive abbreviation used in citations when inventory.csv gives none (e.g. "ЦГАКО")."""


@dataclass(frozen=True)
class OcrSettings:
    lang: str = "rus"
    workers: int = 0
    """Worker processes; 0 means one per CPU."""
    page_timeout: float = 120.0
    render_dpi: int = 300
    """DPI at which image-only PDF pages are rendered."""
    upscale_below_dpi: int = 200
    """Scans below this resolution are upscaled to `render_dpi` before OCR."""
    deskew: bool = True
    max_skew_degrees: float = 5.0
    min_skew_degrees: float = 0.3
    """Skew smaller than this is left alone: Tesseract reads it fine and turning the page costs time."""
    binarize: bool = False
    psm: int = 6
    """Tesseract page segmentation mode: 6 reads a page of typewritten lines as one block."""
    low_confidence: float = 70.0
    """Pages whose mean word confidence (0-100) is below this are flagged low_confidence."""
    scheduler: str = ""
    """dask.distributed scheduler address (tcp://host:8786); empty means the local process pool."""
    retries: int = 1
    column_min_rows: int = 5
    """A page is read as two columns (heard | decided) when at least this many rows have words on both
    sides of one vertical gutter that no row in between crosses."""
    column_gutter_chars: float = 1.8
    """Narrowest gap between the two columns, in character widths (a single space between words
    measures about 1.3, so chance alignments of word gaps in plain text do not qualify)."""
    column_min_share: float = 0.25
    """Each column must hold at least this share of the characters beside the gutter (a margin of
    labels such as a hanging `ПОСТАНОВИЛИ:` is not a column)."""
    column_item_gap_lines: float = 1.5
    """Where the left column has no item numbers, a vertical gap of this many line pitches starts an item."""
    column_label_max_distance: int = 2
    """Edit distance tolerated when recognising СЛУШАЛИ/ПОСТАНОВИЛИ already typed in a column."""


@dataclass(frozen=True)
class SegmentSettings:
    label_max_distance: int = 2
    """Edit distance tolerated in СЛУШАЛИ/ПОСТАНОВИЛИ labels damaged by OCR."""
    review_confidence: float = 75.0
    """Cases whose text has mean OCR confidence below this are flagged needs_review."""
    unlabelled_item_span: int = 4
    """After the last labelled item, numbered lines opening on a subject up to this many numbers on are
    taken as items whose labels OCR lost."""
    list_entry_lead: int = 25
    """A numbered line is an entry of a list of persons when a name comes within this many characters
    of its number (further on, it is a sub-point of a decision)."""


@dataclass(frozen=True)
class NamesSettings:
    link_threshold: float = 88.0
    """Score (0-100) at or above which two mentions are linked as one person."""
    review_low: float = 75.0
    """Pairs scoring between review_low and link_threshold go to the review list."""
    common_surname_count: int = 8
    """A surname key carried by more distinct initials than this counts as common and links less eagerly."""
    single_initial_penalty: float = 5.0
    """Score taken off a link resting on the first initial alone (Иванов И. ↔ Иванов И.П.)."""
    surname_only_penalty: float = 8.0
    """Score taken off a link resting on the surname alone (a mention written without initials)."""
    common_surname_penalty: float = 10.0
    """Extra score taken off such partial links when the surname is common (see common_surname_count)."""
    organization_bonus: float = 5.0
    """Score added when the two mentions' position/organization texts agree."""
    date_gap_years: int = 10
    """Mentions further apart in time than this are less likely to be one person …"""
    date_gap_penalty: float = 10.0
    """… and lose this much score."""
    max_review_candidates: int = 3
    """A mention compatible with more persons than this is left alone instead of listed for review."""


@dataclass(frozen=True)
class ExportSettings:
    formats: tuple[str, ...] = ("csv", "parquet")
    csv_bom: bool = True


@dataclass(frozen=True)
class Settings:
    ingest: IngestSettings = field(default_factory=IngestSettings)
    ocr: OcrSettings = field(default_factory=OcrSettings)
    segment: SegmentSettings = field(default_factory=SegmentSettings)
    names: NamesSettings = field(default_factory=NamesSettings)
    export: ExportSettings = field(default_factory=ExportSettings)

    def replace(self, section: str, **changes: Any) -> Settings:
        """A copy with some keys of one section changed (for command-line options)."""
        current = getattr(self, section)
        merged = _build_section(type(current), {**dataclasses.asdict(current), **changes}, section)
        return dataclasses.replace(self, **{section: merged})

    def fingerprint(self, section: str) -> str:
        """A short hash of one section; stages store it to know when their settings changed."""
        blob = json.dumps(dataclasses.asdict(getattr(self, section)), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    @property
    def workers(self) -> int:
        return self.ocr.workers or max(1, os.cpu_count() or 1)


_RANGES: dict[str, tuple[float, float]] = {
    "ingest.max_image_megapixels": (1, 10_000),
    "ingest.min_text_layer_chars": (0, 100_000),
    "ingest.default_dpi": (50, 2400),
    "ocr.workers": (0, 1024),
    "ocr.page_timeout": (1, 86_400),
    "ocr.render_dpi": (72, 1200),
    "ocr.upscale_below_dpi": (0, 1200),
    "ocr.max_skew_degrees": (0, 45),
    "ocr.psm": (0, 13),
    "ocr.low_confidence": (0, 100),
    "ocr.retries": (0, 20),
    "ocr.min_skew_degrees": (0, 45),
    "ocr.column_min_rows": (2, 10_000),
    "ocr.column_gutter_chars": (0.5, 50),
    "ocr.column_label_max_distance": (0, 4),
    "ocr.column_min_share": (0.05, 0.5),
    "ocr.column_item_gap_lines": (1, 10),
    "segment.label_max_distance": (0, 4),
    "segment.review_confidence": (0, 100),
    "segment.unlabelled_item_span": (0, 50),
    "segment.list_entry_lead": (0, 200),
    "names.link_threshold": (0, 100),
    "names.review_low": (0, 100),
    "names.common_surname_count": (1, 10_000),
    "names.single_initial_penalty": (0, 100),
    "names.surname_only_penalty": (0, 100),
    "names.common_surname_penalty": (0, 100),
    "names.organization_bonus": (0, 100),
    "names.date_gap_years": (0, 200),
    "names.date_gap_penalty": (0, 100),
    "names.max_review_candidates": (0, 100),
}
_CHOICES: dict[str, set[str]] = {"export.formats": {"csv", "parquet"}}


def _check_value(key: str, value: Any, wanted: Any) -> Any:
    wanted_name = wanted if isinstance(wanted, str) else getattr(wanted, "__name__", str(wanted))
    if wanted_name.startswith("tuple"):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{key} must be a list of strings, not {value!r}")
        bad = set(value) - _CHOICES.get(key, set(value))
        if bad:
            raise ConfigError(f"{key}: unknown value(s) {sorted(bad)}; choose from {sorted(_CHOICES[key])}")
        return tuple(value)
    if wanted_name == "bool":
        if not isinstance(value, bool):
            raise ConfigError(f"{key} must be true or false, not {value!r}")
        return value
    if wanted_name in ("int", "float"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{key} must be a number, not {value!r}")
        if wanted_name == "int" and not float(value).is_integer():
            raise ConfigError(f"{key} must be a whole number, not {value!r}")
        low, high = _RANGES.get(key, (float("-inf"), float("inf")))
        if not low <= value <= high:
            raise ConfigError(f"{key} must be between {low:g} and {high:g}, not {value!r}")
        return int(value) if wanted_name == "int" else float(value)
    if wanted_name == "str":
        if not isinstance(value, str):
            raise ConfigError(f"{key} must be a string, not {value!r}")
        return value
    raise ConfigError(f"{key}: unsupported setting type {wanted_name}")


def _build_section(cls: type, values: dict[str, Any], section: str) -> Any:
    known = {f.name: f for f in dataclasses.fields(cls)}
    unknown = set(values) - set(known)
    if unknown:
        raise ConfigError(f"unknown setting(s) in [{section}]: {', '.join(sorted(unknown))}")
    checked = {
        name: _check_value(f"{section}.{name}", value, known[name].type) for name, value in values.items()
    }
    return cls(**checked)


def settings_from_mapping(data: dict[str, Any]) -> Settings:
    sections = {f.name: f for f in dataclasses.fields(Settings)}
    unknown = set(data) - set(sections)
    if unknown:
        raise ConfigError(f"unknown section(s) in bureau.toml: {', '.join(sorted(unknown))}")
    built = {}
    for name, value in data.items():
        if not isinstance(value, dict):
            raise ConfigError(f"[{name}] in bureau.toml must be a table")
        cls = sections[name].default_factory  # type: ignore[misc]
        built[name] = _build_section(cls, value, name)
    settings = Settings(**built)
    if settings.names.review_low > settings.names.link_threshold:
        raise ConfigError("names.review_low must not exceed names.link_threshold")
    return settings


def load_settings(path: Path) -> Settings:
    """Settings from `bureau.toml` at `path`, or the defaults when the file does not exist."""
    if not path.exists():
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    return settings_from_mapping(data)
