"""Segment one document into meetings and items, and personal-case items into one case per person.

The parse runs on the normalized text (`bureaucli.textnorm`) and reports every span in the original
document text. The steps:

1. meetings start at a protocol header ("ПРОТОКОЛ № …", "ВЫПИСКА ИЗ ПРОТОКОЛА …"); a text without
   one (a newspaper report) is a single meeting;
2. items start at a СЛУШАЛИ label (matched with a small edit distance, so OCR damage survives) or,
   when a meeting has none, at numbered lines ("5.", "§ 5.", "п. 48.", "1)");
3. an item is a personal case when its heard text names a person in a personal-case frame (дело,
   апелляция, заявление, об исключении, сообщение об аресте, "О т. X"), or when a clause of its decision
   imposes a penalty on a named person (a penalty inside a report on production);
4. the defendants are the first person named in the heard text and those joined to it by "и", or the
   entries of a numbered list; reporters ("(т. X)", "докладчик т. X") and persons named in a charge
   ("связь с врагом народа X") are kept as mentions, never as cases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from bureaucli.coding import code_accusations, code_decisions, guess_sector
from bureaucli.records import (
    Case,
    DocumentParse,
    DocumentText,
    Item,
    Meeting,
    Mention,
    PageText,
    TextSpan,
)
from bureaucli.settings import SegmentSettings
from bureaucli.textnorm import NormalizedText, fold, normalize

HEARD_LABELS = ("СЛУШАЛИ",)
DECISION_LABELS = ("ПОСТАНОВИЛИ", "ПОСТАНОВИЛ", "ПОСТАНОВЛЕНО", "ПОСТАНОВЛЯЕТ", "РЕШИЛИ", "РЕШИЛ")
PUNITIVE = {
    "expel",
    "severe_reprimand",
    "reprimand",
    "warning",
    "remove_from_post",
    "refer_to_prosecution",
    "demote",
}

MONTHS = {
    "январ": 1, "феврал": 2, "март": 3, "апрел": 4, "ма": 5, "июн": 6,
    "июл": 7, "август": 8, "сентябр": 9, "октябр": 10, "ноябр": 11, "декабр": 12,
}  # fmt: skip
ROMAN = {
    "I": 1,
    "II": 2,
    "III": 3,
    "IV": 4,
    "V": 5,
    "VI": 6,
    "VII": 7,
    "VIII": 8,
    "IX": 9,
    "X": 10,
    "XI": 11,
    "XII": 12,
}

_MONTH_WORD = r"(январ[яь]|феврал[яь]|марта?|апрел[яь]|ма[яй]|июн[яь]|июл[яь]|августа?|сентябр[яь]|октябр[яь]|ноябр[яь]|декабр[яь])"
DATE_PATTERNS = (
    re.compile(rf"(?i)\b(\d{{1,2}})(?:-?го)?[\"»”]?\s+{_MONTH_WORD}\s+(\d{{4}})"),
    re.compile(r"\b(\d{1,2})\s*[./]\s*([IVX]{1,4})\s*[.\-–/]\s*(\d{2,4})\b"),
    re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{2,4})\b"),
)

_CAP = r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?"
_UPPER = r"[А-ЯЁ]{2,}(?:-[А-ЯЁ]{2,})?"
_SURNAME = rf"(?:{_CAP}|{_UPPER})"
_INITIALS = r"[А-ЯЁ]\.\s?(?:[А-ЯЁ]\.)?"
_PATRONYMIC = r"[А-ЯЁ][а-яё]+(?:вич|вн|ьич|ич|чн)[а-яё]{0,3}"
_TITLE = r"(?:тов\.|т\.\s?т\.|тт\.|т\.)"
NAME = re.compile(
    rf"(?P<sfp>(?P<s1>{_SURNAME})\s+{_CAP}\s+{_PATRONYMIC})(?![а-яё])"
    rf"|(?P<fps>{_CAP}\s+{_PATRONYMIC}\s+(?P<s2>{_SURNAME}))(?![а-яё])"
    rf"|(?P<is>{_INITIALS}\s?(?P<s3>{_SURNAME}))(?![а-яё])"
    rf"|(?P<si>(?P<s4>{_SURNAME})\s+{_INITIALS})"
    rf"|(?<![А-Яа-яЁё]){_TITLE}\s*(?P<ts>(?P<s5>{_SURNAME}))(?![а-яё])"
)
BARE_AFTER_CUE = re.compile(
    rf"(?i:персональн\w+\s+дел[оау]|\bдел[оау]|заявлени[ея]|апелляци[яи]|об\s+аресте|материал\w*(?:\s+\w+){{0,2}}\s+на|\bо)"
    rf"\s+(?:{_TITLE}\s*)?(?P<s>{_SURNAME})(?=\s*[,.(:]|\s+о\s|\s*$)"
)
_STOP_WORDS_TEXT = (
    "Персональное Дело Заявление Апелляция Сообщение Материалы Материал Об О При Из За На В С К По"
    " ВКП НКВД УНКВД ГПУ ОГПУ ЦК КПК МТС РК ГК ОК РО ССР СССР РСФСР ВЛКСМ ОТК ЦКК РКК ВЦСПС ЦИК ВСНХ"
    " Исключить Утвердить Обязать Принять Поручить Решение Решили Постановили Слушали Тов Члены Кандидаты"
    " Присутствовали Председательствовал Председательствующий Докладчик Проверкой Материалами Установлено"
    " Исходя Просьбу Вопрос Рассмотрение Признать Отметить Освободить Снять Объявить Вынести Восстановить"
    " Ограничиться Строгий Партвзыскание Перечисленных Считать Секретарь Верно Бюро Партком Протокол"
    " Выписка Заседания Постановление Политбюро Партколлегия Партколлегии Апелляцию Товарищ Товарища"
    " Дело Дела Это Его Ее Их Просить Передать Привлечь Перевести Отклонить Отказать Указать Предложить"
    " Разрешить Направить Отозвать Учитывая Отмечая Тт Т Г Ст Им Быв Бывший Бывшего Зав Пред Отв Нач"
    " Январ Января Февраля Марта Апреля Мая Июня Июля Августа Сентября Октября Ноября Декабря Союза"
    " Красный Красная Красного Ленина Сталина Сталин Ленин Москва Москвы Кирова"
)
"""Capitalized words that open sentences or name institutions, never surnames."""
STOP_WORDS = {fold(word) for word in _STOP_WORDS_TEXT.split()}
LIST_ENTRY = re.compile(r"(?m)^[ \t]*(\d{1,2})\s*[.)][ \t]+(?=\S)")
REPORTER = re.compile(
    rf"\((?:[^()]*?)?(?:докладчик\w*|докл\.|содокладчик\w*|{_TITLE})\s*[^()]*\)"
    rf"|(?i:докладчик\w*|содокладчик\w*|докл\.|сообщение)\s*:?\s*{_TITLE}?\s*[^.;\n]*?(?=\.\s|\.$|$|\n|;)",
)
ENEMY_CONTEXT = re.compile(
    r"(?i)(?:связ\w*|покровительств\w*|защищал\w*)\s+(?:с\s+)?(?:[^.;()]{0,80}?)(?:враг\w*\s+народа|троцкист\w*|"
    r"арестованн\w*|разоблаченн\w*|шпион\w*)\s+[^.;()]{0,40}"
    r"|(?i:враг\w*\s+народа|троцкист(?:ом|ами|ов))\s+[^.;,()]{0,40}"
    r"|(?i:на\s+решение|решени\w+)\s+[^.;()]{0,120}"
)
PERSONAL_CUE = re.compile(
    r"(?i)персональн|^\W*(?:\d+\W+)?дело\b|апелляци|заявлени|\bоб?\s+(?:тт?\.|т\.\s?т\.|тов\.)|об\s+исключени|"
    r"о\s+снятии\s+(?:парт)?взыскани|восстановлени|об\s+аресте|материал\w*(?:\s+\w+){0,2}\s+на\b|выбывш|(?-i:^\W*[Оо]\s+[А-ЯЁ])"
)
NON_PERSONAL_CUE = re.compile(
    r"(?i)^\W*(?:об?\s+)?(?:утверждени|назначени|приеме|выдвижени|созыве|подготовк|ходе|выполнени|состояни|итог|"
    r"отчет|план|работе\s+(?!тов|т\.)|организаци|проведени|мероприяти|распределени|командировани)"
)
APPOINTMENT_CLAUSE = re.compile(
    r"(?i)в\s+связи\s+с\s+(?:переход|уход|болезн|отъезд|выдвижени|назначени|учеб|перевод)|по\s+(?:собственному\s+)?желани"
    r"|по\s+болезни|состояни\w+\s+здоровья|согласно\s+(?:его|ее)?\s*просьб"
)
SIGNATURE = re.compile(
    r"(?m)^[ \t]*(?:(?:Зам\.|И\.\s?о\.|Первый|Второй|Ответственный|Технический)\s+)?"
    r"(?:Секретарь|Председатель|Председательствующий|Зав\.|Верно|Выписка верна|ВЕРНО|СЕКРЕТАРЬ|Подпись)\b"
)
HEADER = re.compile(r"(?mi)^[ \t]*(?:выписка\s+из\s+)?протокол\w*(?=\s*(?:№|заседани|закрыт|$|\d))")
PROSE_MEETING = re.compile(
    r"(?i)\b(?:бюро|пленум|партком|партколлеги\w+|политбюро|секретариат)\b[^.]{0,80}?\b(?:рассмотрел\w*|обсудил\w*|постановил\w*|решил\w*|заседани\w*)"
)
PROTOCOL_NO = re.compile(r"№\s*(\d+(?:\s*[/\-–]\s*[\dА-Яа-я]+)?)")
BODY = re.compile(
    r"(?is)заседани[яеи]\s+(.{3,160}?)(?=\s+от\s|\s+[«\"]?\d{1,2}[-\s.\"»/]|\s*\n[ \t]*\n|\s*\n[ \t]*(?:г\.|от\b)|\s*$)"
)
PRESENT_BLOCK = re.compile(r"(?is)(?:присутствовал\w*|председательствовал\w*)\s*:?(.*?)(?=\n[ \t]*\n|$)")
TWO_COLUMN_LABELS = re.compile(r"(?im)^[ \t]*слушали\W+постановили\W*$")
PRESENT_NAME = re.compile(rf"({_CAP})(?:\s+{_INITIALS})?(?![а-яё])")
NUMBERED_ITEM = re.compile(r"(?m)^[ \t]*(?:§\s*|п\.\s*|пункт\s+)?(\d{1,3}[а-я]?)\s*[.)][ \t]*(?=\S)")
LABEL_TOKEN = re.compile(
    r"(?m)^[ \t]*(?P<prefix>(?:§\s*|п\.\s*)?(?:\d{1,3}[а-я]?\s*[.)]\s*|[^\s\d]{1,2}[.),]\s+)?)"
    r"(?P<label>[А-ЯЁа-яёA-Za-z0-9]{5,14})[ \t]*(?P<after>[:\-—–.]|\n|$)?"
)


@dataclass
class Label:
    kind: str
    """"heard" or "decision"."""
    start: int
    end: int
    distance: int
    item_no: str | None


@dataclass
class PersonName:
    start: int
    end: int
    surname: str


@dataclass
class Defendant:
    name: PersonName
    context: str
    """Text about this person (for position, party status, birth year)."""
    decision_text: str | None = None
    decision_offset: int = 0


def _match_label(word: str, settings: SegmentSettings) -> tuple[str, int] | None:
    upper = word.upper()
    best: tuple[str, int] | None = None
    for kind, labels in (("heard", HEARD_LABELS), ("decision", DECISION_LABELS)):
        for label in labels:
            allowed = min(settings.label_max_distance, max(0, (len(label) - 3) // 3))
            distance = Levenshtein.distance(upper, label, score_cutoff=allowed)
            if distance <= allowed and (best is None or distance < best[1]):
                best = (kind, distance)
    return best


def find_labels(text: str, start: int, end: int, settings: SegmentSettings) -> list[Label]:
    """СЛУШАЛИ / ПОСТАНОВИЛИ labels at line starts (after an item number), tolerant of OCR damage."""
    labels = []
    for match in LABEL_TOKEN.finditer(text, start, end):
        word = match.group("label")
        if not (match.group("after") or word.isupper()):
            continue
        found = _match_label(word, settings)
        if not found:
            continue
        number = re.search(r"\d{1,3}[а-я]?", match.group("prefix"))
        labels.append(
            Label(found[0], match.start("label"), match.end(), found[1], number.group(0) if number else None)
        )
    return labels


def parse_date(text: str) -> tuple[str, int, int] | None:
    """The first date in `text` as ISO, with its span."""
    best: tuple[str, int, int] | None = None
    for pattern in DATE_PATTERNS:
        match = pattern.search(text)
        if not match or (best and match.start() >= best[1]):
            continue
        day_text, month_text, year_text = match.groups()
        if month_text.isdigit():
            month = int(month_text)
        elif month_text.upper() in ROMAN:
            month = ROMAN[month_text.upper()]
        else:
            month = next(n for stem, n in MONTHS.items() if fold(month_text).startswith(stem))
        year = int(year_text) + (1900 if len(year_text) == 2 else 0)
        day = int(day_text)
        if 1 <= month <= 12 and 1 <= day <= 31 and 1900 <= year <= 1999:
            best = (f"{year:04d}-{month:02d}-{day:02d}", match.start(), match.end())
    return best


def _is_surname(word: str) -> bool:
    folded = fold(word)
    if folded in STOP_WORDS or len(word) < 2:
        return False
    if word.isupper() and (len(word) < 3 or not re.search(r"[АЕЁИОУЫЭЮЯ]", word)):
        return False
    return not re.search(r"(?:ить|ать|ять|еть|уть|ыть|ться|ировать)$", folded)


def find_names(text: str, start: int = 0, end: int | None = None) -> list[PersonName]:
    """Person names in `text[start:end]`: surname with initials or first name and patronymic, or after тов."""
    end = len(text) if end is None else end
    names: list[PersonName] = []
    position = start
    while True:
        match = NAME.search(text, position, end)
        if not match:
            break
        group = next(g for g in ("sfp", "fps", "is", "si", "ts") if match.group(g))
        if group == "ts":
            fuller = NAME.match(text, match.start("s5"), end)
            if fuller and not fuller.group("ts"):
                match = fuller
                group = next(g for g in ("sfp", "fps", "is", "si") if match.group(g))
        surname_group = {"sfp": "s1", "fps": "s2", "is": "s3", "si": "s4", "ts": "s5"}[group]
        surname = match.group(surname_group)
        span_start, span_end = match.span(group)
        if group == "si":
            following = re.match(rf"\s?{_SURNAME}(?![а-яё.])", text[span_end:end])
            if following and _is_surname(following.group(0).strip()) or not _is_surname(surname):
                position = match.start(surname_group) + len(surname)
                continue
        if group == "is":
            full = re.match(rf"\s+{_CAP}\s+{_PATRONYMIC}(?![а-яё])", text[span_end:end])
            if full and re.fullmatch(r"[А-ЯЁ]\.\s?", text[span_start : match.start("s3")]):
                span_start = match.start("s3")
                span_end += full.end()
        if not _is_surname(surname):
            position = match.start(surname_group) + len(surname)
            continue
        names.append(PersonName(span_start, span_end, surname))
        position = span_end
    return names


def _blank(text: str, pattern: re.Pattern[str], start: int, end: int) -> tuple[str, list[tuple[int, int]]]:
    spans = [m.span() for m in pattern.finditer(text, start, end)]
    for a, b in spans:
        text = text[:a] + " " * (b - a) + text[b:]
    return text, spans


def _list_entries(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Numbered list entries (1. Иванов И.И. …) that each name a person, as (start, end) spans."""
    entries = [
        m for m in LIST_ENTRY.finditer(text, start, end) if find_names(text, m.end(), min(end, m.end() + 60))
    ]
    entries = [
        m for m in entries if find_names(text, m.end(), min(end, m.end() + 60))[0].start - m.end() <= 25
    ]
    if len(entries) < 2 and not (entries and entries[0].group(1) == "1"):
        return []
    spans = []
    for i, match in enumerate(entries):
        stop = entries[i + 1].start() if i + 1 < len(entries) else end
        spans.append((match.end(), stop))
    return spans


