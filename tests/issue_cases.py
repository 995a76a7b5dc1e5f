"""How to trigger every issue code: a real mapping and (for data codes) a real export.

Shared by ``tests/cli/test_issue_codes.py`` (every code is raised) and
``tools/issues_doc.py`` (the examples of ``docs/issues.md`` are these cases' real text
reports). A case is run in a folder holding ``mapping.yaml`` and ``export.csv``, with
the paths given relative to it, so the reports name no temporary folder.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner, Result

from harmonizer.cli import main
from harmonizer.issues import IssueCode

HEADER = "Vastaus;Aika;Yksikkö;Suosittelu;Sujuvuus;Kanava;Palaute"
GOOD = "r1;23.11.2026 14:05;Oulun terveysasema;9;Täysin samaa mieltä;web;Kiitos"

MAPPING = """\
mapping: test-web
version: "1"
schema_version: "1.0"
provider: {name: Testi Oy}
source: {format: csv, delimiter: ";"}
response_id: {column: Vastaus}
constants:
  county: "19"
  provider_id: "2345671-3"
  language: fi
  respondent: customer
  service_area: primary_care
fields:
  responded_at: Aika
  unit_name: Yksikkö
  channel: Kanava
  nps: Suosittelu
  ease: Sujuvuus
  open_feedback: Palaute
"""

LONG_MAPPING = """\
mapping: test-sms
version: "1"
schema_version: "1.0"
provider: {name: Testi Oy}
source: {format: csv, delimiter: ";"}
layout: long
long:
  response_id: {column: id}
  question: {column: q}
  answer: {column: a}
  pivot_window: 1
constants:
  county: "21"
  provider_id: "5678904-7"
  channel: sms
  language: fi
  respondent: customer
  service_area: primary_care
  unit_name: Rovaniemen terveyskeskus
fields:
  responded_at: {column: aika, formats: [iso]}
  nps: {question: NPS}
"""

LONG_HEADER = "id;aika;q;a"

MAPPING_FILE = "mapping.yaml"
EXPORT_FILE = "export.csv"


@dataclass(frozen=True)
class Case:
    """How to trigger one code: 'validate' with rows, or 'check' (with a sample)."""

    command: str
    mapping: str = MAPPING
    rows: tuple[str, ...] = ()
    header: str = HEADER
    show_info: bool = False
    export: str = EXPORT_FILE
    """The export's name: ``export.xlsx`` writes the rows into a workbook (a cell
    starting with ``=`` becomes a formula without a computed value)."""

    def arguments(self, fmt: str) -> list[str]:
        """Return the command line, naming the files relative to the case's folder."""
        if self.command == "validate":
            shown = ["--show-info"] if self.show_info else []
            return ["validate", "-m", MAPPING_FILE, self.export, *shown, "--format", fmt]
        args = ["check", MAPPING_FILE, "--format", fmt]
        if self.rows:
            args += ["--sample", self.export]
        return args

    def command_line(self) -> str:
        """Return the command as a user types it (``--format`` left out)."""
        args = self.arguments("text")
        at = args.index("--format")
        return " ".join(["harmonizer", *args[:at], *args[at + 2 :]])


def data(*rows: str, mapping: str = MAPPING, header: str = HEADER, show_info: bool = False) -> Case:
    return Case("validate", mapping, rows, header, show_info)


def check(mapping: str, *rows: str, header: str = HEADER) -> Case:
    return Case("check", mapping, rows, header)


def good_with(**cells: str) -> str:
    names = HEADER.split(";")
    values = dict(zip(names, GOOD.split(";"), strict=True))
    for key, value in cells.items():
        values[
            {
                "time": "Aika",
                "unit": "Yksikkö",
                "nps": "Suosittelu",
                "ease": "Sujuvuus",
                "channel": "Kanava",
                "text": "Palaute",
                "rid": "Vastaus",
            }[key]
        ] = value
    return ";".join(values[n] for n in names)


