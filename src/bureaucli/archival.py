"""Archival references: fond / opis / delo / folio of every page, and the citation a historian writes.

References come from `data/raw/inventory.csv` (columns path, archive, fond, opis, delo, first_folio,
folio_side), where `path` names a document or any folder above it (the longest match wins), or else
from folder and file names such as `ф.П-1290/оп.1/д.123` or `f1290_op1_d123`.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from bureaucli.errors import ConfigError

FOLIO_SIDES = ("recto", "recto-verso")
INVENTORY_NAME = "inventory.csv"
INVENTORY_COLUMNS = ("path", "archive", "fond", "opis", "delo", "first_folio", "folio_side")


@dataclass(frozen=True)
class ArchivalRef:
    archive: str | None = None
    fond: str | None = None
    opis: str | None = None
    delo: str | None = None
    first_folio: int | None = None
    folio_side: str = "recto"
    """`recto`: each page is a new folio; `recto-verso`: pages alternate folio and its verso (об.)."""

    def folio(self, page_no: int) -> str | None:
        """Folio label of the `page_no`-th page (1-based): `45`, or `45 об.` for a verso."""
        if self.first_folio is None:
            return None
        if self.folio_side == "recto-verso":
            number, verso = divmod(page_no - 1, 2)
            return f"{self.first_folio + number}{' об.' if verso else ''}"
        return str(self.first_folio + page_no - 1)

    def citation(self, document: str, page_no: int) -> str:
        """`ЦГАКО. Ф. П-1290. Оп. 1. Д. 123. Л. 45 об.`; the file and page when no fond is known."""
        folio = self.folio(page_no)
        if not self.fond:
            return f"{document}, стр. {page_no}" + (f" (л. {folio})" if folio else "")
        parts = [self.archive, f"Ф. {self.fond}", f"Оп. {self.opis}" if self.opis else None]
        parts += [f"Д. {self.delo}" if self.delo else None, f"Л. {folio}" if folio else None]
        citation = ". ".join(p for p in parts if p)
        citation += "" if citation.endswith(".") else "."
        return citation if folio else f"{citation} [{document}, стр. {page_no}]"


_SEP = r"[\s._,/-]*"
_NUMBER = r"([A-Za-zА-Яа-я]{0,3}-?\d+[A-Za-zА-Яа-я]?)"
_COMBINED = re.compile(
    rf"(?:^|[^A-Za-zА-Яа-я])(?:f|ф|fond|фонд){_SEP}{_NUMBER}{_SEP}(?:op|оп|opis|опись){_SEP}(\d+[A-Za-zА-Яа-я]?)"
    rf"{_SEP}(?:d|д|delo|дело){_SEP}(\d+[A-Za-zА-Яа-я]?)(?:{_SEP}(?:l|л){_SEP}(\d+))?",
    re.IGNORECASE,
)
_PART = {
    "fond": re.compile(rf"^(?:f|ф|fond|фонд){_SEP}{_NUMBER}$", re.IGNORECASE),
    "opis": re.compile(r"^(?:op|оп|opis|опись)[\s._-]*(\d+[A-Za-zА-Яа-я]?)$", re.IGNORECASE),
    "delo": re.compile(r"^(?:d|д|delo|дело)[\s._-]*(\d+[A-Za-zА-Яа-я]?)$", re.IGNORECASE),
    "first_folio": re.compile(r"^(?:l|л|ll|лл)[\s._-]*(\d+)(?:-\d+)?$", re.IGNORECASE),
}


def ref_from_path(document: str) -> ArchivalRef:
    """Fond/opis/delo (and first folio) read from the folder and file names of a document path."""
    found: dict[str, str] = {}
    parts = PurePosixPath(document).parts
    for part in parts:
        stem = PurePosixPath(part).stem if part == parts[-1] else part
        match = _COMBINED.search(stem)
        if match:
            found.update(fond=match[1], opis=match[2], delo=match[3])
            if match[4]:
                found["first_folio"] = match[4]
            continue
        for key, pattern in _PART.items():
            single = pattern.match(stem)
            if single:
                found[key] = single[1]
    folio = found.pop("first_folio", None)
    return ArchivalRef(**found, first_folio=int(folio) if folio else None)


@dataclass(frozen=True)
class Inventory:
    """Rows of inventory.csv keyed by the path (document or folder) they describe."""

    rows: dict[str, ArchivalRef]

    @classmethod
    def read(cls, raw_dir: Path) -> Inventory:
        path = raw_dir / INVENTORY_NAME
        if not path.exists():
            return cls(rows={})
        rows: dict[str, ArchivalRef] = {}
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = {"path"} - set(reader.fieldnames or [])
            if missing:
                raise ConfigError(f"{path}: needs a 'path' column (columns: {', '.join(INVENTORY_COLUMNS)})")
            for line_no, row in enumerate(reader, start=2):
                key = (row.get("path") or "").strip().strip("/")
                if not key:
                    continue
                rows[key] = _inventory_ref(row, f"{path.name} line {line_no}")
        return cls(rows=rows)

    def ref_for(self, document: str, archive_default: str = "") -> ArchivalRef:
        """The reference of a document: its inventory row (or its nearest folder's), else its path."""
        from_path = ref_from_path(document)
        candidates = [document, *(str(p) for p in PurePosixPath(document).parents if str(p) != ".")]
        ref = next((self.rows[c] for c in candidates if c in self.rows), None)
        if ref is None:
            ref = from_path
        else:
            ref = replace(
                ref,
                fond=ref.fond or from_path.fond,
                opis=ref.opis or from_path.opis,
                delo=ref.delo or from_path.delo,
                first_folio=ref.first_folio if ref.first_folio is not None else from_path.first_folio,
            )
        if not ref.archive and archive_default:
            ref = replace(ref, archive=archive_default)
        return ref


def _inventory_ref(row: dict[str, str | None], where: str) -> ArchivalRef:
    def value(column: str) -> str | None:
        text = (row.get(column) or "").strip()
        return text or None

    folio_text = value("first_folio")
    if folio_text is not None and not folio_text.isdigit():
        raise ConfigError(f"{where}: first_folio must be a whole number, not {folio_text!r}")
    side = value("folio_side") or "recto"
    if side not in FOLIO_SIDES:
        raise ConfigError(f"{where}: folio_side must be recto or recto-verso, not {side!r}")
    return ArchivalRef(
        archive=value("archive"),
        fond=value("fond"),
        opis=value("opis"),
        delo=value("delo"),
        first_folio=int(folio_text) if folio_text else None,
        folio_side=side,
    )
