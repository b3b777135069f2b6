"""Score extracted cases against gold annotations, as the dev corpus README defines it.

Per document (gold file stem = document stem), gold persons of personal-case items are matched one to
one to extracted case rows by surname similarity with a compatible first initial. Then: case
precision, recall and F1; surname accuracy (exact nominative, case-insensitive, ё = е) among matched
pairs; decision accuracy (exact set of codes) among matched pairs; accusation micro-F1 over the
matched pairs' sets; meeting date accuracy over gold documents. When the extracted cases carry their
fields (position, organization, party status, party card, birth year), each field's accuracy is taken
too, over the matched pairs whose gold gives it (texts compared without case, punctuation or spacing).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rapidfuzz import fuzz

from bureaucli.textnorm import fold, normalize

MATCH_THRESHOLD = 75.0
"""Least surname similarity (0-100) at which a gold person and an extracted row can be matched."""
FIELDS = ("position", "organization", "party_status", "party_card", "birth_year")
"""Person fields scored when the extracted cases carry them."""


@dataclass(frozen=True)
class GoldPerson:
    surname: str
    first_initial: str | None
    item_no: str | None
    decisions: frozenset[str]
    accusations: frozenset[str]
    fields: tuple[tuple[str, str | int | None], ...] = ()
    """(field, value) for each of FIELDS."""


@dataclass(frozen=True)
class GoldDocument:
    date: str | None
    persons: tuple[GoldPerson, ...]


@dataclass(frozen=True)
class ExtractedCase:
    surname: str
    """Nominative when known, else as written."""
    first_initial: str | None
    decisions: frozenset[str]
    accusations: frozenset[str]
    item_no: str | None = None
    fields: tuple[tuple[str, str | int | None], ...] | None = None
    """(field, value) for each of FIELDS; None when the extraction does not report them (not scored)."""


@dataclass(frozen=True)
class ExtractedDocument:
    meeting_dates: tuple[str | None, ...]
    cases: tuple[ExtractedCase, ...]


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


@dataclass
class EvaluationReport:
    documents: int = 0
    gold_cases: int = 0
    extracted_cases: int = 0
    matched: int = 0
    surnames_correct: int = 0
    decisions_correct: int = 0
    accusations_true_positive: int = 0
    accusations_false_positive: int = 0
    accusations_false_negative: int = 0
    dates_correct: int = 0
    dates_total: int = 0
    fields_given: dict[str, int] = field(default_factory=dict)
    """Per field: matched pairs whose gold gives a value (and whose extraction reports fields)."""
    fields_correct: dict[str, int] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return _ratio(self.matched, self.extracted_cases)

    @property
    def recall(self) -> float:
        return _ratio(self.matched, self.gold_cases)

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    @property
    def surname_accuracy(self) -> float:
        return _ratio(self.surnames_correct, self.matched)

    @property
    def decision_accuracy(self) -> float:
        return _ratio(self.decisions_correct, self.matched)

    @property
    def accusation_f1(self) -> float:
        tp = self.accusations_true_positive
        return _ratio(2 * tp, 2 * tp + self.accusations_false_positive + self.accusations_false_negative)

    @property
    def date_accuracy(self) -> float:
        return _ratio(self.dates_correct, self.dates_total)

    @property
    def field_accuracy(self) -> dict[str, float]:
        return {
            name: _ratio(self.fields_correct.get(name, 0), given) for name, given in self.fields_given.items()
        }

    def to_dict(self) -> dict[str, object]:
        counts = asdict(self)
        counts["field_accuracy"] = {name: round(value, 4) for name, value in self.field_accuracy.items()}
        metrics = {
            name: round(getattr(self, name), 4)
            for name in (
                "precision",
                "recall",
                "f1",
                "surname_accuracy",
                "decision_accuracy",
                "accusation_f1",
                "date_accuracy",
            )
        }
        return {**metrics, **counts}


def _first_initial(initials: str | None, first_name: str | None) -> str | None:
    for value in (initials, first_name):
        if value and value.strip():
            return fold(value.strip()[0])
    return None


def load_gold(gold_dir: Path) -> dict[str, GoldDocument]:
    """Gold annotations `NNN.json` of a directory, keyed by file stem."""
    documents = {}
    for path in sorted(gold_dir.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        persons = tuple(
            GoldPerson(
                surname=person["surname_nom"],
                first_initial=_first_initial(person.get("initials"), person.get("first_name_nom")),
                item_no=item.get("item_no"),
                decisions=frozenset(item.get("decisions", [])),
                accusations=frozenset(item.get("accusations", [])),
                fields=tuple((name, person.get(name)) for name in FIELDS),
            )
            for item in data.get("items", [])
            if item.get("is_personal_case")
            for person in item.get("persons", [])
        )
        documents[path.stem] = GoldDocument(date=(data.get("meeting") or {}).get("date"), persons=persons)
    return documents


def _surname_key(surname: str) -> str:
    return fold(surname).strip()


def _field_key(value: str | int | None) -> str:
    """A field value as compared: OCR repairs, lowercase, letters and digits only."""
    if value is None:
        return ""
    return "".join(ch for ch in fold(normalize(str(value)).text) if ch.isalnum())


def _score_fields(report: EvaluationReport, label: str, person: GoldPerson, case: ExtractedCase) -> None:
    if case.fields is None:
        return
    extracted = dict(case.fields)
    for name, value in person.fields:
        if value is None:
            continue
        report.fields_given[name] = report.fields_given.get(name, 0) + 1
        if _field_key(value) == _field_key(extracted.get(name)):
            report.fields_correct[name] = report.fields_correct.get(name, 0) + 1
        else:
            report.misses.append(f"{label}: {name} {extracted.get(name)!r} (gold {value!r})")


def _compatible(gold: GoldPerson, case: ExtractedCase) -> bool:
    return (
        gold.first_initial is None
        or case.first_initial is None
        or gold.first_initial == fold(case.first_initial)
    )


def _match(gold: tuple[GoldPerson, ...], cases: tuple[ExtractedCase, ...]) -> list[tuple[int, int]]:
    """One-to-one pairs (gold index, case index), greedily by best surname similarity."""
    candidates = []
    for g, person in enumerate(gold):
        for c, case in enumerate(cases):
            if not _compatible(person, case):
                continue
            score = fuzz.ratio(_surname_key(person.surname), _surname_key(case.surname))
            if score >= MATCH_THRESHOLD:
                same_item = person.item_no is not None and person.item_no == case.item_no
                candidates.append((score, same_item, g, c))
    pairs = []
    used_gold: set[int] = set()
    used_cases: set[int] = set()
    for _score, _same, g, c in sorted(candidates, key=lambda x: (-x[0], not x[1], x[2], x[3])):
        if g not in used_gold and c not in used_cases:
            pairs.append((g, c))
            used_gold.add(g)
            used_cases.add(c)
    return pairs


def score(gold: dict[str, GoldDocument], extracted: dict[str, ExtractedDocument]) -> EvaluationReport:
    """Compare extracted documents with the gold ones (documents missing from `extracted` count as empty)."""
    report = EvaluationReport()
    for stem, gold_document in sorted(gold.items()):
        document = extracted.get(stem, ExtractedDocument((), ()))
        report.documents += 1
        report.gold_cases += len(gold_document.persons)
        report.extracted_cases += len(document.cases)
        if gold_document.date is not None:
            report.dates_total += 1
            found = document.meeting_dates[0] if document.meeting_dates else None
            if found == gold_document.date:
                report.dates_correct += 1
            else:
                report.misses.append(f"{stem}: meeting date {found} (gold {gold_document.date})")
        pairs = _match(gold_document.persons, document.cases)
        report.matched += len(pairs)
        for g, c in pairs:
            person, case = gold_document.persons[g], document.cases[c]
            label = f"{stem} item {person.item_no}: {person.surname}"
            if _surname_key(person.surname) == _surname_key(case.surname):
                report.surnames_correct += 1
            else:
                report.misses.append(f"{label}: surname {case.surname!r}")
            if person.decisions == case.decisions:
                report.decisions_correct += 1
            else:
                report.misses.append(
                    f"{label}: decisions {sorted(case.decisions)} (gold {sorted(person.decisions)})"
                )
            report.accusations_true_positive += len(person.accusations & case.accusations)
            report.accusations_false_positive += len(case.accusations - person.accusations)
            report.accusations_false_negative += len(person.accusations - case.accusations)
            _score_fields(report, label, person, case)
            if person.accusations != case.accusations:
                report.misses.append(
                    f"{label}: accusations {sorted(case.accusations)} (gold {sorted(person.accusations)})"
                )
        matched_gold = {g for g, _ in pairs}
        matched_cases = {c for _, c in pairs}
        report.misses.extend(
            f"{stem} item {p.item_no}: missed {p.surname} {p.first_initial or ''}".rstrip()
            for i, p in enumerate(gold_document.persons)
            if i not in matched_gold
        )
        report.misses.extend(
            f"{stem} item {c.item_no}: spurious {c.surname} {c.first_initial or ''}".rstrip()
            for i, c in enumerate(document.cases)
            if i not in matched_cases
        )
    return report