CASES: dict[IssueCode, Case] = {
    IssueCode.UNKNOWN_LABEL: data(good_with(ease="Erittäin hyvä")),
    IssueCode.OUT_OF_RANGE: data(good_with(nps="12")),
    IssueCode.BAD_NUMBER: data(
        good_with(unit="vanha"),
        mapping=MAPPING.replace("  unit_name: Yksikkö\n", "  unit_name: Palaute\n")
        + "  age_group: {column: Yksikkö, derive: age}\n",
    ),
    IssueCode.BAD_DATE: data(good_with(time="eilen")),
    IssueCode.BAD_CODE: data(good_with(channel="fax")),
    IssueCode.LOOKUP_MISSING: data(
        good_with(channel="Verkko"),
        mapping=MAPPING.replace("  channel: Kanava\n", "  channel: {column: Kanava, lookup: ch}\n")
        + "lookups:\n  ch:\n    rows:\n      Tekstiviesti: {channel: sms}\n",
    ),
    IssueCode.REQUIRED_MISSING: data(good_with(unit="")),
    IssueCode.LOOKUP_INCOMPLETE: data(
        good_with(channel="Verkko"),
        mapping=MAPPING.replace("  channel: Kanava\n", "  channel: {column: Kanava, lookup: ch}\n")
        + "lookups:\n  ch:\n    rows:\n      Verkko: {channel: null}\n",
    ),
    IssueCode.OUTSIDE_REFORM: data(
        good_with(text="Ahvenanmaa"),
        mapping=MAPPING.replace('  county: "19"\n', "").replace(
            "  open_feedback: Palaute\n", "  county: Alue\n"
        ),
        header=HEADER.replace("Palaute", "Alue"),
    ),
    IssueCode.VALUE_TOO_LONG: data(good_with(text="x" * 32_001)),
    IssueCode.IMPOSSIBLE_DATE: data(good_with(time="31.6.2026 14:05")),
    IssueCode.IMPLAUSIBLE_DATE: data(good_with(time="31.12.9999 23:59")),
    IssueCode.OFF_SCALE: data(
        good_with(text="7"),
        mapping=MAPPING.replace('schema_version: "1.0"', 'schema_version: "1.1"').replace(
            "  open_feedback: Palaute\n", ""
        )
        + "own_items:\n  hymy: {column: Palaute, scale: smiley4}\n",
    ),
    IssueCode.FORMULA_WITHOUT_VALUE: Case(
        "validate",
        MAPPING.replace('source: {format: csv, delimiter: ";"}', "source: {format: xlsx}"),
        (good_with(nps="=4+5"),),
        export="export.xlsx",
    ),
    IssueCode.FORMULA_ERROR: Case(
        "validate",
        MAPPING.replace('source: {format: csv, delimiter: ";"}', "source: {format: xlsx}"),
        (good_with(nps="#DIV/0!"),),
        export="export.xlsx",
    ),
    IssueCode.CONTROL_CHARACTER: data(good_with(text="Kiitos\x00\x07")),
    IssueCode.DUPLICATE_RESPONSE: data(GOOD, GOOD),
    IssueCode.CONFLICTING_ANSWER: data(
        "A;2026-11-23T14:05:00;NPS;9",
        "A;2026-11-23T14:05:00;NPS;3",
        mapping=LONG_MAPPING,
        header=LONG_HEADER,
    ),
    IssueCode.UNKNOWN_QUESTION: data(
        "A;2026-11-23T14:05:00;NPS;9",
        "A;2026-11-23T14:05:00;Q9;3",
        mapping=LONG_MAPPING,
        header=LONG_HEADER,
    ),
    IssueCode.RESPONSE_NOT_CONTIGUOUS: data(
        "A;2026-11-23T14:05:00;NPS;9",
        "B;2026-11-23T14:06:00;NPS;8",
        "C;2026-11-23T14:07:00;NPS;7",
        "A;2026-11-23T14:05:00;S1;4",
        mapping=LONG_MAPPING + "  ease: {question: S1}\n",
        header=LONG_HEADER,
    ),
    IssueCode.RAGGED_ROW: data(GOOD + ";extra;cells"),
    IssueCode.DUPLICATE_HEADER: data(GOOD + ";4", header=HEADER + ";Sujuvuus"),
    IssueCode.UNUSED_COLUMN: data(GOOD + ";B12", header=HEADER + ";Lomakekoodi", show_info=True),
    IssueCode.SCHEMA_VIOLATION: data(
        good_with(unit="Oulu"),
        mapping=MAPPING + "  unit_id: Yksikkö\n",
    ),
    IssueCode.SUSPICIOUS_MULTILINE: data(
        good_with(rid="r1", text='"Hyvä'),
        good_with(rid="r2"),
        good_with(rid="r3", text='Kiitos"'),
    ),
    IssueCode.UNDECODABLE_LINE: data(GOOD, good_with(rid="r2", text="Hyv\udce4")),
    IssueCode.AMBIGUOUS_TIME: data(good_with(time="25.10.2026 03:30"), show_info=True),
    IssueCode.NONEXISTENT_TIME: data(good_with(time="29.03.2026 03:30")),
    IssueCode.REDACTED: data(
        good_with(text="Soittakaa 040 1234567 tai 131052-308T"), show_info=True
    ),
    # A quote opened in the header and never closed: the file cannot be split into cells.
    IssueCode.UNREADABLE_EXPORT: data(GOOD, header='"' + HEADER),
    IssueCode.MAPPING_YAML: check("mapping: [unclosed\n"),
    IssueCode.MAPPING_SCHEMA: check(
        MAPPING.replace("  ease: Sujuvuus\n", "  ease: {colum: Sujuvuus}\n")
    ),
    IssueCode.UNKNOWN_SCHEMA_VERSION: check(MAPPING.replace('"1.0"', '"9.9"')),
    IssueCode.UNKNOWN_FIELD: check(MAPPING + "  nps_score: Suosittelu\n"),
    IssueCode.DUPLICATE_SOURCE: check(MAPPING + "  nps: Sujuvuus\n"),
    IssueCode.DUPLICATE_KEY: check(
        MAPPING.replace(
            "  ease: Sujuvuus\n",
            "  ease:\n    column: Sujuvuus\n    value_map:\n      Hyvä: 4\n      Hyvä: 5\n",
        )
    ),
    IssueCode.MISSING_SOURCE: check(MAPPING.replace('  county: "19"\n', "")),
    IssueCode.BAD_CONSTANT: check(MAPPING.replace('"2345671-3"', '"2345671-4"')),
    IssueCode.BAD_TARGET: check(
        MAPPING + "  gender: {column: Kanava, value_map: {nainen: woman}}\n"
    ),
    IssueCode.MISSING_LOOKUP: check(
        MAPPING.replace("  unit_name: Yksikkö\n", "  unit_name: {column: Yksikkö, lookup: units}\n")
        + "lookups:\n  units: {file: units.csv, key: code}\n"
    ),
    IssueCode.DUPLICATE_LOOKUP_KEY: check(
        MAPPING.replace("  unit_name: Yksikkö\n", "  unit_name: {column: Yksikkö, lookup: units}\n")
        + "lookups:\n  units:\n    key: yksikkö\n    rows:\n"
        + "      Oulun terveysasema: {unit_name: Oulun terveysasema}\n"
        + "      OULUN TERVEYSASEMA: {unit_name: Oulun tk}\n"
    ),
    IssueCode.SCALE_NOT_COVERED: check(
        MAPPING.replace(
            "  ease: Sujuvuus\n",
            "  ease:\n    column: Sujuvuus\n    value_map: {Erinomainen: 5, Hyvä: 4, Huono: 2, Surkea: 1}\n",
        )
    ),
    IssueCode.MAPPING_RULE: check(
        MAPPING.replace("  nps: Suosittelu\n", "  nps: {column: Suosittelu, scale: '1-5'}\n")
    ),
    IssueCode.COLUMN_NOT_FOUND: check(MAPPING, GOOD, header=HEADER.replace("Sujuvuus", "Helppous")),
}

