"""Person names as written in a protocol → the nominative a historian cites, with gender.

A name span comes in any grammatical case (`Шмелеву`, `ШМЕЛЕВА Ивана Петровича`, `И.П. Шмелевой`).
For the surname we generate every reading the Russian declension classes allow (possessive -ов/-ин,
adjectival -ский/-ой, consonant-final nouns that decline only for men, -а nouns, indeclinables) and
score each reading, as a small probabilistic model, by:

* a prior for the declension class and gender (known pymorphy3 surnames and adjectives are boosted);
* how well it explains the written form and the other forms of the same surname in the item
  (`context`), given the grammatical case the neighbouring words demand: the first name and
  patronymic, and the governing word before the name (`дело` → genitive, `объявить` → dative,
  a list marker `1)` → nominative);
* gender evidence: the patronymic, the first name, agreeing words near each occurrence
  (`учительницы`, `исключена`, `бывшей`, `ей`).

First names are read with pymorphy3 (`inflect({'nomn'})` on the Name parse that agrees with the
patronymic), patronymics with suffix rules. Initials, first name and patronymic missing from the span
are taken from a compatible fuller form of the same surname in the context.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import iuliia
import pymorphy3

CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")

LATIN_LOOKALIKES = str.maketrans("ABCEHKMOPTXaceopxy", "АВСЕНКМОРТХасеорху")
DIGIT_LOOKALIKES = {"0": ("О", "о"), "6": ("Б", "б"), "3": ("З", "з")}
KEY_CONFUSABLES = str.maketrans("ёйщъ", "еишь")
"""Cyrillic letters that OCR (and typists) swap; folded in linking keys only, never in output."""

LOWERCASE_PARTICLES = frozenset({"оглы", "кызы", "улы"})
HONORIFICS = frozenset(
    {"тов", "т", "тт", "товарищ", "товарища", "товарищу", "товарищем", "гр", "гражданин", "гражданка"}
)
POSSESSIVE_SUFFIXES = ("ов", "ев", "ёв", "ин", "ын")
INSTRUMENTAL_ENDINGS = ("ом", "ем", "ём", "ым", "им")
INDECLINABLE_SUFFIXES = ("ых", "их", "енко", "ко", "дзе", "швили", "ия", "иа")
VOWELS = set("аеёиоуыэюя")
VELARS_SIBILANTS = set("кгхжшчщ")
SIBILANTS = set("жшчщц")

DEFAULT_CASE_WEIGHTS = {"nomn": 0.3, "gent": 0.3, "datv": 0.1, "accs": 0.15, "ablt": 0.05, "loct": 0.1}
"""How often a person's name stands in each case in protocols when nothing nearby says which."""
GENDER_PRIOR = {"m": 0.8, "f": 0.2}
UNEXPLAINED_FORM = 1e-4
"""Likelihood of a form a reading cannot produce (leaves room for OCR damage)."""
PATRONYMIC_GENDER_WEIGHT = 8.0
FIRST_NAME_GENDER_WEIGHT = 4.0
AGREEMENT_CUE_WEIGHT = 1.5
AGREEMENT_CUE_CAP = 4.5
FOREIGN_NAME_PENALTY = -1.0
"""Log prior of an indeclinable reading of a first name that could also be declined (Анне vs Анна)."""
GOVERNOR_SHARE = 0.85
"""Share of the case weight a recognized governing word puts on the cases it demands."""

_GOVERNOR_WORDS: dict[tuple[str, ...], str] = {
    ("gent",): "дело дела делу деле делом заявление заявления заявлению апелляция апелляции апелляцию жалоба "
    "жалобу жалобы исключении исключения исключение восстановлении восстановления снятии аресте ареста "
    "увольнении отношении у от для из без кандидатуру кандидатуры просьбу просьба просьбе семьи жены",
    (
        "accs",
    ): "исключить восстановить снять привлечь утвердить обязать освободить перевести принять оставить "
    "считать признать направить предупредить наказать вызвать отстранить уволить на про исключив "
    "восстановив сняв освободив",
    ("datv",): "объявить вынести поставить указать поручить предложить разрешить отказать выдать дать "
    "рекомендовать предоставить объявив вынеся указав поручив к ко по",
    ("gent", "ablt"): "с со",
    ("accs", "ablt"): "за",
    ("ablt",): "над под между перед",
    ("loct",): "о об обо при",
}
GOVERNORS = {word: cases for cases, words in _GOVERNOR_WORDS.items() for word in words.split()}
"""Words that demand a case of the name right after them (honorifics and initials skipped)."""

FEMININE_PRONOUNS = frozenset({"её", "ее", "ей", "она", "нее", "неё", "ней", "ею"})
MASCULINE_PRONOUNS = frozenset({"его", "ему", "он", "него", "нему", "нём", "нем"})

_morph = pymorphy3.MorphAnalyzer()

TOKEN = re.compile(
    r"(?P<honorific>\b(?:[Тт]ов|[Тт]т|т|[Гг]р)\.)|(?P<initial>\b[A-ZА-ЯЁ][a-zа-яё]?\.)"
    r"|(?P<marker>(?<![\w.])\d{1,3}\)|§\s*\d+)|(?P<word>[0-9A-Za-zА-Яа-яЁё]+(?:-[0-9A-Za-zА-Яа-яЁё]+)*)"
    r"|(?P<punct>[,;:.!?()«»\"\n])"
)


