"""Measure name normalization against gold annotations, and time normalization + linkage at scale.

    python bench/bench_names.py --gold ../shared/corpus/gold            # accuracy per field
    python bench/bench_names.py --synthetic 10000,30000,100000          # timings

For each gold person the context is the item's text found in `texts/NNN.txt` next to the gold folder
(from the СЛУШАЛИ label before the decision to the end of the decision), or the gold's heard +
decision text when the item cannot be found. natasha, when importable, is measured on the same persons.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from bureaucli.linkage import LinkMention, Overrides, link_persons  # noqa: E402
from bureaucli.names import fold_yo, normalize_person  # noqa: E402
from bureaucli.settings import NamesSettings  # noqa: E402

HEARD_LABEL = re.compile(r"С\s?Л\s?У\s?Ш\s?А\s?Л\s?И", re.IGNORECASE)


@dataclass
class GoldPerson:
    document: str
    as_written: str
    context: str
    surname: str
    first_name: str | None
    patronymic: str | None
    gender: str | None


def _item_context(text: str, item: dict, search_from: int) -> tuple[str | None, int]:
    decision = item.get("decision_text") or ""
    at = text.find(decision, search_from) if decision else -1
    if at < 0:
        return None, search_from
    labels = [m.start() for m in HEARD_LABEL.finditer(text, 0, at)]
    start = labels[-1] if labels else max(0, at - 1500)
    return text[start : at + len(decision)], at + len(decision)


def load_gold(gold_dir: Path) -> list[GoldPerson]:
    persons = []
    texts_dir = gold_dir.parent / "texts"
    for path in sorted(gold_dir.glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        text_path = texts_dir / f"{path.stem}.txt"
        text = text_path.read_text(encoding="utf-8") if text_path.exists() else ""
        cursor = 0
        for item in gold["items"]:
            context, cursor = _item_context(text, item, cursor)
            for person in item.get("persons", []):
                if context is None or person["as_written"] not in context:
                    context = f"{item.get('heard', '')}\n{item.get('decision_text', '')}"
                persons.append(
                    GoldPerson(
                        path.stem,
                        person["as_written"],
                        context,
                        person["surname_nom"],
                        person.get("first_name_nom"),
                        person.get("patronymic_nom"),
                        person.get("gender"),
                    )
                )
    return persons


def _same(a: str | None, b: str | None) -> bool:
    return fold_yo(a or "").lower() == fold_yo(b or "").lower()


def _report(label: str, results: list[tuple[GoldPerson, str, str | None, str | None, str | None]]) -> None:
    total = len(results)
    counts = Counter()
    for gold, surname, first_name, patronymic, gender in results:
        counts["surname"] += _same(gold.surname, surname)
        counts["first_name"] += _same(gold.first_name, first_name)
        counts["patronymic"] += _same(gold.patronymic, patronymic)
        counts["gender"] += gold.gender == gender
    figures = ", ".join(
        f"{field} {counts[field] / total:.3f}" for field in ("surname", "first_name", "patronymic", "gender")
    )
    print(f"{label}: {total} persons; accuracy {figures}")


def bench_gold(gold_dir: Path, show_errors: bool) -> None:
    persons = load_gold(gold_dir)
    if not persons:
        print(f"no gold persons under {gold_dir}")
        return
    ours = []
    for gold in persons:
        name = normalize_person(gold.as_written, gold.context)
        ours.append((gold, name.surname, name.first_name, name.patronymic, name.gender))
        wrong = [
            field
            for field, ok in (
                ("surname", _same(gold.surname, name.surname)),
                ("first", _same(gold.first_name, name.first_name)),
                ("patr", _same(gold.patronymic, name.patronymic)),
                ("gender", gold.gender == name.gender),
            )
            if not ok
        ]
        if show_errors and wrong:
            print(
                f"  {gold.document} {gold.as_written!r}: {'/'.join(wrong)} → {name.surname} {name.first_name} "
                f"{name.patronymic} {name.gender}; gold {gold.surname} {gold.first_name} {gold.patronymic} {gold.gender}"
            )
    _report("bureaucli", ours)
    _bench_natasha(persons)


def _bench_natasha(persons: list[GoldPerson]) -> None:
    """natasha's NER + span normalization on the item text, taking the PER span over the gold name."""
    try:
        from natasha import (
            Doc,
            MorphVocab,
            NamesExtractor,
            NewsEmbedding,
            NewsMorphTagger,
            NewsNERTagger,
            Segmenter,
        )
    except ImportError:
        print("natasha is not importable: comparison skipped")
        return
    segmenter, vocab = Segmenter(), MorphVocab()
    embedding = NewsEmbedding()
    morph_tagger, ner_tagger = NewsMorphTagger(embedding), NewsNERTagger(embedding)
    extractor = NamesExtractor(vocab)
    results = []
    for gold in persons:
        text = gold.context if gold.as_written in gold.context else gold.as_written
        start = text.find(gold.as_written)
        end = start + len(gold.as_written)
        doc = Doc(text)
        doc.segment(segmenter)
        doc.tag_morph(morph_tagger)
        doc.tag_ner(ner_tagger)
        parts: dict[str, str] = {}
        for span in doc.spans:
            if span.type != "PER" or span.stop <= start or span.start >= end:
                continue
            span.normalize(vocab)
            span.extract_fact(extractor)
            if span.fact:
                parts = {k: v for k, v in span.fact.as_dict.items() if v}
            if not parts.get("last"):  # no parsed fact: the normalized span's first word beyond initials
                words = [w for w in span.normal.replace(".", ". ").split() if len(w.rstrip(".")) > 1]
                parts["last"] = words[0] if words else ""
            break
        results.append((gold, parts.get("last", ""), parts.get("first"), parts.get("middle"), None))
    _report(
        "natasha (NER span over the name in the item text, its fact or else its normal form; no gender)",
        results,
    )


