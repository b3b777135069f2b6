import json
from collections import Counter
from pathlib import Path

import pytest

from bureaucli.records import DECISIONS, DocumentText, PageText
from bureaucli.segment import find_names, parse_date, parse_document
from bureaucli.settings import SegmentSettings
from bureaucli.textnorm import fold, normalize

FIXTURES = Path(__file__).parent / "fixtures" / "protocols"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def pages_of(text: str) -> list[PageText]:
    return [PageText(i + 1, page) for i, page in enumerate(text.split("\f"))]


def parse_fixture(name: str):
    pages = pages_of((FIXTURES / name).read_text(encoding="utf-8"))
    return pages, parse_document(pages, SegmentSettings())


def cases_of(parse) -> list[tuple[str | None, str, list[str]]]:
    return [
        (item.item_no, case.name_as_written, case.decisions) for item in parse.items for case in item.cases
    ]


def assert_spans_are_exact(pages, parse):
    text = DocumentText(pages).text
    for item in parse.items:
        for case in item.cases:
            assert text[case.name_span.start : case.name_span.end] == case.name_as_written
            assert set(case.decisions) <= set(DECISIONS)
        for mention in item.mentions:
            assert text[mention.span.start : mention.span.end] == mention.as_written


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("от 17 марта 1937 г.", "1937-03-17"),
        ("от 17.III.1937 г.", "1937-03-17"),
        ("от 17/III-37 г.", "1937-03-17"),
        ("15.04.37 г.", "1937-04-15"),
        ("от 10.III-36 г.", "1936-03-10"),
        ("от 29-го Апреля 1926г.", "1926-04-29"),
        ('от "21" апреля 1938 года', "1938-04-21"),
        ("«08» января 1937 года", "1937-01-08"),
        ("от\n\nА февраля 1934 года", "1934-02-04"),  # OCR of a typewritten 4 (dev corpus 004, clean scan)
        ("З1 мая 1937 г.", "1937-05-31"),
        ("от 12/1\\/-24 г.", "1924-04-12"),  # 12/IV-24 on a worn scan of the cell_1924 fixture
    ],
)
def test_dates(text, iso):
    assert parse_date(text)[0] == iso


def test_name_forms():
    text = "тт. Ф.К. ЗАВАДСКОГО, МАЛЬЦЕВА Фёдора Георгиевича, Анны Филипповны Татауровой, Тер-Оганесяна С. М. и т. Седых"
    assert [text[n.start : n.end] for n in find_names(text)] == [
        "Ф.К. ЗАВАДСКОГО",
        "МАЛЬЦЕВА Фёдора Георгиевича",
        "Анны Филипповны Татауровой",
        "Тер-Оганесяна С. М.",
        "Седых",
    ]


def test_politburo_extract_with_section_items_and_folios():
    pages, parse = parse_fixture("politburo_extract.txt")
    meeting = parse.meetings[0]
    assert (meeting.protocol_no, meeting.date, meeting.extract) == ("2/26", "1926-04-29", True)
    assert meeting.body == "Политбюро ЦК ВКП(б)"
    assert [item.item_no for item in parse.items] == ["5", "6", "7", "8"]
    assert cases_of(parse) == [
        ("5", "Гуревиче Аароне Львовиче", ["expel", "refer_to_prosecution"]),
        ("7", "МИРЗОЯНА Геворка Сааковича", ["expel"]),
        ("8", "Тер-Оганесяне С.М.", ["lift_penalty"]),
    ]
    assert parse.items[0].reporter == "Ярославский"
    assert not parse.items[1].is_personal_case
    assert_spans_are_exact(pages, parse)


def test_politburo_labels_on_their_own_lines():
    pages, parse = parse_fixture("politburo_labels.txt")
    assert parse.meetings[0].date == "1937-03-17"
    assert cases_of(parse) == [
        ("31", "Д.Г. Кикнадзе", ["expel", "remove_from_post"])
    ]  # and from the ЦК КП(б)
    assert set(parse.items[0].cases[0].accusations) == {"trotskyism", "ties_to_enemies"}
    assert not parse.items[1].is_personal_case  # an appointment


