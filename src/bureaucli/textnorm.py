"""Repair OCR and typewriter damage in a document text while keeping a map back to the original.

Segmentation parses the *normalized* text but reports spans of the *original* one, so every
rewrite here records, for each output character, the source offset it came from. Rewrites are
conservative: each one fixes a damage pattern seen in typewritten Russian protocols and OCR of them
(Latin look-alikes and digits inside Cyrillic words, letter-spaced headings, words hyphenated at line
ends, folio marks and page numbers, `$` for `§`, `Е.` for `г.`, stamp debris, pre-1918 letters) and what
publishers add to transcriptions (footnote marks, editorial notes in brackets).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

LATIN_TO_CYRILLIC = str.maketrans(
    "ABCEHKMOPTXYNaceopxykmnurbi",
    "АВСЕНКМОРТХУИасеорхукмпигьи",
)
DIGIT_TO_CYRILLIC_UPPER = {"0": "О", "6": "Б", "3": "З"}
DIGIT_TO_CYRILLIC_LOWER = {"0": "о", "6": "б", "3": "з"}
DIGIT_FOR_LETTER = {"б": "6", "з": "3", "о": "0"}
OLD_LETTERS = str.maketrans("іІѣѢѳѲѵѴ", "иИеЕфФиИ")
ROMAN_NUMERAL = re.compile(r"^[IVXLCM]+$")
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
LATIN = re.compile(r"[A-Za-z]")


@dataclass
class NormalizedText:
    text: str
    source_offsets: list[int]
    """Source offset of each character of `text`, plus one entry for the end of the text."""

    def to_source(self, offset: int) -> int:
        """Offset in the original text of the character at `offset` in the normalized text."""
        return self.source_offsets[min(max(offset, 0), len(self.source_offsets) - 1)]

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The original-text span covering normalized `text[start:end]` (text moved by `moved` included)."""
        if end <= start:
            source = self.to_source(start)
            return source, source
        first, last = self.to_source(start), self.to_source(end - 1)
        return min(first, last), max(first, last) + 1

    def tight_span(self, start: int, end: int, anchor: int, max_gap: int = 16) -> tuple[int, int]:
        """The original-text span of the unbroken run of `text[start:end]` around `anchor`: a name that
        text moved by `moved` joined to words from elsewhere ("КОРЯКИНА" + the next page's "Анатолия
        Степановича") keeps the part with its surname. Repairs leave gaps under `max_gap` characters (a
        hyphen and line break, a folio mark)."""

        def joined(i: int) -> bool:
            return 0 < self.to_source(i) - self.to_source(i - 1) <= max_gap

        first, last = anchor, anchor + 1
        while first > start and joined(first):
            first -= 1
        while last < end and joined(last):
            last += 1
        return self.source_span(first, last)

    def without(self, start: int, end: int) -> NormalizedText:
        """This text with `text[start:end]` left out."""
        offsets = self.source_offsets[:start] + self.source_offsets[end:]
        return NormalizedText(self.text[:start] + self.text[end:], offsets)

    def moved(self, source: int, length: int, target: int) -> NormalizedText:
        """This text with `text[source:source + length]` moved to just before `target` (< source)."""
        order = [
            (0, target),
            (source, source + length),
            (target, source),
            (source + length, len(self.text)),
        ]
        text = "".join(self.text[a:b] for a, b in order)
        offsets = [offset for a, b in order for offset in self.source_offsets[a:b]]
        return NormalizedText(text, [*offsets, self.source_offsets[-1]])


Replacement = Callable[[re.Match[str]], str]


def _rewrite(current: NormalizedText, pattern: re.Pattern[str], replace: Replacement) -> NormalizedText:
    """Apply `pattern.sub(replace)` while carrying the offset map along.

    A replacement of the same length maps character by character; a different length maps every new
    character to the start of the match (or to successive source characters while they last).
    """
    pieces: list[str] = []
    offsets: list[int] = []
    position = 0
    old = current.source_offsets
    for match in pattern.finditer(current.text):
        start, end = match.span()
        new = replace(match)
        if new == match.group(0):
            continue
        pieces.append(current.text[position:start])
        offsets.extend(old[position:start])
        pieces.append(new)
        offsets.extend(old[min(start + i, max(start, end - 1))] for i in range(len(new)))
        position = end
    if not pieces:
        return current
    pieces.append(current.text[position:])
    offsets.extend(old[position:])
    return NormalizedText("".join(pieces), offsets)


