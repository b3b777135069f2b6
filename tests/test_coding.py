import pytest

from bureaucli.coding import code_accusations, code_decisions, guess_sector
from bureaucli.records import ACCUSATIONS, DECISIONS, SECTORS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Иванова И.И. из рядов ВКП(б) исключить, материалы передать в УНКВД.",
            ["expel", "refer_to_prosecution"],
        ),
        (
            "Решение райкома изменить: исключение заменить строгим выговором.",
            ["overturn_decision", "severe_reprimand"],
        ),
        ("Ограничиться объявлением т. Петрову выговора.", ["reprimand"]),
        ("Объявить строгий выговор с предупреждением.", ["severe_reprimand"]),
        ("Снять с т. Орлова ранее наложенное партвзыскание (выговор).", ["lift_penalty"]),
        ("Строгий выговор, объявленный т. Орлову 11.XII-36 г., снять.", ["lift_penalty"]),
        ("С руководящей работы снять и объявить строгий выговор.", ["remove_from_post", "severe_reprimand"]),
        ("Поставить ему на вид.", ["warning"]),
        ("Перевести из членов ВКП(б) в кандидаты.", ["demote"]),
        ("Восстановить в членах ВКП(б) с сохранением стажа.", ["reinstate"]),
        ("Дело производством прекратить.", ["no_action"]),
        ("Ограничиться обсуждением.", ["no_action"]),
        ("Просьбу о восстановлении в партии отклонить.", ["other"]),
        ("В восстановлении отказать.", ["other"]),
        ("Апелляцию отклонить, решение об исключении оставить в силе.", ["expel"]),
        ("Решение об исключении его из партии утвердить.", ["expel"]),
        ("Просить прокурора привлечь его к уголовной ответственности.", ["refer_to_prosecution"]),
        ("Вопрос решить после окончания следствия.", ["other"]),
        ("Утвердить т. Иванова директором завода.", []),
        (
            "Вывести т. Сорокина из состава пленума горкома и исключить из рядов ВКП(б).",
            ["remove_from_post", "expel"],
        ),
        ("Из состава пленума вывести, из партии исключить.", ["remove_from_post", "expel"]),
        ("Освободить от обязанностей секретаря райкома.", ["remove_from_post"]),
        ("Бюро исключило из партии Петрова. Дело передано в органы НКВД.", ["expel", "refer_to_prosecution"]),
        ("Материалы о Бычкове переданы прокурору.", ["refer_to_prosecution"]),
        ("Корепанов снят с работы, Фомина освобождена от работы.", ["remove_from_post"]),
        ("Восстановить в правах члена партии.", ["reinstate"]),
        ("С работы снять и отдать под суд.", ["remove_from_post", "refer_to_prosecution"]),
        ("Дело направить в военный трибунал.", ["refer_to_prosecution"]),
        ("Привлечь к партийной ответственности.", []),
        ("Лосева восстановлена в правах члена ВКП(б).", ["reinstate"]),
        ("В просьбе отказать.", ["other"]),
        ("Решение райкома отменить.", ["overturn_decision"]),
        ("Выговор, объявленный бюро обкома 11.ХТТ-36 г., снять.", ["lift_penalty"]),
        ("Вычистить из партии как пассивную.", ["expel"]),
        ("Считать проверенным.", ["no_action"]),
        ("Снять с поста секретаря обкома и исключить из состава членов ЦК ВКП(б).", ["remove_from_post"]),
        ("Исключить его из состава пленума и из партии.", ["expel", "remove_from_post"]),
        ("Исключить Кабакова И.Д. из членов ЦК ВКП(б).", ["remove_from_post"]),
        ("Исключить Кабакова И.Д. из членов ЦК ВКП(б) и из партии.", ["expel", "remove_from_post"]),
        ("Материалы Направит в РО НКВД.", ["refer_to_prosecution"]),  # OCR: НаправитЪ (dev corpus 011, bad)
        ("Партбилет изъять и материалы передать в НИВД.", ["refer_to_prosecution"]),
    ],
)
def test_decisions(text, expected):
    assert code_decisions(text) == expected


