"""Drafting the habits of survey tools, each on a small export of its own.

The unseen exports (tests/unseen_exports.py) measure whole drafts; these tests vary one
habit at a time (another numbering, another scale wording, the other order of day and
month) so that the draft is built for the kind of export, not for the few seen.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import Workbook

from harmonizer import check_mapping, draft_mapping, validate
from harmonizer.draft import DraftResult
from harmonizer.draft.profile import cell_codes, slash_patterns
from harmonizer.draft.vocabulary import clean_header

AGREE_FI = ["5", "4", "5", "3", "4", "5", "2", "4", "5", "1"]


def _draft(
    tmp_path: Path,
    rows: list[list[str]],
    *,
    name: str = "export.csv",
    delimiter: str = ";",
    timed: bool = False,
) -> tuple[dict[str, Any], DraftResult, Path]:
    """Draft a csv of ``rows``; ``timed`` adds a column of response times after the first."""
    if timed:
        times = _times(len(rows) - 1, dt.timedelta(hours=9))
        rows = [
            [row[0], "Vastattu" if n == 0 else f"{times[n - 1]:%d.%m.%Y %H:%M}", *row[1:]]
            for n, row in enumerate(rows)
        ]
    export = tmp_path / name
    with export.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    target = tmp_path / "draft.yaml"
    result = draft_mapping([export], target, provider_id="2345671-3", county="19")
    assert check_mapping(target).max_severity is None
    assert validate(target, [export]).counts.reconciles
    return yaml.safe_load(target.read_text(encoding="utf-8")), result, export


def _times(count: int, step: dt.timedelta) -> list[dt.datetime]:
    return [dt.datetime(2026, 10, 1, 8, 0) + step * i for i in range(count)]


@pytest.mark.parametrize(
    ("header", "cleaned"),
    [
        ("1. Asiointi oli sujuvaa", "Asiointi oli sujuvaa"),
        ("Q3) Sain apua ajoissa", "Sain apua ajoissa"),
        ("3a. Kohtelu oli arvostavaa", "Kohtelu oli arvostavaa"),
        ("K12: Palvelu oli hyödyllinen", "Palvelu oli hyödyllinen"),
        ("Q4 Koin oloni turvalliseksi", "Koin oloni turvalliseksi"),
        # A year or a count that begins a header is not a question's number.
        ("2026 palaute", "2026 palaute"),
        ("10 kertaa tai useammin", "10 kertaa tai useammin"),
        ("Vem svarar?\n(välj ett alternativ)", "Vem svarar?"),
        # A code alone stays what it is; a scale in parentheses still tells the scale.
        ("k2", "k2"),
        ("Suosittelu (0-10)", "Suosittelu (0-10)"),
    ],
)
def test_numbers_line_breaks_and_instructions_leave_the_question(header: str, cleaned: str) -> None:
    assert clean_header(header) == cleaned


def test_numbered_statements_in_any_numbering_are_found(tmp_path: Path) -> None:
    header = [
        "Vastaustunniste",
        "Aikaleima",
        "Q1) Asiointi oli sujuvaa",
        "2b. Minua kohdeltiin arvostavasti",
        "K3: Palvelusta oli minulle hyötyä",
    ]
    rows = [header] + [
        [str(100 + i), f"{t:%d.%m.%Y %H:%M}", AGREE_FI[i % 10], AGREE_FI[(i + 3) % 10], "4"]
        for i, t in enumerate(_times(30, dt.timedelta(hours=7)))
    ]
    data, _, _ = _draft(tmp_path, rows)
    assert data["fields"]["ease"] == {"column": "Q1) Asiointi oli sujuvaa"}
    assert data["fields"]["respect"] == {"column": "2b. Minua kohdeltiin arvostavasti"}
    assert data["fields"]["useful"] == {"column": "K3: Palvelusta oli minulle hyötyä"}


@pytest.mark.parametrize(
    ("start", "end"),
    [("Start time", "Completion time"), ("Aloitusaika", "Lähetetty"), ("Startad", "Inlämnad")],
)
def test_the_time_a_form_was_sent_is_the_response_time(
    tmp_path: Path, start: str, end: str
) -> None:
    # The start column comes first, as every tool writes it.
    rows = [["ID", start, end, "Asiointi oli sujuvaa"]]
    for i, t in enumerate(_times(25, dt.timedelta(hours=5))):
        rows.append(
            [str(i + 1), t.isoformat(" "), (t + dt.timedelta(minutes=4)).isoformat(" "), "5"]
        )
    data, result, _ = _draft(tmp_path, rows)
    assert data["fields"]["responded_at"]["column"] == end
    # The start time is kept as an own item, by design: no CHECK asks about it.
    assert [v["column"] for v in data["own_items"].values()] == [start]
    assert not any(start in check for check in result.checks)


def test_a_start_time_alone_is_the_response_time(tmp_path: Path) -> None:
    rows = [["ID", "Aloitettu", "Asiointi oli sujuvaa"]]
    rows += [
        [str(i), f"{t:%d.%m.%Y %H:%M}", "4"]
        for i, t in enumerate(_times(20, dt.timedelta(hours=3)))
    ]
    data, _, _ = _draft(tmp_path, rows)
    assert data["fields"]["responded_at"]["column"] == "Aloitettu"


@pytest.mark.parametrize(
    ("written", "pattern", "sure"),
    [
        ("{t.month}/{t.day}/{t.year} {t:%H:%M}", "%m/%d/%Y %H:%M", True),
        ("{t:%d/%m/%Y %H:%M:%S}", "%d/%m/%Y %H:%M:%S", True),
        ("{t.day}/{t.month}/{t.year}", "%d/%m/%Y", True),
    ],
)
def test_slash_dates_take_their_order_from_a_day_over_12(
    tmp_path: Path, written: str, pattern: str, sure: bool
) -> None:
    rows = [["ID", "Date", "Asiointi oli sujuvaa"]]
    rows += [
        [str(i), written.format(t=t), "5"] for i, t in enumerate(_times(30, dt.timedelta(hours=19)))
    ]
    data, result, export = _draft(tmp_path, rows)
    assert data["fields"]["responded_at"]["formats"] == [pattern]
    assert validate(tmp_path / "draft.yaml", [export]).counts.rejected == 0
    assert any("day first" in c for c in result.checks) is not sure


def test_slash_dates_with_no_day_over_12_ask_which_comes_first(tmp_path: Path) -> None:
    rows = [["ID", "Date", "Asiointi oli sujuvaa"]]
    rows += [[str(i), f"{1 + i % 12}/{1 + i % 9}/2026", "5"] for i in range(20)]
    data, result, _ = _draft(tmp_path, rows)
    assert data["fields"]["responded_at"]["formats"] == ["%d/%m/%Y"]
    assert any("day first" in c and "guess" in c for c in result.checks)
    assert slash_patterns(["3/14/2025"]) == (["%m/%d/%Y"], "'3/14/2025': 14 is a day")


@pytest.mark.parametrize(
    ("scale", "missing"),
    [
        (
            [
                "Stämmer inte alls",
                "Stämmer ganska dåligt",
                "Varken eller",
                "Stämmer ganska bra",
                "Stämmer helt",
            ],
            "Vet inte",
        ),
        (
            ["Helt oenig", "Delvis oenig", "Varken enig eller oenig", "Delvis enig", "Helt enig"],
            "Vet ej",
        ),
        (
            [
                "Strongly disagree",
                "Disagree",
                "Neither agree nor disagree",
                "Agree",
                "Strongly agree",
            ],
            "Don't know",
        ),
        (
            [
                "Ei pidä lainkaan paikkaansa",
                "Pitää huonosti paikkansa",
                "Ei hyvin eikä huonosti",
                "Pitää melko hyvin paikkansa",
                "Pitää täysin paikkansa",
            ],
            "En osaa sanoa",
        ),
    ],
)
def test_a_tools_agreement_labels_fill_the_whole_scale(
    tmp_path: Path, scale: list[str], missing: str
) -> None:
    # The sample holds only the agreeing end of the scale, as small samples do.
    seen = [scale[4], scale[3], scale[4], scale[2], missing]
    rows = [["ID", "Jag fick hjälp i rätt tid"]]
    rows += [[str(i), seen[i % 5]] for i in range(30)]
    data, _, _ = _draft(tmp_path, rows, timed=True)
    assert data["fields"]["timely_help"]["column"] == "Jag fick hjälp i rätt tid"
    # The next export holds the disagreeing end too: nothing of it is rejected.
    later = tmp_path / "later.csv"
    with later.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerows(
            [
                ["ID", "Vastattu", rows[0][1]],
                *([str(100 + n), "3.11.2026 10:00", label] for n, label in enumerate(scale)),
            ]
        )
    report = validate(tmp_path / "draft.yaml", [later])
    assert report.counts.rejected == 0, [i.message for i in report.issues][:3]


def test_the_unchosen_labels_of_a_tools_scale_are_in_the_value_map(tmp_path: Path) -> None:
    rows = [["ID", "Personalen bemötte mig vänligt"]]
    rows += [[str(i), ["Helt enig", "Ganska enig", "Vet ej"][i % 3]] for i in range(24)]
    data, _, _ = _draft(tmp_path, rows, timed=True)
    assert data["fields"]["respect"]["value_map"] == {
        "Helt enig": 5,
        "Ganska enig": 4,
        "Helt oenig": 1,
        "Ganska oenig": 2,
        "Varken enig eller oenig": 3,
    }
    # "Vet ej" is a missing answer the engine knows: no entry needed.
    assert "missing" not in data["fields"]["respect"]


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (["Asiakkaana", "Omaisena", "Asiakkaana"], {"Omaisena": "close_person"}),
        (["Itse", "Läheisenä", "Itse"], {"Läheisenä": "close_person"}),
        (
            ["Som patient", "Som anhörig", "Patient som fick hjälp att svara"],
            {
                "Som anhörig": "close_person",
                "Patient som fick hjälp att svara": "customer_assisted",
            },
        ),
    ],
)
def test_respondents_are_read_from_their_wordings_under_any_header(
    tmp_path: Path, answers: list[str], expected: dict[str, str]
) -> None:
    rows = [["ID", "Rooli", "Asiointi oli sujuvaa"]]
    rows += [[str(i), answers[i % 3], "5"] for i in range(21)]
    data, _, _ = _draft(tmp_path, rows, timed=True)
    value_map = data["fields"]["respondent"].get("value_map", {})
    for label, code in expected.items():
        assert value_map[label] == code


@pytest.mark.parametrize("points", [6, 7, 10])
def test_a_longer_scale_is_an_adapted_statement_never_nps(tmp_path: Path, points: int) -> None:
    header = f"Sain ymmärrettävää tietoa hoidostani (1-{points})"
    rows = [["ID", header]] + [[str(i), str(1 + (i * 5) % points)] for i in range(30)]
    data, result, _ = _draft(tmp_path, rows, timed=True)
    rule = data["fields"]["info_understandable"]
    assert rule["scale"] == f"1-{points}"
    assert rule["adapted"] is True
    assert sorted(rule["recode"]) == list(range(1, points + 1))
    assert "nps" not in data["fields"] or data["fields"]["nps"] == "not_asked"
    assert any("adapted" in c for c in result.checks)


def test_a_one_to_ten_scale_is_never_nps(tmp_path: Path) -> None:
    rows = [["ID", "Kuinka todennäköisesti suosittelisit meitä? (1-10)"]]
    rows += [[str(i), str([10, 9, 8, 10, 7, 5, 1][i % 7])] for i in range(28)]
    data, result, _ = _draft(tmp_path, rows, timed=True)
    assert data["fields"]["nps"] == "not_asked"
    (item,) = data["own_items"].values()
    assert item["column"] == rows[0][1]
    assert any("1-10 (not NPS, which is 0-10)" in c for c in result.checks)


def test_decimal_commas_are_whole_answers(tmp_path: Path) -> None:
    rows = [["ID", "Asiointi oli sujuvaa", "Suosittelisitko meitä? (0-10)"]]
    rows += [[str(i), f"{AGREE_FI[i % 10]},0", f"{[10, 9, 7, 8, 3][i % 5]},0"] for i in range(25)]
    data, _, export = _draft(tmp_path, rows, timed=True)
    assert data["fields"]["ease"] == {"column": "Asiointi oli sujuvaa"}
    assert data["fields"]["nps"] == {"column": "Suosittelisitko meitä? (0-10)"}
    assert validate(tmp_path / "draft.yaml", [export]).counts.rejected == 0


def test_two_codes_are_an_own_item_not_a_statement(tmp_path: Path) -> None:
    rows = [["ID", "Asiointi oli sujuvaa", "Palvelu oli ajallaan"]]
    rows += [[str(i), AGREE_FI[i % 10], ["1", "2", "1"][i % 3]] for i in range(30)]
    data, _, _ = _draft(tmp_path, rows, timed=True)
    assert data["fields"]["timely_help"] == "not_asked"
    assert [v["column"] for v in data["own_items"].values()] == ["Palvelu oli ajallaan"]


@pytest.mark.parametrize(
    ("column", "cell", "marker"),
    [
        ("Puhelin", "+358 40 000 {n:04d}", "[PUHELIN]"),
        ("Yhteystieto", "0400 00{n:04d}", "[PUHELIN]"),
        ("Henkilötunnus", "hetu", "[HETU]"),
    ],
)
def test_personal_data_is_flagged_never_a_field(
    tmp_path: Path, column: str, cell: str, marker: str
) -> None:
    def value(i: int) -> str:
        if cell != "hetu":
            return cell.format(n=100 + i)
        day = dt.date(1950, 1, 1) + dt.timedelta(days=300 * i)
        digits = f"{day:%d%m%y}{900 + i:03d}"
        return f"{day:%d%m%y}-{900 + i:03d}{'0123456789ABCDEFHJKLMNPRSTUVWXY'[int(digits) % 31]}"

    rows = [["ID", column, "Asiointi oli sujuvaa"]]
    rows += [[str(i), value(i), "5"] for i in range(12)]
    data, result, _ = _draft(tmp_path, rows, timed=True)
    assert not any(
        isinstance(rule, dict) and rule.get("column") == column for rule in data["fields"].values()
    )
    (check,) = [c for c in result.checks if f"'{column}' holds" in c]
    assert marker in check
    assert "delete this item" in check
    assert data["response_id"] == {"column": "ID"}


def test_zero_padded_ids_are_not_phone_numbers(tmp_path: Path) -> None:
    rows = [["Lomakenumero", "Asiointi oli sujuvaa"]]
    rows += [[f"{i:07d}", AGREE_FI[i % 10]] for i in range(1, 25)]
    data, result, _ = _draft(tmp_path, rows, timed=True)
    assert data["response_id"] == {"column": "Lomakenumero"}
    assert not any("phone" in c for c in result.checks)


def test_unit_oids_feed_unit_id_and_the_unit_list_stops_asking(tmp_path: Path) -> None:
    rows = [["ID", "Toimipiste", "Toimipisteen OID", "Asiointi oli sujuvaa"]]
    units = [
        ("Oulun terveysasema", "1.2.246.10.2345671.10.3"),
        ("Kempeleen hammashoitola", "1.2.246.10.2345671.10.9"),
    ]
    rows += [[str(i), *units[i % 2], "5"] for i in range(20)]
    data, result, _ = _draft(tmp_path, rows, timed=True)
    assert data["fields"]["unit_id"] == {"column": "Toimipisteen OID"}
    assert not any("fill unit_id" in c for c in result.checks)


@pytest.mark.parametrize(
    ("cell", "codes"),
    [
        ("1=Kyllä; 2=Ei", {"1": "Kyllä", "2": "Ei"}),
        (
            "1 = Asiakas, 2 = Omainen, 3 = Asiakas, avustettuna",
            {"1": "Asiakas", "2": "Omainen", "3": "Asiakas, avustettuna"},
        ),
        ("1) ei\n2) kyllä", {}),
        ("1=Kyllä\n2=Ei\n9=En osaa sanoa", {"1": "Kyllä", "2": "Ei", "9": "En osaa sanoa"}),
        ("Täysin samaa mieltä", {}),
    ],
)
def test_a_codebook_cell_may_hold_several_codes(cell: str, codes: dict[str, str]) -> None:
    assert cell_codes(cell) == codes


def test_codes_that_hold_for_one_column_only(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Vastaukset"
    sheet.append(["nro", "pvm", "rooli", "k1", "k2"])
    for i in range(30):
        sheet.append(
            [
                i + 1,
                dt.datetime(2026, 10, 1 + i % 28, 9),
                [1, 2, 1][i % 3],
                [1, 2][i % 2],
                [5, 4, 3, 5][i % 4],
            ]
        )
    book = workbook.create_sheet("Muuttujat")
    book.append(["Muuttuja", "Selite", "Arvot"])
    book.append(["rooli", "Kuka vastasi?", "1=Omainen; 2=Asiakas"])
    book.append(["k1", "Saitko ajan helposti?", "1=Kyllä; 2=Ei"])
    book.append(
        ["k2", "Minua kohdeltiin arvostavasti", "1=Täysin eri mieltä; 5=Täysin samaa mieltä"]
    )
    export = tmp_path / "lomake.xlsx"
    workbook.save(export)
    target = tmp_path / "draft.yaml"
    draft_mapping([export], target, provider_id="2345671-3", county="19")
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    # 1 is the close person here, whatever the schema's order says.
    assert data["fields"]["respondent"]["value_map"] == {"1": "close_person", "2": "customer"}
    assert data["fields"]["respect"] == {"column": "k2"}
    (item,) = [v for v in data["own_items"].values() if v["column"] == "k1"]
    assert item["scale"] == "yes_no"
    assert item["value_map"] == {"1": "yes", "2": "no"}


def test_a_long_export_of_question_texts(tmp_path: Path) -> None:
    questions = [
        "How likely are you to recommend us to a friend? (0-10)",
        "Staff treated me with respect",
        "I felt safe during my visit",
        "Anything else you would like to tell us?",
    ]
    rows = [["Response ID", "Submitted", "Question", "Answer"]]
    for i, t in enumerate(_times(20, dt.timedelta(hours=6))):
        answers = [
            str([10, 9, 6, 8][i % 4]),
            ["5", "4", "5", "3"][i % 4],
            "4",
            ["Thanks, the nurse was very kind", "", "The wait was far too long", ""][i % 4],
        ]
        rows += [
            [f"R{i}", t.isoformat(" "), q, a] for q, a in zip(questions, answers, strict=True) if a
        ]
    data, _, _ = _draft(tmp_path, rows)
    assert data["layout"] == "long"
    assert data["fields"]["nps"] == {"question": questions[0]}
    assert data["fields"]["respect"] == {"question": questions[1]}
    assert data["fields"]["safety"] == {"question": questions[2]}
    assert data["fields"]["open_feedback"] == {"question": questions[3]}


@pytest.mark.parametrize(
    "faces",
    [
        ["Erittäin hyvä", "Hyvä", "Huono", "Erittäin huono"],
        ["Very happy", "Happy", "Unhappy", "Very unhappy"],
        ["Mycket nöjd", "Nöjd", "Missnöjd"],
    ],
)
def test_kiosk_faces_written_as_words(tmp_path: Path, faces: list[str]) -> None:
    rows = [["Aika", "Laite", "Hymiö"]]
    rows += [
        [t.isoformat(" "), "Oulun terveysasema", faces[i % len(faces)]]
        for i, t in enumerate(_times(24, dt.timedelta(minutes=50)))
    ]
    data, _, _ = _draft(tmp_path, rows, name="kiosk.csv")
    (item,) = data["own_items"].values()
    assert item["scale"] == "smiley4"
    assert item["value_map"][faces[0]] == 4
    assert item["value_map"][faces[-1]] == (1 if len(faces) == 4 else 2)


def test_headers_that_are_national_field_names_name_those_fields(tmp_path: Path) -> None:
    """An export made for the national survey heads its columns with the field names."""
    header = ["responded_at", "unit_name", "nps", "ease", "timely_help", "info_understandable"]
    rows = [header] + [
        [f"{t:%d.%m.%Y %H:%M}", "Asema 1", str(i % 11), *(AGREE_FI[(i + k) % 10] for k in range(3))]
        for i, t in enumerate(_times(30, dt.timedelta(hours=5)))
    ]
    data, _, _ = _draft(tmp_path, rows)
    for name in ("nps", "ease", "timely_help", "info_understandable"):
        assert data["fields"][name] == {"column": name}, data["fields"].get(name)


def test_a_header_that_names_a_value_of_a_field_does_not_name_the_field(tmp_path: Path) -> None:
    """'Pysäköinti' is a touchpoint's label; a yes/no column so headed is an own item."""
    header = ["Aika", "Yksikkö", "Suosittelu", "Pysäköinti"]
    rows = [header] + [
        [f"{t:%d.%m.%Y %H:%M}", "Asema 1", str(i % 11), "Kyllä" if i % 3 else "Ei"]
        for i, t in enumerate(_times(30, dt.timedelta(hours=5)))
    ]
    data, _, _ = _draft(tmp_path, rows)
    assert "touchpoint" not in data["fields"]
    item = data["own_items"]["pysakointi"]
    assert item["column"] == "Pysäköinti"
    assert item["scale"] == "yes_no"


def test_an_export_of_thousands_of_rows_keeps_its_response_id(tmp_path: Path) -> None:
    """Past the 200 values a column's profile remembers, an id still reads as an id."""
    header = ["Vastaustunniste", "Aika", "Yksikkö", "Suosittelu", "Palaute"]
    rows = [header] + [
        [
            f"R{100000 + i}",
            f"{t:%d.%m.%Y %H:%M}",
            f"Asema {i % 3 + 1}",
            str(i % 11),
            f"Vastaus numero {i}: kiitos hyvästä palvelusta" if i % 4 == 0 else "",
        ]
        for i, t in enumerate(_times(3000, dt.timedelta(minutes=37)))
    ]
    data, _, _ = _draft(tmp_path, rows)
    assert data["response_id"] == {"column": "Vastaustunniste"}
    assert data["fields"]["open_feedback"] == {"column": "Palaute"}