@lru_cache(maxsize=65536)
def _translate_token(token: str) -> str:
    """Repair one word that mixes Cyrillic with Latin look-alikes or with 0/6/3 read for О/б/З."""
    if not CYRILLIC.search(token):
        return token
    letters = sum(ch.isalpha() for ch in token)
    if re.fullmatch(r"\d+[а-яА-Я]", token) or letters < 2:
        return token  # an item number such as "14а", or a unit such as "5к"
    chars = list(token.translate(LATIN_TO_CYRILLIC) if LATIN.search(token) else token)
    for i, ch in enumerate(chars):
        if ch not in DIGIT_TO_CYRILLIC_LOWER:
            continue
        neighbours = [c for c in chars[max(0, i - 1) : i + 2] if c.isalpha()]
        if not neighbours:
            continue
        upper = all(c.isupper() for c in neighbours)
        chars[i] = (DIGIT_TO_CYRILLIC_UPPER if upper else DIGIT_TO_CYRILLIC_LOWER)[ch]
    return "".join(chars)


def _latin_word(match: re.Match[str]) -> str:
    """A whole word of Latin look-alikes (`TOB.`, an initial `K.`, a preposition `c`) between Cyrillic
    words is Cyrillic too; Roman numerals (`XII`, a lone `I`, `V`, `X`) stay."""
    word = match.group(0)
    if not set(word) <= set("ABCEHKMOPTXYaceopxyk"):
        return word
    if (len(word) > 1 and ROMAN_NUMERAL.match(word)) or word in "IVXL":
        return word
    around = (
        match.string[max(0, match.start() - 12) : match.start()]
        + match.string[match.end() : match.end() + 12]
    )
    cyrillic, latin = len(CYRILLIC.findall(around)), len(LATIN.findall(around))
    if cyrillic < max(3, 3 * latin):
        return word
    return word.translate(LATIN_TO_CYRILLIC)