@pytest.mark.parametrize(
    ("decision", "heard", "expected"),
    [
        (
            "В апелляции отказать, решение горкома оставить в силе.",
            "о переводе ее из членов в кандидаты",
            ["demote"],
        ),
        ("Апелляцию отклонить.", "на решение об исключении его из партии", ["expel"]),
        ("Апелляцию отклонить.", "", ["expel"]),
        ("Решение о снятии его с работы утвердить.", "", ["remove_from_post"]),
        (
            "Решение парткомиссии о восстановлении отменить, решение обкома об исключении утвердить.",
            "",
            ["overturn_decision", "expel"],
        ),
    ],
)
def test_upheld_appeals_take_the_appealed_penalty(decision, heard, expected):
    assert code_decisions(decision, heard) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("за связь с арестованным троцкистом Вебером", {"ties_to_enemies"}),
        ("исключить как врага народа", {"counterrevolution"}),
        ("исключить как арестованного органами НКВД", set()),
        ("за халатное хранение партийного билета, повлекшее его утерю", {"loss_of_party_card"}),
        ("за контрреволюционную агитацию среди колхозников", {"anti_soviet_agitation"}),
        ("за умышленный срыв сева и бесхозяйственность", {"sabotage_wrecking", "negligence"}),
        ("скрыл от партии свое социальное происхождение (сын попа)", {"concealed_origin"}),
        ("за венчание в церкви и пьянство", {"religion", "drunkenness_moral"}),
        ("за растрату 300 руб. и незаконные обыски", {"embezzlement", "abuse_of_office"}),
        ("за буржуазно-националистическую деятельность и шпионаж", {"nationalism", "espionage"}),
        ("за отрыв от партии и нарушение партийной дисциплины", {"passivity", "other"}),
        ("о правооппортунистических взглядах", {"right_deviation"}),
        ("за зажим критики и грубость с посетителями", {"other"}),
        (
            "как врага народа, связанного с троцкистами",
            {"counterrevolution", "ties_to_enemies", "trotskyism"},
        ),
        ("за связь с польскими националистами", {"nationalism", "ties_to_enemies"}),
        ("за связь с правыми оппортунистами", {"ties_to_enemies", "right_deviation"}),
        ("за крушение по его вине товарного поезда", {"negligence"}),
        ("за аварию котла на электростанции", {"negligence"}),
        ("брак произошел по ее вине", {"negligence"}),
        ("имел связь с братом, осужденным за контрреволюционную деятельность", {"ties_to_enemies"}),
        ("покрывал троцкистов и насаждал семейственность", {"ties_to_enemies", "trotskyism", "other"}),
        ("за политически вредные высказывания и низкопоклонство перед Западом", {"anti_soviet_agitation"}),
        ("как пассивную, не посещающую собраний", {"passivity"}),
        ("исключить как предателя партии", {"counterrevolution"}),
        ("за сокрытие службы в белой армии", {"counterrevolution"}),
    ],
)
def test_accusations(text, expected):
    assert set(code_accusations(text)) == expected


def test_codes_stay_in_vocabulary():
    text = "исключить, строгий выговор, снять с работы, восстановить, за троцкизм, растрату и пьянство"
    assert set(code_decisions(text)) <= set(DECISIONS)
    assert set(code_accusations(text)) <= set(ACCUSATIONS)


@pytest.mark.parametrize(
    ("position", "organization", "sector"),
    [
        ("председателя колхоза «Заря»", None, "agriculture"),
        ("секретаря Ачинского райкома ВКП(б)", None, "party"),
        ("учительницы средней школы № 3", None, "education_culture"),
        ("начальника депо станции Тайга", None, "transport"),
        ("мастера", "завод «Серп и молот»", "industry"),
        ("заведующего магазином сельпо", None, "trade_supply"),
        ("председателя райисполкома", None, "soviet"),
        ("следователя районной прокуратуры", None, "justice_security"),
        ("заведующего горторготделом", None, "trade_supply"),
        ("ткача", None, "industry"),
        ("счетовода", None, "other"),
        (None, None, None),
    ],
)
def test_sectors(position, organization, sector):
    assert guess_sector(position, organization) == sector
    assert sector is None or sector in SECTORS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Бородина из чпенов ВКП(б) искпючить.", ["expel"]),
        ("Объявить строгий выгавор.", ["severe_reprimand"]),
        ("Объявить предупреждение.", ["warning"]),
        ("Не выговаривать ему.", []),
        ("Прекрасно работал.", []),
    ],
)
def test_key_stems_survive_one_wrong_letter(text, expected):
    assert code_decisions(text) == expected


def test_past_penalties_recalled_in_the_heard_text_are_not_decisions():
    text = (
        "Заявление о восстановлении в партии (исключен в 1935 г. за пьянство). Восстановить в членах ВКП(б)."
    )
    assert code_decisions(text) == ["reinstate"]
    assert code_decisions("О снятии взыскания (строгий выговор за прогулы). Взыскание снять.") == [
        "lift_penalty"
    ]