@dataclass(frozen=True)
class PersonName:
    surname: str
    """Nominative as a historian cites it; written letters kept (ё stays ё)."""
    first_name: str | None
    patronymic: str | None
    initials: str | None
    """"И.П." — from the initials written, or from the first name and patronymic."""
    gender: str | None
    """"m", "f", or None when nothing was read."""
    name_latin: str
    """ALA-LC transliteration: "Shmelev I. P."."""
    confidence: float
    key: str
    """Linking key: lowercase surname with ё→е and OCR look-alikes repaired."""

    @property
    def display(self) -> str:
        """ "Шмелев И. П." — the citation form used for persons."""
        return f"{self.surname} {spaced_initials(self.initials)}".strip()


# ---------------------------------------------------------------- OCR repair and keys


CYRILLIC_LETTER = re.compile(r"[А-Яа-яЁё]")
DIGIT = re.compile(r"\d")
ALPHANUMERIC_RUN = re.compile(r"[0-9A-Za-zА-Яа-яЁё]+")


@lru_cache(maxsize=65536)
def _repair_word(word: str) -> str:
    if not CYRILLIC_LETTER.search(word):
        return word
    word = word.translate(LATIN_LOOKALIKES)
    if not DIGIT.search(word):
        return word
    letters = [c for c in word if c.isalpha()]
    upper = bool(letters) and all(c.isupper() for c in letters)
    chars = list(word)
    for i, c in enumerate(chars):
        if c in DIGIT_LOOKALIKES and any(n.isalpha() for n in chars[max(0, i - 1) : i + 2]):
            chars[i] = DIGIT_LOOKALIKES[c][0 if upper else 1]
    return "".join(chars)


def repair_ocr(text: str) -> str:
    """Latin look-alikes and `0`/`6`/`3` inside Cyrillic words replaced by the Cyrillic letters."""
    return ALPHANUMERIC_RUN.sub(lambda m: _repair_word(m.group()), text)


@lru_cache(maxsize=65536)
def surname_key(surname: str) -> str:
    """Lowercase surname with OCR look-alikes repaired and confusable letters folded ("шмелев")."""
    return repair_ocr(surname).lower().translate(KEY_CONFUSABLES).replace(" ", "")


def fold_yo(text: str) -> str:
    return text.replace("ё", "е").replace("Ё", "Е")


def spaced_initials(initials: str | None) -> str:
    """ "И.П." → "И. П."."""
    return " ".join(f"{letter}." for letter in (initials or "").split(".") if letter)


def initials_compatible(a: str | None, b: str | None) -> bool:
    """True when the initials agree letter by letter as far as both go (ё = е)."""
    left = [p for p in fold_yo(a or "").split(".") if p]
    right = [p for p in fold_yo(b or "").split(".") if p]
    return all(x == y for x, y in zip(left, right, strict=False))


def _title(word: str) -> str:
    """Title case per hyphenated part, keeping patronymic particles low (Али-оглы)."""
    return "-".join(
        part.lower() if part.lower() in LOWERCASE_PARTICLES else part[:1].upper() + part[1:].lower()
        for part in word.split("-")
    )


def transliterate(text: str) -> str:
    """ALA-LC romanization (iuliia); iuliia leaves ё alone, ALA-LC writes it ë."""
    return iuliia.ALA_LC.translate(text).replace("ё", "ë").replace("Ё", "Ë")


# ---------------------------------------------------------------- surname readings


@dataclass(frozen=True)
class Reading:
    """One way to read a written word: its nominative, gender and the forms of its paradigm."""

    lemma: str
    gender: str
    kind: str
    prior: float
    """Log prior of this reading (declension class, dictionary knowledge)."""
    paradigm: tuple[tuple[str, tuple[str, ...]], ...]
    """(case, forms) for the six cases."""

    def cases_of(self, form: str) -> frozenset[str]:
        return frozenset(case for case, forms in self.paradigm if form in forms)

    @property
    def forms(self) -> frozenset[str]:
        return frozenset(f for _, forms in self.paradigm for f in forms)


