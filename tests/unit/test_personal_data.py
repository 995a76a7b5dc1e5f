"""Personal data planted in every text column of an export appears in no output at all.

The export carries synthetic identity codes, phone numbers and e-mail addresses in open
text, a provider's own item, unit names, answer labels that get rejected, a date, a
cell right of the header, an over-long cell and a header text. Every file the run
writes (jsonl, csv, xlsx unpacked, manifest) and the report are searched for them.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import zipfile
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from harmonizer import harmonize, validate
from harmonizer.cli import main
from harmonizer.engine.exact import personal_id, personal_ids, record_uuid
from harmonizer.redaction import SHORTEST_PERSONAL, Redactor, hetu_check_char

MAPPING = """\
mapping: planted
version: "1"
schema_version: "1.0"
provider: {name: Testi Oy, system: web survey}
constants:
  county: "05"
  provider_id: "2345671-3"
  channel: web
  language: fi
  respondent: customer
  service_area: primary_care
response_id: {column: id}
fields:
  responded_at: {column: aika, formats: [iso]}
  unit_name: yksikkö
  gender: {column: sukupuoli, value_map: {nainen: female, mies: male}}
  nps: suosittelu
  ease: helppous
  timely_help: not_asked
  respect: not_asked
  joint_decisions: not_asked
  safety: not_asked
  info_understandable: not_asked
  useful: not_asked
  open_feedback: palaute
own_items:
  contact: {column: "Yhteydenotto (esim. palaute@example.fi)"}