def _heard_defendants(
    text: str, start: int, end: int
) -> tuple[list[PersonName], list[PersonName], list[PersonName]]:
    """(defendants, reporters, mentioned) named in a heard text."""
    masked, reporter_spans = _blank(text, REPORTER, start, end)
    reporters = [n for a, b in reporter_spans for n in find_names(text, a, b)]
    masked, enemy_spans = _blank(masked, ENEMY_CONTEXT, start, end)
    mentioned = [n for a, b in enemy_spans for n in find_names(text, a, b)]
    names = find_names(masked, start, end)
    if not names:
        bare = BARE_AFTER_CUE.search(masked, start, end)
        if bare and _is_surname(bare.group("s")):
            names = [PersonName(bare.start("s"), bare.end("s"), bare.group("s"))]
    if not names:
        return [], reporters, mentioned
    defendants = [names[0]]
    for name in names[1:]:
        between = re.sub(r"\([^()]*\)", " ", masked[defendants[-1].end : name.start])
        if re.fullmatch(rf"\s*(?:,|и|,\s*и)\s*(?:{_TITLE}\s*)?", between):
            defendants.append(name)
        else:
            mentioned.append(name)
    return defendants, reporters, mentioned


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences and numbered sub-points of a decision, as spans."""
    spans = []
    position = start
    pattern = re.compile(
        r"(?<![А-ЯЁA-Z])(?<!\bт)(?<!тов)(?<!\bг)(?<!тт)[.;](?=\s+[А-ЯЁ\d(«\"]|\s*$)|\n[ \t]*(?=\d{1,2}\)\s)"
    )
    for match in pattern.finditer(text, start, end):
        spans.append((position, match.end()))
        position = match.end()
    if text[position:end].strip():
        spans.append((position, end))
    return [(a, b) for a, b in spans if text[a:b].strip()]


OBLIGATION = re.compile(
    r"(?i)\b(?:обязать|поручить|возложить|утвердить|принять|назначить|командировать|рекомендовать)\b"
)


def _decision_defendants(text: str, start: int, end: int) -> list[Defendant]:
    """Persons on whom a decision clause imposes a penalty (a personal case inside another item)."""
    defendants = []
    for a, b in _clauses(text, start, end):
        clause = text[a:b]
        codes = set(code_decisions(clause))
        if not codes & PUNITIVE or APPOINTMENT_CLAUSE.search(clause):
            continue
        masked, _ = _blank(text, ENEMY_CONTEXT, a, b)
        masked, _ = _blank(masked, REPORTER, a, b)
        masked, _ = _blank(masked, OBLIGATION, a, b)
        for name in find_names(masked, a, b)[:1]:
            defendants.append(Defendant(name, clause, clause.strip(), a))
    return defendants


def _surname_stem(surname: str) -> str:
    folded = fold(surname)
    return folded[: max(3, len(folded) - 3)] if len(folded) > 4 else folded


def _own_decision(
    text: str, decision: tuple[int, int], defendant: Defendant, others: list[Defendant]
) -> str | None:
    """The sentences of a shared decision that concern this person, when they differ between persons."""
    if not others:
        return None
    stem = _surname_stem(defendant.name.surname)
    other_stems = [_surname_stem(o.name.surname) for o in others if o is not defendant]
    own, shared = [], []
    for a, b in _clauses(text, *decision):
        clause = fold(text[a:b])
        mine = stem in clause
        theirs = any(s in clause for s in other_stems)
        if mine and not theirs:
            own.append(text[a:b].strip())
        elif not mine and not theirs:
            shared.append(text[a:b].strip())
        elif mine and theirs:
            return None
    if not own:
        return None
    return " ".join(own + shared)


PARTY_STATUS = re.compile(
    r"(?i)(?:бывш\w+\s+)?(?:член\w*|чл\.|кандидат\w*|канд\.)\s+(?:в\s+члены\s+)?(?:ВКП\(б\)|партии)(?:\s+с\s+\d{4}\s*(?:г\.|года|г\b)?)?"
)
PARTY_CARD = re.compile(
    r"(?i)(?:п/б|партбилет\w*|партийн\w+\s+билет\w*|к/к|кандидатск\w+\s+карточк\w*)\s*№\s*(\d[\d\s]*\d|\d)"
)
BIRTH_YEAR = re.compile(
    r"(?i)(?:рожд\.|рождения|г\.\s*р\.)\s*(\d{4})|(\d{4})\s*(?:г\.|года)?\s*(?:р\.|рожд\.|рождения|г\.р\.)|(\d{4})\s*г\.\s*р\."
)
PLACE_OF_WORK = re.compile(r"(?i)место\s+работы\s*[—–-]\s*([^).;]+)")


def _person_details(context: str) -> dict[str, str | int | None]:
    """Position, organization, party status, party card and birth year from the words after a name."""
    status = PARTY_STATUS.search(context)
    card = PARTY_CARD.search(context)
    birth = BIRTH_YEAR.search(context)
    place = PLACE_OF_WORK.search(context)
    position = None
    parenthetical = re.match(r"\s*\(([^()]{3,120})\)", context)
    appositive = re.match(r"\s*,\s*([^,;()]{3,120}?)(?=,|\.\s|\.$|\(|;|$)", context)
    candidate = parenthetical.group(1) if parenthetical else appositive.group(1) if appositive else None
    if candidate and not re.match(
        r"(?i)\s*(?:бывш\w+\s+)?(?:член|чл\.|канд|рожд|\d|п/б|партбилет|о\s|об\s|на\s)", candidate
    ):
        position = " ".join(candidate.split())
    return {
        "position": position,
        "organization": " ".join(place.group(1).split()) if place else None,
        "party_status": " ".join(status.group(0).split()) if status else None,
        "party_card": re.sub(r"\s", "", card.group(1)) if card else None,
        "birth_year": int(next(g for g in birth.groups() if g)) if birth else None,
    }


class _Parser:
    def __init__(self, pages: list[PageText], settings: SegmentSettings):
        self.document = DocumentText(pages)
        self.norm: NormalizedText = normalize(self.document.text)
        self.text = self.norm.text
        self.settings = settings

    def span(self, start: int, end: int) -> TextSpan:
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        return TextSpan(*self.norm.source_span(start, end))

    def source(self, start: int, end: int) -> str:
        span = self.span(start, end)
        return self.document.text[span.start : span.end]

    def clean(self, start: int, end: int) -> str:
        return "\n".join(line.strip() for line in self.text[start:end].strip().splitlines() if line.strip())

    def mention(self, role: str, name: PersonName) -> Mention:
        span = self.span(name.start, name.end)
        return Mention(role, self.document.text[span.start : span.end], span)

    def meeting_bounds(self) -> list[int]:
        starts = [m.start() for m in HEADER.finditer(self.text)]
        starts = [s for i, s in enumerate(starts) if i == 0 or self.text[starts[i - 1] : s].count("\n") > 3]
        if not starts:
            return [0]
        return [0, *starts[1:]]

    def parse(self) -> DocumentParse:
        result = DocumentParse()
        bounds = self.meeting_bounds()
        for index, start in enumerate(bounds):
            end = bounds[index + 1] if index + 1 < len(bounds) else len(self.text)
            self.parse_meeting(index + 1, start, end, result)
        return result

    def parse_meeting(self, ordinal: int, start: int, end: int, result: DocumentParse) -> None:
        labels = find_labels(self.text, start, end, self.settings)
        two_columns = TWO_COLUMN_LABELS.search(self.text, start, end)
        if two_columns:
            labels = []  # heard and decision share each line: items are the numbered rows
        item_starts = self.item_starts(two_columns.end() if two_columns else start, end, labels)
        body_start = item_starts[0][0] if item_starts else end
        header_start = HEADER.search(self.text, start, body_start)
        meeting = self.header(
            ordinal, start, end, header_start.start() if header_start else start, body_start
        )
        result.meetings.append(meeting)
        if not item_starts:
            self.prose_items(meeting, start, end, result)
            return
        for i, (item_start, item_no) in enumerate(item_starts):
            item_end = item_starts[i + 1][0] if i + 1 < len(item_starts) else end
            signature = SIGNATURE.search(self.text, item_start, item_end)
            if signature and i + 1 == len(item_starts):
                item_end = signature.start()
            if two_columns:
                self.parse_two_column_item(meeting, item_start, item_end, item_no, result)
                continue
            item_labels = [label for label in labels if item_start <= label.start < item_end]
            self.parse_item(meeting, item_start, item_end, item_no, item_labels, result)

    def parse_two_column_item(
        self, meeting: Meeting, start: int, end: int, item_no: str | None, result: DocumentParse
    ) -> None:
        """An item whose heard and decision columns were read line by line into one text."""
        body_start = (
            start + re.match(r"\s*(?:§\s*|п\.\s*)?\d{1,3}[а-я]?\s*[.)]\s*", self.text[start:end]).end()
        )
        item = Item(
            ordinal=len(result.items) + 1,
            meeting_ordinal=meeting.ordinal,
            span=self.span(start, end),
            item_no=item_no,
            heard_text=self.clean(body_start, end),
            heard_span=self.span(body_start, end),
            decision_text=self.clean(body_start, end),
            decision_span=self.span(body_start, end),
        )
        result.items.append(item)
        self.fill_cases(item, (body_start, end), (body_start, end), 0)

    def item_starts(self, start: int, end: int, labels: list[Label]) -> list[tuple[int, str | None]]:
        heard = [label for label in labels if label.kind == "heard"]
        if heard:
            starts = []
            for label in heard:
                line_start = self.text.rfind("\n", start, label.start) + 1
                starts.append((max(line_start, start), label.item_no))
            return starts
        starts = []
        previous: tuple[int, str] | None = None
        for match in NUMBERED_ITEM.finditer(self.text, start, end):
            number = int(re.match(r"\d+", match.group(1)).group(0))
            line_text = self.text[match.end() : self.text.find("\n", match.end()) % (end + 1)]
            if re.match(r"(?i)\s*(?:слушали|постановили|решили)", line_text) is None and previous is not None:
                previous_number = int(re.match(r"\d+", previous[1]).group(0))
                if number < previous_number or (number == previous_number and match.group(1) == previous[1]):
                    continue
            if self._inside_list(match.start(), start):
                continue
            previous = (match.start(), match.group(1))
            starts.append((match.start(), match.group(1)))
        return starts

    def _inside_list(self, position: int, start: int) -> bool:
        """A numbered line continuing a list introduced by a line ending with a colon."""
        before = self.text[start:position].rstrip()
        lines = [line for line in before.splitlines() if line.strip()]
        for line in reversed(lines[-8:]):
            if line.rstrip().endswith(":"):
                return True
            if not LIST_ENTRY.match(line) and not line.startswith((" ", "\t")):
                return False
        return False

    def header(self, ordinal: int, start: int, end: int, header_start: int, body_start: int) -> Meeting:
        header_text = self.text[header_start:body_start]
        date = parse_date(header_text) or parse_date(self.text[start:body_start])
        number = PROTOCOL_NO.search(header_text[:200])
        body = BODY.search(header_text[:400])
        title_line = header_text.strip().split("\n\n")[0]
        meeting = Meeting(
            ordinal=ordinal,
            span=self.span(start, end),
            protocol_no=re.sub(r"\s", "", number.group(1)).replace("–", "-") if number else None,
            date=date[0] if date else None,
            date_text=" ".join(header_text[date[1] : date[2]].split()) if date else None,
            body=" ".join(body.group(1).split()) if body else None,
            title=" ".join(title_line.split())[:300],
            closed=bool(re.search(r"(?i)закрыт", header_text[:300])),
            extract=bool(re.search(r"(?i)выписка", self.text[start : header_start + 40])),
        )
        for block in PRESENT_BLOCK.finditer(header_text):
            for name in PRESENT_NAME.finditer(header_text, block.start(1), block.end(1)):
                if _is_surname(name.group(1)):
                    start_offset = header_start + name.start()
                    shifted = PersonName(start_offset, start_offset + len(name.group(0)), name.group(1))
                    meeting.mentions.append(self.mention("present", shifted))
        return meeting

    def split_item(
        self, start: int, end: int, labels: list[Label]
    ) -> tuple[int, int, int, int, str | None, int]:
        """(heard start, heard end, decision start, decision end, item number, worst label distance)."""
        heard_label = next((label for label in labels if label.kind == "heard"), None)
        decision_label = next(
            (
                label
                for label in labels
                if label.kind == "decision" and (not heard_label or label.start > heard_label.start)
            ),
            None,
        )
        distance = max((label.distance for label in (heard_label, decision_label) if label), default=0)
        heard_start = heard_label.end if heard_label else start
        item_no = heard_label.item_no if heard_label else None
        number = re.match(
            r"\s*(?:§\s*|п\.\s*|пункт\s+)?(\d{1,3}[а-я]?)\s*[.)]\s+", self.text[heard_start:end]
        )
        if number:
            item_no = item_no or number.group(1)
            heard_start += number.end()
        if decision_label:
            decision_start = decision_label.end
            repeated = re.match(r"\s*(\d{1,3}[а-я]?)\.\s+", self.text[decision_start:end])
            if repeated and repeated.group(1) == item_no:
                decision_start += repeated.end()
            return heard_start, decision_label.start, decision_start, end, item_no, distance
        split = re.compile(r"(?<=[.)»])[ \t]*\n(?=[ \t]*\S)|\s[—–]\s|\s-\s").search(
            self.text, heard_start, end
        )
        if split:
            return heard_start, split.start(), split.end(), end, item_no, distance
        return heard_start, end, end, end, item_no, distance

    def parse_item(
        self,
        meeting: Meeting,
        start: int,
        end: int,
        item_no: str | None,
        labels: list[Label],
        result: DocumentParse,
    ) -> None:
        heard_start, heard_end, decision_start, decision_end, number, distance = self.split_item(
            start, end, labels
        )
        item = Item(
            ordinal=len(result.items) + 1,
            meeting_ordinal=meeting.ordinal,
            span=self.span(start, end),
            item_no=item_no or number,
            heard_text=self.clean(heard_start, heard_end),
            heard_span=self.span(heard_start, heard_end),
            decision_text=self.clean(decision_start, decision_end),
            decision_span=self.span(decision_start, decision_end) if decision_end > decision_start else None,
        )
        result.items.append(item)
        self.fill_cases(item, (heard_start, heard_end), (decision_start, decision_end), distance)

    def prose_items(self, meeting: Meeting, start: int, end: int, result: DocumentParse) -> None:
        """A report in running prose: each paragraph that decides a penalty is an item."""
        for paragraph in re.finditer(r"(?s)\S.*?(?=\n[ \t]*\n|\Z)", self.text[start:end]):
            a, b = start + paragraph.start(), start + paragraph.end()
            if not set(code_decisions(self.text[a:b])) & (
                PUNITIVE | {"reinstate", "lift_penalty", "no_action"}
            ):
                continue
            item = Item(
                ordinal=len(result.items) + 1,
                meeting_ordinal=meeting.ordinal,
                span=self.span(a, b),
                heard_text=self.clean(a, b),
                heard_span=self.span(a, b),
                decision_text=self.clean(a, b),
                decision_span=self.span(a, b),
            )
            result.items.append(item)
            self.fill_cases(item, (a, a), (a, b), 0)

    def fill_cases(
        self, item: Item, heard: tuple[int, int], decision: tuple[int, int], distance: int
    ) -> None:
        heard_text = self.text[heard[0] : heard[1]]
        decision_text = self.text[decision[0] : decision[1]]
        defendants, reporters, mentioned = self.find_defendants(heard, decision)
        item.mentions.extend(self.mention("reporter", n) for n in reporters)
        item.mentions.extend(self.mention("mentioned", n) for n in mentioned)
        if reporters:
            item.reporter = item.mentions[0].as_written
        if not defendants:
            return
        item.is_personal_case = True
        item.accusations = code_accusations(heard_text + "\n" + decision_text)
        for ordinal, defendant in enumerate(defendants, start=1):
            item.cases.append(self.make_case(ordinal, defendant, defendants, item, decision, distance))
            item.mentions.append(self.mention("defendant", defendant.name))
        item.decisions = list(dict.fromkeys(code for case in item.cases for code in case.decisions))
        if all(d.decision_text for d in defendants):
            item.accusations = list(dict.fromkeys(code for case in item.cases for code in case.accusations))

    def find_defendants(
        self, heard: tuple[int, int], decision: tuple[int, int]
    ) -> tuple[list[Defendant], list[PersonName], list[PersonName]]:
        heard_text = self.text[heard[0] : heard[1]]
        entries = _list_entries(self.text, *heard) or _list_entries(self.text, *decision)
        if entries:
            defendants = []
            for a, b in entries:
                names = find_names(self.text, a, b)
                own = self.text[names[0].end : b]
                codes = set(code_decisions(own)) - {"other"}
                defendants.append(Defendant(names[0], own, own.strip() if codes else None, names[0].end))
            return defendants, [], []
        names, reporters, mentioned = _heard_defendants(self.text, *heard)
        personal = PERSONAL_CUE.search(heard_text) and not NON_PERSONAL_CUE.search(heard_text)
        if names and personal:
            defendants = [Defendant(n, self.text[n.end : heard[1]]) for n in names]
            return defendants, reporters, mentioned
        from_decision = _decision_defendants(self.text, *decision)
        if NON_PERSONAL_CUE.search(heard_text):
            strong = {"expel", "severe_reprimand", "reprimand", "warning", "refer_to_prosecution", "demote"}
            from_decision = [d for d in from_decision if set(code_decisions(d.context)) & strong or not names]
        return from_decision, reporters, mentioned + (names if not from_decision else [])

    def make_case(
        self,
        ordinal: int,
        defendant: Defendant,
        defendants: list[Defendant],
        item: Item,
        decision: tuple[int, int],
        distance: int,
    ) -> Case:
        own_text = defendant.decision_text or _own_decision(self.text, decision, defendant, defendants)
        decision_text = own_text or item.decision_text
        decisions = code_decisions(decision_text) or (["other"] if decision_text.strip() else [])
        accusations = item.accusations
        if own_text:
            accusations = code_accusations(item.heard_text + "\n" + own_text)
        details = _person_details(defendant.context)
        span = self.span(defendant.name.start, defendant.name.end)
        case = Case(
            ordinal=ordinal,
            name_as_written=self.document.text[span.start : span.end],
            name_span=span,
            position=details["position"],  # type: ignore[arg-type]
            organization=details["organization"],  # type: ignore[arg-type]
            party_status=details["party_status"],  # type: ignore[arg-type]
            party_card=details["party_card"],  # type: ignore[arg-type]
            birth_year=details["birth_year"],  # type: ignore[arg-type]
            decisions=decisions,
            decision_text=" ".join(decision_text.split()),
            accusations=accusations,
        )
        case.sector = guess_sector(case.position, case.organization)
        if not decisions:
            case.review_reasons.append("no decision found")
        confidence = self.document.confidence(item.span)
        if confidence is not None and confidence < self.settings.review_confidence:
            case.review_reasons.append(f"low OCR confidence ({confidence:.0f})")
        if distance >= 2:
            case.review_reasons.append(f"label repaired with edit distance {distance}")
        return case


def parse_document(pages: list[PageText], settings: SegmentSettings) -> DocumentParse:
    """Meetings, items and personal cases of one document (pure: no I/O)."""
    return _Parser(pages, settings).parse()