def test_items_without_labels():
    pages, parse = parse_fixture("unlabeled.txt")
    meeting = parse.meetings[0]
    assert (meeting.protocol_no, meeting.date, meeting.closed) == ("14/с", "1937-03-17", True)
    assert cases_of(parse) == [
        ("1", "Ивашкевиче И.П.", ["expel"]),
        ("3", "Нурмухамедовой Зейнаб Галиевне", ["reprimand"]),
        ("5", "ШАПОШНИКОВА Г.В.", ["other"]),
    ]
    first = parse.items[0]
    assert first.cases[0].accusations == ["ties_to_enemies"]
    assert [(m.role, m.as_written) for m in first.mentions if m.role != "defendant"] == []
    assert parse.items[2].reporter == "Лаврентьев"
    assert parse.items[2].cases[0].sector == "education_culture"
    assert_spans_are_exact(pages, parse)


def test_lists_give_one_case_per_person_with_own_decisions():
    pages, parse = parse_fixture("list_decisions.txt")
    assert parse.meetings[0].date == "1937-04-15"
    assert [m.as_written for m in parse.meetings[0].mentions][:3] == [
        "Заварзин",
        "Ломакина Е.Ф.",
        "Хайруллин",
    ]
    assert cases_of(parse) == [
        ("1", "Трегубов Степан Игнатьевич", ["expel"]),
        ("1", "Ремизова Лидия Карповна", ["expel"]),
        ("2", "Бурцева А.К.", ["expel"]),
        ("2", "Гарипову З.Х.", ["warning"]),
        ("4", "Пермякову В.И.", ["severe_reprimand"]),
    ]
    arrested = parse.items[0].cases[0]
    assert (arrested.birth_year, arrested.party_status, arrested.accusations) == (
        1897,
        "член ВКП(б) с 1920 г.",
        [],
    )
    assert parse.items[1].cases[0].accusations == ["drunkenness_moral"]
    assert parse.items[1].cases[1].accusations == ["negligence"]
    assert not parse.items[2].is_personal_case  # released for study, not punished
    assert parse.items[3].reporter == "Ломакина Е.Ф."
    assert_spans_are_exact(pages, parse)


def test_several_meetings_and_items_across_page_breaks():
    pages, parse = parse_fixture("two_meetings.txt")
    assert [(m.protocol_no, m.date) for m in parse.meetings] == [("7", "1936-03-10"), ("8", "1936-03-17")]
    assert [(item.meeting_ordinal, item.item_no) for item in parse.items] == [
        (1, "1"),
        (1, "2"),
        (2, "1"),
        (2, "2"),
    ]
    continued = parse.items[1]
    assert "происхождения (дочь торговца)" in continued.heard_text
    assert "Продолжение" not in continued.heard_text
    assert continued.cases[0].accusations == ["concealed_origin"]
    assert continued.cases[0].birth_year == 1904
    assert DocumentText(pages).pages_of(continued.span) == [1, 2]
    assert cases_of(parse)[2:] == [
        ("1", "Гогоберидзе Шалвы Ираклиевича", ["overturn_decision", "reinstate"]),
        ("2", "Юлдашева Р.Т.", ["lift_penalty"]),
    ]
    assert parse.items[0].cases[0].party_card == "0412377"
    assert_spans_are_exact(pages, parse)


def test_ocr_damaged_labels_and_words():
    pages, parse = parse_fixture("ocr_damaged.txt")
    meeting = parse.meetings[0]
    assert (meeting.protocol_no, meeting.date) == ("129-с", "1937-04-15")
    assert cases_of(parse) == [
        ("3", "Cмирновой Валентине Петровне", ["expel", "refer_to_prosecution"]),
        ("4", "ХАРИТОНОВА Б.Е.", ["overturn_decision", "severe_reprimand"]),
    ]
    assert parse.items[0].cases[0].accusations == ["embezzlement"]
    assert_spans_are_exact(pages, parse)


