"""Linking mentions into persons: blocking, compatibility, OCR variants, overrides, stable ids."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bureaucli.errors import ConfigError
from bureaucli.linkage import LinkMention, Overrides, link_persons, read_overrides
from bureaucli.names import normalize_person
from bureaucli.settings import NamesSettings

SETTINGS = NamesSettings()


def mention(
    mention_id: str, written: str, date: str | None = None, organization: str | None = None
) -> LinkMention:
    return LinkMention(mention_id, normalize_person(written), date, organization)


def same_person(result, a: str, b: str) -> bool:
    return result.person_of[a] == result.person_of[b]


def test_yo_spelling_links_march_and_may() -> None:
    result = link_persons(
        [
            mention("D1.m1.i1.c1", "Шмелева И.П.", "1937-03-17"),
            mention("D2.m1.i4.c1", "Шмелёву И.П.", "1937-05-02"),
        ],
        SETTINGS,
        Overrides(),
    )
    assert same_person(result, "D1.m1.i1.c1", "D2.m1.i4.c1")
    (person,) = result.persons
    assert person.canonical_name == "Шмелёв И. П."
    assert person.mention_ids == ["D1.m1.i1.c1", "D2.m1.i4.c1"]
    assert person.variants == ["Шмелев И. П.", "Шмелёв И. П."]


def test_incompatible_initials_never_link() -> None:
    result = link_persons([mention("a", "Иванова И.П."), mention("b", "Иванову А.С.")], SETTINGS, Overrides())
    assert not same_person(result, "a", "b")
    assert not result.review


def test_ocr_latin_lookalike_links() -> None:
    result = link_persons([mention("a", "Шмелева И.П."), mention("b", "Шмeлева И.П.")], SETTINGS, Overrides())
    assert same_person(result, "a", "b")


def test_one_ocr_letter_apart_links_with_full_initials() -> None:
    result = link_persons(
        [
            mention("a", "Белобородова К.Ф."),
            mention("b", "Белобородова К.Ф."),
            mention("c", "Белоборолова К.Ф."),
        ],
        SETTINGS,
        Overrides(),
    )
    assert same_person(result, "a", "c")


def test_men_and_women_of_one_surname_stay_apart() -> None:
    result = link_persons(
        [mention("a", "Шмелева И.П."), mention("b", "Шмелевой И.П.")], SETTINGS, Overrides()
    )
    assert not same_person(result, "a", "b")


def test_partial_mentions_link_to_a_unique_compatible_person() -> None:
    result = link_persons(
        [
            mention("full", "Куприянова Ивана Петровича"),
            mention("init", "Куприянову И.П."),
            mention("bare", "Куприянов"),
        ],
        SETTINGS,
        Overrides(),
    )
    assert same_person(result, "full", "init") and same_person(result, "full", "bare")


def test_surname_alone_with_two_candidates_goes_to_review() -> None:
    result = link_persons(
        [mention("a", "Куприянова И.П."), mention("b", "Куприянова А.С."), mention("bare", "Куприянова")],
        SETTINGS,
        Overrides(),
    )
    assert len({result.person_of[m] for m in ("a", "b", "bare")}) == 3
    assert {(r.mention_a, r.mention_b) for r in result.review} == {("a", "bare"), ("b", "bare")}


def test_first_names_that_differ_split_same_initials() -> None:
    result = link_persons(
        [mention("a", "Куприянова Ивана Петровича"), mention("b", "Куприянова Ильи Петровича")],
        SETTINGS,
        Overrides(),
    )
    assert not same_person(result, "a", "b")


def test_common_surname_is_linked_less_eagerly() -> None:
    letters = "АБВГДЕЖЗИК"
    mentions = [mention(f"m{i}", f"Иванова {letters[i]}.П.") for i in range(10)]
    mentions.append(mention("bare", "Иванова Б."))
    strict = NamesSettings(common_surname_count=5)
    assert not same_person(link_persons(mentions, strict, Overrides()), "bare", "m1")
    assert same_person(
        link_persons(mentions, NamesSettings(common_surname_count=50), Overrides()), "bare", "m1"
    )


def test_person_ids_are_stable_across_shuffled_input() -> None:
    mentions = [
        mention("D1.m1.i1.c1", "Шмелева И.П.", "1937-03-17"),
        mention("D1.m1.i2.c1", "Куприянову", "1937-03-17"),
        mention("D2.m1.i1.c1", "Шмелёву И.П.", "1937-05-02"),
        mention("D2.m1.i3.c1", "Куприянова Ивана Петровича", "1937-05-02"),
        mention("D3.m1.i1.c1", "Иванова А.С.", "1938-01-10"),
        mention("D3.m1.i2.c1", "Иванова И.П.", "1938-01-10"),
        mention("D3.m1.i3.c1", "Иванова", "1938-01-10"),
    ]
    first = link_persons(mentions, SETTINGS, Overrides())
    shuffled = list(mentions)
    random.Random(3).shuffle(shuffled)
    second = link_persons(shuffled, SETTINGS, Overrides())
    assert first.person_of == second.person_of
    assert [p.person_id for p in first.persons] == [p.person_id for p in second.persons]
    assert all(pid.startswith("P") for pid in first.person_of.values())


def write_overrides(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "persons.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_overrides_merge_split_rename(tmp_path: Path) -> None:
    mentions = [mention("a", "Иванова И.П."), mention("b", "Иванову А.С."), mention("c", "Иванова И.П.")]
    path = write_overrides(
        tmp_path,
        "action,mention_id,other_mention_id,canonical_name\n"
        "merge,a,b,\n"
        "split,c,,\n"
        "rename,b,,Иванов Иван Петрович\n"
        "# a comment row,,,\n"
        "merge,a,gone,\n",
    )
    result = link_persons(mentions, SETTINGS, read_overrides(path))
    assert same_person(result, "a", "b")
    assert not same_person(result, "a", "c")
    renamed = next(p for p in result.persons if "a" in p.mention_ids)
    assert renamed.canonical_name == "Иванов Иван Петрович"
    assert result.unused_overrides == ["line 6: merge,a,gone"]


def test_missing_overrides_file_is_empty(tmp_path: Path) -> None:
    assert read_overrides(tmp_path / "absent.csv").rows == []


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("join,a,b,", "unknown action"),
        ("merge,a,,", "merge needs other_mention_id"),
        ("rename,a,,", "rename needs canonical_name"),
        ("split,,,", "mention_id is empty"),
    ],
)
def test_bad_override_row_names_file_and_line(tmp_path: Path, row: str, message: str) -> None:
    path = write_overrides(tmp_path, f"action,mention_id,other_mention_id,canonical_name\nsplit,x,,\n{row}\n")
    with pytest.raises(ConfigError, match=rf"persons\.csv:3: {message}"):
        read_overrides(path)


def test_bad_override_header(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="persons.csv:1"):
        read_overrides(write_overrides(tmp_path, "what,ever\n1,2\n"))


def test_dates_far_apart_lower_a_partial_link() -> None:
    mentions = [mention("a", "Куприянова И.П.", "1925-01-01"), mention("b", "Куприянова И.", "1950-01-01")]
    result = link_persons(mentions, SETTINGS, Overrides())
    assert not same_person(result, "a", "b")
    assert [(r.mention_a, r.mention_b) for r in result.review] == [("a", "b")]