def _paradigm(**forms: Iterable[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((case, tuple(forms[case])) for case in CASES)


def _fixed_paradigm(lemma: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((case, (lemma,)) for case in CASES)


def _possessive_paradigm(stem: str, gender: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if gender == "m":
        return _paradigm(
            nomn=[stem],
            gent=[stem + "а"],
            datv=[stem + "у"],
            accs=[stem + "а"],
            ablt=[stem + "ым"],
            loct=[stem + "е"],
        )
    oblique = [stem + "ой"]
    return _paradigm(
        nomn=[stem + "а"],
        gent=oblique,
        datv=oblique,
        accs=[stem + "у"],
        ablt=[stem + "ой", stem + "ою"],
        loct=oblique,
    )


def _adjective_paradigm(
    stem: str, masculine_ending: str, gender: str
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    soft = masculine_ending == "ий" and stem[-1] not in VELARS_SIBILANTS
    unstressed_sibilant = masculine_ending == "ий" and stem[-1] in SIBILANTS
    o_or_e = "е" if soft or unstressed_sibilant else "о"
    y_or_i = "и" if masculine_ending == "ий" or stem[-1] in VELARS_SIBILANTS else "ы"
    if gender == "m":
        return _paradigm(
            nomn=[stem + masculine_ending],
            gent=[stem + o_or_e + "го"],
            datv=[stem + o_or_e + "му"],
            accs=[stem + o_or_e + "го"],
            ablt=[stem + y_or_i + "м"],
            loct=[stem + o_or_e + "м"],
        )
    oblique = [stem + o_or_e + "й"]
    return _paradigm(
        nomn=[stem + ("яя" if soft else "ая")],
        gent=oblique,
        datv=oblique,
        accs=[stem + ("юю" if soft else "ую")],
        ablt=oblique,
        loct=oblique,
    )


def _consonant_paradigm(lemma: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A masculine noun ending in a consonant, ь or й (Функ, Бондарь, Гайдай)."""
    if lemma[-1] in "ьй":
        stem = lemma[:-1]
        loc = stem + ("и" if lemma.endswith("ий") else "е")
        return _paradigm(
            nomn=[lemma],
            gent=[stem + "я"],
            datv=[stem + "ю"],
            accs=[stem + "я"],
            ablt=[stem + "ем", stem + "ём"],
            loct=[loc],
        )
    instrumental = [lemma + "ем", lemma + "ом"] if lemma[-1] in SIBILANTS else [lemma + "ом"]
    return _paradigm(
        nomn=[lemma],
        gent=[lemma + "а"],
        datv=[lemma + "у"],
        accs=[lemma + "а"],
        ablt=instrumental,
        loct=[lemma + "е"],
    )


def _a_stem_paradigm(lemma: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A noun ending in -а/-я, declined alike for men and women (Сковорода, Кулага, Илья, Мария)."""
    stem = lemma[:-1]
    if lemma.endswith("ия"):
        return _paradigm(
            nomn=[lemma],
            gent=[stem + "и"],
            datv=[stem + "и"],
            accs=[stem + "ю"],
            ablt=[stem + "ей"],
            loct=[stem + "и"],
        )
    if lemma.endswith("я"):
        return _paradigm(
            nomn=[lemma],
            gent=[stem + "и"],
            datv=[stem + "е"],
            accs=[stem + "ю"],
            ablt=[stem + "ей"],
            loct=[stem + "е"],
        )
    genitive = stem + ("и" if stem[-1] in VELARS_SIBILANTS else "ы")
    return _paradigm(
        nomn=[lemma],
        gent=[genitive],
        datv=[stem + "е"],
        accs=[stem + "у"],
        ablt=[stem + "ой", stem + "ою", stem + "ей"],
        loct=[stem + "е"],
    )


def _is_consonant_lemma(lemma: str) -> bool:
    return (
        len(lemma) >= 3
        and lemma[-1] not in VOWELS
        and lemma[-1] != "-"
        and not lemma.endswith(POSSESSIVE_SUFFIXES)
        and not lemma.endswith(("ий", "ый", "ой", "ых", "их", "уй", "юй"))
        and not re.search(r"[сц]к[аяеё]?й$", lemma)
    )


def _consonant_lemmas(word: str) -> list[str]:
    """Masculine consonant-final nominatives whose paradigm contains `word`."""
    candidates = [word]
    for ending in ("а", "у", "е", "ом", "ем", "ём"):
        if word.endswith(ending):
            candidates.append(word[: -len(ending)])
    for ending in ("я", "ю", "е", "ем", "ём", "и"):
        stem = word[: -len(ending)]
        if word.endswith(ending) and stem and stem[-1] not in SIBILANTS:
            candidates.append(stem + ("й" if stem[-1] in VOWELS else "ь"))
    return [c for c in candidates if _is_consonant_lemma(c) and word in _forms(_consonant_paradigm(c))]


A_STEM_LEMMA_ENDINGS = {
    "а": ("а",), "я": ("я",), "ы": ("а",), "и": ("а", "я"), "е": ("а", "я"), "у": ("а",), "ю": ("я",),
    "ой": ("а",), "ою": ("а",), "ей": ("а", "я"),
}  # fmt: skip
"""Ending of a written form → endings of the -а/-я nominatives it may come from."""


def _a_stem_lemmas(word: str) -> list[str]:
    """Nominatives in -а/-я whose paradigm contains `word`."""
    candidates = [
        word[: -len(ending)] + lemma_ending
        for ending, lemma_endings in A_STEM_LEMMA_ENDINGS.items()
        if word.endswith(ending)
        for lemma_ending in lemma_endings
    ]
    return [
        c
        for c in dict.fromkeys(candidates)
        if len(c) >= 3 and (c[-2] not in VOWELS or c[-2] == "и") and word in _forms(_a_stem_paradigm(c))
    ]


def _forms(paradigm: tuple[tuple[str, tuple[str, ...]], ...]) -> set[str]:
    return {f for _, forms in paradigm for f in forms}


@lru_cache(maxsize=65536)
def _dictionary_nominatives(word: str) -> dict[str, frozenset[tuple[str, str]]]:
    """(nominative, gender) of the pymorphy3 dictionary parses of `word` tagged Surn, and tagged ADJF.

    Only dictionary words count: pymorphy3's guesses for unknown words add no knowledge (and are slow).
    """
    found: dict[str, set[tuple[str, str]]] = {"Surn": set(), "ADJF": set()}
    if not _morph.word_is_known(word):
        return {tag: frozenset() for tag in found}
    for parse in _morph.parse(word):
        tag = "Surn" if "Surn" in parse.tag else "ADJF" if parse.tag.POS == "ADJF" else None
        if tag is None:
            continue
        for gender in {"masc": ("m",), "femn": ("f",), "ms-f": ("m", "f")}.get(str(parse.tag.gender), ()):
            inflected = parse.inflect({"nomn", "sing", "masc" if gender == "m" else "femn"}) or parse.inflect(
                {"nomn"}
            )
            if inflected is not None:
                found[tag].add((fold_yo(inflected.word), gender))
    return {tag: frozenset(pairs) for tag, pairs in found.items()}


@lru_cache(maxsize=65536)
def surname_readings(word: str) -> tuple[Reading, ...]:
    """Every reading of a lowercase surname form, with log priors."""
    readings: list[Reading] = []
    dictionary = _dictionary_nominatives(word)
    known, adjectives = dictionary["Surn"], dictionary["ADJF"]

    def add(lemma: str, gender: str, kind: str, prior: float, paradigm) -> None:
        if (fold_yo(lemma), gender) in known:
            prior += 1.5
        readings.append(Reading(lemma, gender, kind, prior, paradigm))

    for ending, stem_cut, genders in (
        ("", 0, "m"), ("а", 1, "mf"), ("у", 1, "mf"), ("ым", 2, "m"), ("е", 1, "m"), ("ой", 2, "f"), ("ою", 2, "f"),
    ):  # fmt: skip
        stem = word[: len(word) - stem_cut]
        if word.endswith(ending) and stem.endswith(POSSESSIVE_SUFFIXES) and len(stem) >= 4:
            for gender in genders:
                paradigm = _possessive_paradigm(stem, gender)
                if word in _forms(paradigm):
                    add(stem if gender == "m" else stem + "а", gender, "possessive", 0.0, paradigm)

    for ending in (
        "ий",
        "ый",
        "ой",
        "ого",
        "его",
        "ому",
        "ему",
        "им",
        "ым",
        "ом",
        "ем",
        "ая",
        "яя",
        "ей",
        "ую",
        "юю",
    ):
        stem = word[: -len(ending)]
        if not word.endswith(ending) or len(stem) < 3 or stem[-1] in VOWELS | set("ьй"):
            continue
        for masculine_ending in ("ий", "ый", "ой"):
            if masculine_ending == "ый" and stem[-1] in VELARS_SIBILANTS:
                continue
            if stem.endswith(("ск", "цк")):
                prior = 0.0 if masculine_ending == "ий" else -1.5
            else:  # Гладкий, Полевой: likely only when the dictionary knows the adjective (boost below)
                prior = -2.5 if masculine_ending != "ой" else -3.0
            if stem.endswith(POSSESSIVE_SUFFIXES):
                prior -= 1.0
            for gender in "mf":
                paradigm = _adjective_paradigm(stem, masculine_ending, gender)
                if word not in _forms(paradigm):
                    continue
                lemma = paradigm[0][1][0]
                boost = 2.0 if (fold_yo(lemma), gender) in adjectives else 0.0
                add(lemma, gender, "adjectival", prior + boost, paradigm)

    for lemma in _consonant_lemmas(word):
        add(lemma, "m", "consonant", -0.5, _consonant_paradigm(lemma))
    if _is_consonant_lemma(word):
        add(word, "f", "consonant", -0.5, _fixed_paradigm(word))

    for lemma in _a_stem_lemmas(word):
        if lemma.endswith(("ова", "ева", "ёва", "ина", "ына", "ая", "яя")):
            continue
        for gender in "mf":
            add(lemma, gender, "a-stem", -2.0, _a_stem_paradigm(lemma))

    if not _is_consonant_lemma(word):
        for gender in "mf":
            add(word, gender, "indeclinable", _indeclinable_prior(word), _fixed_paradigm(word))
    if word.endswith(INSTRUMENTAL_ENDINGS) and any(
        r.lemma != word and "ablt" in r.cases_of(word) for r in readings
    ):
        # a nominative in -ом/-ым is rare next to the instrumental of a shorter name (Шульцем, Зуевым)
        readings = [
            Reading(r.lemma, r.gender, r.kind, r.prior - 3.0, r.paradigm) if r.lemma == word else r
            for r in readings
        ]
    return tuple(readings)


def _indeclinable_prior(word: str) -> float:
    """How plausible it is that `word` is an indeclinable surname (Седых, Шевченко, Мгеладзе)."""
    if word.endswith(INDECLINABLE_SUFFIXES):
        return 0.5
    if word.endswith("о") and not word.endswith(("ого", "его")):
        return -0.5
    if word.endswith(("и", "э")):
        return -1.0
    return -5.0


# ---------------------------------------------------------------- first names and patronymics

PATRONYMIC_MASCULINE = re.compile(r"^(.{2,}(?:ович|евич|ич))(а|у|ем|ом|е)?$")
PATRONYMIC_FEMININE = re.compile(r"^(.{2,}(?:овн|евн|ичн))(а|ы|е|у|ой|ою)$")
MASCULINE_PATRONYMIC_CASES = {
    "": ("nomn",),
    "а": ("gent", "accs"),
    "у": ("datv",),
    "ем": ("ablt",),
    "ом": ("ablt",),
    "е": ("loct",),
}
FEMININE_PATRONYMIC_CASES = {
    "а": ("nomn",), "ы": ("gent",), "е": ("datv", "loct"), "у": ("accs",), "ой": ("ablt",), "ою": ("ablt",),
}  # fmt: skip


@dataclass(frozen=True)
class NameReading:
    """A first name or patronymic read from one written form."""

    lemma: str
    gender: str
    cases: frozenset[str]
    prior: float


@lru_cache(maxsize=65536)
def patronymic_reading(word: str) -> NameReading | None:
    """Nominative, gender and possible cases of a lowercase patronymic form, or None."""
    if word.endswith(("оглы", "улы")):
        return NameReading(word, "m", frozenset(CASES), 0.0)
    if word.endswith("кызы"):
        return NameReading(word, "f", frozenset(CASES), 0.0)
    if match := PATRONYMIC_MASCULINE.match(word):
        return NameReading(
            match.group(1), "m", frozenset(MASCULINE_PATRONYMIC_CASES[match.group(2) or ""]), 0.0
        )
    if match := PATRONYMIC_FEMININE.match(word):
        return NameReading(
            match.group(1) + "а", "f", frozenset(FEMININE_PATRONYMIC_CASES[match.group(2)]), 0.0
        )
    return None


def _keep_written_yo(lemma: str, dictionary_form: str, written: str) -> str:
    """Keep ё in a dictionary lemma only where the writer could not have shown it (Петра → Пётр)."""
    if "ё" in dictionary_form and "ё" not in written:
        return fold_yo(lemma)
    return lemma


@lru_cache(maxsize=65536)
def first_name_readings(word: str) -> tuple[NameReading, ...]:
    """Readings of a lowercase first-name form: pymorphy3 Name parses, else declension rules."""
    readings: dict[tuple[str, str], NameReading] = {}
    for parse in _morph.parse(word):
        if "Name" not in parse.tag:
            continue
        genders = {"masc": ("m",), "femn": ("f",), "ms-f": ("m", "f")}.get(str(parse.tag.gender), ())
        inflected = parse.inflect({"nomn", "sing"})
        if inflected is None or not genders or parse.tag.number == "plur":
            continue
        lemma = _keep_written_yo(inflected.word, parse.word, word)
        for gender in genders:
            old = readings.get((lemma, gender))
            cases = frozenset({str(parse.tag.case)}) | (old.cases if old else frozenset())
            weight = parse.score + (math.exp(old.prior) if old else 0.0)
            readings[(lemma, gender)] = NameReading(lemma, gender, cases, math.log(weight))
    if readings:
        return tuple(
            NameReading(
                r.lemma, r.gender, r.cases, r.prior + (FOREIGN_NAME_PENALTY if r.lemma == word else 1.0)
            )
            for r in readings.values()
        )
    rules: list[NameReading] = []
    for lemma in _consonant_lemmas(word):
        rules.append(NameReading(lemma, "m", _consonant_cases(lemma, word), -1.0))
    for lemma in _a_stem_lemmas(word):
        cases = frozenset(c for c, forms in _a_stem_paradigm(lemma) if word in forms)
        for gender in "mf":
            rules.append(NameReading(lemma, gender, cases, -1.0 if gender == "f" else -2.0))
    if not rules:
        rules = [NameReading(word, g, frozenset(CASES), -3.0) for g in "mf"]
    return tuple(rules)


def _consonant_cases(lemma: str, word: str) -> frozenset[str]:
    return frozenset(c for c, forms in _consonant_paradigm(lemma) if word in forms)


def looks_like_patronymic(word: str) -> bool:
    return patronymic_reading(word.lower()) is not None


@lru_cache(maxsize=65536)
def looks_like_first_name(word: str) -> bool:
    """A dictionary first name (pymorphy3 Name tag with a fair share of the parses)."""
    return sum(p.score for p in _morph.parse(word.lower()) if "Name" in p.tag) >= 0.3


# ---------------------------------------------------------------- tokens and name groups


@dataclass(frozen=True)
class Token:
    kind: str
    """honorific | initial | word | marker | punct"""
    text: str
    start: int
    end: int


@lru_cache(maxsize=4096)
def tokenize(text: str) -> tuple[Token, ...]:
    """Words, initials, honorifics, markers and punctuation of `text`.

    A capital letter alone is an initial (OCR drops their dots), except a one-letter preposition opening
    a phrase ("О т. Крюковой", "О Крюковой Е.Д."), which governs the name's case.
    """
    tokens: list[Token] = []
    for match in TOKEN.finditer(text):
        kind = match.lastgroup or "punct"
        value = match.group()
        if kind == "word":
            value = _repair_word(value)
            opens_phrase = not tokens or tokens[-1].kind in ("punct", "marker")
            if len(value) == 1 and value.isupper() and not (opens_phrase and value.lower() in GOVERNORS):
                kind = "initial"
        tokens.append(Token(kind, value, match.start(), match.end()))
    return tuple(tokens)


@dataclass
class NameGroup:
    """The parts of one written name: which word is the surname, which the first name and patronymic."""

    surname: str
    first_name: str | None = None
    patronymic: str | None = None
    initials: list[str] = field(default_factory=list)


def _is_honorific(token: Token) -> bool:
    return token.kind == "honorific" or (token.kind == "word" and token.text.lower() in HONORIFICS)


def parse_name_group(text: str) -> NameGroup | None:
    """Split a written name span into surname, first name, patronymic and initials."""
    tokens = [
        t
        for t in tokenize(repair_ocr(text))
        if t.kind == "initial" or (t.kind == "word" and not _is_honorific(t))
    ]
    words = [t.text for t in tokens if t.kind == "word" and not t.text.isdigit()]
    initials = [t.text.rstrip(".")[0].upper() for t in tokens if t.kind == "initial"]
    if not words:
        return None
    group = NameGroup(surname=words[0], initials=initials)
    patronymic_at = next((i for i, w in enumerate(words) if i > 0 and looks_like_patronymic(w)), None)
    if len(words) >= 3 and patronymic_at == len(words) - 1:
        group.surname, group.first_name, group.patronymic = words[0], words[-2], words[-1]
    elif len(words) >= 3 and patronymic_at == 1:
        group.first_name, group.patronymic, group.surname = words[0], words[1], words[2]
    elif len(words) >= 2:
        first, second = words[0], words[1]
        if patronymic_at == 1:
            group.surname, group.patronymic = first, second
        elif looks_like_first_name(first) and not looks_like_first_name(second) and not first.isupper():
            group.first_name, group.surname = first, second
        else:
            group.surname, group.first_name = first, second
    if (
        initials
        and initials[0] == "Т"
        and tokens[0].kind == "initial"
        and (group.first_name or len(initials) > 2)
    ):
        initials.pop(0)  # a capital "Т." before a full name is "тов.", not an initial
    return group


# ---------------------------------------------------------------- context evidence


@dataclass
class Occurrence:
    """One place the surname stands: its form and what the words around it say."""

    form: str
    case_weights: dict[str, float]
    gender_cues: float
    """Positive for feminine agreement, negative for masculine."""
    name_gender: tuple[str, float] | None = None
    initials: list[str] = field(default_factory=list)
    first_name: str | None = None
    patronymic: str | None = None


def _case_weights(demanded: Iterable[str] | None) -> dict[str, float]:
    demanded = set(demanded or ())
    if not demanded:
        return dict(DEFAULT_CASE_WEIGHTS)
    share = GOVERNOR_SHARE / len(demanded)
    return {
        c: (1 - GOVERNOR_SHARE) * w + (share if c in demanded else 0.0)
        for c, w in DEFAULT_CASE_WEIGHTS.items()
    }


def _list_governor(tokens: Sequence[Token], index: int) -> tuple[str, ...]:
    """The case of a list's entries, from the list marker or colon at tokens[index]: what the verb before
    the list's colon demands ("Исключить из партии: 1) Тимченко Г.Г., … 3) Лаврова П.П." are accusative),
    else the nominative of a list of names."""
    colon = next(
        (
            j
            for j in range(index, max(-1, index - 80), -1)
            if tokens[j].kind == "punct" and tokens[j].text in ":."
        ),
        None,
    )
    if colon is None or tokens[colon].text != ":":
        return ("nomn",)
    for j in range(colon - 1, max(-1, colon - 7), -1):
        word = tokens[j].text.lower()
        if tokens[j].kind == "word" and word in GOVERNORS and word.endswith(("ть", "в")):
            return GOVERNORS[word]
    return ("nomn",)


def _governed_cases(tokens: Sequence[Token], index: int) -> tuple[str, ...] | None:
    """The cases demanded by what precedes `tokens[index]` (skipping honorifics, initials, `и`)."""
    i = index - 1
    steps = 0
    while i >= 0 and steps < 8:
        token = tokens[i]
        lower = token.text.lower()
        if token.kind == "marker":
            return _list_governor(tokens, i)
        if token.kind == "punct":
            if token.text == ":":
                return _list_governor(tokens, i)
            if token.text in ".;\n":
                return None
        elif token.kind == "initial" or _is_honorific(token) or lower == "и":
            pass
        elif token.kind == "word":
            if lower in GOVERNORS:
                return GOVERNORS[lower]
            if lower != "и" and token.text[:1].islower():
                return None
        i -= 1
        steps += 1
    return ("nomn",) if i < 0 else None


@lru_cache(maxsize=65536)
def _noun_phrase_cases(word: str) -> tuple[str, ...] | None:
    """Cases a lowercase position word (`бухгалтера`, `бывшей`, `члену`) can stand in, singular."""
    cases = {
        str(p.tag.case)
        for p in _morph.parse(word)
        if p.tag.number == "sing"
        and (p.tag.POS in ("ADJF", "PRTF") or (p.tag.POS == "NOUN" and "anim" in p.tag))
    }
    return tuple(c for c in CASES if c in cases) or None


def _apposition_cases(tokens: Sequence[Token], last: int) -> tuple[str, ...] | None:
    """The case of a position in apposition after the name (`Крутой, бригадира …` → genitive)."""
    if last + 2 >= len(tokens) or tokens[last + 1].text != ",":
        return None
    word = tokens[last + 2]
    if word.kind != "word" or not word.text[:1].islower():
        return None
    return _noun_phrase_cases(word.text.lower())


@lru_cache(maxsize=65536)
def _agreement_cue(word: str, adjacent: bool) -> float:
    """+1 for a feminine agreeing word, -1 for a masculine one, 0 otherwise."""
    if word in FEMININE_PRONOUNS:
        return 1.0
    if word in MASCULINE_PRONOUNS:
        return -1.0
    parse = _morph.parse(word)[0]
    tag = parse.tag
    pos = tag.POS
    gender = tag.gender
    if pos in ("VERB", "PRTS") and tag.number == "sing" and gender in ("masc", "femn"):
        return 1.0 if gender == "femn" else -1.0
    if adjacent and pos in ("ADJF", "PRTF") and tag.number == "sing":
        return {"femn": 1.0, "masc": -1.0}.get(str(gender), 0.0)
    if (
        adjacent
        and pos == "NOUN"
        and "anim" in tag
        and gender == "femn"
        and "Name" not in tag
        and "Surn" not in tag
    ):
        return 1.0
    return 0.0


def _gender_cues(tokens: Sequence[Token], first: int, last: int) -> float:
    """Agreement evidence around a name occupying tokens[first..last]."""
    score = 0.0
    before = [t for t in tokens[max(0, first - 3) : first] if t.kind == "word" and not _is_honorific(t)][-2:]
    for token in before:
        score += _agreement_cue(token.text.lower(), True)
    seen_words = 0
    for token in tokens[last + 1 :]:
        if token.kind == "punct" and token.text in ".;":
            break
        if token.kind != "word":
            continue
        seen_words += 1
        if seen_words > 8 or (token.text[:1].isupper() and seen_words > 1):
            break
        score += _agreement_cue(token.text.lower(), seen_words == 1)
    return max(-AGREEMENT_CUE_CAP, min(AGREEMENT_CUE_CAP, score * AGREEMENT_CUE_WEIGHT))


def _name_evidence(
    first_name: str | None, patronymic: str | None
) -> tuple[frozenset[str] | None, tuple[str, float] | None]:
    """Cases the first name and patronymic allow together, and the gender they tell (with weight)."""
    patronymic_read = patronymic_reading(patronymic.lower()) if patronymic else None
    cases: frozenset[str] | None = patronymic_read.cases if patronymic_read else None
    gender: tuple[str, float] | None = (
        (patronymic_read.gender, PATRONYMIC_GENDER_WEIGHT) if patronymic_read else None
    )
    if first_name:
        readings = first_name_readings(first_name.lower())
        if gender:
            readings = tuple(r for r in readings if r.gender == gender[0])
        elif len({r.gender for r in readings}) == 1 and readings[0].prior > 0:
            gender = (readings[0].gender, FIRST_NAME_GENDER_WEIGHT)
        name_cases = frozenset().union(*(r.cases for r in readings))
        if cases is None:
            cases = name_cases or None
        elif cases & name_cases:
            cases &= name_cases
    return cases, gender


def _neighbour_name(
    tokens: Sequence[Token], index: int
) -> tuple[list[str], str | None, str | None, int, int]:
    """Initials / first name / patronymic written next to the surname at tokens[index]."""
    first = last = index
    initials: list[str] = []
    i = index - 1
    while i >= 0 and tokens[i].kind == "initial" and len(initials) < 3:
        initials.insert(0, tokens[i].text[0])
        first = i
        i -= 1
    first_name = patronymic = None
    if (
        not initials
        and i >= 1
        and tokens[i].kind == "word"
        and looks_like_patronymic(tokens[i].text)
        and tokens[i - 1].kind == "word"
        and tokens[i - 1].text[:1].isupper()
    ):
        first_name, patronymic, first = tokens[i - 1].text, tokens[i].text, i - 1
    j = index + 1
    if not initials and first_name is None:
        while j < len(tokens) and tokens[j].kind == "initial" and len(initials) < 3:
            initials.append(tokens[j].text[0])
            last = j
            j += 1
        if (
            not initials
            and j + 1 < len(tokens)
            and tokens[j].kind == "word"
            and tokens[j + 1].kind == "word"
            and tokens[j].text[:1].isupper()
            and looks_like_patronymic(tokens[j + 1].text)
        ):
            first_name, patronymic, last = tokens[j].text, tokens[j + 1].text, j + 1
    if (
        initials
        and initials[0] == "Т"
        and first > 0
        and tokens[first].text.startswith("Т.")
        and len(initials) > 2
    ):
        initials.pop(0)
    return initials, first_name, patronymic, first, last


def _initials_of(initials: Sequence[str], first_name: str | None, patronymic: str | None) -> list[str]:
    if first_name or patronymic:
        parts = [first_name[0].upper() if first_name else None, patronymic[0].upper() if patronymic else None]
        letters = [p for p in parts if p]
        if initials and len(initials) > len(letters):
            return list(initials)
        return letters if first_name else list(initials) or letters
    return list(initials)


def _same_letters(a: Sequence[str], b: Sequence[str]) -> bool:
    return all(fold_yo(x) == fold_yo(y) for x, y in zip(a, b, strict=False))


def _context_occurrences(
    context: str, as_written: str, forms: frozenset[str], written_initials: list[str]
) -> tuple[list[Occurrence], Occurrence | None]:
    """Occurrences of any of `forms` in the context, and the occurrence of the span itself if found."""
    tokens = tokenize(context)
    own_start = context.find(as_written) if as_written else -1
    own_end = own_start + len(as_written)
    others: list[Occurrence] = []
    own: Occurrence | None = None
    for index, token in enumerate(tokens):
        if token.kind != "word" or not token.text[:1].isupper() or token.text.lower() not in forms:
            continue
        initials, first_name, patronymic, first, last = _neighbour_name(tokens, index)
        name_cases, name_gender = _name_evidence(first_name, patronymic)
        governed = _governed_cases(tokens, first)
        apposition = _apposition_cases(tokens, last)
        if governed and apposition:
            # a colon or list number only presumes the nominative; an agreeing post outweighs it
            # ("Дела кандидатов: т.т. САВЕЛЬЕВА П.Н., формовщика, …")
            fallback = apposition if governed == ("nomn",) else governed
            governed = tuple(c for c in governed if c in apposition) or fallback
        weights = _case_weights(governed or apposition)
        if name_cases:
            weights = {c: (w if c in name_cases else 0.0) for c, w in weights.items()}
        occurrence = Occurrence(
            form=token.text.lower(),
            case_weights=weights,
            gender_cues=_gender_cues(tokens, first, last),
            name_gender=name_gender,
            initials=_initials_of(initials, first_name, patronymic),
            first_name=first_name,
            patronymic=patronymic,
        )
        if own_start >= 0 and own_start <= token.start < own_end and own is None:
            own = occurrence
        elif _same_letters(written_initials, occurrence.initials):
            others.append(occurrence)
    return others, own


# ---------------------------------------------------------------- the decision


def _form_likelihood(reading: Reading, occurrence: Occurrence) -> float:
    cases = reading.cases_of(occurrence.form)
    return max(UNEXPLAINED_FORM, sum(occurrence.case_weights[c] for c in cases))


def _reading_score(reading: Reading, occurrences: Sequence[Occurrence]) -> float:
    score = math.log(GENDER_PRIOR[reading.gender]) + reading.prior
    sign = 1.0 if reading.gender == "f" else -1.0
    for occurrence in occurrences:
        score += math.log(_form_likelihood(reading, occurrence))
        score += sign * occurrence.gender_cues / 2
        if occurrence.name_gender:
            gender, weight = occurrence.name_gender
            score += weight / 2 if gender == reading.gender else -weight / 2
    return score


def _nominative_name(word: str | None, gender: str, cases: frozenset[str] | None) -> str | None:
    if not word:
        return None
    readings = [r for r in first_name_readings(word.lower()) if r.gender == gender]
    if not readings:
        return _title(word)  # a name the dictionary knows only for the other sex, e.g. Зейнаб
    if cases:
        readings = [r for r in readings if r.cases & cases] or readings
    best = max(readings, key=lambda r: r.prior)
    return _title(best.lemma)


def _nominative_patronymic(word: str | None) -> str | None:
    if not word:
        return None
    reading = patronymic_reading(word.lower())
    return _title(reading.lemma) if reading else _title(word)


def _hyphenated_lemma(surname_word: str, best: Reading, cases: frozenset[str]) -> str:
    """Decline the leading parts of a double surname (Петрова-Водкина) like the last one."""
    parts = surname_word.split("-")
    lemma_last = best.lemma.split("-")[-1]
    head: list[str] = []
    for part in parts[:-1]:
        options = [
            r
            for r in surname_readings(part)
            if r.gender == best.gender and r.kind == best.kind and r.cases_of(part) & cases
        ]
        head.append(max(options, key=lambda r: r.prior).lemma if len(part) > 3 and options else part)
    return "-".join([*head, lemma_last])


def normalize_person(as_written: str, context: str = "") -> PersonName:
    """The nominative name, gender and linking key of a name span written in any case."""
    return _normalize_cached(as_written, context)


@lru_cache(maxsize=65536)
def _normalize_cached(as_written: str, context: str) -> PersonName:
    repaired_span = repair_ocr(as_written)
    group = parse_name_group(repaired_span)
    if group is None:
        return PersonName(
            as_written.strip(), None, None, None, None, transliterate(as_written.strip()), 0.0, ""
        )
    surname_word = group.surname.lower()
    readings = surname_readings(surname_word)
    if "-" in surname_word:
        tail = surname_word.rsplit("-", 1)
        readings = (
            tuple(
                Reading(f"{tail[0]}-{r.lemma}", r.gender, r.kind, r.prior, r.paradigm)
                for r in surname_readings(tail[1])
            )
            or readings
        )

    name_cases, name_gender = _name_evidence(group.first_name, group.patronymic)
    written_initials = _initials_of(group.initials, group.first_name, group.patronymic)
    surname_form = surname_word.rsplit("-", 1)[-1]
    forms = frozenset(f for r in readings for f in r.forms)
    others, own = _context_occurrences(repair_ocr(context), repaired_span, forms, written_initials)
    if own is None:
        own = Occurrence(surname_form, _case_weights(None), 0.0, name_gender, written_initials)
    own.form = surname_form
    own.name_gender = name_gender
    if name_cases:
        own.case_weights = {c: (w if c in name_cases else 0.0) for c, w in own.case_weights.items()}
        if not any(own.case_weights.values()):
            own.case_weights = {c: (1.0 if c in name_cases else 0.0) for c in CASES}

    scored = sorted(
        ((_reading_score(r, [own, *others]), r) for r in readings), key=lambda pair: (-pair[0], pair[1].lemma)
    )
    best_score, best = scored[0]
    total = sum(math.exp(s - best_score) for s, r in scored)
    same = sum(
        math.exp(s - best_score) for s, r in scored if (r.lemma, r.gender) == (best.lemma, best.gender)
    )
    confidence = same / total

    lemma = best.lemma
    if "-" in surname_word:
        lemma = _hyphenated_lemma(surname_word, best, best.cases_of(surname_form) or frozenset(CASES))
    surname = _title(lemma)

    first_name_word, patronymic_word, initials = group.first_name, group.patronymic, written_initials
    consistent = [o for o in others if o.form in best.forms]
    fuller = [
        o
        for o in (own, *consistent)
        if len(o.initials) > len(initials) and _same_letters(initials, o.initials)
    ]
    if fuller:
        initials = max((o.initials for o in fuller), key=len)
    first_name_cases = name_cases if first_name_word else None
    if first_name_word is None or patronymic_word is None:
        for occurrence in consistent:
            if (occurrence.first_name or occurrence.patronymic) and _same_letters(
                initials, occurrence.initials
            ):
                first_name_word = first_name_word or occurrence.first_name
                patronymic_word = patronymic_word or occurrence.patronymic
                if first_name_word and patronymic_word:
                    break
    first_name = _nominative_name(first_name_word, best.gender, first_name_cases)
    patronymic = _nominative_patronymic(patronymic_word)
    initials = _initials_of(initials, first_name, patronymic)
    initials_text = "".join(f"{letter}." for letter in initials) or None
    if repaired_span != as_written:
        confidence *= 0.9
    latin = " ".join(filter(None, [transliterate(surname), transliterate(spaced_initials(initials_text))]))
    return PersonName(
        surname=surname,
        first_name=first_name,
        patronymic=patronymic,
        initials=initials_text,
        gender=best.gender,
        name_latin=latin,
        confidence=round(confidence, 3),
        key=surname_key(surname),
    )