def test_label_repair_and_low_confidence_are_flagged_for_review():
    text = (
        "ПРОТОКОЛ № 1\nот 1 мая 1937 г.\n\n1. СЛШАЛИ: Дело т. Петрова П.П.\nПОСТНОВЛИ: Исключить из партии."
    )
    parse = parse_document([PageText(1, text, confidence=50.0)], SegmentSettings())
    reasons = parse.items[0].cases[0].review_reasons
    assert any("confidence" in reason for reason in reasons)
    assert any("edit distance" in reason for reason in reasons)
    strict = parse_document([PageText(1, text)], SegmentSettings(label_max_distance=0))
    assert "СЛШАЛИ" in strict.items[0].heard_text  # no longer read as a label


def test_newspaper_report_in_prose():
    pages, parse = parse_fixture("newspaper.txt")
    assert parse.meetings[0].date == "1937-03-17"
    assert cases_of(parse) == [
        (None, "Ковригина", ["expel", "refer_to_prosecution"]),
        (None, "Лаптевой А.И.", ["severe_reprimand"]),
    ]
    assert_spans_are_exact(pages, parse)


def test_kraikom_mixed_forms():
    pages, parse = parse_fixture("kraikom_mixed.txt")
    assert not parse.items[0].is_personal_case
    assert cases_of(parse) == [
        ("2", "О.С. Берестовой", ["warning"]),
        ("3", "Черных Ивана Лукича", ["expel", "remove_from_post", "refer_to_prosecution"]),
        ("3а", "Мельник Галины Остаповны", ["demote"]),
        ("4", "Шнейдермана Л.М.", ["expel"]),
        ("4", "КОНДРАТЬЕВОЙ Е.Е.", ["reprimand"]),
    ]
    assert parse.items[1].reporter == "Ушаков"
    assert parse.items[2].cases[0].accusations == ["espionage"]
    assert parse.items[4].cases[0].accusations == ["trotskyism"]
    assert parse.items[4].cases[1].position == "бухгалтер райпотребсоюза"
    assert_spans_are_exact(pages, parse)


def rough_surname(as_written: str) -> str:
    words = [word for word in as_written.split() if "." not in word]
    if len(words) == 3 and not words[-1].endswith(("ича", "ичу", "иче", "вны", "вне", "вну", "вич", "вна")):
        return words[-1]
    return words[0] if words else as_written


def test_dev_corpus_case_f1():
    if not (CORPUS / "gold").is_dir():
        pytest.skip("dev corpus not available")
    from bureaucli.evaluate import ExtractedCase, ExtractedDocument, load_gold, score

    gold = load_gold(CORPUS / "gold")
    extracted = {}
    for stem in gold:
        parse = parse_document(
            pages_of((CORPUS / "texts" / f"{stem}.txt").read_text(encoding="utf-8")), SegmentSettings()
        )
        cases = tuple(
            ExtractedCase(
                rough_surname(case.name_as_written),
                None,
                frozenset(case.decisions),
                frozenset(case.accusations),
            )
            for item in parse.items
            for case in item.cases
        )
        extracted[stem] = ExtractedDocument(tuple(m.date for m in parse.meetings), cases)
    report = score(gold, extracted)
    assert report.date_accuracy == 1.0
    assert report.f1 >= 0.9
    assert report.decision_accuracy >= 0.9


def test_two_column_layout_read_line_by_line():
    text = (
        "ПРОТОКОЛ № 9\nзаседания парткома от 3 мая 1937 г.\nСЛУШАЛИ: ПОСТАНОВИЛИ:\n"
        "1. Персональное дело т. 1. За растрату исключить\nГлущенко А.Т., кассира. Глущенко А.Т. из партии.\n"
        "2. О ремонте цехов. 2. Обязать т. Лосева\nзакончить ремонт.\n"
    )
    parse = parse_document([PageText(1, text)], SegmentSettings())
    assert [item.item_no for item in parse.items] == ["1", "2"]
    assert cases_of(parse) == [("1", "Глущенко А.Т.", ["expel"])]
    assert parse.items[0].cases[0].accusations == ["embezzlement"]
    assert parse.items[0].cases[0].review_reasons == ["heard and decision read as one text"]


def test_cases_of_a_meeting_without_date_need_review():
    text = "ПРОТОКОЛ № 3\nзаседания бюро райкома\n\n1. СЛУШАЛИ: Дело т. Орлова П.П.\nПОСТАНОВИЛИ: Исключить из партии."
    parse = parse_document([PageText(1, text)], SegmentSettings())
    assert parse.items[0].cases[0].review_reasons == ["meeting date not found"]


