#!/usr/bin/env python3
"""Generate synthetic protocol transcripts (pages separated by form feeds) for benchmarks and load tests.

usage: synth_protocols.py OUT_DIR [--pages 1000] [--pages-per-document 4] [--seed 1]

The texts follow the genre — header, those present, numbered СЛУШАЛИ/ПОСТАНОВИЛИ items, personal cases
with names in the genitive, decisions and accusations — with enough variety to exercise every stage.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

MONTHS = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
]
# (nominative masculine stem, genitive masculine, genitive feminine)
SURNAMES = [
    ("Петров", "Петрова", "Петровой"),
    ("Смирнов", "Смирнова", "Смирновой"),
    ("Волков", "Волкова", "Волковой"),
    ("Зайцев", "Зайцева", "Зайцевой"),
    ("Соловьев", "Соловьева", "Соловьевой"),
    ("Лебедев", "Лебедева", "Лебедевой"),
    ("Козлов", "Козлова", "Козловой"),
    ("Новиков", "Новикова", "Новиковой"),
    ("Морозов", "Морозова", "Морозовой"),
    ("Голубев", "Голубева", "Голубевой"),
    ("Богданов", "Богданова", "Богдановой"),
    ("Орлов", "Орлова", "Орловой"),
    ("Никитин", "Никитина", "Никитиной"),
    ("Захаров", "Захарова", "Захаровой"),
    ("Ершов", "Ершова", "Ершовой"),
    ("Троицкий", "Троицкого", "Троицкой"),
    ("Преображенский", "Преображенского", "Преображенской"),
    ("Шевчук", "Шевчука", "Шевчук"),
    ("Бондаренко", "Бондаренко", "Бондаренко"),
    ("Гуревич", "Гуревича", "Гуревич"),
    ("Акопян", "Акопяна", "Акопян"),
    ("Чхеидзе", "Чхеидзе", "Чхеидзе"),
    ("Белых", "Белых", "Белых"),
]
INITIALS = "АБВГДЕЗИКЛМНОПРСТФЯ"
POSITIONS = [
    "директора {org}",
    "главного инженера {org}",
    "мастера механического цеха {org}",
    "бухгалтера {org}",
    "председателя колхоза «{farm}»",
    "учителя средней школы № {n}",
    "начальника депо станции {town}",
    "секретаря парткома {org}",
    "заведующего складом {org}",
]
ORGS = ["завода «Металлист»", "фабрики «Искра»", "мелькомбината № 2", "леспромхоза", "МТС", "райпотребсоюза"]
FARMS = ["Путь Ильича", "Красный пахарь", "Заветы Ленина", "Трудовик"]
TOWNS = ["Киров", "Котельнич", "Слободской", "Яранск"]
ACCUSATIONS = [
    "о связи с врагом народа",
    "о сокрытии социального происхождения",
    "о пьянстве",
    "о бесхозяйственности",
    "об утере партийного билета",
    "о троцкистских высказываниях",
    "о растрате",
    "о вредительстве",
]
DECISIONS = [
    "{name} из рядов ВКП(б) исключить.",
    "Объявить {dat} строгий выговор с занесением в учетную карточку.",
    "Объявить {dat} выговор.",
    "{name} с работы снять, из партии исключить, материалы передать в НКВД.",
    "Восстановить {name} в членах ВКП(б).",
    "Ограничиться обсуждением.",
    "Поставить {dat} на вид.",
]
OTHER_ITEMS = [
    ("О ходе лесозаготовок.", "Информацию принять к сведению."),
    ("Об утверждении плана партучебы.", "План утвердить."),
    ("О подготовке к весеннему севу.", "Обязать директоров МТС закончить ремонт тракторов к 1 апреля."),
]


def person(rng: random.Random) -> tuple[str, str]:
    """A name in the genitive and a dative-ish form used in decisions."""
    masculine, genitive, feminine = rng.choice(SURNAMES)
    initials = f"{rng.choice(INITIALS)}.{rng.choice(INITIALS)}."
    if rng.random() < 0.25:
        return f"{feminine} {initials}", f"{feminine} {initials}"
    return f"{genitive} {initials}", f"{masculine} {initials}"


def item_text(rng: random.Random, number: int) -> str:
    if rng.random() < 0.25:
        heard, decided = rng.choice(OTHER_ITEMS)
        return f"{number}. СЛУШАЛИ: {heard}\nПОСТАНОВИЛИ: {decided}\n"
    name, other = person(rng)
    position = rng.choice(POSITIONS).format(
        org=rng.choice(ORGS), farm=rng.choice(FARMS), n=rng.randint(1, 9), town=rng.choice(TOWNS)
    )
    year = rng.randint(1918, 1936)
    decision = rng.choice(DECISIONS).format(name=name, dat=other)
    return (
        f"{number}. СЛУШАЛИ: Персональное дело тов. {name}, {position}, члена ВКП(б) с {year} г., "
        f"{rng.choice(ACCUSATIONS)}.\nПОСТАНОВИЛИ: {decision}\n"
    )


def protocol(rng: random.Random, pages: int, number: int) -> str:
    day, month, year = rng.randint(1, 28), rng.choice(MONTHS), rng.randint(1934, 1939)
    header = (
        f"ПРОТОКОЛ № {number}\nзаседания бюро {rng.choice(TOWNS)}ского райкома ВКП(б)\nот {day} {month} {year} г.\n\n"
        "Присутствовали: члены бюро тт. Ершов, Никитина, Захаров.\n\n"
    )
    texts, item = [], 1
    for page in range(pages):
        body = header if page == 0 else ""
        for _ in range(3):
            body += item_text(rng, item) + "\n"
            item += 1
        texts.append(body)
    return "\f".join(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--pages-per-document", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    documents = -(-args.pages // args.pages_per_document)
    for index in range(documents):
        pages = min(args.pages_per_document, args.pages - index * args.pages_per_document)
        path = args.out_dir / f"protocol_{index + 1:04d}.txt"
        path.write_text(protocol(rng, pages, index + 1), encoding="utf-8")
    print(f"wrote {documents} documents, {args.pages} pages to {args.out_dir}")


if __name__ == "__main__":
    main()