FOLIO_LINE = re.compile(
    r"^[ \t]*(?:(?:Лист|лист|Л|л|L|l)\.?[ \t]*\d{1,4}[ \t]*(?:об\.?|о6\.?)?"
    r"|[-–—]?[ \t]*\d{1,3}[ \t]*[-–—]?\.?(?![ \t]*\n\s*[сСcC][ \t]?[лЛ][ \t]?[уУyY])"
    r"|Продолжение протокола.*"
    r"|(?:Строго |Совершенно )?[Сс]екретно\.?|СЕКРЕТНО|(?:СТРОГО|СОВЕРШЕННО) СЕКРЕТНО|Особая папка|ОСОБАЯ ПАПКА"
    r"|Экз\.[ \t]*№[ \t]*\d+"
    r"|[^\n]*\bФ\.[ \t]*[А-ЯP]?-?\d+[^\n]*\bОп\.[ \t]*\d+[^\n]*"
    r"|(?:Подлинник|Копия|Заверенная копия|Машинопись|Рукопись|Автограф)\b[^\n]{0,40})[ \t]*$",
    re.MULTILINE,
)
INLINE_FOLIO = re.compile(
    r"<<\s*[lLлЛ1I|]\.?\s*\d+\s*(?:об\.?)?\s*>>|\[\s*[lLлЛ]\.\s*\d+\s*(?:об\.?)?\s*\]|/\s*[lLлЛ]\.\s*\d+\s*(?:об\.?)?\s*/"
)
LETTER_SPACED = re.compile(
    r"(?<![\w.])(?:(?:[А-ЯЁ] {1,2}){3,}[А-ЯЁ]|[А-ЯЁа-яё](?: {1,2}[а-яё]){4,})(?![\w.])"
)
"""A word typed letter-spaced for emphasis: "П Р О Т О К О Л", "С л у ш а л и" (five letters or more when in
small letters, so that runs of one-letter words — "и в с" — are left alone)."""
LINE_END_HYPHEN = re.compile(r"(?<=[а-яё])[-\xad][ \t]*\n[ \t]*(?=[а-яё])")
MIXED_TOKEN = re.compile(r"[A-Za-zА-Яа-яЁё0-9]+")
LATIN_WORD = re.compile(r"(?<![A-Za-zА-Яа-яЁё])[A-Za-z]+(?![A-Za-zА-Яа-яЁё])")
PARTY_NAME = re.compile(r"(?i)\b(ВКП?|РКП|КП)\s*[(/]\s*[б6b]\s*[)/]")
ZERO_PREPOSITION = re.compile(r"(?<![\w.,])(?:[0О][6б]|0)(?=[ \t]+[а-яёА-ЯЁ])")
SECTION_SIGN = re.compile(
    r"(?m)(^[ \t]*|(?<=[:;])[ \t]*)(?:\$[ \t]*(?:8[ \t]+)?|8[ \t]+)(?=\d{1,3}[а-я]?\.[ \t])"
)
ITEM_NUMBER_LETTER = re.compile(r"(?m)((?:^|(?<=[:;]))[ \t]*(?:§|\$|8|п\.)[ \t]*)([бБзЗоО])(?=[а-я]?\.[ \t])")
"""An item number whose digit OCR read as a letter: "§ ба." for § 6а, "п. З." for п. 3."""
INITIAL_DIGIT = re.compile(
    r"(?<=[А-ЯЁа-яё][ \t])[036](?=\.\s?[А-ЯЁ036]\.(?!\d))|(?<![\w.])[036](?=\.\s?[А-ЯЁ036]\.\s?[А-ЯЁ][а-яё])"
    r"|(?<=[А-ЯЁ036]\.)[036](?=\.(?!\d))"
)
"""An initial read as a digit: "Мальцевой 3.Л.", "0. П. Довгань", "Ковтун О.0."."""
LOWERCASE_SURNAME = re.compile(
    r"(?m)(?<=^)([ \t]*\d{1,2}[.)][ \t]+)([а-яё])(?=[а-яё]+[ \t]+[А-ЯЁ][а-яё]+[ \t]+[А-ЯЁ][а-яё]+(?:вич|вна|ична|ьич)[а-я]{0,2}\b(?![ \t]+[А-ЯЁ]))"
)
"""A list entry whose surname OCR wrote with a small letter before a full name ("1) кузьмин Борис Прокофьевич")."""
TITLED_LOWERCASE_SURNAME = re.compile(
    r"(?:(?<=\bт\.)|(?<=\bтов\.))([ \t]?)([а-яё])(?=[а-яё]{2,}[ \t]+[А-ЯЁ]\.[ \t]?[А-ЯЁ]\.)"
)
"""A surname after тов. that OCR wrote with a small letter before its initials ("т. орлова А.П.")."""
O_TITLE = re.compile(r"(?<![\w.])От\.(?=[ \t]*(?:[А-ЯЁ]|т\.))")
""""О т." read as "От." (not a word with a dot) before a name."""
YEAR_ABBREVIATION = re.compile(r"(?<=\d)([ \t]*)Е\.(?=[\s,;)])")
STAMP_DEBRIS = re.compile(r"[■•●▪□◆¤|¦~^]")
EDITORIAL_MARK = re.compile(
    r"(?:(?<=[^\W\d_])|(?<=[.,;:)»]))[¹²³⁴⁵⁶⁷⁸⁹⁰*]+"
    r"|\[(?:нрзб|неразб|подпись|зачеркнуто|вписано|так в (?:документе|тексте|подлиннике)|в (?:документе|подлиннике)|sic)[^\]\n]{0,80}\]"
)
"""What a publisher adds to a transcription: footnote marks ("Шарове¹") and notes in brackets ("[нрзб.]",
"[в документе: Голубовой]"). Their dots would end clauses and their marks cut names."""
FINAL_HARD_SIGN = re.compile(r"(?<=[а-яёА-ЯЁ])[ъЪ](?![а-яёА-ЯЁ])")
OLD_VOICED_PREFIX = re.compile(r"(?i)\b(во|ра|бе|и)з(?=[кпстфхцчшщ])")
"""Pre-1918 spelling of prefixes before voiceless consonants (возстановить, изполнить) folds to modern."""