ANNOTATED = sorted(path.stem for path in FIXTURES.glob("*.json"))


def _key(value) -> str:
    """A field value as compared: OCR repairs, lowercase, letters and digits only."""
    return "".join(ch for ch in fold(normalize(str(value)).text) if ch.isalnum())


@pytest.mark.parametrize("name", ANNOTATED)
def test_annotated_fixture(name):
    """Each fixture with a gold annotation (`NAME.json`, the dev corpus format) is parsed exactly: the same
    personal cases item by item, each with the gold decisions and accusations, its surname in the name
    found, the meeting's number and date, and every field the annotation gives."""
    gold = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    pages, parse = parse_fixture(f"{name}.txt")
    meeting = parse.meetings[0]
    assert (meeting.protocol_no, meeting.date) == (gold["meeting"]["protocol_no"], gold["meeting"]["date"])
    expected = Counter(
        (item["item_no"], frozenset(item["decisions"]), frozenset(item["accusations"]))
        for item in gold["items"]
        for _ in item["persons"]
    )
    found = Counter(
        (item.item_no, frozenset(case.decisions), frozenset(case.accusations))
        for item in parse.items
        for case in item.cases
    )
    assert found == expected
    cases = [(item.item_no, case) for item in parse.items for case in item.cases]
    for item in gold["items"]:
        for person in item["persons"]:
            stem = fold(person["surname_nom"])[:4]
            matches = [
                c
                for no, c in cases
                if no == item["item_no"] and stem in fold(normalize(c.name_as_written).text)
            ]
            assert matches, f"{person['surname_nom']} not found in item {item['item_no']}"
            case = matches[0]
            for field in ("position", "organization", "party_status", "party_card", "birth_year"):
                if person[field] is not None:
                    assert _key(getattr(case, field)) == _key(person[field]), (person["surname_nom"], field)
    assert_spans_are_exact(pages, parse)


def test_running_header_repeating_the_protocol_number_is_no_new_meeting():
    pages = [
        PageText(
            1,
            "ПРОТОКОЛ № 22\nзаседания бюро горкома ВКП(б)\nот 3 февраля 1938 г.\n\n"
            "2. СЛУШАЛИ: Дело т. Вильнер Э.Г., врача городской больницы,\n",
        ),
        PageText(
            2,
            "Протокол № 22 заседания бюро ГК ВКП(б)\nо сокрытии социального происхождения.\n"
            "ПОСТАНОВИЛИ: Вильнер Э.Г. из кандидатов в члены ВКП(б) исключить.\n",
        ),
    ]
    parse = parse_document(pages, SegmentSettings())
    assert len(parse.meetings) == 1
    assert cases_of(parse) == [("2", "Вильнер Э.Г.", ["expel"])]
    assert "Протокол" not in parse.items[0].heard_text
    assert parse.items[0].cases[0].accusations == ["concealed_origin"]


def test_extract_without_labels_word_and_archival_reference():
    text = (
        "Из протокола № 14 заседания бюро Омского горкома ВКП(б)\nот 2 апреля 1937 г.\n\n"
        "Слушали: 3. Персональное дело т. Рябова Г.Г., заведующего горфо.\n"
        "Постановили: Рябова Г.Г. с работы снять, из партии исключить.\n\n"
        "РГАСПИ. Ф. 17. Оп. 21. Д. 3624. Л. 112. Подлинник.\n"
    )
    parse = parse_document([PageText(1, text)], SegmentSettings())
    assert (parse.meetings[0].protocol_no, parse.meetings[0].date) == ("14", "1937-04-02")
    assert cases_of(parse) == [("3", "Рябова Г.Г.", ["remove_from_post", "expel"])]
    assert "РГАСПИ" not in parse.items[0].decision_text


