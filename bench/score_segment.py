"""Score parse_document on the dev corpus (or on OCR output of it) with the evaluate metrics.

    PYTHONPATH=src .venv/bin/python bench/score_segment.py [--texts DIR] [--gold DIR] [-v] [--coverage]

Texts are `NNN.txt` files with pages separated by form feeds; they are scored against `NNN.json` gold.
Surnames are put in the nominative by `bureaucli.names.normalize_person` when that module exists, else
by a crude ending rule (good enough to match, not to measure surname accuracy).
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path

from bureaucli.evaluate import FIELDS, ExtractedCase, ExtractedDocument, load_gold, score
from bureaucli.records import DocumentParse, PageText
from bureaucli.segment import parse_document
from bureaucli.settings import SegmentSettings

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
CRUDE_ENDINGS = (
    ("ского", "ский"), ("цкого", "цкий"), ("ской", "ская"), ("цкой", "цкая"), ("ому", "ий"), ("ого", "ий"),
    ("овой", "ова"), ("евой", "ева"), ("иной", "ина"), ("ову", "ов"), ("еву", "ев"), ("ину", "ин"),
    ("ова", "ов"), ("ева", "ев"), ("ина", "ин"), ("ове", "ов"), ("еве", "ев"), ("ине", "ин"),
)  # fmt: skip


def crude_surname(as_written: str) -> tuple[str, str | None]:
    """(surname in a rough nominative, first initial) of a name as written."""
    words = [w for w in re.split(r"[\s.]+", as_written) if w]
    initials = [w for w in words if len(w) == 1]
    long_words = [w for w in words if len(w) > 1]
    if len(long_words) >= 3:
        patronymic_last = re.search(r"(вич|вн|ич|чн)\w{0,3}$", long_words[-1])
        surname = long_words[0] if patronymic_last else long_words[-1]
        first = long_words[1] if patronymic_last else long_words[0]
        initial = first[0]
    else:
        surname = long_words[0] if long_words else as_written
        initial = initials[0] if initials else None
    surname = surname.capitalize() if surname.isupper() else surname
    for ending, nominative in CRUDE_ENDINGS:
        if surname.lower().endswith(ending):
            return surname[: -len(ending)] + nominative, initial
    return surname, initial


def nominative(as_written: str, context: str) -> tuple[str, str | None]:
    try:
        from bureaucli.names import normalize_person  # noqa: PLC0415 - optional, written by another engineer
    except ImportError:
        return crude_surname(as_written)
    person = normalize_person(as_written, context)
    return person.surname, (person.initials or "")[:1] or None


COVERED = (*FIELDS, "sector")


def coverage(parse: DocumentParse, text: str, counts: Counter[str]) -> None:
    """Count the cases, how many have each field, need review, and have a name span that is exact."""
    for item in parse.items:
        for case in item.cases:
            counts["cases"] += 1
            counts.update(name for name in COVERED if getattr(case, name) is not None)
            counts["needs_review"] += bool(case.review_reasons)
            counts["exact_name_span"] += (
                text[case.name_span.start : case.name_span.end] == case.name_as_written
            )


def extract(path: Path, settings: SegmentSettings, counts: Counter[str]) -> ExtractedDocument:
    text = path.read_text(encoding="utf-8")
    pages = [PageText(i + 1, page) for i, page in enumerate(text.split("\f"))]
    parse = parse_document(pages, settings)
    coverage(parse, text, counts)
    cases = []
    for item in parse.items:
        for case in item.cases:
            surname, initial = nominative(case.name_as_written, item.heard_text + "\n" + item.decision_text)
            fields = tuple((name, getattr(case, name)) for name in FIELDS)
            cases.append(
                ExtractedCase(
                    surname,
                    initial,
                    frozenset(case.decisions),
                    frozenset(case.accusations),
                    item.item_no,
                    fields,
                )
            )
    return ExtractedDocument(tuple(m.date for m in parse.meetings), tuple(cases))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=Path, default=CORPUS / "texts")
    parser.add_argument("--gold", type=Path, default=CORPUS / "gold")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--coverage", action="store_true", help="also print how many cases have each field")
    args = parser.parse_args()
    gold = load_gold(args.gold)
    settings = SegmentSettings()
    counts: Counter[str] = Counter()
    extracted = {path.stem: extract(path, settings, counts) for path in sorted(args.texts.glob("*.txt"))}
    gold = {stem: document for stem, document in gold.items() if stem in extracted}
    report = score(gold, extracted)
    if args.verbose:
        print("\n".join(report.misses))
    metrics = report.to_dict()
    metrics.pop("misses")
    print(json.dumps(metrics, ensure_ascii=False, indent=1))
    if args.coverage:
        total = counts["cases"]
        print(f"coverage of {total} extracted cases:")
        for name in (*COVERED, "needs_review", "exact_name_span"):
            print(f"  {name:<16} {counts[name]:>5}  {counts[name] / total if total else 0:.0%}")


if __name__ == "__main__":
    main()