# Codes in the catalogue that this version never raises, and what happens instead. Their
# trigger tests are strict xfails, and docs/issues.md marks them reserved; when a code
# starts being raised, remove it here (both then follow).
NOT_RAISED_YET: dict[IssueCode, str] = {}


def write_case(case: Case, folder: Path) -> None:
    """Write the case's ``mapping.yaml`` and export (csv, or xlsx) into ``folder``.

    A csv row may hold lone surrogates (``"\\udce4"``): they are written as the raw
    bytes they stand for, to make a file that is not valid UTF-8 in places.
    """
    (folder / MAPPING_FILE).write_text(case.mapping, encoding="utf-8")
    if case.export.endswith(".xlsx"):
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        for line in (case.header, *case.rows):
            sheet.append(line.split(";"))
        book.save(folder / case.export)
        return
    export = "\n".join((case.header, *case.rows)) + "\n"
    (folder / case.export).write_text(export, encoding="utf-8", errors="surrogateescape")


def run_case(case: Case, folder: Path, fmt: str = "json") -> Result:
    """Write the case into ``folder`` and run its command there, reporting in ``fmt``."""
    write_case(case, folder)
    # An English locale: the reports' default language follows it (docs/issues.md is English).
    english = {"LC_ALL": None, "LC_MESSAGES": None, "LANG": "C.UTF-8"}
    with contextlib.chdir(folder):
        return CliRunner(env=english).invoke(main, case.arguments(fmt), catch_exceptions=False)