def test_resolution_with_numbered_points_is_read_as_prose():
    text = (
        "ПОСТАНОВЛЕНИЕ\nбюро Кировского обкома ВКП(б)\nот 17 марта 1937 г.\n\n"
        "Бюро обкома ВКП(б) постановляет:\n"
        "1. Исключить из рядов ВКП(б) бывшего директора кожевенного завода Петрова Ивана Семеновича "
        "за связь с врагами народа, дело о нем передать в органы НКВД.\n"
        "2. Секретаря райкома т. Ветошкина Е.А. с работы снять, объявить ему строгий выговор.\n"
        "3. Обязать райком ВКП(б) в месячный срок рассмотреть все апелляции.\n"
    )
    parse = parse_document([PageText(1, text)], SegmentSettings())
    assert parse.meetings[0].body == "бюро Кировского обкома ВКП(б)"
    assert cases_of(parse) == [
        (None, "Петрова Ивана Семеновича", ["expel", "refer_to_prosecution"]),
        (None, "Ветошкина Е.А.", ["remove_from_post", "severe_reprimand"]),
    ]
    assert parse.items[0].cases[1].position == "Секретаря райкома"


def _one_item(heard: str, decision: str):
    text = f"ПРОТОКОЛ № 1\nзаседания партбюро депо\nот 5 мая 1938 г.\n\n1. СЛУШАЛИ: {heard}\nПОСТАНОВИЛИ: {decision}\n"
    return parse_document(pages_of(text), SegmentSettings()).items[0]


def test_names_joined_with_their_posts_after_a_plural_title():
    """Several persons after "тт.", each followed by a post, are all defendants, in the heard text or in
    a penalty clause of the decision; each keeps its own post and the shared penalty."""
    item = _one_item(
        "Дела членов ВКП(б), не уплативших членских взносов: тт. ОРЛОВА К.К., токаря, ЗИМИНОЙ Л.А., "
        "уборщицы, и ЩЕРБАКОВА Н.Н., кочегара.",
        "Тт. Орлову К.К., Зиминой Л.А. и Щербакову Н.Н. за пассивность объявить выговор.",
    )
    assert [
        (c.name_as_written, c.position, c.party_status, c.decisions, c.accusations) for c in item.cases
    ] == [
        ("ОРЛОВА К.К.", "токаря", None, ["reprimand"], ["passivity"]),
        ("ЗИМИНОЙ Л.А.", "уборщицы", None, ["reprimand"], ["passivity"]),
        ("ЩЕРБАКОВА Н.Н.", "кочегара", None, ["reprimand"], ["passivity"]),
    ]
    item = _one_item(
        "О трудовой дисциплине в депо (докл. т. Орлов).",
        "1) Работу депо признать неудовлетворительной.\n"
        "2) Тт. Смирнову А.А., слесарю, Пахомовой В.И., табельщице, и Голубеву Р.Р. за прогулы объявить "
        "строгий выговор.",
    )
    assert [(c.name_as_written, c.decisions) for c in item.cases] == [
        ("Смирнову А.А.", ["severe_reprimand"]),
        ("Пахомовой В.И.", ["severe_reprimand"]),
        ("Голубеву Р.Р.", ["severe_reprimand"]),
    ]


@pytest.mark.parametrize(
    ("heard", "decision", "code"),
    [
        (
            "О снятии выговора с тов. ПАНОВА В.А., бригадира, члена ВКП(б) с 1931 г.",
            "Выговор, объявленный тов. Панову В.А. в 1936 г. за прогулы, снять.",
            "lift_penalty",
        ),
        (
            "О снятии партийного взыскания с т. ПАНОВА В.А., слесаря.",
            "Строгий выговор, наложенный на т. Панова В.А. за опоздания на работу, снять.",
            "lift_penalty",
        ),
        (
            "О восстановлении тов. ПАНОВА В.А. в членах ВКП(б).",
            "Тов. Панова В.А. в партии восстановить.",
            "reinstate",
        ),
        (
            "О переводе тов. ПАНОВА В.А., слесаря, из членов ВКП(б) в кандидаты.",
            "За пьянство тов. Панова В.А. перевести в кандидаты в члены ВКП(б).",
            "demote",
        ),
        ("Об исключении тов. ПАНОВА В.А., слесаря.", "Тов. Панова В.А. из партии исключить.", "expel"),
    ],
)
def test_items_about_a_penalty_or_standing_of_a_person_are_personal_cases(heard, decision, code):
    item = _one_item(heard, decision)
    assert item.is_personal_case
    assert [(c.name_as_written, c.decisions) for c in item.cases] == [("ПАНОВА В.А.", [code])]


