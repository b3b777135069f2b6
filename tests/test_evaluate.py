import json

from bureaucli.evaluate import ExtractedCase, ExtractedDocument, load_gold, score


def write_gold(directory, stem, persons_by_item, date="1937-03-17"):
    items = [
        {
            "item_no": str(number),
            "heard": "",
            "is_personal_case": True,
            "persons": [
                {"as_written": s, "surname_nom": s, "initials": i, "first_name_nom": None} for s, i in persons
            ],
            "decisions": decisions,
            "accusations": accusations,
            "decision_text": "",
        }
        for number, (persons, decisions, accusations) in enumerate(persons_by_item, start=1)
    ]
    items.append(
        {
            "item_no": "9",
            "heard": "",
            "is_personal_case": False,
            "persons": [],
            "decisions": [],
            "accusations": [],
        }
    )
    data = {"meeting": {"protocol_no": "1", "date": date, "body": "бюро"}, "items": items}
    (directory / f"{stem}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def case(surname, initial, decisions, accusations=()):
    return ExtractedCase(surname, initial, frozenset(decisions), frozenset(accusations))


def test_scoring_counts_matches_surnames_decisions_accusations_and_dates(tmp_path):
    write_gold(
        tmp_path,
        "001",
        [
            ([("Шмелёв", "И.П."), ("Бородина", "А.С.")], ["expel"], ["trotskyism", "negligence"]),
            ([("Петров", "П.П.")], ["reprimand"], []),
        ],
    )
    gold = load_gold(tmp_path)
    assert len(gold["001"].persons) == 3
    extracted = {
        "001": ExtractedDocument(
            ("1937-03-17",),
            (
                case("ШМЕЛЕВ", "И", ["expel"], ["trotskyism"]),
                case("Бородиной", "А", ["expel", "refer_to_prosecution"], ["trotskyism", "negligence"]),
                case("Петров", "С", ["reprimand"]),  # incompatible initial: not a match
                case("Сидоров", None, ["warning"]),
            ),
        )
    }
    report = score(gold, extracted)
    assert (report.gold_cases, report.extracted_cases, report.matched) == (3, 4, 2)
    assert report.precision == 0.5
    assert round(report.recall, 4) == 0.6667
    assert report.surname_accuracy == 0.5  # Шмелёв = ШМЕЛЕВ; Бородиной is not nominative
    assert report.decision_accuracy == 0.5
    assert round(report.accusation_f1, 4) == round(2 * 3 / (2 * 3 + 0 + 1), 4)
    assert report.date_accuracy == 1.0
    assert any("missed Петров" in line for line in report.misses)
    assert any("spurious Сидоров" in line for line in report.misses)
    assert any("decisions" in line and "Бородина" in line for line in report.misses)
    as_json = report.to_dict()
    assert as_json["f1"] == round(report.f1, 4)
    json.dumps(as_json, ensure_ascii=False)


def test_missing_document_and_wrong_date(tmp_path):
    write_gold(tmp_path, "001", [([("Иванов", "И.И.")], ["expel"], [])])
    write_gold(tmp_path, "002", [([("Козлов", None)], ["expel"], [])], date="1938-01-01")
    extracted = {"002": ExtractedDocument(("1938-01-02",), (case("Козлова", "А", ["expel"]),))}
    report = score(load_gold(tmp_path), extracted)
    assert (report.matched, report.recall, report.date_accuracy) == (1, 0.5, 0.0)
    assert any("meeting date" in line for line in report.misses)


def test_matching_is_one_to_one(tmp_path):
    write_gold(tmp_path, "001", [([("Седых", "П.М."), ("Седых", "К.К.")], ["expel"], [])])
    extracted = {
        "001": ExtractedDocument((), (case("Седых", "К", ["expel"]), case("Седых", None, ["expel"])))
    }
    report = score(load_gold(tmp_path), extracted)
    assert report.matched == 2
    assert report.precision == report.recall == 1.0


def test_fields_are_scored_only_when_the_extraction_reports_them(tmp_path):
    data = {
        "meeting": {"protocol_no": "1", "date": None, "body": "бюро"},
        "items": [
            {
                "item_no": "1",
                "is_personal_case": True,
                "persons": [
                    {
                        "surname_nom": "Лобов",
                        "initials": "Г.Е.",
                        "position": "председателя колхоза\n«Путь Ильича»",
                        "party_status": "члена ВКП/б/ с 1926 г.",
                        "party_card": "1183456",
                        "birth_year": 1901,
                        "organization": None,
                    }
                ],
                "decisions": ["expel"],
                "accusations": [],
            }
        ],
    }
    (tmp_path / "001.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    gold = load_gold(tmp_path)
    fields = (
        ("position", "председателя колхоза «Путь Ильича»"),
        ("party_status", "члена ВКП(б) с 1926 г."),
        ("party_card", "1183456"),
        ("birth_year", 1900),
        ("organization", None),
    )
    found = ExtractedCase("Лобов", "Г", frozenset({"expel"}), frozenset(), "1", fields)
    report = score(gold, {"001": ExtractedDocument((None,), (found,))})
    assert report.fields_given == {"position": 1, "party_status": 1, "party_card": 1, "birth_year": 1}
    assert report.field_accuracy == {
        "position": 1.0,
        "party_status": 1.0,
        "party_card": 1.0,
        "birth_year": 0.0,
    }
    assert any("birth_year 1900" in line for line in report.misses)
    without = score(gold, {"001": ExtractedDocument((None,), (case("Лобов", "Г", ["expel"]),))})
    assert without.fields_given == {} and without.field_accuracy == {}