def _running_header_pattern(text: str) -> re.Pattern[str] | None:
    """Lines that open two or more pages (ignoring digits) are running headers."""
    pages = text.split("\f")
    if len(pages) < 3:
        return None
    counts: Counter[str] = Counter()
    for page in pages[1:]:
        tops = [line.strip() for line in page.splitlines() if line.strip()][:2]
        counts.update({re.sub(r"\d+", "#", line) for line in tops if len(line) >= 8})
    headers = [
        line for line, n in counts.items() if n >= 2 and not re.search(r"(?i)слушали|постановили", line)
    ]
    if not headers:
        return None
    alternatives = "|".join(re.escape(h).replace("\\#", r"\d+").replace("#", r"\d+") for h in headers)
    return re.compile(rf"(?m)^[ \t]*(?:{alternatives})[ \t]*$")


PROTOCOL_TITLE = re.compile(r"(?i)(?:выписка\s+из\s+|из\s+)?протокол\w*\s*(?:№|N|#)\s*([\dА-Яа-я/-]+)")


def _repeated_titles(text: str) -> set[int]:
    """Offsets of lines that open a page by repeating the number of a protocol begun on an earlier page
    ("Протокол № 22 заседания бюро ГК" atop page 2): running headers, even in a two-page document."""
    starts: set[int] = set()
    page_start = 0
    for page in text.split("\f"):
        if page_start:
            earlier = {m.group(1) for m in PROTOCOL_TITLE.finditer(text, 0, page_start)}
            offset = page_start
            for line in page.splitlines(keepends=True)[:3]:
                title = PROTOCOL_TITLE.match(line.strip())
                if title and title.group(1) in earlier and len(line.strip()) <= 90:
                    starts.add(offset)
                offset += len(line)
        page_start += len(page) + 1
    return starts


def normalize(text: str) -> NormalizedText:
    """The text with OCR damage repaired; `to_source` maps offsets back to `text`."""
    result = NormalizedText(text, list(range(len(text) + 1)))
    result = NormalizedText(
        text.replace("\f", "\n").replace("\r", " ").translate(OLD_LETTERS), result.source_offsets
    )
    titles = _repeated_titles(text)
    if titles:
        result = _rewrite(
            result, re.compile(r"(?m)^[^\n]*"), lambda m: "" if m.start() in titles else m.group(0)
        )
    result = _rewrite(result, FINAL_HARD_SIGN, lambda m: "")
    result = _rewrite(
        result, OLD_VOICED_PREFIX, lambda m: m.group(1) + ("С" if m.group(0)[-1].isupper() else "с")
    )
    header = _running_header_pattern(text)
    if header:
        result = _rewrite(result, header, lambda m: "")
    result = _rewrite(result, INLINE_FOLIO, lambda m: "")
    result = _rewrite(result, FOLIO_LINE, lambda m: "")
    result = _rewrite(result, STAMP_DEBRIS, lambda m: " ")
    result = _rewrite(result, EDITORIAL_MARK, lambda m: "" if m.group(0)[0] != "[" else " ")
    result = _rewrite(
        result, PARTY_NAME, lambda m: ("ВКП" if m.group(1).upper() == "ВК" else m.group(1).upper()) + "(б)"
    )
    result = _rewrite(result, MIXED_TOKEN, lambda m: _translate_token(m.group(0)))
    result = _rewrite(result, LATIN_WORD, _latin_word)
    result = _rewrite(result, ZERO_PREPOSITION, lambda m: "Об" if len(m.group(0)) == 2 else "О")
    result = _rewrite(result, LETTER_SPACED, lambda m: m.group(0).replace(" ", ""))
    result = _rewrite(result, LINE_END_HYPHEN, lambda m: "")
    result = _rewrite(result, ITEM_NUMBER_LETTER, lambda m: m.group(1) + DIGIT_FOR_LETTER[m.group(2).lower()])
    result = _rewrite(result, SECTION_SIGN, lambda m: m.group(1) + "§ ")
    result = _rewrite(result, INITIAL_DIGIT, lambda m: DIGIT_TO_CYRILLIC_UPPER[m.group(0)])
    result = _rewrite(result, O_TITLE, lambda m: "О т.")
    result = _rewrite(result, LOWERCASE_SURNAME, lambda m: m.group(1) + m.group(2).upper())
    result = _rewrite(result, TITLED_LOWERCASE_SURNAME, lambda m: m.group(1) + m.group(2).upper())
    result = _rewrite(result, YEAR_ABBREVIATION, lambda m: m.group(1) + "г.")
    return result


def fold(text: str) -> str:
    """Lowercase with ё→е: the form stems and cue phrases are matched against."""
    return text.lower().replace("ё", "е")