@pytest.mark.parametrize(
    "card", ["партбилет № 0081236", "партбилет №0081236", "парт. билет № 0081236", "п/б № 0081236",
             "партийный билет № 0081236"]
)  # fmt: skip
def test_party_card_forms(card):
    item = _one_item(
        f"Персональное дело тов. ПАНОВА В.А., слесаря, члена ВКП(б) с 1929 г., {card}.",
        "Тов. Панова В.А. из партии исключить.",
    )
    assert [(c.party_card, c.position) for c in item.cases] == [("0081236", "слесаря")]


def test_decision_label_typed_on_the_heard_line():
    """Regression: a ПОСТАНОВИЛИ typed on after the heard text's last sentence was not seen, and the case
    lost its decision (found by the OCR test page of tests/ocr_pages.py)."""
    text = (
        "ПРОТОКОЛ № 31\nзаседания бюро Котельничского райкома ВКП(б) от 12 мая 1938 г.\n\n"
        "2. СЛУШАЛИ: О тов. Пестовой Марии Федоровне, учительнице, утерявшей\n"
        "кандидатскую карточку. ПОСТАНОВИЛИ: Объявить Пестовой М.Ф. выговор.\n\n"
        "3. Слушали: Персональное дело т. Иванова И.И., слесаря. Постановили: из партии исключить.\n"
        "4. СЛУШАЛИ: О работе клуба. Бюро постановило: работу признать удовлетворительной.\n"
    )
    items = parse_document([PageText(1, text)], SegmentSettings()).items
    assert [(i.item_no, i.decision_text) for i in items] == [
        ("2", "Объявить Пестовой М.Ф. выговор."),
        ("3", "из партии исключить."),
        ("4", ""),
    ]
    assert [c.decisions for c in items[0].cases] == [["reprimand"]]
    assert [c.decisions for c in items[1].cases] == [["expel"]]


def test_run_in_list_with_numbers_at_line_ends_and_read_as_letters():
    """Regression (dev corpus 011 from a two-column scan): "1)" ending a line did not open an entry, and
    OCR's "А." / "Б." for 4. and 5. broke the numbering, so one person per list was found instead of six."""
    text = (
        "ПРОТОКОЛ № 81\nзаседания бюро обкома ВКП(б) от 12.01.37 г.\n\n"
        "8. СЛУШАЛИ: Об исключении из партии лиц, арестованных органами НКВД: 1)\n"
        "Ахметова Фатима Рашидовна, 1916\nг. рожд., член ВКП(б) с 1932\nгода. 2) Юферев Анатолий\n"
        "Егорович, рожд. 1901 г.\n"
        "ПОСТАНОВИЛИ: Перечисленных исключить из рядов ВКП(б) как врагов народа.\n\n"
        "9. СЛУШАЛИ: О механически выбывших из\nВКП(б): 1. Соколов Лев\nЯковлевич, чл. ВКП(б) с 1924\n"
        "г., бывший секретарь; 2. К.Р. Исмаилов,\nинструктор. 3. Крутой И.С., инженер; А. Баранова Нина\n"
        "Борисовна, член ВКП(б) с 1926 г.; Б.\nКовтун 0.0., член ВКП(б) с 1917\nг., бывший председатель "
        "колхоза. 6. Рябинин Петр\nАрсеньевич.\n"
        "ПОСТАНОВИЛИ: Считать механически выбывшими из рядов ВКП(б).\n"
    )
    pages = pages_of(text)
    parse = parse_document(pages, SegmentSettings())

    names = [
        (item.item_no, " ".join(case.name_as_written.split())) for item in parse.items for case in item.cases
    ]
    assert names == [
        ("8", "Ахметова Фатима Рашидовна"),
        ("8", "Юферев Анатолий Егорович"),
        ("9", "Соколов Лев Яковлевич"),
        ("9", "К.Р. Исмаилов"),
        ("9", "Крутой И.С."),
        ("9", "Баранова Нина Борисовна"),
        ("9", "Ковтун 0.0."),
        ("9", "Рябинин Петр Арсеньевич"),
    ]
    assert_spans_are_exact(pages, parse)


