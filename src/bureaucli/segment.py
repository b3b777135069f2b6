"""Segment one document into meetings and items, and personal-case items into one case per person.

The parse runs on the normalized text (`bureaucli.textnorm`) and reports every span in the original
document text. The steps:

1. meetings start at a protocol header ("ПРОТОКОЛ № …", "ВЫПИСКА ИЗ ПРОТОКОЛА …", "Из протокола …");
   a header that repeats the previous one's number is a running header, not a new meeting; a text
   without a header (a newspaper report, a resolution) is a single meeting;
2. items start at a СЛУШАЛИ label (matched with a small edit distance, so OCR damage survives; the item
   number may stand before it, after it or alone on the line above), plus numbered lines that open on a
   subject between labelled items (labels lost by OCR); when a meeting has no labels, at numbered lines
   ("5.", "§ 5.", "п. 48.", "15. —"); under a two-column heading, at the numbered rows; a meeting with no
   items is read as prose, sentence by sentence;
3. an item is a personal case when its heard text names a person in a personal-case frame (дело / дела,
   апелляция, заявление, об исключении, о восстановлении, о снятии (партийного) взыскания / выговора с т. X,
   о переводе т. X в кандидаты, сообщение об аресте, "О т. X") and its decision is no mere
   appointment, or when a clause of its decision imposes a penalty on a named person (a penalty inside a
   report on production), or when it lists persons (one a line or "1) … 2) …" run into the text) on whom
   a decision is taken — a list of those admitted or commended gives no case;
4. the defendants are the first person named in the heard text and those joined to it by "и" (also bare
   surnames after a plural title: "т.т. Лядове и Гринберге", and after a plural title each name with its
   own post: "тт. КОНОВАЛОВА И.Т., слесаря, ЖУРАВЛЕВОЙ М.П., ткачихи, и РЫБАКОВА С.С., кочегара"; so too
   in a penalty clause of the decision), or the entries of a numbered list; each
   gets the clauses of the decision that name only them ("т. Кононову объявить выговор, т. Саввину
   предупредить"); reporters ("(т. X)", "докладчик т. X") and persons named in a charge ("связь с врагом
   народа X") are kept as mentions, never as cases.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from bureaucli.coding import code_accusations, code_decisions, guess_sector
from bureaucli.records import (
    DECISIONS,
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
DECIDING = frozenset(DECISIONS) - {"other"}
"""Codes that decide a person's standing or post (all but "other", which also covers orders and inquiries)."""
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
    re.compile(rf"(?i)\b(\d{{1,2}})(?:-?го)?[\"»”’'`]?(?:\s*-\s*|\s+){_MONTH_WORD}\s+(\d{{4}})(?!\d)"),
    re.compile(r"(?i)\b(\d{1,2})(?:-?го)?[\"»”’'`]?(?:\s*-\s*|\s+)([а-яё]{5,9})\s+(\d{4})(?!\d)"),
    re.compile(r"\b(\d{1,2})\s*[./]\s*([IVXТT1lІі|\\УYХ]{1,5})\s*[.\-–/]{1,2}\s*(\d{2,4})(?!\d)"),
    re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{2,4})(?!\d)"),
    re.compile(rf"(?<![\w|])([\dАЧЗОбIl|]{{1,2}})(?:-?го)?\s+{_MONTH_WORD}\s+(\d{{4}})(?!\d)"),
)
DAY_OCR = str.maketrans("АЧЗОбIl|", "43306111")
"""What OCR makes of the digits of a day written before a month word ("А февраля 1934" for 4 февраля)."""
ROMAN_OCR = str.maketrans("ТT1lІі|\\УYХ", "IIIIIIIVVVX")
"""What OCR makes of the strokes of a Roman month ("10.Т1Т-36" for 10.III-36, "26.\\ТТТ-36" for 26.VIII-36)."""

