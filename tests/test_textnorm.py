from bureaucli.textnorm import fold, normalize


def test_lookalikes_digits_and_labels_are_repaired():
    text = "0 тов. Cмирнове, члене ВКП/б/ и вк (6)\nП0СТАНОВИЛИ: 06 утверждении\nСЛУШАЛN:"
    result = normalize(text).text
    assert "О тов. Смирнове" in result
    assert result.count("ВКП(б)") == 2
    assert "ПОСТАНОВИЛИ: Об утверждении" in result
    assert "СЛУШАЛИ:" in result


def test_letter_spacing_hyphenation_section_sign_and_year():
    result = normalize("С Л У Ш А Л И:\n$ 5. о бесхозяйст-\n   венности в 1937 Е. дело").text
    assert "СЛУШАЛИ:" in result
    assert "§ 5." in result
    assert "бесхозяйственности" in result
    assert "1937 г." in result


def test_folio_marks_page_numbers_and_stamps_are_dropped():
    text = "Л. 184\nпервая <<l.49>> строка\n  - 2 -\nл. 49 об.\nПродолжение протокола № 5\nСекретно\nвторая"
    lines = [line.strip() for line in normalize(text).text.splitlines() if line.strip()]
    assert lines == ["первая  строка", "вторая"]


def test_running_headers_are_dropped_from_page_tops():
    pages = [
        "Трест «Уголь». Протокол 3\nначало",
        "Трест «Уголь». Протокол 3\nсередина",
        "Трест «Уголь». Протокол 3\nконец",
    ]
    result = normalize("\f".join(pages)).text
    assert "Трест" not in result
    assert "середина" in result


def test_offsets_map_back_to_the_original():
    text = "Л. 12\nС Л У Ш А Л И: дело тов. Cмирновой В.П., быв-\nшего"
    normalized = normalize(text)
    start = normalized.text.index("Смирновой")
    source_start, source_end = normalized.source_span(start, start + len("Смирновой В.П."))
    assert text[source_start:source_end] == "Cмирновой В.П."
    word = normalized.text.index("бывшего")
    assert text[slice(*normalized.source_span(word, word + 7))] == "быв-\nшего"


def test_old_orthography_is_folded():
    assert normalize("Совѣтъ постановилъ исключить").text == "Совет постановил исключить"
    assert fold("Ёлкин") == "елкин"
