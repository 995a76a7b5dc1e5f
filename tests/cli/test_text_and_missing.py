"""Text values and missing values through the real CLI.

Line breaks come out as LF whatever wrote the export; the mapping's ``missing_values``
mean "no answer" in every mapped column; and every fix a message suggests works when
followed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner
from openpyxl import Workbook

from harmonizer.cli import main
from tests.helpers import BASE_MAPPING, read_jsonl, write_csv, write_mapping

HEADER = ["Tunniste", "Aika", "Yksikkö", "Suosittelu", "Palaute", "Sukupuoli", "Syntynyt", "Oma"]
FIELDS = """\
response_id: {column: Tunniste}
fields:
  responded_at: Aika
  unit_name: Yksikkö
  nps: Suosittelu
  open_feedback: Palaute
  gender: Sukupuoli
  age_group: {column: Syntynyt, derive: birth_year}
own_items:
  parking: {column: Oma}
"""


def row(rid: str, **cells: object) -> list[object]:
    values: dict[str, object] = {
        "Tunniste": rid,
        "Aika": "23.11.2026 14:05",
        "Yksikkö": "Oulun terveysasema",
        "Suosittelu": 9,
        "Palaute": "Kiitos",
        "Sukupuoli": "nainen",
        "Syntynyt": 1970,
        "Oma": "kyllä",
    }
    values.update(cells)
    return [values[name] for name in HEADER]


def run(folder: Path, export: Path, fields: str = FIELDS) -> Any:
    mapping = write_mapping(folder / "mapping.yaml", fields)
    result = CliRunner().invoke(
        main,
        ["run", "-m", str(mapping), str(export), "-o", str(folder / "out"), "-q"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output + result.stderr
    kept = {r["source"]["response_id"]: r for r in read_jsonl(folder / "out" / "records.jsonl")}
    rejects = read_jsonl(folder / "out" / "rejects.jsonl")
    return kept, rejects


def test_windows_line_breaks_become_lf_in_every_text_value(tmp_path: Path) -> None:
    export = write_csv(
        tmp_path / "export.csv",
        [
            HEADER,
            row(
                "crlf",
                Palaute="Kiitos\r\nhyvästä palvelusta\r\n\r\nTerveisin",
                Yksikkö="Oulun\r\nterveysasema",
                Oma="ensin\r\nsitten",
            ),
            row("cr", Palaute="vanha\rMac"),
        ],
    )
    kept, rejects = run(tmp_path, export)
    assert rejects == []
    assert kept["crlf"]["open_feedback"] == "Kiitos\nhyvästä palvelusta\n\nTerveisin"
    assert kept["crlf"]["unit_name"] == "Oulun\nterveysasema"
    assert kept["crlf"]["own_items"] == {"parking": "ensin\nsitten"}
    assert kept["cr"]["open_feedback"] == "vanha\nMac"
    text = (tmp_path / "out" / "records.jsonl").read_text(encoding="utf-8")
    assert "\\r" not in text


def test_line_breaks_in_xlsx_cells_become_lf(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(row("x", Palaute="yksi\r\nkaksi"))
    book.save(tmp_path / "export.xlsx")
    kept, _ = run(tmp_path, tmp_path / "export.xlsx")
    assert kept["x"]["open_feedback"] == "yksi\nkaksi"


def test_missing_values_mean_no_answer_in_every_mapped_column(tmp_path: Path) -> None:
    export = write_csv(
        tmp_path / "export.csv",
        [
            HEADER,
            row("dash", Palaute="-", Sukupuoli="-", Syntynyt="-", Oma="-"),
            row("others", Palaute="NA", Sukupuoli="n/a", Syntynyt="?", Oma="N/A"),
        ],
    )
    kept, rejects = run(tmp_path, export)
    assert rejects == []
    for rid in ("dash", "others"):
        record = kept[rid]
        assert (record["open_feedback"], record["gender"], record["age_group"]) == (
            None,
            None,
            None,
        )
        assert record["own_items"] == {"parking": None}


def test_the_mappings_own_missing_values_apply_too(tmp_path: Path) -> None:
    export = write_csv(
        tmp_path / "export.csv",
        [HEADER, row("x", Palaute="tyhjä", Sukupuoli="Tyhjä", Aika="tyhjä")],
    )
    kept, rejects = run(tmp_path, export, 'missing_values: ["tyhjä"]\n' + FIELDS)
    # The response time is required: blank (no answer) is a located required-missing.
    assert [i["code"] for r in rejects for i in r["issues"]] == ["required-missing"]
    assert rejects[0]["issues"][0]["column_letter"] == "B"
    assert kept == {}
    export = write_csv(
        tmp_path / "export.csv", [HEADER, row("x", Palaute="tyhjä", Sukupuoli="Tyhjä")]
    )
    kept, rejects = run(tmp_path, export, 'missing_values: ["tyhjä"]\n' + FIELDS)
    assert rejects == []
    assert (kept["x"]["open_feedback"], kept["x"]["gender"]) == (None, None)


def test_a_label_for_a_year_of_birth_follows_the_messages_fix(tmp_path: Path) -> None:
    export = write_csv(tmp_path / "export.csv", [HEADER, row("x", Syntynyt="ei halua kertoa")])
    _, rejects = run(tmp_path, export)
    issue = rejects[0]["issues"][0]
    assert (issue["code"], issue["field"]) == ("bad-number", "age_group")
    message = issue["message"]
    assert "value_map of fields.age_group" in message
    # check refuses missing: on age_group, so the message must not send anyone there.
    assert "missing" not in message
    # Follow the fix the message names.
    follow_the_age_group_fix(tmp_path, export, '"ei halua kertoa": null')


def test_a_value_map_still_wins_over_a_missing_value(tmp_path: Path) -> None:
    export = write_csv(tmp_path / "export.csv", [HEADER, row("x", Sukupuoli="-", Syntynyt="-")])
    fixed = FIELDS.replace(
        "  gender: Sukupuoli\n", '  gender: {column: Sukupuoli, value_map: {"-": other}}\n'
    )
    kept, _ = run(tmp_path, export, fixed)
    assert kept["x"]["gender"] == "other"


def test_a_missing_value_in_a_lookup_column_takes_the_default(tmp_path: Path) -> None:
    export = write_csv(tmp_path / "export.csv", [HEADER, row("x", Yksikkö="-")])
    fixed = (
        FIELDS.replace(
            "  unit_name: Yksikkö\n",
            "  unit_name: {column: Yksikkö, lookup: units, default: Tuntematon yksikkö}\n",
        )
        + "lookups:\n  units:\n    rows:\n      OULU: {unit_name: Oulun terveysasema}\n"
    )
    kept, rejects = run(tmp_path, export, fixed)
    assert rejects == []
    assert kept["x"]["unit_name"] == "Tuntematon yksikkö"


def _escaped_workbook(path: Path) -> Path:
    """Write an xlsx as Excel writes a carriage return: ``_x000D_`` in the cell's XML.

    XML cannot keep a CR as written, so Excel escapes it (ECMA-376 ST_Xstring), in shared
    and inline texts alike; ``_x005F_`` escapes an underscore that starts such a code.
    """
    import zipfile

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(row("x", Palaute="MARK1", Yksikkö="MARK2", Oma="MARK3"))
    book.save(path)
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    xml = xml.replace("MARK1", "yksi_x000D_\nkaksi_x000D_kolme")
    xml = xml.replace("MARK2", "Oulun_x000D__x000A_terveysasema")
    xml = xml.replace('t="inlineStr"><is><t>MARK3</t></is>', 't="s"><v>0</v>')
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    parts["xl/sharedStrings.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats'
        b'.org/spreadsheetml/2006/main"><si><t>ensin_x000D_\nsitten _x005F_x000D_</t></si></sst>'
    )
    parts["[Content_Types].xml"] = (
        parts["[Content_Types].xml"]
        .decode()
        .replace(
            "</Types>",
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        )
        .encode()
    )
    parts["xl/_rels/workbook.xml.rels"] = (
        parts["xl/_rels/workbook.xml.rels"]
        .decode()
        .replace(
            "</Relationships>",
            '<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        )
        .encode()
    )
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def test_excels_escaped_carriage_returns_become_lf(tmp_path: Path) -> None:
    kept, rejects = run(tmp_path, _escaped_workbook(tmp_path / "export.xlsx"))
    assert rejects == []
    record = kept["x"]
    assert record["open_feedback"] == "yksi\nkaksi\nkolme"
    assert record["unit_name"] == "Oulun\nterveysasema"
    # _x005F_ keeps a literal code that the provider typed as text.
    assert record["own_items"] == {"parking": "ensin\nsitten _x000D_"}


def test_a_missing_value_in_a_required_column_takes_the_default_the_message_asks_for(
    tmp_path: Path,
) -> None:
    header = [*HEADER, "Kanava"]
    export = write_csv(
        tmp_path / "export.csv",
        [header, [*row("blank"), ""], [*row("dash"), "-"], [*row("slash"), "N/A"]],
    )
    base = BASE_MAPPING.replace("  channel: web\n", "")
    fields = FIELDS.replace("  nps: Suosittelu\n", "  nps: Suosittelu\n  channel: Kanava\n")
    mapping = write_mapping(tmp_path / "mapping.yaml", fields, base=base)
    invoke = ["run", "-m", str(mapping), str(export), "-o", str(tmp_path / "out"), "-q"]
    assert CliRunner().invoke(main, invoke, catch_exceptions=False).exit_code == 0
    rejects = read_jsonl(tmp_path / "out" / "rejects.jsonl")
    assert [(r["row"], r["issues"][0]["code"]) for r in rejects] == [
        (number, "required-missing") for number in (2, 3, 4)
    ]
    message = rejects[1]["issues"][0]["message"]
    assert "give fields.channel a default in mapping.yaml" in message
    # Follow the fix: a '-' is no answer, as a blank cell is, so the default fills both.
    fixed = fields.replace("  channel: Kanava\n", "  channel: {column: Kanava, default: web}\n")
    for jobs in ("1", "2"):
        write_mapping(tmp_path / "mapping.yaml", fixed, base=base)
        result = CliRunner().invoke(main, [*invoke, "--jobs", jobs], catch_exceptions=False)
        assert result.exit_code == 0
        assert read_jsonl(tmp_path / "out" / "rejects.jsonl") == []
        kept = read_jsonl(tmp_path / "out" / "records.jsonl")
        assert [r["channel"] for r in kept] == ["web", "web", "web"]


def test_a_missing_value_as_the_response_id_is_no_id(tmp_path: Path) -> None:
    # Two different responses whose id column says '-': not one response repeated.
    export = write_csv(
        tmp_path / "export.csv",
        [HEADER, row("-", Suosittelu=9), row("-", Suosittelu=3), row("N/A", Suosittelu=5)],
    )
    mapping = write_mapping(tmp_path / "mapping.yaml", FIELDS)
    invoke = ["run", "-m", str(mapping), str(export), "-o", str(tmp_path / "out"), "-q"]
    for jobs in ("1", "2"):
        result = CliRunner().invoke(main, [*invoke, "--jobs", jobs], catch_exceptions=False)
        assert result.exit_code == 0
        assert read_jsonl(tmp_path / "out" / "rejects.jsonl") == []
        kept = read_jsonl(tmp_path / "out" / "records.jsonl")
        assert [(r["nps"], r["source"]["response_id"]) for r in kept] == [
            (9, None),
            (3, None),
            (5, None),
        ]


def test_an_implausible_year_of_birth_follows_the_messages_fix(tmp_path: Path) -> None:
    export = write_csv(tmp_path / "export.csv", [HEADER, row("x", Syntynyt=1850)])
    _, rejects = run(tmp_path, export)
    issue = rejects[0]["issues"][0]
    assert (issue["code"], issue["field"]) == ("out-of-range", "age_group")
    # check refuses missing: on age_group, so the message must not send anyone there.
    assert "missing" not in issue["message"]
    assert "value_map of fields.age_group" in issue["message"]
    follow_the_age_group_fix(tmp_path, export, '"1850": null')


def follow_the_age_group_fix(tmp_path: Path, export: Path, value_map: str) -> None:
    """Add ``value_map`` to age_group as the message says; check passes, nothing is rejected."""
    fixed = FIELDS.replace(
        "  age_group: {column: Syntynyt, derive: birth_year}\n",
        f"  age_group: {{column: Syntynyt, derive: birth_year, value_map: {{{value_map}}}}}\n",
    )
    mapping = write_mapping(tmp_path / "mapping.yaml", fixed)
    checked = CliRunner().invoke(main, ["check", str(mapping)], catch_exceptions=False)
    assert checked.exit_code == 0, checked.stdout
    kept, rejects = run(tmp_path, export, fixed)
    assert rejects == []
    assert kept["x"]["age_group"] is None