_ITEM_MARK = r"(?:§\s*|[пП][.,]\s*|пункт\s+|(?:П\s?|1(?=\d{1,2}\s?/))\d{1,3}\s?/\s?)"
"""What may stand before an item number: §, п. (OCR: П. or п,), пункт, a Politburo protocol's number
("П65/218." is item 218 of protocol 65; OCR reads the П as 1)."""
_CAP = r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?"
_UPPER = r"[А-ЯЁ]{2,}(?:-[А-ЯЁ]{2,})?"
_SURNAME = rf"(?:{_CAP}|{_UPPER})"
_INITIALS = r"[А-ЯЁ]\.\s?(?:[А-ЯЁ]\.)?"
_PATRONYMIC = r"[А-ЯЁ][а-яё]+(?:вич|вн|ьич|ич|чн)[а-яё]{0,3}"
_TITLE = r"(?:тов\.|т\.\s?т\.|т[тг]\.|т\.)"
"""тов., т., тт. (OCR: тг.), т.т."""
NAME = re.compile(
    rf"(?P<sfp>(?P<s1>{_SURNAME})\s+{_CAP}\s+{_PATRONYMIC})(?![а-яё])"
    rf"|(?P<fps>{_CAP}\s+{_PATRONYMIC}\s+(?P<s2>{_SURNAME}))(?![а-яё])"
    rf"|(?P<is>{_INITIALS}\s?(?P<s3>{_SURNAME}))(?![а-яё])"
    rf"|(?P<si>(?P<s4>{_SURNAME})\s+{_INITIALS})"
    rf"|(?<![А-Яа-яЁё]){_TITLE}\s*(?P<ts>(?P<s5>{_SURNAME}))(?![а-яё])"
)
TRAILING_TITLE = re.compile(rf"\s*(?:{_TITLE}|тов)?\s*$")
PLURAL_TITLE_BEFORE = re.compile(r"(?i:т\.\s?т\.|т[тг]\.)\s*$")
CHAINED_SURNAME = re.compile(rf"\s*(?:,\s*и|,|и)\s+(?:{_TITLE}\s*)?(?P<name>(?P<s>{_SURNAME}))(?![а-яё])")
BARE_AFTER_CUE = re.compile(
    rf"(?i:персональн\w+\s+дел[оау]|\bдел[оау]|заявлени[ея]|апелляци[яи]|об\s+аресте|материал\w*(?:\s+\w+){{0,2}}\s+на|\bо)"
    rf"\s+(?:{_TITLE}\s*)?(?P<s>{_SURNAME})(?=\s*[,.(:]|\s+о\s|\s*$|\s+\d)"
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
INLINE_ENTRY = re.compile(
    r"(?<![\w.№/-])(\d{1,2})\s*[.)]\s+(?=\S)"
    r"|(?:(?<=[;»)]\s)|(?<=[;»)]\n)|(?<=[а-яё]\.\s)|(?<=[а-яё]\.\n))(?P<lookalike>[АЧЗБб])\.\s+(?=[А-ЯЁ])"
)
DIGIT_LOOKALIKES = {"А": "4", "Ч": "4", "З": "3", "Б": "56", "б": "6"}
"""The entry numbers OCR reads as letters ("…Перекоп»; А. Баранова" for 4.), by the letters read."""
INFINITIVE = re.compile(
    r"(?i)(?<![а-яё])(?:[а-яё]{2,}(?:[аяеиыо]ть|[еиы]сти|[ео]зти|йти)|[а-яё]{3,}уть)(?:ся)?(?![а-яё])"
)
"""A verb in the infinitive (исключить, снять, перевести), not a noun in -ть/-ти (путь, части, области)."""
REPORTER = re.compile(
    rf"\((?:[^()]*?)?(?:докладчик\w*|докл\.|содокладчик\w*|{_TITLE})\s*[^()]*\)"
    rf"|(?i:докладчик\w*|содокладчик\w*|докл\.|сообщение)\s*:?\s*{_TITLE}?\s*[^.;\n]*?(?=\.\s|\.$|$|\n|;)",
)
SPEAKERS = re.compile(r"(?i)\b(?:в\s+прениях\s+)?выступил[иа]?\b[^\n]*")
"""Those who spoke in the discussion ("Выступили: тт. Петров, Сизова …"), never the defendants."""
_TIED_TO = (
    r"(?:\s*(?:,|и|—|-)?\s+(?-i:[а-яё]+|[А-ЯЁ]\.\s?|"
    r"[А-ЯЁ][а-яё]+(?:ым|ом|ем|ой|ей|ыми|ами|ями|ими|ко|их|ых|ук|юк|ян|ия|е|и|о|у)(?![а-яё])))"
)
"""The words after "связь с врагом народа": posts, and names in the instrumental or indeclinable ("…
Кузнецовым И.И.", "… Лавриненко"); a name in another case is the object of the decision ("за связь с врагами
народа Шарова А.И. исключить")."""
ENEMY_CONTEXT = re.compile(
    r"(?i)(?:связ\w*|покровительств\w*|защищал\w*)\s+(?:с\s+)?(?:[^.;()]{0,80}?)(?:враг\w*\s+народа|троцкист\w*|"
    rf"арестованн\w*|разоблаченн\w*|шпион\w*){_TIED_TO}{{0,8}}"
    r"|(?i:враг\w*\s+народа|троцкист(?:ом|ами|ов))\s+[^.;,()]{0,40}"
    r"|(?i:на\s+решение|решени\w+)\s+[^.;()]{0,120}"
)
PERSONAL_CUE = re.compile(
    rf"(?i)персональн|^\W*(?:\d+\W+)?дел[оа]\b|апелляци|заявлени|\bоб?\s+{_TITLE}|об\s+исключени|"
    rf"^\W*(?:проверк|чистк)\w*\s+(?:{_TITLE}\s*(?-i:[А-ЯЁ])|(?-i:[А-ЯЁ][а-яё]+\s+[А-ЯЁ][.а-яё]))|"
    rf"\bоб?\s+(?:снятии|наложении|отмене|объявлении|вынесении)\s+(?:[а-яё]+\s+){{0,2}}?(?:взыскани|выговор|предупреждени)|"
    r"\bо\s+переводе\s+(?:[^;\n]{0,80}?\s)?(?:в\s+кандидат|из\s+член)|"
    r"(?-i:^\W*Об?\s+(?:[А-ЯЁ]\.\s?){1,2}[А-ЯЁ])|"
    r"о\s+снятии\s+(?:парт)?взыскани|восстановлени|об\s+арест|осужденн|материал\w*(?:\s+\w+){0,2}\s+на\b|выбывш|(?-i:^\W*[Оо]\s+[А-ЯЁ])"
)
NON_PERSONAL_CUE = re.compile(
    r"(?i)^\W*(?:об?\s+)?(?:утверждени|назначени|приеме|выдвижени|созыве|подготовк|ходе|выполнени|состояни|итог|"
    r"отчет|план|работе\s+(?!тов|т\.)|организаци|проведени|мероприяти|распределени|командировани)"
    r"|\bо\s+(?:переводе|приеме)\s+(?:(?:его|ее|её|их)\s+)?из\s+кандидатов\s+в\s+члены"
)
APPOINTMENT = re.compile(
    r"(?i)\b(?:утвердить|назначить|выдвинуть|командировать|премировать|наградить|объявить\s+благодарность"
    r"|рекомендовать|принять\s+в\s+(?:члены|кандидаты)|перевести\s+из\s+кандидатов\s+в\s+члены|избрать)\b"
)
"""A decision that appoints, promotes or rewards: with no penalty, the item ("О т. X") is no personal case."""
APPOINTMENT_CLAUSE = re.compile(
    r"(?i)в\s+связи\s+с\s+(?:\w+\s+){0,2}?(?:переход|уход|болезн|отъезд|выдвижени|назначени|учеб|перевод|направлени"
    r"|избрани|призыв|переезд|выезд|командировани)"
    r"|по\s+(?:собственному\s+)?желани|по\s+болезни|состояни\w+\s+здоровья|согласно\s+(?:его|ее)?\s*просьб"
    r"|\bна\s+учебу|\bна\s+другую\s+работу|для\s+использования\s+на\s+(?:другой|\w+)\s+работе"
)
SIGNATURE = re.compile(
    r"(?m)^[ \t]*(?:(?:Зам\.|И\.\s?о\.|Первый|Второй|Ответственный|Технический)\s+)?"
    r"(?:Секретарь|Председатель|Председательствующий|Зав\.|Верно|Выписка верна|ВЕРНО|СЕКРЕТАРЬ|Подпись)\b"
)
HEADER = re.compile(r"(?mi)^[ \t]*(?:(?:выписка\s+)?из\s+)?протокол\w*(?=\s*(?:№|заседани|закрыт|$|\d))")
PROTOCOL_NO = re.compile(r"№\s*(\d+(?:\s*[/\-–]\s*[\dА-Яа-я]+)?)")
BODY = re.compile(
    r"(?is)(?:заседани[яеи]|собрани[яе]|постановлени[ея])\s+(.{3,160}?)(?=\s+от\s|\s+[«\"]?\d{1,2}[-\s.\"»/]|\s*\n[ \t]*\n|\s*\n[ \t]*(?:г\.|от\b)|\s*$)"
)
PRESENT_BLOCK = re.compile(r"(?is)(?:присутствовал\w*|председательствовал\w*)\s*:?(.*?)(?=\n[ \t]*\n|$)")
TWO_COLUMN_LABELS = re.compile(r"(?im)^[ \t]*слушали\W+постановили\W*$")
PRESENT_NAME = re.compile(rf"({_CAP})(?:\s+{_INITIALS})?(?![а-яё])")
_NUMBER_NOTE = r"(?:\s*\((?:опрос|решение|пб|постановление)[^)\n]{0,60}\))?"
"""How the decision was taken, noted after an item's number ("П65/220 (опрос от 15.I.39 г.).")."""
NUMBERED_ITEM = re.compile(rf"(?m)^[ \t]*{_ITEM_MARK}?(\d{{1,3}}[а-я]?){_NUMBER_NOTE}\s*[.)][ \t]*(?=\S)")
LABEL_TOKEN = re.compile(
    rf"(?m)^[ \t]*(?P<prefix>{_ITEM_MARK}?(?:\d{{1,3}}[а-я]?\s*[.),]\s*|[IVXХ]{{1,6}}[.)]\s*|[^\s\d]{{1,2}}[.),]\s+)?)"
    r"(?P<label>[А-ЯЁа-яёA-Za-z0-9]{2,14})(?: (?P<rest>[А-ЯЁа-яёA-Za-z0-9]{2,12}))?"
)
INLINE_LABEL = re.compile(r"(?<=[.;!?)»\"])[ \t]+(?P<label>[А-ЯЁA-Z][А-ЯЁа-яёA-Za-z]{4,13})[ \t]*[:—–]")
"""A label typed on after the end of the previous sentence, on the same line ("… карточку. ПОСТАНОВИЛИ: …")."""
LABEL_END = re.compile(r"[ \t]*(?:[:;,\-—–.]|\n|$)")
"""What may follow a label: a colon (or OCR's reading of one), a dash, or the end of the line."""
ITEM_OPENING = re.compile(
    rf"(?m)^[ \t]*{_ITEM_MARK}?(\d{{1,3}}[а-я]?)\s*[.)][ \t]*"
    r"(?=Об?\s|Персональн|Дело\s|Заявлени|Апелляци|Сообщени|Информаци|Выписк|Просьб|Ходатайств|Разное)"
)
"""A numbered line that opens an item by its subject, not a sub-point of a decision ("2. Обязать …")."""
NUMBER_AFTER_LABEL = re.compile(rf"\s*(?:[—–-]\s*)?{_ITEM_MARK}?(\d{{1,3}}[а-я]?)\s*[.)]\s")
"""An item number written after its label ("СЛУШАЛИ: п. 5. О …", "Слушали — 1. …", or on the line below
it)."""
HEARD_NUMBER = re.compile(
    rf"\s*(?:[—–-]\s*)?{_ITEM_MARK}?(\d{{1,3}}[а-я]?){_NUMBER_NOTE}\s*[.)]\s+(?:[—–-]\s+)?"
)
"""The item number opening a heard text, with how the decision was taken and a dash after it."""
UNLABELLED_SPLIT = re.compile(r"(?P<line>(?<=[.)»])[ \t]*\n(?=\s*\S))|\s[—–]\s|\s-\s")
"""Where an item without labels passes from its subject to the decision: a line break after a sentence,
or a dash ("1. О тов. Иванове И.П. — исключить …")."""
NUMBER_LINE = re.compile(
    rf"(?m)^[ \t]*{_ITEM_MARK}?(\d{{1,3}}[а-я]?(?=\s*[.)]?[ \t]*$)|[IVXХ]{{1,6}}(?=\s*[.)][ \t]*$))\s*[.)]?[ \t]*$"
)
ROMAN_NUMERAL = re.compile(r"(X{0,3})(IX|IV|V?I{0,3})")


def item_number(written: str) -> str | None:
    """An item number as digits: "5", "5а", or a Roman numeral ("II", OCR's "Х" for X) turned into "2"."""
    if written[:1].isdigit():
        return written
    roman = ROMAN_NUMERAL.fullmatch(written.replace("Х", "X"))
    value = 10 * len(roman.group(1)) + ROMAN.get(roman.group(2), 0) if roman else 0
    return str(value) if value else None


PREFIX_NUMBER = re.compile(r"\d{1,3}[а-я]?|[IVXХ]{1,6}(?=\s*[.)])")


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
    accusation_text: str | None = None
    """Where this person's accusations are read when not the whole item (a list entry and its frame)."""
    before: str = ""
    """The words before the name in its clause, entry or heard text ("председателю колхоза «Заря» т.")."""


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
    """СЛУШАЛИ / ПОСТАНОВИЛИ labels at line starts (after an item number), tolerant of OCR damage.

    A label is followed by a colon, a dash or the end of its line, or is written in capitals; OCR may
    split it with one space ("ПОСТ АНОВИЛИ"), so the two words are also tried joined.
    """
    labels = []
    for match in LABEL_TOKEN.finditer(text, start, end):
        word, rest = match.group("label"), match.group("rest")
        candidates = [(word + rest, match.end("rest"))] if rest else []
        candidates.append((word, match.end("label")))
        for candidate, candidate_end in candidates:
            after = LABEL_END.match(text, candidate_end)
            if len(candidate) < 5 or not (after or candidate.isupper()):
                continue
            found = _match_label(candidate, settings)
            if not found:
                continue
            number = PREFIX_NUMBER.search(match.group("prefix"))
            label_end = after.end() if after else candidate_end
            labels.append(
                Label(
                    found[0],
                    match.start("label"),
                    label_end,
                    found[1],
                    item_number(number.group(0)) if number else None,
                )
            )
            break
    at_line_start = {label.start for label in labels}
    for match in INLINE_LABEL.finditer(text, start, end):
        found = _match_label(match.group("label"), settings)
        if found and match.start("label") not in at_line_start:
            labels.append(Label(found[0], match.start("label"), match.end(), found[1], None))
    return sorted(labels, key=lambda label: label.start)


def parse_date(text: str) -> tuple[str, int, int] | None:
    """The first date in `text` as ISO, with its span."""
    best: tuple[str, int, int] | None = None
    for pattern in DATE_PATTERNS:
        for match in pattern.finditer(text):
            if best and match.start() >= best[1]:
                break
            iso = _iso_date(*match.groups())
            if iso:
                best = (iso, match.start(), match.end())
                break
    return best


MONTH_GENITIVES = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip


def _month_number(word: str) -> int:
    """The month a (genitive) month word names; an OCR-damaged one ("сентябоя") when one letter off from
    exactly one month (not "июпя", as near to июня as to июля); 0 when none."""
    if re.fullmatch(_MONTH_WORD, word):
        return next(n for stem, n in MONTHS.items() if word.startswith(stem))
    near = [n for n, form in enumerate(MONTH_GENITIVES, start=1) if Levenshtein.distance(word, form) <= 1]
    return near[0] if len(near) == 1 else 0


def _iso_date(day_text: str, month_text: str, year_text: str) -> str | None:
    if month_text.isdigit():
        month = int(month_text)
    elif re.search(r"[A-Za-zА-Яа-я\\|]", month_text) and re.fullmatch(
        r"[IVX]+", month_text.translate(ROMAN_OCR)
    ):
        month = ROMAN.get(month_text.translate(ROMAN_OCR), 0)
    elif month_text.isalpha():
        month = _month_number(fold(month_text))
    else:
        return None
    year = int(year_text) + (1900 if len(year_text) == 2 else 0)
    day = int(day_text.translate(DAY_OCR))
    if 1 <= month <= 12 and 1 <= day <= 31 and 1900 <= year <= 1999:
        return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def _number(item_no: str) -> int:
    """The numeric part of an item number ("12а" → 12)."""
    return int(re.match(r"\d+", item_no).group(0))


def _order(item_no: str) -> tuple[int, str]:
    """An item number as it sorts: 14 < 14а < 14б < 15."""
    number = re.match(r"(\d+)(.*)", item_no)
    return int(number.group(1)), number.group(2)


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
        if PLURAL_TITLE_BEFORE.search(text, max(start, span_start - 8), span_start):
            chained = _chained_surnames(text, position, end)
            names.extend(chained)
            position = chained[-1].end if chained else position
    return names


def _chained_surnames(text: str, position: int, end: int) -> list[PersonName]:
    """Bare surnames joined to a name after a plural title: "т.т. Лядове и Гринберге", "тт. Седова, Белкину"."""
    chained = []
    while True:
        match = CHAINED_SURNAME.match(text, position, end)
        if not match or not _is_surname(match.group("s")) or NAME.match(text, match.start("name"), end):
            return chained
        chained.append(PersonName(match.start("name"), match.end("name"), match.group("s")))
        position = match.end()


def _blank(text: str, pattern: re.Pattern[str], start: int, end: int) -> tuple[str, list[tuple[int, int]]]:
    spans = [m.span() for m in pattern.finditer(text, start, end)]
    for a, b in spans:
        text = text[:a] + " " * (b - a) + text[b:]
    return text, spans


def _opens_on_name(text: str, start: int, end: int, lead_limit: int) -> bool:
    """An entry that starts with a person (after at most a title or a few words such as "бывшего"),
    not with an order to someone ("Обязать директора т. Сурина …")."""
    names = find_names(text, start, min(end, start + 60))
    if not names:
        return False
    lead = text[start : names[0].start]
    return len(lead) <= lead_limit and not INFINITIVE.search(lead)


def _list_entries(text: str, start: int, end: int, lead_limit: int) -> list[tuple[int, int]]:
    """Numbered list entries (1. Иванов И.И. …) that each name a person, as spans from their numbers: one entry
    a line, or run into the text ("исключить: 1) Иванова И.И., 2) Петрова П.П.") when numbered 1, 2, …"""
    entries = _consecutive(
        [m for m in LIST_ENTRY.finditer(text, start, end) if _opens_on_name(text, m.end(), end, lead_limit)]
    )
    if len(entries) < 2:  # "1) Кочурова …; 2)⏎Виноградова …": the list runs into the text after all
        inline = _inline_entries(text, start, end, lead_limit)
        if len(inline) >= 2:
            entries = inline
        elif not (entries and entries[0].group(1) == "1"):
            return []
    spans = []
    for i, match in enumerate(entries):
        if i + 1 < len(entries):
            stop = entries[i + 1].start()
        else:  # the last entry ends at a blank line: what follows is the decision on the whole list
            blank = re.compile(r"\n[ \t]*\n").search(text, match.end(), end)
            stop = blank.start() if blank else end
        # a number read as a letter is no initial of the name after it ("Б. Ковтун О.О.")
        lookalike = "lookalike" in match.re.groupindex and match.group("lookalike")
        spans.append((match.end() if lookalike else match.start(), stop))
    return spans


def _consecutive(entries: list[re.Match[str]]) -> list[re.Match[str]]:
    """The entries numbered on from the first, marked alike ("1)" or "1."), skipping at most one number
    OCR lost: a later "7. Персональное дело …" after "3) …" is the next item, not an entry."""
    run = entries[:1]
    for match in entries[1:]:
        step = int(match.group(1)) - int(run[-1].group(1))
        if step not in (1, 2) or match.group(0).strip()[-1] != run[0].group(0).strip()[-1]:
            break
        run.append(match)
    return run


def _inline_entries(text: str, start: int, end: int, lead_limit: int) -> list[re.Match[str]]:
    """List entries run into the text, numbered from 1 without a gap, each opening on a person; a number
    OCR read as a letter (`DIGIT_LOOKALIKES`) counts where it ends the previous entry's text."""
    entries: list[re.Match[str]] = []
    for match in INLINE_ENTRY.finditer(text, start, end):
        expected = str(len(entries) + 1)
        lookalike = match.group("lookalike")
        numbered = expected in DIGIT_LOOKALIKES[lookalike] if lookalike else match.group(1) == expected
        if numbered and (entries or not lookalike) and _opens_on_name(text, match.end(), end, lead_limit):
            entries.append(match)
    return entries


def _heard_defendants(
    text: str, start: int, end: int
) -> tuple[list[PersonName], list[PersonName], list[PersonName]]:
    """(defendants, reporters, mentioned) named in a heard text."""
    masked, reporter_spans = _blank(text, REPORTER, start, end)
    reporters = [n for a, b in reporter_spans for n in find_names(text, a, b)]
    masked, enemy_spans = _blank(masked, ENEMY_CONTEXT, start, end)
    masked, speaker_spans = _blank(masked, SPEAKERS, start, end)
    mentioned = [n for a, b in enemy_spans + speaker_spans for n in find_names(text, a, b)]
    names = find_names(masked, start, end)
    bare = BARE_AFTER_CUE.search(masked, start, names[0].start if names else end)
    if bare and _is_surname(bare.group("s")) and not any(n.start <= bare.start("s") < n.end for n in names):
        names.insert(0, PersonName(bare.start("s"), bare.end("s"), bare.group("s")))
    if not names:
        return [], reporters, mentioned
    defendants = _joined_names(masked, names, start)
    mentioned.extend(names[len(defendants) :])
    return defendants, reporters, mentioned


JOINED = re.compile(rf"\s*(?:,|и|,\s*и)\s*(?:{_TITLE}\s*)?")
"""What joins persons named together: "тов. X и Y", "X, Y"."""
JOINED_WITH_POST = re.compile(
    rf"\s*,\s*(?P<post>[а-яё][^,;:.()\d]{{0,60}}?)\s*,?\s*(?:и\s+)?(?:{_TITLE}\s*)?"
)
"""After a plural title, a post may follow each name: "тт. X, слесаря, Y, ткачихи, и Z, кочегара"."""


def _joined_names(text: str, names: list[PersonName], start: int) -> list[PersonName]:
    """The first of `names` and those joined to it by commas or "и" (each with its own post after a plural
    title: "тт. КОНОВАЛОВА И.Т., слесаря, ЖУРАВЛЕВОЙ М.П., ткачихи, и РЫБАКОВА С.С., кочегара")."""
    if not names:
        return []
    plural = PLURAL_TITLE_BEFORE.search(text, max(start, names[0].start - 8), names[0].start) is not None
    joined = [names[0]]
    for name in names[1:]:
        between = re.sub(r"\([^()]*\)", " ", text[joined[-1].end : name.start])
        with_post = JOINED_WITH_POST.fullmatch(between) if plural else None
        if JOINED.fullmatch(between) or (
            with_post and not INFINITIVE.search(with_post.group("post")) and not code_decisions(between)
        ):
            joined.append(name)
        else:
            break
    return joined


CLAUSE_END = re.compile(
    r"(?<![А-ЯЁA-Z])(?<!\bт)(?<!тов)(?<!Тов)(?<!\bг)(?<!тт)(?<!Тт)[.;](?=\s+(?:[А-ЯЁ\d(«\"]|[а-е]\)\s)|\s*$)"
    r"|\n[ \t]*(?=(?:\d{1,2}|[а-е])\)\s)"
)
"""The end of a sentence, or the start of a sub-point "2)" / "б)" on a new line."""


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences and numbered or lettered sub-points of a decision, as spans."""
    spans = []
    position = start
    for match in CLAUSE_END.finditer(text, start, end):
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
        for name in _joined_names(masked, find_names(masked, a, b), a):
            named_before = next((d for d in defendants if _same_person(text, d.name, name)), None)
            if (
                named_before
            ):  # "… Орлова А.П. исключить. Материалы передать прокурору для привлечения Орлова А.П."
                named_before.decision_text = f"{named_before.decision_text} {clause.strip()}"
                continue
            defendants.append(
                Defendant(name, text[name.end : b], clause.strip(), a, before=text[a : name.start])
            )
    return defendants


def _same_person(text: str, a: PersonName, b: PersonName) -> bool:
    """Two names of one decision that are one person: the same surname and no other first initial."""
    if _surname_stem(a.surname) != _surname_stem(b.surname):
        return False
    initials = [
        re.search(r"[А-ЯЁ]", text[name.start : name.end].replace(name.surname, "", 1)) for name in (a, b)
    ]
    return not all(initials) or initials[0].group(0) == initials[1].group(0)  # type: ignore[union-attr]


POSITION_HEAD = re.compile(
    r"(?i)(?<![а-яё])(?:(?:бывш|перв|втор|трет|старш|главн|ответственн)\w*\s+)*"
    r"(?:председател|заместител|зам\.|директор|заведующ|зав\.|секретар|начальник|нач\.|инженер|техник|технорук"
    r"|бригадир|мастер|бухгалтер|счетовод|кассир|редактор|инструктор|уполномоченн|управляющ|агроном|зоотехник"
    r"|учител|кладовщи|экспедитор|парторг|прокурор|следовател|врач|член\w*\s+(?:пленума|бюро|правления)"
    r"|работни|рабоч|токар|слесар|тракторист|продав|завхоз|комендант|нарком|командир|комиссар)\w*"
)
"""The head of a post named before a person: the post runs from it to the name."""


def _post_before(before: str) -> str | None:
    """The post written just before a name, back to a comma, dash, colon or "и" ("председателю колхоза т.")."""
    window = re.split(r"[,;:—]|\sи\s", before)[-1]
    head = POSITION_HEAD.search(window)
    if not head:
        return None
    position = " ".join(TRAILING_TITLE.sub("", window[head.start() :]).split())
    return position if len(position) >= 3 else None


POSTED_SURNAME = re.compile(
    r"(?:\s+(?:[а-яёА-ЯЁ][а-яёА-ЯЁ-]*\.?|[«<\"„“][^»>\"”\n]{1,40}[»>\"”])){0,6}?"
    rf"(?<!\sв)(?<!\sво)(?<!\sна)(?<!\sиз)(?<!\sг\.)\s+(?P<s>{_CAP})"
    r"(?=\s*[,.;:)]|\s+(?:[а-яё]+(?:л|ла|ли|лся|лась|ен|ена|ены|ан|ана|аны)|снят\w*)(?![а-яё]))"
)
"""A bare surname closing the post written before it, as newspapers name people ("бывший секретарь Бельского
райкома Шаров вел …", "председатель колхоза «Заветы Ильича» Гаврилов."): the first capitalized word after
the post that a verb or punctuation follows."""


def _posted_surnames(text: str, start: int, end: int) -> list[PersonName]:
    """Surnames written bare after a post (`POSTED_SURNAME`)."""
    names = []
    for head in POSITION_HEAD.finditer(text, start, end):
        match = POSTED_SURNAME.match(text, head.end(), end)
        if match and _is_surname(match.group("s")):
            names.append(PersonName(match.start("s"), match.end("s"), match.group("s")))
    return names


PROSE_PART_END = re.compile(r",\s+а\s+(?=\S)|;\s+")
"""Where a sentence of a report passes to another person's penalty ("…, а второй секретарь … снят")."""


def _prose_defendants(text: str, start: int, end: int) -> tuple[list[Defendant], list[PersonName]]:
    """(defendants, persons mentioned) of a paragraph of running prose (a newspaper report).

    Each sentence, cut further at "…, а …" and ";", is one decision for the persons it names: they share
    its decision codes, each has the accusations written between its name and the next one (and those
    before the first name). A later sentence that names no one but repeats a defendant's surname ("Дело
    Петрова передано в НКВД") adds its codes to that defendant; one that repeats the surname of a person
    named before without a decision ("… рассмотрело дело тов. Сухарева П.И. … Бюро исключило Сухарева …")
    makes that person a defendant.
    """
    masked, enemy_spans = _blank(text, ENEMY_CONTEXT, start, end)
    mentioned = [n for a, b in enemy_spans for n in find_names(text, a, b)]
    introduced: list[tuple[PersonName, int]] = []
    """Persons named without a decision, with the start of their sentence."""
    defendants: list[Defendant] = []
    for a, b in _clauses(text, start, end):
        parts = [a, *(m.end() for m in PROSE_PART_END.finditer(text, a, b)), b]
        for part_start, part_end in zip(parts, parts[1:], strict=False):
            part = text[part_start:part_end]
            deciding = set(code_decisions(part)) & DECIDING
            names = find_names(masked, part_start, part_end)
            names += [
                bare
                for bare in _posted_surnames(masked, part_start, part_end)
                if not any(n.start <= bare.start < n.end for n in names)
            ]
            names.sort(key=lambda name: name.start)
            if not deciding:
                introduced.extend((name, part_start) for name in names)
                continue
            if not names:
                for defendant in defendants:
                    if _surname_stem(defendant.name.surname) in fold(part):
                        defendant.decision_text = f"{defendant.decision_text} {part.strip()}"
                for name, sentence_start in introduced:
                    if _surname_stem(name.surname) in fold(part) and not any(
                        _same_person(text, d.name, name) for d in defendants
                    ):
                        story = text[name.end : part_end]
                        before = text[sentence_start : name.start]
                        defendants.append(Defendant(name, story, part.strip(), part_start, story, before))
                introduced = [
                    (n, s)
                    for n, s in introduced
                    if not any(_same_person(text, d.name, n) for d in defendants)
                ]
                continue
            lead = text[part_start : names[0].start]
            for i, name in enumerate(names):
                own_end = names[i + 1].start if i + 1 < len(names) else part_end
                own = text[name.end : own_end]
                before = text[part_start : name.start]
                story = lead + own
                earlier = next(((n, s) for n, s in introduced if _same_person(text, n, name)), None)
                if (
                    earlier
                ):  # "… дело директора фабрики т. Сухарева П.И. … пьянствовал … Бюро исключило Сухарева П.И."
                    story = text[earlier[0].end : part_start] + story
                    before = text[earlier[1] : earlier[0].start]
                defendants.append(Defendant(name, own, part.strip(), part_start, story, before))
            introduced = [(n, s) for n, s in introduced if not any(_same_person(text, n, m) for m in names)]
    return defendants, mentioned + [name for name, _ in introduced]


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
        clause = text[a:b]
        mine = stem in fold(clause)
        theirs = any(s in fold(clause) for s in other_stems)
        if mine and not theirs:
            own.append(clause.strip())
        elif not mine and not theirs:
            shared.append(clause.strip())
        elif mine:
            split = _split_clause(clause, stem, other_stems)
            if split is None:
                return None
            own.extend(split)
    if not own:
        return None
    return " ".join(own + shared)


def _split_clause(clause: str, stem: str, other_stems: list[str]) -> list[str] | None:
    """This person's parts of a clause naming several persons with their own penalties ("за … т. Кононову
    объявить выговор, т. Саввину предупредить"): each comma-separated part belongs to the person last
    named, and what comes before the first name ("за …") to all. None when one part names several persons
    or when this person's parts decide nothing ("Тт. Коновалову, Журавлевой и Рыбакову … объявить выговор":
    one penalty for all)."""
    folded = fold(clause)
    first = min(i for i in (folded.find(s) for s in [stem, *other_stems]) if i >= 0)
    prefix = TRAILING_TITLE.sub("", clause[:first])
    parts: list[str] = [prefix.strip()] if prefix.strip() else []
    owner: bool | None = None
    for part in re.split(r",(?![^()]*\))", clause[len(prefix) :]):
        part_folded = fold(part)
        is_mine, is_theirs = stem in part_folded, any(s in part_folded for s in other_stems)
        if is_mine and is_theirs:
            return None
        owner = True if is_mine else False if is_theirs else owner
        if owner:
            parts.append(part.strip())
    return parts if code_decisions(" ".join(parts)) else None


PARTY_STATUS = re.compile(
    r"(?i)(?<!из )(?<!в )(?<!правах )(?:бывш\w+\s+)?(?:член\w*|чл\.|кандидат\w*|канд\.)\s+(?:в\s+члены\s+)?"
    r"(?:(?:ВКП\(б\)|партии)(?:\s+с\s+\d{4}\s*(?:г\.|года|г\b)?)?|с\s+\d{4}\s*(?:г\.|года|г\b)?)"
    r"|(?<![\w/])б/п(?![\w/])|\bбеспартийн\w*"
)
PARTY_CARD = re.compile(
    r"(?i)(?:п/б|парт\.?\s*билет\w*|партийн\w+\s+билет\w*|к/к|кандидатск\w+\s+карточк\w*)\s*№\s*(\d[\d\s]*\d|\d)"
)
BIRTH_YEAR = re.compile(
    r"(?i)(?:рожд\.|рождения|г\.\s*р\.)\s*(\d{4})|(\d{4})\s*(?:г\.|года)?\s*(?:р\.|рожд\.|рождения|г\.р\.)|(\d{4})\s*г\.\s*р\."
)
PLACE_OF_WORK = re.compile(r"(?i)место\s+работы\s*[—–-]\s*([^).;,]+)")
NOT_A_POST = re.compile(
    rf"(?i)\s*(?:{PARTY_STATUS.pattern[4:]}|\d|рожд|п/б|к/к|парт\.?\s*билет|партийн\w+\s+билет|кандидатск\w+\s+карточк|г\.\s*р\.|г\.\s+[А-ЯЁ]|[^()]*\bот\s+\d|см\.|ср\.|до\s+(?:исключения|ареста|снятия))"
)
"""An appositive that is a party status, a birth year, a card, a town ("г. Харьков") or a reference to an
earlier decision ("ПБ от 2.IX.28 г."), not a post."""
ENDS_POSTS = re.compile(
    r"(?i)\s*(?:о|об|на|за|как|ранее|котор\w+|что|по|при|из|в|с|и|а|обвиняем\w*|исключенн\w*|осужденн\w*|"
    r"арестованн\w*|докл\w*|т\.|тов\.|сын\w*|доч\w*|жена|вдова|брат|отец|место\s+работы)(?![а-яё])|\s*\(?докл"
)
"""Where the list of posts after a name ends: the subject of the case, a charge, a decision."""
PAST_VERB = re.compile(
    r"(?!(?:генерал|маршал|адмирал|капитал|материал|персонал|журнал|канал|вокзал|арсенал)[а-я]?\b)"
    r"[а-яё]+[аеиоуыя]л(?:а|о|и)?(?:сь|ся)?(?![а-яё])"
    r"|[а-яё]+(?:енн|анн|янн|т)(?:ый|ого|ому|ым|ом|ая|ой|ую|ые|ых)\s+(?:в|во|за|на|с|со|из|к|у|органами)(?![а-яё])"
)
"""A verb opening an appositive's place: the sentence about the person goes on ("…, начальник отдела,
допустил вредные высказывания"; "…, замеченного в пьянстве", "…, уличенном в посещении церкви")."""
ASIDE = re.compile(r"\s*\((?:[^()]|\([^()]*\))*?(?:докл|т\.|тов\.|место\s+работы)(?:[^()]|\([^()]*\))*\)")
"""A parenthesis naming the reporter or the place of work, inside the posts after a name."""
PLURAL_APPOSITIVE = re.compile(r"\s*,\s*[а-яё]+(?:ах|ях|ами|ями|ов|ев)(?![а-яё])")
"""Posts written once after several names, in the plural ("тт. Петрове и Сидорове, членах пленума")."""
APPOSITIVE_SEPARATOR = re.compile(r"\s*(?:,|—|–|\s-\s)\s*")
ABBREVIATION_END = re.compile(
    r"(?i)(?:^|[\s(«])(?:г|гг|им|зав|зам|ст|т|тов|пред|нач|обл|р|д|с|ул|чл|канд|рожд|быв|бывш|№\s*\d+|[а-яё])$"
)


def _sentence(text: str) -> str:
    """`text` up to the end of its first sentence (a period that does not close an abbreviation)."""
    for match in re.finditer(r"\.(?=\s|$)|;", text):
        if match.group(0) == ";" or not ABBREVIATION_END.search(text[: match.start()]):
            return text[: match.start()]
    return text


def _sentence_tail(text: str) -> str:
    """`text` from the start of its last sentence."""
    for match in reversed(list(re.finditer(r"[.;!?](?=\s)", text))):
        if match.group(0) != "." or not ABBREVIATION_END.search(text[: match.start()]):
            return text[match.end() :]
    return text


def _leading_parenthetical(text: str) -> str | None:
    """The text of a parenthesis opening `text` (nested ones kept: "(секретарь райкома ВКП(б))")."""
    stripped = text.lstrip()
    if not stripped.startswith("("):
        return None
    depth = 0
    for i, ch in enumerate(stripped):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0:
            return stripped[1:i]
    return None


def _split_top_level(text: str) -> list[str]:
    """`text` cut at commas and dashes outside parentheses and quotes."""
    pieces, piece_start, depth = [], 0, 0
    for i, ch in enumerate(text):
        depth += {"(": 1, ")": -1, "«": 1, "»": -1}.get(ch, 0)
        if depth == 0 and ch in ",—–":
            pieces.append(text[piece_start:i])
            piece_start = i + 1
    pieces.append(text[piece_start:])
    return pieces


def _appositive_posts(context: str) -> str | None:
    """The posts written after a name: "(инженер завода)", ", директора …, члена ВКП(б) …", "— бывшего …".

    Appositives that give the party status, birth year or card are passed over; the posts end at the
    subject of the case ("о …", "на решение …"), a charge or a decision. Reporters and places of work in
    parentheses are left out.
    """
    parenthetical = _leading_parenthetical(context)
    if parenthetical and not NOT_A_POST.match(parenthetical) and not ENDS_POSTS.match(parenthetical):
        return " ".join(parenthetical.split())
    sentence = _sentence(ASIDE.sub("", context))
    if not APPOSITIVE_SEPARATOR.match(sentence):
        return None
    posts: list[str] = []
    for piece in _split_top_level(sentence)[1:]:
        piece = piece.strip()
        if not piece:
            continue
        if NOT_A_POST.match(piece):
            if posts:
                break
            continue
        if (
            ENDS_POSTS.match(piece)
            or PAST_VERB.match(piece)
            or INFINITIVE.search(piece)
            or not re.match(r"[а-яё«\"]", piece)
            or code_decisions(piece)  # "…, слесарю депо, строгий выговор за прогулы"
        ):
            break
        posts.append(" ".join(piece.split()))
    return ", ".join(posts) if posts else None


REMOVED_FROM = re.compile(
    r"(?i)(?:с\s+(?:руководящей\s+)?работы|с\s+должности|с\s+поста|от\s+(?:обязанностей|работы|должности))\s+"
    r"(?P<post>[а-яё](?:[^,.;:()]|\([бb6]\))*)"
)


def _post_removed_from(decision: str) -> str | None:
    """The post a decision removes the person from ("снять с работы директора завода")."""
    match = REMOVED_FROM.search(decision)
    if not match:
        return None
    words = []
    for word in match.group("post").split():
        if INFINITIVE.fullmatch(word) or ENDS_POSTS.fullmatch(word):
            break
        words.append(word)
    return " ".join(words) or None


def _person_details(context: str, before: str = "", decision: str = "") -> dict[str, str | int | None]:
    """Position, organization, party status, party card and birth year of a person: from the words after
    the name, else from those before it in its clause ("дело кандидата в члены ВКП(б) … т. X"), and for
    the party card also from the person's own decision ("партбилет № … изъять")."""

    before = before.rsplit(":", 1)[-1]  # "Дела членов ВКП(б) …: тт. X": what precedes a colon is no one's own

    def first(pattern: re.Pattern[str]) -> re.Match[str] | None:
        return next((m for m in (pattern.search(t) for t in (context, before)) if m), None)

    status = first(PARTY_STATUS)
    card = first(PARTY_CARD) or PARTY_CARD.search(decision)
    birth = first(BIRTH_YEAR)
    place = PLACE_OF_WORK.search(context)
    return {
        "position": _appositive_posts(context) or _post_before(before),
        "organization": " ".join(place.group(1).split()) if place else None,
        "party_status": " ".join(status.group(0).split()) if status else None,
        "party_card": re.sub(r"\s", "", card.group(1)) if card else None,
        "birth_year": int(next(g for g in birth.groups() if g)) if birth else None,
    }


class _Parser:
    def __init__(self, pages: list[PageText], settings: SegmentSettings):
        self.document = DocumentText(pages)
        self.settings = settings
        self.norm, self.labels = self.rejoin_column_breaks(normalize(self.document.text))
        self.text = self.norm.text

    def rejoin_column_breaks(self, norm: NormalizedText) -> tuple[NormalizedText, list[Label]]:
        """Put back together two-column items that a page break cut in the middle.

        Two-column OCR reads a page item by item, so when an item's heard column runs on over the page,
        the next page opens with the rest of the heard text and then the rest of the decision
        ("Ковальского, слесаря … ПОСТАНОВИЛИ: установлено, что …") after the first page's decision. That
        rest of the heard text is moved back before the first page's decision label, and the second label
        dropped, so the item reads heard, then decision. Only a page that opens with unnumbered text
        followed by a decision label, after a page that ended in a decision, is rejoined. Returns the text
        and its labels.
        """
        labels = find_labels(norm.text, 0, len(norm.text), self.settings)
        starts = [label.start for label in labels]
        position = 0
        for page_start in self.document.page_starts()[1:]:
            # from `position` on the text is in source order (a move only reorders what lies before it)
            position = bisect.bisect_left(norm.source_offsets, page_start, lo=position, hi=len(norm.text))
            following = bisect.bisect_left(starts, position)
            if not 0 < following < len(labels):
                continue
            ended, resumed = labels[following - 1], labels[following]
            block = (position, resumed.start)
            if (
                ended.kind != "decision"
                or resumed.kind != "decision"
                or not norm.text[block[0] : block[1]].strip()
                or NUMBERED_ITEM.search(norm.text, *block)
                or HEADER.search(norm.text, *block)
            ):
                continue
            norm = norm.moved(block[0], block[1] - block[0], ended.start).without(resumed.start, resumed.end)
            labels = find_labels(norm.text, 0, len(norm.text), self.settings)
            starts = [label.start for label in labels]
            position = resumed.start
        return norm, labels

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

    def written_name(self, name: PersonName) -> tuple[str, TextSpan, bool]:
        """(the name as written, where, whether a page broke it).

        A name that `rejoin_column_breaks` joined across a page ("Анны" + the next page's "Филипповны
        Татауровой") is given whole, and its span is the unbroken part with the surname.
        """
        span = self.span(name.start, name.end)
        surname = self.text.find(name.surname, name.start, name.end)
        tight = TextSpan(*self.norm.tight_span(name.start, name.end, max(surname, name.start)))
        if tight == span:
            return self.document.text[span.start : span.end], span, False
        return " ".join(self.text[name.start : name.end].split()), tight, True

    def mention(self, role: str, name: PersonName) -> Mention:
        written, span, _ = self.written_name(name)
        return Mention(role, written, span)

    def meeting_bounds(self) -> list[int]:
        """Where each meeting starts: at a protocol header, unless it follows the previous one closely (an
        extract's title over the protocol's) or repeats its number (a running header)."""
        starts: list[int] = []
        numbers: list[str | None] = []
        for match in HEADER.finditer(self.text):
            line_end = self.text.find("\n", match.end())
            number = PROTOCOL_NO.search(self.text, match.end(), line_end if line_end >= 0 else len(self.text))
            number_text = number.group(1) if number else None
            if starts and (
                self.text[starts[-1] : match.start()].count("\n") <= 3
                or (number_text is not None and number_text == numbers[-1])
            ):
                continue
            starts.append(match.start())
            numbers.append(number_text)
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
        two_columns = TWO_COLUMN_LABELS.search(self.text, start, end)
        body_from = two_columns.end() if two_columns else start
        labels = [label for label in self.labels if body_from <= label.start < end]
        item_starts = self.item_starts(body_from, end, labels, bool(two_columns))
        body_start = item_starts[0][0] if item_starts else end
        header_start = HEADER.search(self.text, start, body_start)
        meeting = self.header(
            ordinal, start, end, header_start.start() if header_start else start, body_start
        )
        result.meetings.append(meeting)
        first_item = len(result.items)
        self.parse_items(meeting, item_starts, labels, bool(two_columns), start, end, result)
        if meeting.date is None:
            for item in result.items[first_item:]:
                for case in item.cases:
                    case.review_reasons.append("meeting date not found")

    def parse_items(
        self,
        meeting: Meeting,
        item_starts: list[tuple[int, str | None]],
        labels: list[Label],
        two_columns: bool,
        start: int,
        end: int,
        result: DocumentParse,
    ) -> None:
        if not item_starts:
            self.prose_items(meeting, start, end, result)
            return
        for i, (item_start, item_no) in enumerate(item_starts):
            item_end = item_starts[i + 1][0] if i + 1 < len(item_starts) else end
            signature = SIGNATURE.search(self.text, item_start, item_end)
            if signature and i + 1 == len(item_starts):
                item_end = signature.start()
            item_labels = [label for label in labels if item_start <= label.start < item_end]
            if not item_labels and (two_columns or labels):
                # heard and decision side by side (or an item that lost its labels among labelled ones)
                self.parse_two_column_item(meeting, item_start, item_end, item_no, result)
                continue
            self.parse_item(meeting, item_start, item_end, item_no, item_labels, result)

    def parse_two_column_item(
        self, meeting: Meeting, start: int, end: int, item_no: str | None, result: DocumentParse
    ) -> None:
        """An item whose heard and decision columns were read line by line into one text."""
        body_start = (
            start + re.match(rf"\s*{_ITEM_MARK}?\d{{1,3}}[а-я]?\s*[.)]\s*", self.text[start:end]).end()
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
        for case in item.cases:
            case.review_reasons.append("heard and decision read as one text")

    def item_starts(
        self, start: int, end: int, labels: list[Label], numbered_rows: bool = False
    ) -> list[tuple[int, str | None]]:
        """Where each item starts, with its number: at each СЛУШАЛИ label, else at each numbered line.

        Under a two-column heading (`numbered_rows`) the items are the numbered rows, and those that OCR
        reflowed into labelled text start at their labels.
        """
        heard = [label for label in labels if label.kind == "heard"]
        labelled = self._labelled_starts(start, end, heard) if heard else []
        if heard and not numbered_rows:
            return labelled
        first_labelled = labelled[0][0] if labelled else end
        rows = [row for row in self._numbered_starts(start, end) if row[0] < first_labelled]
        return sorted(labelled + rows)

    def _labelled_starts(self, start: int, end: int, heard: list[Label]) -> list[tuple[int, str | None]]:
        starts = []
        for label in heard:
            line_start = max(self.text.rfind("\n", start, label.start) + 1, start)
            after = NUMBER_AFTER_LABEL.match(self.text, label.end)
            item_no = label.item_no or (after.group(1) if after else None)
            number_line = self._number_line_before(start, line_start)
            if number_line and not item_no:
                line_start, item_no = number_line.start(), item_number(number_line.group(1))
            starts.append((line_start, item_no))
        return sorted(starts + self._unlabelled_between(starts, start, end))

    def _numbered_starts(self, start: int, end: int) -> list[tuple[int, str | None]]:
        starts: list[tuple[int, str | None]] = []
        previous: str | None = None
        for match in NUMBERED_ITEM.finditer(self.text, start, end):
            number = _number(match.group(1))
            line_text = self.text[match.end() : self.text.find("\n", match.end()) % (end + 1)]
            labelled = re.match(r"(?i)\s*(?:слушали|постановили|решили)", line_text) is not None
            if (
                not labelled
                and previous is not None
                and (number < _number(previous) or match.group(1) == previous)
            ):
                continue
            sectioned = re.match(rf"[ \t]*{_ITEM_MARK}", match.group(0)) is not None
            if not (labelled or sectioned) and self._inside_list(match.start(), start, previous, number):
                continue
            previous = match.group(1)
            starts.append((match.start(), match.group(1)))
        return starts

    def _unlabelled_between(
        self, labelled: list[tuple[int, str | None]], start: int, end: int
    ) -> list[tuple[int, str | None]]:
        """Items written without labels among labelled ones (OCR of two columns often loses the labels of
        a few items): a numbered line opening on a subject ("4. О выполнении …", "11. Персональное дело …")
        whose number lies between those of the labelled items around it (or a little after the last)."""
        found: dict[str, int] = {}
        for match in ITEM_OPENING.finditer(self.text, start, end):
            known = labelled + [(position, no) for no, position in found.items()]
            before = [no for position, no in sorted(known) if position < match.start() and no]
            after = [no for position, no in labelled if position > match.start() and no]
            if not before:
                continue
            number = _order(match.group(1))
            upper = (
                _order(after[0]) if after else (_number(before[-1]) + self.settings.unlabelled_item_span, "")
            )
            lower = max(_order(no) for no in before)
            if lower < number < upper and not self._inside_list(match.start(), start, before[-1], number[0]):
                found[match.group(1)] = match.start()  # the last line with that number: sub-points come first
        return [(position, number) for number, position in found.items()]

    def _number_line_before(self, start: int, line_start: int) -> re.Match[str] | None:
        """An item number standing alone on the line above a label ("1." / СЛУШАЛИ:)."""
        previous_start = self.text.rfind("\n", start, max(start, line_start - 1)) + 1
        return NUMBER_LINE.fullmatch(self.text, max(previous_start, start), max(start, line_start - 1))

    def _inside_list(self, position: int, start: int, previous: str | None, number: int) -> bool:
        """A numbered line continuing a list introduced by a line ending with a colon.

        A number that goes on from the previous item's (4 after item 3) while the list it would continue
        does not (its last entry was 2), or that opens on a subject ("О …") rather than a person, is the
        next item.
        """
        before = self.text[start:position].rstrip()
        lines = [line for line in before.splitlines() if line.strip()]
        last_entry: int | None = None
        for line in reversed(lines[-12:]):
            entry = LIST_ENTRY.match(line)
            if entry and last_entry is None:
                last_entry = int(entry.group(1))
            if line.rstrip().endswith(":"):
                break
            if not entry and not line.startswith((" ", "\t")):
                return False
        else:
            return False
        if previous is None or number != _number(previous) + 1:
            return True
        if last_entry is not None and number != last_entry + 1:
            return False
        line_end = self.text.find("\n", position)
        return not re.match(
            r"[^\n]*?\d\s*[.)]\s*(?:Об?\s|Персональн|Дело|Заявлени|Апелляци)", self.text[position:line_end]
        )

    def header(self, ordinal: int, start: int, end: int, header_start: int, body_start: int) -> Meeting:
        header_text = self.text[header_start:body_start]
        date = parse_date(header_text) or parse_date(self.text[start:body_start])
        titled = HEADER.match(self.text, header_start) is not None
        number = (
            PROTOCOL_NO.search(header_text[:200]) if titled else None
        )  # not "хлебозавода № 2" of a report
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
        number = HEARD_NUMBER.match(self.text, heard_start, end)
        if number:
            item_no = item_no or number.group(1)
            heard_start = number.end()
        if decision_label:
            decision_start = decision_label.end
            repeated = re.match(r"\s*(\d{1,3}[а-я]?)\.\s+", self.text[decision_start:end])
            if repeated and repeated.group(1) == item_no:
                decision_start += repeated.end()
            return heard_start, decision_label.start, decision_start, end, item_no, distance
        split = next(
            (
                m
                for m in UNLABELLED_SPLIT.finditer(self.text, heard_start, end)
                if not (
                    m.group("line")
                    and self.text[m.start() - 1] == "."
                    and ABBREVIATION_END.search(self.text[heard_start : m.start() - 1])
                )
            ),
            None,
        )  # not at the dot of "чл." ending a line
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
            if not set(code_decisions(self.text[a:b])) & DECIDING:
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
            self.fill_cases(item, (a, a), (a, b), 0, (*_prose_defendants(self.text, a, b), []))

    def fill_cases(
        self,
        item: Item,
        heard: tuple[int, int],
        decision: tuple[int, int],
        distance: int,
        found: tuple[list[Defendant], list[PersonName], list[PersonName]] | None = None,
    ) -> None:
        """Record the item's defendants (found by `find_defendants` unless given) as cases."""
        heard_text = self.text[heard[0] : heard[1]]
        decision_text = self.text[decision[0] : decision[1]]
        defendants, mentioned, reporters = found or self.find_defendants(heard, decision)
        item.mentions.extend(self.mention("reporter", n) for n in reporters)
        item.mentions.extend(self.mention("mentioned", n) for n in mentioned)
        if reporters:
            item.reporter = item.mentions[0].as_written
        if not defendants:
            return
        item.is_personal_case = True
        item.accusations = code_accusations(heard_text + "\n" + decision_text)
        for ordinal, defendant in enumerate(defendants, start=1):
            item.cases.append(self.make_case(ordinal, defendant, defendants, item, heard, decision, distance))
            item.mentions.append(self.mention("defendant", defendant.name))
        item.decisions = list(dict.fromkeys(code for case in item.cases for code in case.decisions))
        if all(d.decision_text for d in defendants):
            item.accusations = list(dict.fromkeys(code for case in item.cases for code in case.accusations))

    def find_defendants(
        self, heard: tuple[int, int], decision: tuple[int, int]
    ) -> tuple[list[Defendant], list[PersonName], list[PersonName]]:
        """(defendants, persons mentioned, reporters) of an item."""
        heard_text = self.text[heard[0] : heard[1]]
        lead = self.settings.list_entry_lead
        entries = _list_entries(self.text, *heard, lead) or _list_entries(self.text, *decision, lead)
        if entries:
            return self.list_defendants(heard, decision, entries), [], []
        names, reporters, mentioned = _heard_defendants(self.text, *heard)
        decision_text = self.text[decision[0] : decision[1]]
        opens_on_name = bool(names) and re.fullmatch(
            rf"\W*(?:{_TITLE}\s*)?", self.text[heard[0] : names[0].start]
        )  # "Бухалов Петр Иванович, 1898 г.р., … Исключен …": the item is about this person
        personal = (
            (PERSONAL_CUE.search(heard_text) or opens_on_name)
            and not NON_PERSONAL_CUE.search(heard_text)
            and not (APPOINTMENT.search(decision_text) and not code_decisions(decision_text, heard_text))
        )
        if names and personal:
            starts = [heard[0], *(n.end for n in names[:-1])]
            after_all = self.text[names[-1].end : heard[1]]
            shared = PLURAL_APPOSITIVE.match(after_all) is not None
            defendants = [
                Defendant(
                    n, after_all if shared else self.text[n.end : heard[1]], before=self.text[s : n.start]
                )
                for n, s in zip(names, starts, strict=True)
            ]
            return defendants, mentioned, reporters
        from_decision = _decision_defendants(self.text, *decision)
        if NON_PERSONAL_CUE.search(heard_text):
            strong = {"expel", "severe_reprimand", "reprimand", "warning", "refer_to_prosecution", "demote"}
            from_decision = [d for d in from_decision if set(code_decisions(d.context)) & strong or not names]
        return from_decision, mentioned + (names if not from_decision else []), reporters

    def list_defendants(
        self, heard: tuple[int, int], decision: tuple[int, int], entries: list[tuple[int, int]]
    ) -> list[Defendant]:
        """One defendant per list entry, with the entry's own decision where it has one.

        A list is of defendants only when a decision is taken on them: a list of those admitted, promoted
        or commended ("Принять в члены ВКП(б): 1. …") gives no case.
        """
        outside = [(a, b) for a, b in (heard, decision) if not any(a <= e < b for e, _ in entries)]
        listed_in = heard if any(heard[0] <= e < heard[1] for e, _ in entries) else decision
        frame = [self.text[listed_in[0] : entries[0][0]], self.text[entries[-1][1] : listed_in[1]]]
        shared_text = "\n".join([self.text[a:b] for a, b in outside] + frame)
        shared_codes = set(code_decisions(shared_text, self.text[heard[0] : heard[1]]))
        heard_text = self.text[heard[0] : heard[1]]
        personal = PERSONAL_CUE.search(heard_text) and not NON_PERSONAL_CUE.search(heard_text)
        defendants = []
        for a, b in entries:
            name = find_names(self.text, a, b)[0]
            own = self.text[name.end : b]
            own_codes = set(code_decisions(own))
            if not ((own_codes | shared_codes) - {"other"} or (personal and (own_codes or shared_codes))):
                continue
            own_decision = own.strip() if own_codes else shared_text.strip()
            defendants.append(
                Defendant(
                    name, own, own_decision, name.end, shared_text + "\n" + own, self.text[a : name.start]
                )
            )
        return defendants

    def details_in_heard(self, heard: tuple[int, int], defendant: Defendant) -> dict[str, str | int | None]:
        """Details of a defendant found in the decision, from where the heard text names them ("Сообщение
        … о том, что член ВКП(б) с 1931 г. Гринберг Б.М., начальник отдела, допустил …")."""
        if heard[0] <= defendant.name.start < heard[1]:
            return {}
        stem = _surname_stem(defendant.name.surname)
        for name in find_names(self.text, *heard):
            other = _surname_stem(name.surname)
            if other.startswith(stem) or stem.startswith(other):
                before = _sentence_tail(self.text[heard[0] : name.start])
                return _person_details(self.text[name.end : heard[1]], before)
        return {}

    def make_case(
        self,
        ordinal: int,
        defendant: Defendant,
        defendants: list[Defendant],
        item: Item,
        heard: tuple[int, int],
        decision: tuple[int, int],
        distance: int,
    ) -> Case:
        own_text = defendant.decision_text or _own_decision(self.text, decision, defendant, defendants)
        decision_text = own_text or item.decision_text
        decisions = code_decisions(decision_text, item.heard_text) or (
            ["other"] if decision_text.strip() else []
        )
        accusations = item.accusations
        if defendant.accusation_text is not None:
            accusations = code_accusations(defendant.accusation_text)
        elif own_text:
            accusations = code_accusations(item.heard_text + "\n" + own_text)
        details = _person_details(defendant.context, defendant.before, own_text or "")
        for key, value in self.details_in_heard(heard, defendant).items():
            details[key] = details[key] or value
        written, span, broken = self.written_name(defendant.name)
        case = Case(
            ordinal=ordinal,
            name_as_written=written,
            name_span=span,
            position=details["position"] or _post_removed_from(decision_text),  # type: ignore[arg-type]
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
        if broken:
            case.review_reasons.append("name broken by a page; its span is the part with the surname")
        return case


def parse_document(pages: list[PageText], settings: SegmentSettings) -> DocumentParse:
    """Meetings, items and personal cases of one document (pure: no I/O)."""
    return _Parser(pages, settings).parse()
