"""Records that pass between stages: what segmentation finds in a document and what names makes of it.

Offsets are into the *document text*: the texts of its pages joined by a form feed (`\\f`), so
a span can always be traced back to its page and the characters on it (see `DocumentText`).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

PAGE_BREAK = "\f"

ROLES = ("defendant", "reporter", "present", "mentioned")

DECISIONS = (
    "expel",
    "severe_reprimand",
    "reprimand",
    "warning",
    "remove_from_post",
    "refer_to_prosecution",
    "demote",
    "reinstate",
    "lift_penalty",
    "overturn_decision",
    "no_action",
    "other",
)

ACCUSATIONS = (
    "trotskyism",
    "right_deviation",
    "nationalism",
    "counterrevolution",
    "sabotage_wrecking",
    "espionage",
    "ties_to_enemies",
    "concealed_origin",
    "anti_soviet_agitation",
    "religion",
    "negligence",
    "embezzlement",
    "abuse_of_office",
    "drunkenness_moral",
    "loss_of_party_card",
    "passivity",
    "other",
)

SECTORS = (
    "industry",
    "transport",
    "agriculture",
    "party",
    "soviet",
    "trade_supply",
    "education_culture",
    "justice_security",
    "other",
)


@dataclass(frozen=True)
class PageText:
    page_no: int
    """1-based page number within the document."""
    text: str
    confidence: float | None = None
    """Mean OCR word confidence (0-100); None for text layers and transcripts."""


@dataclass(frozen=True)
class TextSpan:
    start: int
    end: int


class DocumentText:
    """The pages of one document joined by form feeds, with offset → page mapping."""

    def __init__(self, pages: list[PageText]):
        self.pages = pages
        self.text = PAGE_BREAK.join(p.text for p in pages)
        self._starts: list[int] = []
        offset = 0
        for page in pages:
            self._starts.append(offset)
            offset += len(page.text) + 1

    def page_starts(self) -> list[int]:
        """The offset at which each page's text starts."""
        return list(self._starts)

    def page_index(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self._starts, offset) - 1)

    def pages_of(self, span: TextSpan) -> list[int]:
        """Page numbers a span touches, in order."""
        first = self.page_index(span.start)
        last = self.page_index(max(span.start, span.end - 1))
        return [p.page_no for p in self.pages[first : last + 1]]

    def local(self, offset: int) -> tuple[int, int]:
        """(page number, offset within that page's text) of a document offset."""
        index = self.page_index(offset)
        return self.pages[index].page_no, offset - self._starts[index]

    def local_span(self, span: TextSpan) -> tuple[int, int, int]:
        """(page number, start, end) of a span as offsets in the text of the page it starts on."""
        page_no, start = self.local(span.start)
        return page_no, start, start + (span.end - span.start)

    def confidence(self, span: TextSpan) -> float | None:
        """Mean OCR confidence of the pages a span touches (None when none was OCR'd)."""
        first = self.page_index(span.start)
        last = self.page_index(max(span.start, span.end - 1))
        values = [p.confidence for p in self.pages[first : last + 1] if p.confidence is not None]
        return sum(values) / len(values) if values else None


@dataclass
class Mention:
    role: str
    """One of ROLES."""
    as_written: str
    span: TextSpan


@dataclass
class Meeting:
    ordinal: int
    """1-based position of the meeting within its document."""
    span: TextSpan
    protocol_no: str | None = None
    date: str | None = None
    """ISO date (YYYY-MM-DD), or a partial one (YYYY-MM, YYYY) when the day is not known."""
    date_text: str | None = None
    body: str | None = None
    """The body that met, e.g. "бюро Кировского обкома ВКП(б)"."""
    title: str = ""
    closed: bool = False
    """A закрытое заседание (closed session)."""
    extract: bool = False
    """The document is a выписка (extract) from the protocol, not the whole protocol."""
    mentions: list[Mention] = field(default_factory=list)
    """Persons named in the header: those present, the chair (role "present")."""


@dataclass
class Case:
    """One person in a personal-case item: the row a historian counts."""

    ordinal: int
    """1-based position of the person within the item."""
    name_as_written: str
    name_span: TextSpan
    position: str | None = None
    organization: str | None = None
    party_status: str | None = None
    party_card: str | None = None
    birth_year: int | None = None
    decisions: list[str] = field(default_factory=list)
    decision_text: str = ""
    accusations: list[str] = field(default_factory=list)
    sector: str | None = None
    review_reasons: list[str] = field(default_factory=list)
    """Why a person should check this row (empty when the parse looked clean)."""


@dataclass
class Item:
    ordinal: int
    """1-based position of the item within the document."""
    meeting_ordinal: int
    span: TextSpan
    item_no: str | None = None
    heard_text: str = ""
    heard_span: TextSpan | None = None
    decision_text: str = ""
    decision_span: TextSpan | None = None
    reporter: str | None = None
    is_personal_case: bool = False
    decisions: list[str] = field(default_factory=list)
    accusations: list[str] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)


@dataclass
class DocumentParse:
    meetings: list[Meeting] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