"""
HEADER = [
    "id",
    "aika",
    "yksikkö",
    "sukupuoli",
    "suosittelu",
    "helppous",
    "palaute",
    "Yhteydenotto (esim. palaute@example.fi)",
]


def hetu(day: int, serial: int, sign: str = "-") -> str:
    born = dt.date(1952 if sign == "-" else 2004, 10, day)
    body = f"{born:%d%m}{born.year % 100:02d}{serial:03d}"
    return f"{body[:6]}{sign}{body[6:]}{hetu_check_char(body)}"


HETUS = [
    hetu(d, 300 + d, s)
    for d, s in ((11, "-"), (12, "A"), (13, "Y"), (14, "-"), (15, "B"), (16, "-"), (17, "A"))
]
# Written to slip past a pattern: full-width, cut by a line break at the sign (as a word
# processor wraps), with a zero-width space inside; and one as a response id.
HIDDEN = [hetu(d, 400 + d) for d in (18, 19, 20)]
FULL_WIDTH = {ord(c): ord(c) + 0xFEE0 for c in "0123456789-ABCDEFHJKLMNPRSTUVWXY"}
HIDDEN_TEXT = (
    f"Tunnus {HIDDEN[0].translate(FULL_WIDTH)}, toinen {HIDDEN[1][:7]}\n{HIDDEN[1][7:]} "
    f"ja {HIDDEN[2][:4]}\u200b{HIDDEN[2][4:]}"
)
PHONES = ["040 765 4321", "+358 50 111 2233", "(09) 876 5432", "0441234987"]
EMAILS = ["planted.person@example.fi", "toinen.henkilo@example.com", "kolmas(at)example.org"]
# What must not be found: every value whole, and its distinctive digits alone.
NEEDLES = [
    *HETUS,
    *(h[7:] for h in HETUS),
    *(h[6:] for h in HIDDEN),
    *(h[6:].translate(FULL_WIDTH) for h in HIDDEN),
    *PHONES,
    "7654321",
    "765 4321",
    "1112233",
    "111 2233",
    "876 5432",
    "1234987",
    "planted.person",
    "toinen.henkilo",
    "kolmas",
    "palaute@example.fi",
]


def rows() -> list[list[str]]:
    long_text = "x" * 78 + " " + HETUS[4] + " " + "y" * 33_000
    return [
        HEADER,
        # accepted: redacted in open text, unit name and own item
        [
            "P-1",
            "2026-10-04T12:00:00",
            f"Terveysasema, puh. {PHONES[0]}",
            "nainen",
            "9",
            "5",
            f"Hetu {HETUS[0]}, soita {PHONES[1]} tai {EMAILS[0]}",
            f"Ota yhteyttä {EMAILS[1]}",
        ],
        # rejected: personal data in answer labels and a code field
        [
            "P-2",
            "2026-10-04T13:00:00",
            "Terveysasema",
            EMAILS[2],
            f"soita {PHONES[2]}",
            HETUS[1],
            f"Hetu {HETUS[2]}",
            "",
        ],
        # rejected: a date that is an identity code, an over-long open answer
        ["P-3", HETUS[3], "Terveysasema", "mies", "8", "4", long_text, ""],
        # accepted with a warning: a cell right of the header
        ["P-4", "2026-10-05T08:00:00", "Terveysasema", "mies", "7", "4", "", "", PHONES[3]],
        # accepted: identity codes as response ids (a paper form keyed by the code);
        # codes written to slip past a pattern
        [HETUS[5], "2026-10-06T08:00:00", "Terveysasema", "mies", "6", "3", HIDDEN_TEXT, ""],
        [HETUS[6].translate(FULL_WIDTH), "2026-10-06T09:00:00", "Terveysasema", "", "", "", "", ""],
        # a duplicate of P-1: a reject with its raw cells
        [
            "P-1",
            "2026-10-04T12:00:00",
            f"Terveysasema, puh. {PHONES[0]}",
            "nainen",
            "9",
            "5",
            f"Hetu {HETUS[0]}, soita {PHONES[1]} tai {EMAILS[0]}",
            f"Ota yhteyttä {EMAILS[1]}",
        ],
    ]


@pytest.fixture
def planted(tmp_path: Path) -> tuple[Path, Path]:
    mapping = tmp_path / "planted.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    export = tmp_path / "planted.csv"
    with export.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows())
    return mapping, export


def texts_of(outdir: Path) -> dict[str, str]:
    """Return the text of every output file; xlsx files unpacked member by member."""
    found: dict[str, str] = {}
    for path in sorted(outdir.iterdir()):
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                for member in book.namelist():
                    found[f"{path.name}:{member}"] = book.read(member).decode("utf-8")
        else:
            found[path.name] = path.read_text(encoding="utf-8-sig")
    return found


def assert_clean(name: str, text: str) -> None:
    flat = re.sub(r"\s+", " ", text)
    for needle in NEEDLES:
        assert needle not in text, f"{needle!r} leaked into {name}"
        assert needle not in flat, f"{needle!r} leaked into {name} (across a line break)"


def test_planted_personal_data_reaches_no_output(
    planted: tuple[Path, Path], tmp_path: Path
) -> None:
    mapping, export = planted
    outdir = tmp_path / "out"
    result = harmonize(mapping, [export], outdir, formats=("csv", "xlsx"))
    counts = result.report.counts
    assert (counts.read, counts.accepted, counts.rejected, counts.duplicates) == (7, 4, 2, 1)
    texts = texts_of(outdir)
    assert len(texts) > 7  # jsonl, csv, xlsx parts, manifest
    for name, text in texts.items():
        assert_clean(name, text)
    assert_clean("report", orjson.dumps(result.report.to_dict()).decode())
    # What was redacted was counted, per kind, in the manifest.
    manifest = orjson.loads((outdir / "manifest.json").read_bytes())
    assert manifest["redactions"]["hetu"] >= 1
    assert manifest["redactions"]["phone"] >= 2
    assert manifest["redactions"]["email"] >= 2
    # The markers took the place of the values, and the rejects still say where.
    records = [orjson.loads(line) for line in (outdir / "records.jsonl").read_bytes().splitlines()]
    first = records[0]
    assert first["open_feedback"] == "Hetu [HETU], soita [PUHELIN] tai [EMAIL]"
    assert first["unit_name"] == "Terveysasema, puh. [PUHELIN]"
    assert first["own_items"]["contact"] == "Ota yhteyttä [EMAIL]"
    keyed = [r for r in records if r["source"]["response_id"] == "[HETU]"]
    assert len(keyed) == 2
    assert keyed[0]["open_feedback"] == "Tunnus [HETU], toinen [HETU] ja [HETU]"
    # The record_id is no hash of the code, which trying every code would undo.
    names = {f"2345671-3\x1fplanted\x1f{code}" for code in (HETUS[5], HETUS[6])}
    assert not {r["record_id"] for r in keyed} & {record_uuid(n) for n in names}
    rejects = [orjson.loads(line) for line in (outdir / "rejects.jsonl").read_bytes().splitlines()]
    located = {(i["row"], i["column"], i["code"]) for r in rejects for i in r["issues"]}
    assert (3, "suosittelu", "unknown-label") in located
    assert (3, "sukupuoli", "bad-code") in located
    assert (4, "palaute", "value-too-long") in located


def test_validate_report_is_clean(planted: tuple[Path, Path]) -> None:
    mapping, export = planted
    report = validate(mapping, [export])
    assert report.issue_counts["ragged-row"] == 1
    for issue in report.issues:
        assert_clean(f"issue {issue.code}", orjson.dumps(issue.to_dict()).decode())


def test_cli_output_is_clean(planted: tuple[Path, Path], tmp_path: Path) -> None:
    mapping, export = planted
    result = CliRunner().invoke(
        main,
        ["run", "-m", str(mapping), str(export), "-o", str(tmp_path / "cli"), "--format", "csv"],
    )
    assert result.exit_code == 0, result.output
    assert_clean("stdout", result.stdout)
    assert_clean("stderr", result.stderr)


def test_drop_open_text_leaves_it_out_everywhere(
    planted: tuple[Path, Path], tmp_path: Path
) -> None:
    mapping, export = planted
    outdir = tmp_path / "dropped"
    result = CliRunner().invoke(
        main,
        [
            "run",
            "-m",
            str(mapping),
            str(export),
            "-o",
            str(outdir),
            "--format",
            "csv,xlsx",
            "--drop-open-text",
        ],
    )
    assert result.exit_code == 0, result.output
    for name, text in texts_of(outdir).items():
        assert_clean(name, text)
        # Not even the redacted open text is left: no "Hetu [HETU]" and no long answer.
        assert "Hetu " not in text, name
        assert "xxxxxxxx" not in text, name
    records = [orjson.loads(line) for line in (outdir / "records.jsonl").read_bytes().splitlines()]
    assert records
    assert all(r["open_feedback"] is None for r in records)
    manifest = orjson.loads((outdir / "manifest.json").read_bytes())
    assert manifest["options"]["open_text"] == "drop"
    rejects = [orjson.loads(line) for line in (outdir / "rejects.jsonl").read_bytes().splitlines()]
    assert all(r["raw"].get("palaute") is None for r in rejects)
    # The long open answer is no longer read, so its row is no longer rejected for it.
    assert not any(i["code"] == "value-too-long" for r in rejects for i in r["issues"])


def test_a_file_and_a_sheet_named_after_a_respondent_reach_no_output(tmp_path: Path) -> None:
    """source.file, source.sheet, the manifest and every report format show them redacted."""
    code = HETUS[0]
    book = Workbook()
    sheet = book.active
    sheet.title = f"Potilas {code}"
    for row in rows()[:2]:
        sheet.append(row[: len(HEADER)])
    export = tmp_path / f"vastaus {code}.xlsx"
    book.save(export)
    mapping = tmp_path / "planted.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    outdir = tmp_path / "out"
    harmonize(mapping, [export], outdir, formats=("csv", "xlsx"))
    texts = texts_of(outdir)
    for name, text in texts.items():
        assert code not in text, name
    record = orjson.loads((outdir / "records.jsonl").read_bytes().splitlines()[0])
    assert record["source"]["file"] == "vastaus [HETU].xlsx"
    assert record["source"]["sheet"] == "Potilas [HETU]"
    runner = CliRunner()
    for fmt in ("text", "json", "github", "junit", "sarif"):
        result = runner.invoke(main, ["validate", "-m", str(mapping), str(export), "--format", fmt])
        assert result.exit_code in (0, 1), result.output
        assert code not in result.output, fmt
        assert code[:6] not in result.output, fmt


@settings(max_examples=500)
@given(
    st.lists(
        st.sampled_from(
            [*HETUS, *PHONES, *EMAILS, "R-", "1", "42", "\uff10", "\u200b", " ", "(a)", "@", "x"]
        ),
        max_size=6,
    ).map("".join)
)
def test_a_response_id_is_read_as_the_redactor_reads_it(text: str) -> None:
    """The quick test of personal_id never lets through what the redactor would replace."""
    found = personal_id(text)
    shown, counts = Redactor().redact(text)
    if len(text) >= SHORTEST_PERSONAL and counts:
        assert found is not None
        assert found.value == shown
    else:
        assert found is None


def test_respondents_behind_redacted_ids_stay_apart_and_a_repeat_is_a_duplicate(
    tmp_path: Path,
) -> None:
    """A redacted id gives no record_id: equal national values must not merge people."""
    from harmonizer.engine.exact import record_uuid
    from tests.helpers import run_export

    body = """\
    response_id: {column: id}
    fields:
      responded_at: aika
      unit_name: yksikko
      nps: nps
    """
    header = ["id", "aika", "yksikko", "nps"]
    same = ["23.11.2026 10:51", "Asema 1", "10"]
    # Zero-padded SMS ids read as phone numbers (0012345): redacted, so not the identity.
    ids = ["SMS-0012345", "SMS-0012346", "SMS-0012347", "SMS-0012346"]
    rows = [header, *([i, *same] for i in ids)]
    records, rejects, _ = run_export(tmp_path / "one", rows, body)
    # Three respondents, three records; the second repeated is one duplicate of its own.
    record_ids = [r["record_id"] for r in records]
    assert len(set(record_ids)) == 3
    assert record_ids[1:] == [record_uuid(f"{record_ids[0]}\x1f{n}") for n in (2, 3)]
    assert {r["source"]["response_id"] for r in records} == {"SMS-[PUHELIN]"}
    (reject,) = rejects
    assert (reject["outcome"], reject["row"]) == ("duplicate", 5)
    issue = next(i for i in reject["issues"] if i["code"] == "duplicate-response")
    assert (issue["field"], issue["value"]) == ("source.response_id", "SMS-[PUHELIN]")
    assert (issue["column"], issue["column_letter"]) == ("id", "A")
    assert "the same response as export.csv row 3: the same response id" in issue["message"]
    assert "remove the repeated row" in issue["message"]
    # The same export again gives the same record_ids.
    again, _, _ = run_export(tmp_path / "two", rows, body)
    assert [r["record_id"] for r in again] == record_ids


PERSONAL = st.sampled_from(
    ["040 100 2000", "+358 40 100 2000", "131052-308T", "a@b.fi", "x(at)y.fi", "x[at]y.fi"]
)
RESPONSE_IDS = st.one_of(
    st.none(),
    st.integers(0, 10**12),
    st.text(alphabet="0123456789 -+@()[]atAT.RBx", max_size=14),
    st.sampled_from(["", "B1234567", "R-1042"]),
    st.builds(
        "{}{}{}".format,
        st.sampled_from(["", "R", "id "]),
        PERSONAL,
        st.sampled_from(["", "x", " 7"]),
    ),
)


@settings(max_examples=300)
@given(
    st.lists(RESPONSE_IDS, min_size=60, max_size=90),
    st.sampled_from([None, "x\uff20y.fi", "\u0663" * 9]),
)
def test_response_ids_are_judged_in_bulk_as_one_by_one(
    ids: list[object], other: str | None
) -> None:
    # numpy tells most ids from the ones worth a look (ASCII ones: others are looked
    # at one by one); the look is personal_id's.
    ids = [*ids, other]
    expected = [v is not None and personal_id(str(v)) is not None for v in ids]
    assert personal_ids(ids) == expected  # type: ignore[arg-type]