# ---------------------------------------------------------------- synthetic scale test

ROOTS = [
    "Шмел", "Иван", "Петр", "Карим", "Бород", "Сорок", "Лебед", "Кузнец", "Мальц", "Берз", "Исхак", "Юсуп",
    "Степан", "Гус", "Орл", "Тит", "Зайц", "Козл", "Волк", "Федор", "Ковал", "Мороз", "Никит", "Щерб",
]  # fmt: skip
SYLLABLES = ["", "ан", "ер", "ош", "ин", "ул", "як", "ат", "ев", "ор", "ус", "ик"]
ENDINGS = {
    ("possessive", "m"): ["ов", "ова", "ову", "овым", "ове"],
    ("possessive", "f"): ["ова", "овой", "ову"],
    ("adjectival", "m"): ["ский", "ского", "скому", "ским"],
    ("adjectival", "f"): ["ская", "ской", "скую"],
    ("consonant", "m"): ["ман", "мана", "ману", "маном"],
    ("consonant", "f"): ["ман"],
    ("ukrainian", "m"): ["енко"],
    ("ukrainian", "f"): ["енко"],
    ("siberian", "m"): ["ых"],
    ("siberian", "f"): ["ых"],
}
INITIAL_LETTERS = "АБВГДЕЗИКЛМНОПРСТФЮЯ"
LOOKALIKES = str.maketrans("аеорсх", "aeopcx")


@dataclass
class SyntheticMention:
    mention_id: str
    written: str
    date: str
    person: int
    """Index of the synthetic person: the truth linkage is measured against."""
    surname: str
    """True nominative surname."""


def synthetic_mentions(count: int, seed: int = 7) -> list[SyntheticMention]:
    """Varied surnames in several cases, initials or none, 5% with Latin look-alikes, no context.

    About four mentions per person; a fifth of the persons share a handful of very common surnames.
    """
    rng = random.Random(seed)
    kinds = [
        "possessive",
        "possessive",
        "possessive",
        "possessive",
        "adjectival",
        "consonant",
        "ukrainian",
        "siberian",
    ]
    people = []
    for _ in range(max(1, count // 4)):
        root = rng.choice(ROOTS[:4]) if rng.random() < 0.2 else rng.choice(ROOTS) + rng.choice(SYLLABLES)
        kind, gender = rng.choice(kinds), "f" if rng.random() < 0.2 else "m"
        initials = f"{rng.choice(INITIAL_LETTERS)}.{rng.choice(INITIAL_LETTERS)}."
        people.append((root, kind, gender, initials, rng.randint(1925, 1945)))
    mentions = []
    for index in range(count):
        person = rng.randrange(len(people))
        root, kind, gender, initials, year = people[person]
        surname = root + rng.choice(ENDINGS[(kind, gender)])
        if rng.random() < 0.05:
            position = rng.randrange(1, len(surname))
            surname = surname[:position] + surname[position:].translate(LOOKALIKES)
        style = rng.random()
        if style < 0.55:
            written = f"{surname} {initials}"
        elif style < 0.8:
            written = f"т. {initials} {surname}"
        elif style < 0.9:
            written = f"{surname} {initials[:2]}"
        else:
            written = surname
        date = f"{year + rng.randint(-2, 2)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        mention_id = f"D{index // 40:06d}.m1.i{index % 40}.c1"
        mentions.append(
            SyntheticMention(mention_id, written, date, person, root + ENDINGS[(kind, gender)][0])
        )
    return mentions


def _pairs(sizes: Iterable[int]) -> int:
    return sum(n * (n - 1) // 2 for n in sizes)


def bench_synthetic(sizes: list[int]) -> None:
    settings = NamesSettings()
    for size in sizes:
        raw = synthetic_mentions(size)
        started = time.perf_counter()
        names = [normalize_person(m.written) for m in raw]
        normalized = time.perf_counter()
        mentions = [LinkMention(m.mention_id, name, m.date, None) for m, name in zip(raw, names, strict=True)]
        result = link_persons(mentions, settings, Overrides())
        linked = time.perf_counter()
        surname_ok = sum(fold_yo(n.surname) == m.surname for m, n in zip(raw, names, strict=True)) / size
        cells = Counter((result.person_of[m.mention_id], m.person) for m in raw)
        found = _pairs(Counter(result.person_of[m.mention_id] for m in raw).values())
        true = _pairs(Counter(m.person for m in raw).values())
        right = _pairs(cells.values())
        print(
            f"{size:>7} mentions: normalize {normalized - started:6.2f} s, link {linked - normalized:6.2f} s, "
            f"total {linked - started:6.2f} s; surname accuracy {surname_ok:.3f} (no context); "
            f"{len(result.persons)} persons for {len({m.person for m in raw})} true; "
            f"pair precision {right / max(found, 1):.3f}, recall {right / max(true, 1):.3f}; "
            f"{len(result.review)} review pairs"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--gold", type=Path, help="folder of gold/*.json (texts/ next to it)")
    parser.add_argument("--errors", action="store_true", help="list every person normalized wrongly")
    parser.add_argument("--synthetic", help="comma-separated mention counts to time, e.g. 10000,30000,100000")
    args = parser.parse_args()
    if not args.gold and not args.synthetic:
        parser.error("give --gold DIR and/or --synthetic N[,N…]")
    if args.gold:
        bench_gold(args.gold, args.errors)
    if args.synthetic:
        bench_synthetic([int(n) for n in args.synthetic.split(",")])


if __name__ == "__main__":
    main()