def test_list_opening_a_line_and_running_on_into_the_text():
    """Regression (dev corpus 010 from a two-column scan): "1) Кочурова …" opened a line but "2)" ended
    one, so the list was taken for a single entry and Виноградова was lost."""
    text = (
        "ПРОТОКОЛ № 14\nзаседания парткома от 12.01.37 г.\n\n"
        "6. СЛУШАЛИ: Сообщение УНКВД об аресте:\n1) Кочурова К.А., член партии с\n1924 г.; 2)\n"
        "Виноградова К.Л., член ВКП/б/ с\n1925 г.\n"
        "ПОСТАНОВИЛИ: Перечисленных исключить из рядов ВКП/б/ как врагов народа.\n"
    )
    parse = parse_document(pages_of(text), SegmentSettings())

    assert cases_of(parse) == [("6", "Кочурова К.А.", ["expel"]), ("6", "Виноградова К.Л.", ["expel"])]


TWO_COLUMN_ITEM_CUT_BY_A_PAGE = (
    "ПРОТОКОЛ № 5\nзаседания парткома от 12.01.37 г.\n\n"
    "10. СЛУШАЛИ: О т. Зарипове С.Р., мастере.\nПОСТАНОВИЛИ: Зарипову С.Р. объявить выговор.\n\n"
    "11. СЛУШАЛИ: Персональное дело тов. Ф.Ф.\nПОСТАНОВИЛИ: Материалами парткомиссии\n"
    "\fКовальского, слесаря\nдеревообделочного цеха.\nПОСТАНОВИЛИ: установлено, что Ковальский\n"
    "допустил развал работы. Перевести\nКовальского из членов ВКП(б) в\nкандидаты.\n\n"
    "12. СЛУШАЛИ: О подготовке к севу.\nПОСТАНОВИЛИ: Принять к сведению.\n"
)
"""What two-column OCR makes of item 11 when its heard column runs on over the page (dev corpus 014)."""


def test_two_column_item_cut_by_a_page_is_read_whole():
    """Regression: the heard text at the top of page 2 came after the decision of page 1, so Ковальский,
    named only there, was no case; now it is moved back, and his name, broken by the page, is given
    whole with the span of the part holding the surname."""
    pages = pages_of(TWO_COLUMN_ITEM_CUT_BY_A_PAGE)
    parse = parse_document(pages, SegmentSettings())

    assert cases_of(parse) == [("10", "Зарипове С.Р.", ["reprimand"]), ("11", "Ф.Ф. Ковальского", ["demote"])]
    item = parse.items[1]
    assert item.heard_text.endswith("Ковальского, слесаря\nдеревообделочного цеха.")
    assert item.decision_text.startswith("Материалами парткомиссии\nустановлено, что Ковальский")
    case = item.cases[0]
    assert (case.position, case.accusations) == ("слесаря деревообделочного цеха", ["negligence"])
    text = DocumentText(pages).text
    assert text[case.name_span.start : case.name_span.end] == "Ковальского"
    assert "name broken by a page" in case.review_reasons[0]


def test_page_opening_on_the_next_item_is_left_in_place():
    """A page that goes on with a decision and then opens the next item is no cut two-column item."""
    text = TWO_COLUMN_ITEM_CUT_BY_A_PAGE.replace("\fКовальского, слесаря\nдеревообделочного цеха.\n", "\f")
    text = text.replace(
        "ПОСТАНОВИЛИ: установлено", "13. СЛУШАЛИ: О т. Иванове И.И.\nПОСТАНОВИЛИ: установлено"
    )
    parse = parse_document(pages_of(text), SegmentSettings())

    assert [item.item_no for item in parse.items] == ["10", "11", "13", "12"]
    assert parse.items[1].decision_text == "Материалами парткомиссии"


