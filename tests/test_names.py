"""Name normalization: oblique cases, gender, non-Russian surnames, OCR damage, evidence from context."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bureaucli.names import (
    fold_yo,
    initials_compatible,
    normalize_person,
    repair_ocr,
    surname_key,
)

# (as written, context, surname, first name, patronymic, gender)
CASES = [
    # possessive -ов/-ев/-ин in every case, both genders
    ("Шмелева И.П.", "", "Шмелев", None, None, "m"),
    ("тов. Шмелева И.П.", "", "Шмелев", None, None, "m"),
    ("И.П. Шмелева", "", "Шмелев", None, None, "m"),
    ("Шмелеву", "", "Шмелев", None, None, "m"),
    ("Шмелевым", "", "Шмелев", None, None, "m"),
    ("т.Шмелеве", "", "Шмелев", None, None, "m"),
    ("ШМЕЛЕВА Ивана Петровича", "", "Шмелев", "Иван", "Петрович", "m"),
    ("Бородиной А.С.", "", "Бородина", None, None, "f"),
    ("Бородину Анну Сергеевну", "", "Бородина", "Анна", "Сергеевна", "f"),
    ("Бородиной Анне Сергеевне", "", "Бородина", "Анна", "Сергеевна", "f"),
    ("Каримовой", "", "Каримова", None, None, "f"),
    ("Ольги Назаровны Тихомировой", "", "Тихомирова", "Ольга", "Назаровна", "f"),
    ("Мурашова Тимофея Ильича", "", "Мурашов", "Тимофей", "Ильич", "m"),
    ("Мурашовым Тимофеем Ильичом", "", "Мурашов", "Тимофей", "Ильич", "m"),
    ("Воронцовою", "", "Воронцова", None, None, "f"),
    ("Пичугиной Агриппины Лукиничны", "", "Пичугина", "Агриппина", "Лукинична", "f"),
    ("Рогова Семёна Кузьмича", "", "Рогов", "Семён", "Кузьмич", "m"),
    ("Роговой Серафиме Кузьминичне", "", "Рогова", "Серафима", "Кузьминична", "f"),
    # prepositional with first name and patronymic
    ("Исхакове Хасане Салиховиче", "", "Исхаков", "Хасан", "Салихович", "m"),
    ("Гарипове Рашиде Габдулловиче", "", "Гарипов", "Рашид", "Габдуллович", "m"),
    # adjectival surnames
    ("Ф.К. ЗАВАДСКОГО", "", "Завадский", None, None, "m"),
    ("Гладкого П.", "", "Гладкий", None, None, "m"),
    ("Вишневскому Г.Л.", "", "Вишневский", None, None, "m"),
    ("Вишневской Галине Львовне", "", "Вишневская", "Галина", "Львовна", "f"),
    ("Вишневскую Г.Л.", "", "Вишневская", None, None, "f"),
    ("Полевого Виктора Григорьевича", "", "Полевой", "Виктор", "Григорьевич", "m"),
    ("Лугового Тараса Ивановича", "", "Луговой", "Тарас", "Иванович", "m"),
    ("Трубецкой Н.В.", "Дело т.Трубецкой Н.В., учительницы школы № 2. Исключить Трубецкую.", "Трубецкая", None, None, "f"),
    ("Трубецкой Н.В.", "Докладчик Трубецкой Н.В. сообщил о работе.", "Трубецкой", None, None, "m"),
    ("Кривошеевой", "", "Кривошеева", None, None, "f"),
    # indeclinable
    ("Седых", "", "Седых", None, None, "m"),
    ("Черных Марии Ильиничны", "", "Черных", "Мария", "Ильинична", "f"),
    ("Долгих Ф.С.", "", "Долгих", None, None, "m"),
    ("Шевченко Остапа Тарасовича", "", "Шевченко", "Остап", "Тарасович", "m"),
    ("Мгеладзе Вахтанга Шалвовича", "", "Мгеладзе", "Вахтанг", "Шалвович", "m"),
    ("Дорошенко Н.Г.", "", "Дорошенко", None, None, "m"),
    ("Гулиа Д.И.", "", "Гулиа", None, None, "m"),
    # non-Russian and consonant-final surnames
    ("Тер-Оганесяну Л.А.", "", "Тер-Оганесян", None, None, "m"),
    ("Функа", "", "Функ", None, None, "m"),
    ("Берзина", "", "Берзин", None, None, "m"),
    ("Берзиной Велте Яновне", "", "Берзина", "Велта", "Яновна", "f"),
    ("Рабиновича М.Б.", "", "Рабинович", None, None, "m"),
    ("Рабинович Цили Марковны", "", "Рабинович", "Циля", "Марковна", "f"),
    ("Рабинович Ц.М.", "Персональное дело т. Рабинович Ц.М., счетовода артели.", "Рабинович", None, None, "f"),
    ("Петросяна Ашота Саркисовича", "", "Петросян", "Ашот", "Саркисович", "m"),
    ("Бондаря", "", "Бондарь", None, None, "m"),
    ("Гайдаем Ю.П.", "", "Гайдай", None, None, "m"),
    ("Коваль О.Б.", "Дело т.Коваль О.Б., члена ВКП(б) с 1919 г. Исключить Коваль О.Б. из партии.", "Коваль", None, None, "f"),
    ("Коваля Остапа Богдановича", "", "Коваль", "Остап", "Богданович", "m"),
    ("Шульцем", "", "Шульц", None, None, "m"),
    ("Гнатюк Оксаны Петровны", "", "Гнатюк", "Оксана", "Петровна", "f"),
    ("Кулаге Евдокии Михайловне", "", "Кулага", "Евдокия", "Михайловна", "f"),
    ("Сковороды П.В.", "", "Сковорода", None, None, "m"),
    ("Гегечкория Илье Ильиче", "", "Гегечкория", "Илья", "Ильич", "m"),
    ("Мамедова Гусейна Али-оглы", "", "Мамедов", "Гусейн", "Али-оглы", "m"),
    ("Алиевой Зейнаб Гасан-кызы", "", "Алиева", "Зейнаб", "Гасан-кызы", "f"),
    ("Петрова-Водкина К.С.", "", "Петров-Водкин", None, None, "m"),
    # ё kept as written, ё restored only where the oblique form cannot show it
    ("Киселёвой В.С.", "", "Киселёва", None, None, "f"),
    ("Воробьёва Петра Семеновича", "", "Воробьёв", "Пётр", "Семенович", "m"),
    ("Федорова Федора Ильича", "", "Федоров", "Федор", "Ильич", "m"),
    # initials first, spaced initials, honorifics
    ("И. П. Каргополова", "", "Каргополов", None, None, "m"),
    ("тт. А.Н. Сомовой", "", "Сомова", None, None, "f"),
    ("гр. Сомова А.Н.", "", "Сомов", None, None, "m"),
    ("Т. Сомову Анну Никитичну", "", "Сомова", "Анна", "Никитична", "f"),
    # OCR damage: Latin look-alikes, digits inside words
    ("Шмeлевa И.П.", "", "Шмелев", None, None, "m"),
    ("KOPOBИHA Н.С.", "", "Коровин", None, None, "m"),
    ("C0ЛОВЬЕВА А.А.", "", "Соловьев", None, None, "m"),
    ("Ко6ылиной М.А.", "", "Кобылина", None, None, "f"),
    # gender decided by context
    ("Шмелева И.П.", "Исключить Шмелева И.П. из партии. Шмелеву И.П. объявлен выговор.", "Шмелев", None, None, "m"),
    ("Каримовой", "Дело т. Каримовой Х.К. Объявить Каримовой Х.К. выговор, обязав Каримову...", "Каримова", None, None, "f"),
    ("Зуева Н.Б.", "Сообщение об аресте:\n1) Зуева Н.Б., бывшая заведующая столовой;", "Зуева", None, None, "f"),
    ("Зуева Н.Б.", "Исключить т. Зуева Н.Б. из рядов ВКП(б), так как он скрыл происхождение.", "Зуев", None, None, "m"),
    ("Крутой Н.П.", "Заявление Крутой Н.П., бригадира цеха, о восстановлении.", "Крутая", None, None, "f"),
    # a fuller form of the name elsewhere in the item
    ("Долгих С.К.", "Исключить Долгих С.К. Поручить Семену Константиновичу Долгих сдать дела.", "Долгих", "Семен", "Константинович", "m"),
    ("Лазуткиной", "Дело т. Лазуткиной Е.Ф. Снять Лазуткину с работы.", "Лазуткина", None, None, "f"),
]  # fmt: skip


@pytest.mark.parametrize(("as_written", "context", "surname", "first_name", "patronymic", "gender"), CASES)
def test_normalizes_hard_cases(
    as_written: str, context: str, surname: str, first_name: str | None, patronymic: str | None, gender: str
) -> None:
    name = normalize_person(as_written, context)
    assert (name.surname, name.first_name, name.patronymic, name.gender) == (
        surname,
        first_name,
        patronymic,
        gender,
    )


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 60


@pytest.mark.parametrize(
    ("as_written", "latin"),
    [
        ("Шмелева И.П.", "Shmelev I. P."),
        ("Юсуповой Ф.Н.", "I͡usupova F. N."),
        ("Тер-Оганесяну Л.А.", "Ter-Oganesi͡an L. A."),
        ("Щукиным", "Shchukin"),
        ("Воробьёва Петра Семеновича", "Vorobʹëv P. S."),
        ("Эпштейна Я.Я.", "Ėpshteĭn I͡a. I͡a."),
    ],
)
def test_latin_is_ala_lc(as_written: str, latin: str) -> None:
    assert normalize_person(as_written).name_latin == latin


def test_initials_come_from_first_name_and_patronymic() -> None:
    assert normalize_person("ШМЕЛЕВА Ивана Петровича").initials == "И.П."
    assert normalize_person("Коваль О.", "Дело т. Коваль О.Б., члена ВКП(б).").initials == "О.Б."


def test_key_folds_yo_confusables_and_lookalikes() -> None:
    assert surname_key("Шмелёв") == surname_key("Шмелев") == surname_key("Шмeлев") == "шмелев"
    assert normalize_person("Шмелёва И.П.").key == normalize_person("Шмeлева И.П.").key == "шмелев"


def test_repair_ocr_only_inside_cyrillic_words() -> None:
    assert repair_ocr("C0ЛОВЬЕВ и Ko6ылин, 1937 г., VKP") == "СОЛОВЬЕВ и Кобылин, 1937 г., VKP"


def test_initials_compatibility() -> None:
    assert initials_compatible("И.П.", "И.")
    assert initials_compatible("Ё.П.", "Е.П.")
    assert not initials_compatible("И.П.", "А.С.")
    assert not initials_compatible("И.П.", "И.С.")


def test_confidence_is_lower_when_the_form_is_ambiguous() -> None:
    assert normalize_person("ШМЕЛЕВА Ивана Петровича").confidence > normalize_person("Шмелеву").confidence
    assert 0.0 <= normalize_person("Шмелеву").confidence <= 1.0


def test_empty_span_does_not_crash() -> None:
    assert normalize_person("тов. ").confidence == 0.0


CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def test_gold_surnames_of_dev_corpus() -> None:
    """Nominative surnames of the dev corpus persons, normalized with their decision text as context."""
    gold_files = sorted((CORPUS / "gold").glob("*.json"))
    if not gold_files:
        pytest.skip("dev corpus not available")
    total = right = 0
    for path in gold_files:
        for item in json.loads(path.read_text(encoding="utf-8"))["items"]:
            context = f"{item.get('heard', '')}\n{item.get('decision_text', '')}"
            for person in item.get("persons", []):
                total += 1
                surname = normalize_person(person["as_written"], context).surname
                right += fold_yo(surname).lower() == fold_yo(person["surname_nom"]).lower()
    assert right / total >= 0.97


@pytest.mark.parametrize(
    "context", ["О т. Крюковой Е.Д.", "О Крюковой Е.Д.", "О т.т. Зайцеве А.В. и Крюковой Е.Д."]
)
def test_item_opening_o_governs_a_feminine_surname_in_oi(context: str) -> None:
    """ "О" opening an item was read as an initial, the name counted as nominative, and Крюковой stayed a
    man's adjectival surname."""
    person = normalize_person("Крюковой Е.Д.", context)

    assert (person.surname, person.gender, person.initials) == ("Крюкова", "f", "Е.Д.")


@pytest.mark.parametrize(
    ("as_written", "context", "surname", "gender"),
    [
        # the verb before a list's colon governs its entries (fixture arrested_lists)
        (
            "Лаврова П.П.",
            "Исключить из партии: 1) Тимченко Г.Г., бывшего директора МТС, 2) Сазонову Е.В., учительницу, "
            "3) Лаврова П.П.",
            "Лавров",
            "m",
        ),
        # an agreeing post outweighs the nominative a colon presumes (fixture penalty_subjects)
        (
            "САВЕЛЬЕВА П.Н.",
            "Дела кандидатов в члены ВКП(б): т.т. САВЕЛЬЕВА П.Н., формовщика, и др.",
            "Савельев",
            "m",
        ),
        # a list of names after a colon with no verb stays nominative
        ("Лаврова П.П.", "Присутствовали: 1) Лаврова П.П., 2) Сазонов Е.В.", "Лаврова", "f"),
    ],
)
def test_case_of_list_entries(as_written: str, context: str, surname: str, gender: str) -> None:
    person = normalize_person(as_written, context)

    assert (person.surname, person.gender) == (surname, gender)
