"""`bureau status`: counts per stage, what is stale, and what failed — read from the catalog only."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from bureaucli.catalog import Catalog
from bureaucli.corrections import StaleCorrection, read_case_corrections, text_corrections
from bureaucli.export import check_case_corrections
from bureaucli.workspace import Workspace


@dataclass
class StatusReport:
    workspace: str
    counts: dict[str, int]
    stale: dict[str, int]
    failures: list[dict[str, str]] = field(default_factory=list)
    stale_corrections: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    def render(self) -> str:
        width = max(len(k) for k in [*self.counts, *self.stale]) + 2
        lines = [f"workspace: {self.workspace}", ""]
        lines += [f"  {name.replace('_', ' '):<{width}}{value:>8}" for name, value in self.counts.items()]
        stale = {k: v for k, v in self.stale.items() if v}
        lines.append("")
        if stale:
            lines.append("stale (run `bureau run` to bring up to date):")
            lines += [f"  {name.replace('_', ' '):<{width}}{value:>8}" for name, value in stale.items()]
        else:
            lines.append("nothing is stale")
        if self.failures:
            lines += ["", f"failures ({len(self.failures)}):"]
            lines += [f"  [{f['stage']}] {f['target']}: {f['reason']}" for f in self.failures]
        if self.stale_corrections:
            lines += ["", f"stale corrections ({len(self.stale_corrections)}), not applied:"]
            lines += [f"  {c['file']}: {c['reason']}" for c in self.stale_corrections]
        return "\n".join(lines)


def collect_status(ws: Workspace, catalog: Catalog) -> StatusReport:
    scalar = catalog.scalar
    counts = {
        "documents": scalar("SELECT count(*) FROM documents WHERE status = 'ok'"),
        "documents_failed": scalar("SELECT count(*) FROM documents WHERE status = 'failed'"),
        "documents_removed": scalar("SELECT count(*) FROM documents WHERE status = 'removed'"),
        "pages": _live_pages(catalog, ""),
        "pages_with_text_layer": _live_pages(catalog, "AND p.needs_ocr = 0"),
        "pages_needing_ocr": _live_pages(catalog, "AND p.needs_ocr = 1"),
        "pages_ocr_done": _live_pages(catalog, "AND p.needs_ocr = 1 AND o.page_id IS NOT NULL"),
        "pages_low_confidence": _live_pages(catalog, "AND o.low_confidence = 1"),
        "documents_segmented": scalar(
            "SELECT count(*) FROM segmentations s JOIN documents d USING (doc_id) WHERE d.status = 'ok'"
        ),
        "meetings": scalar("SELECT count(*) FROM meetings"),
        "items": scalar("SELECT count(*) FROM items"),
        "personal_cases": scalar("SELECT count(*) FROM cases"),
        "cases_needing_review": scalar("SELECT count(*) FROM cases WHERE review_reasons != '[]'"),
        "persons": scalar("SELECT count(*) FROM persons"),
    }
    stale = {
        "pages_awaiting_ocr": counts["pages_needing_ocr"] - counts["pages_ocr_done"],
        "documents_awaiting_segmentation": counts["documents"] - counts["documents_segmented"],
    }
    failures = [
        {"stage": row["stage"], "target": row["target"], "reason": row["reason"], "at": row["at"]}
        for row in catalog.failures()
    ]
    stale_corrections = [{"file": c.file, "reason": c.reason} for c in stale_corrections_of(ws, catalog)]
    return StatusReport(
        workspace=str(ws.root),
        counts=counts,
        stale=stale,
        failures=failures,
        stale_corrections=stale_corrections,
    )


def stale_corrections_of(ws: Workspace, catalog: Catalog) -> list[StaleCorrection]:
    """Corrections that are not applied: their page or case is gone, or changed since they were made."""
    text = text_corrections(ws, catalog, anchor_new=False).stale
    rows, invalid = read_case_corrections(ws.corrections_dir)
    return text + invalid + check_case_corrections(catalog, rows)[1]


def _live_pages(catalog: Catalog, condition: str) -> int:
    return catalog.scalar(
        f"""SELECT count(*) FROM pages p JOIN documents d USING (doc_id)
            LEFT JOIN ocr_results o ON o.page_id = p.page_id
            WHERE d.status = 'ok' {condition}"""
    )