def test_decision_naming_the_accused_twice_gives_one_case():
    """Regression (dev corpus 011, Liberation Mono scan): with the heard name unread, "Орлова Афанасия
    Петровича … исключить. Материалы передать прокурору для привлечения Орлова Афанасия Петровича …" gave
    two cases, the first without its referral to the prosecutor."""
    text = (
        "ПРОТОКОЛ № 81\nзаседания бюро обкома ВКП(б) от 12.01.37 г.\n\nСЛУШАЛИ:\n"
        "18. Персональное дело начальника депо станции Можайск.\nПОСТАНОВИЛИ:\n"
        "18. За незаконные обыски Орлова Афанасия\nПетровича из рядов ВКП(б) исключить. Материалы передать\n"
        "прокурору для привлечения Орлова Афанасия Петровича к уголовной\nответственности.\n"
    )
    parse = parse_document(pages_of(text), SegmentSettings())

    assert [(c.decisions, c.accusations) for c in parse.items[0].cases] == [
        (["expel", "refer_to_prosecution"], ["abuse_of_office"])
    ]


def test_ocr_of_unlabelled_items_with_blank_lines_and_politburo_numbers():
    """From worn scans of the project's Politburo fixtures: a blank line OCR put between an unlabelled
    item's subject and its decision kept them together, so no decision was found; "П65/218." read as
    "165/218." opened no item."""
    text = (
        "ПРОТОКОЛ № 65 ЗАСЕДАНИЯ ПОЛИТБЮРО ЦК ВКП(б)\n\n17 января 1939 г.\n\n"
        "165/218. О т. Постышеве П.П.\n\n"
        "Утвердить решение КПК при ЦК ВКП(б) об исключении Постышева П.П.\nиз партии.\n\n"
        "219. - О т. Кудрявцеве С.А.\n\n"
        "Снять т. Кудрявцева С.А. с поста секретаря Киевского обкома\nКП(6)У, исключить из партии.\n"
    )
    parse = parse_document(pages_of(text), SegmentSettings())

    assert cases_of(parse) == [
        ("218", "Постышеве П.П.", ["expel"]),
        ("219", "Кудрявцеве С.А.", ["remove_from_post", "expel"]),
    ]
    assert parse.items[1].cases[0].position == "секретаря Киевского обкома КП(б)У"


def test_bare_surname_after_a_name_in_quotes_ocr_damaged():
    """On a worn scan of the newspaper_bare_surnames fixture « was read as <."""
    text = (
        "ПАРТИЙНАЯ ЖИЗНЬ\n\nЗа пьянство исключен из партии председатель колхоза\n<Заветы Ильича» Гаврилов.\n"
    )
    parse = parse_document(pages_of(text), SegmentSettings())

    assert [(c.name_as_written, c.position) for i in parse.items for c in i.cases] == [
        ("Гаврилов", "председатель колхоза <Заветы Ильича»")
    ]


def test_ocr_of_a_dash_before_the_item_number_and_of_an_abbreviation_ending_a_line():
    """From two-column scans of the purge_1929 and unlabeled_dash fixtures: "СЛУШАЛИ: - 1. Проверка т. …"
    hid the purge cue behind its number, and an unlabelled item was cut into subject and decision at the
    dot of "чл." ending a line."""
    text = (
        "ПРОТОКОЛ № 7\nзаседания комиссии по чистке партии\n20 августа 1929 г.\n\n"
        "СЛУШАЛИ: - 1. Проверка т. Сорокина Петра\nАндреевича, член ВКП(б) с 1920\nг., рабочий-токарь.\n"
        "ПОСТАНОВИЛИ: - Считать проверенным.\n"
    )
    assert cases_of(parse_document(pages_of(text), SegmentSettings())) == [
        ("1", "Сорокина Петра\nАндреевича", ["no_action"])
    ]
    text = (
        "ПРОТОКОЛ № 5/с\nзаседания бюро горкома ВКП(б)\n17 мая 1938 г.\n\n"
        "1. О тов. Лааксонене Т.Ю., бывшем редакторе газеты «Тойе», чл.\nВКП(б) с 1920 г. - за буржуазный "
        "национализм из партии исключить.\n"
    )
    case = parse_document(pages_of(text), SegmentSettings()).items[0].cases[0]
    assert (case.position, case.party_status, case.decisions) == (
        "бывшем редакторе газеты «Тойе»",
        "чл. ВКП(б) с 1920 г.",
        ["expel"],
    )
