"""Command-line habits: data on stdout or -o, everything else on stderr; progress with a
total; -V; colour only on a terminal; messages that say how to write what was meant."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from openpyxl import Workbook

from harmonizer import __version__
from harmonizer.cli import main
from harmonizer.io.extent import estimate_rows
from tests.cli.test_kill import EXAMPLE, MAPPING, big_export
from tests.helpers import ROOT, write_csv, write_mapping

ANSI = re.compile(r"\x1b\[[0-9;]*m")
COMMAND = Path(sys.executable).parent / "harmonizer"


def invoke(*args: str | Path) -> Result:
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    print(result.stdout, result.stderr)
    return result


def on_terminal(args: list[str | Path], *, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run the real command with stdout and stderr on a pseudo-terminal; return its output."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [COMMAND, *map(str, args)],
        stdout=follower,
        stderr=follower,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closes when the process ends (EIO on Linux)
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return process.wait(), b"".join(chunks).decode("utf-8", "replace")


def test_version() -> None:
    for flag in ("-V", "--version"):
        result = invoke(flag)
        assert result.exit_code == 0
        assert result.stdout == f"harmonizer {__version__}\n"


def test_summaries_go_to_stderr_and_data_to_stdout(tmp_path: Path) -> None:
    run = invoke("run", "-m", MAPPING, EXAMPLE, "-o", tmp_path / "run")
    assert run.exit_code == 0
    assert run.stdout == ""
    assert "pohjola-web: read " in run.stderr
    for args in (
        ["combine", tmp_path / "run", "-o", tmp_path / "county"],
        ["aggregate", tmp_path / "county", "--by", "channel", "-o", tmp_path / "f.csv"],
        ["report", tmp_path / "county", "--by", "channel", "-o", tmp_path / "r.html"],
        ["schema", "codebook", "-o", tmp_path / "codebook.md"],
    ):
        result = invoke(*args)
        assert result.exit_code == 0, args
        assert result.stdout == "", args
        assert result.stderr, args
    # With -q nothing but errors.
    assert invoke("schema", "codebook", "-o", tmp_path / "c.md", "-q").stderr == ""


def test_counts_agree_with_their_nouns(tmp_path: Path) -> None:
    header = ["Aika", "Yksikkö", "Suosittelu", "Tunniste"]
    export = write_csv(
        tmp_path / "export.csv",
        [header, ["23.11.2026 14:05", "A", 9, "x1"], ["23.11.2026 14:05", "A", 9, "x1"]],
    )
    mapping = write_mapping(
        tmp_path / "m.yaml",
        "response_id:\n  column: Tunniste\n"
        "fields:\n  responded_at: Aika\n  unit_name: Yksikkö\n  nps: Suosittelu\n",
    )
    run = invoke("run", "-m", mapping, export, "-o", tmp_path / "run")
    assert run.exit_code == 0
    assert "1 duplicate -> 1 record in" in run.stderr
    combine = invoke("combine", tmp_path / "run", "-o", tmp_path / "county")
    assert "dataset: 1 record from 1 run (0 re-submitted copies removed)" in combine.stderr
    aggregate = invoke(
        "aggregate", tmp_path / "county", "--by", "channel", "-o", tmp_path / "f.csv"
    )
    assert "1 record in 1 group by channel" in aggregate.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["run", "-m", MAPPING, EXAMPLE, "-o", "OUT", "--format", "csv", "xlsx"],
        ["run", "-m", MAPPING, EXAMPLE, "-o", "OUT", "--format", "csv,", "xlsx"],
        ["combine", "RUN", "-o", "OUT", "--format", "csv", "parquet"],
    ],
    ids=["space", "comma-space", "combine"],
)
def test_a_format_list_with_spaces_says_how_to_write_it(
    args: list[str | Path], tmp_path: Path
) -> None:
    args = [tmp_path / "x" if a in ("OUT", "RUN") else a for a in args]
    result = invoke(*args)
    assert result.exit_code == 2
    assert "is a format, not a file: separate formats with commas and no space" in result.stderr
    assert re.search(r"for example --format csv,(xlsx|parquet)", result.stderr)
    # Quoted, the space is understood.
    if args[0] == "run":
        ok = invoke("run", "-m", MAPPING, EXAMPLE, "-o", tmp_path / "o", "--format", "csv, xlsx")
        assert ok.exit_code == 0
        assert (tmp_path / "o" / "records.xlsx").is_file()


def test_an_export_given_to_a_mapping_of_the_other_format_is_not_told_to_rename_it(
    tmp_path: Path,
) -> None:
    text = (ROOT / "mappings" / "osterbotten-sv.yaml").read_text("utf-8")
    mapping = tmp_path / "osterbotten-sv.yaml"
    mapping.write_text(text, "utf-8")
    assert "format: xlsx" in text
    # run stops on it (exit 2, stderr); validate reports the same text as an issue.
    result = invoke("run", "-m", mapping, EXAMPLE, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "pohjola-web.csv: is a csv file, but the mapping reads xlsx workbooks" in result.stderr
    assert "rename" not in result.stderr
    # And the other way round: an xlsx workbook given to a csv mapping.
    result = invoke(
        "run", "-m", MAPPING, ROOT / "examples" / "keski-paper.xlsx", "-o", tmp_path / "o2"
    )
    assert result.exit_code == 2
    assert "keski-paper.xlsx: is an xlsx workbook, but the mapping reads csv files" in (
        result.stderr
    )
    assert "rename" not in result.stderr


def test_check_reports_every_problem_of_a_mapping_in_one_pass(tmp_path: Path) -> None:
    text = MAPPING.read_text("utf-8")
    broken = text.replace('  delimiter: ";"', '  delimitter: ";"').replace(
        'county: "19"', 'county: "99"'
    )
    broken = broken.replace("  age_group: Ikäryhmä", "  age_grup: Ikäryhmä")
    assert broken.count("delimitter") == broken.count("99") == broken.count("age_grup") == 1
    mapping = tmp_path / "pohjola-web.yaml"
    mapping.write_text(broken, "utf-8")
    (tmp_path / "pohjola-web-units.csv").write_bytes(
        (ROOT / "mappings" / "pohjola-web-units.csv").read_bytes()
    )
    result = invoke("check", mapping)
    assert result.exit_code == 1  # problems found; 2 is for "could not run"
    assert "mapping-schema" in result.stdout  # the misspelt key
    assert "bad-constant" in result.stdout  # and what it used to hide
    assert "unknown-field" in result.stdout
    run = invoke("run", "-m", mapping, EXAMPLE, "-o", tmp_path / "out")
    assert run.exit_code == 2
    assert "3 problems in mapping" in run.stderr


# -- progress -----------------------------------------------------------------------------


def test_the_row_estimate_of_csv_and_xlsx(tmp_path: Path) -> None:
    export = write_csv(tmp_path / "plain.csv", [["a", "b"]] + [[n, "x"] for n in range(1234)])
    assert estimate_rows(export, xlsx=False, sheet=None, header_row=1) == 1234
    # Lines, not rows: answers spanning lines make the estimate a little high.
    multi = big_export(tmp_path / "big.csv", 1234)
    assert 1234 < (estimate_rows(multi, xlsx=False, sheet=None, header_row=1) or 0) < 1234 * 1.2
    book = Workbook()
    book.active.title = "Kansi"
    data = book.create_sheet("Vastaukset")
    for n in range(1, 502):
        data.append([n, "x"])
    book.save(tmp_path / "export.xlsx")
    path = tmp_path / "export.xlsx"
    assert estimate_rows(path, xlsx=True, sheet="Vastaukset", header_row=1) == 500
    assert estimate_rows(path, xlsx=True, sheet=2, header_row=1) == 500
    assert estimate_rows(path, xlsx=True, sheet=None, header_row=1) == 0  # the empty cover
    assert estimate_rows(path, xlsx=True, sheet="Missing", header_row=1) is None
    assert estimate_rows(export, xlsx=True, sheet=None, header_row=1) is None  # not a zip


def test_progress_bar_shows_percent_rate_and_time_left_on_a_terminal(tmp_path: Path) -> None:
    export = big_export(tmp_path / "big.csv", 5_000)
    code, output = on_terminal(["run", "-m", MAPPING, export, "-o", tmp_path / "out"])
    assert code == 0, output
    assert "pohjola-web" in output
    assert re.search(r"\b\d{1,3}%", output)  # percent of the estimated total
    assert re.search(r"[\d,]+ rows/s", output)
    assert re.search(r"\b\d{2}:\d{2}:\d{2} left\b", output)  # from the first update on
    assert re.search(r"5000/5000 +100%", output)  # the estimate was high: it ends at 100%
    code, output = on_terminal(
        ["aggregate", tmp_path / "out", "--by", "channel", "-o", tmp_path / "f.csv"]
    )
    assert code == 0, output
    assert re.search(r"aggregate .*100%", output)


def test_colour_on_a_terminal_only(tmp_path: Path) -> None:
    args: list[str | Path] = ["validate", "-m", MAPPING, EXAMPLE, "--no-progress"]
    code, output = on_terminal(args)
    assert code == 1
    assert "\x1b[31m\x1b[1merror\x1b[0m" in output  # the severity, red and bold
    assert ANSI.sub("", output).count("result: failed") == 1
    code, plain = on_terminal(args, env={"NO_COLOR": "1"})
    assert code == 1
    assert not ANSI.search(plain)
    piped = subprocess.run([COMMAND, *map(str, args)], capture_output=True, text=True, check=False)
    assert piped.returncode == 1
    assert not ANSI.search(piped.stdout + piped.stderr)
    assert ANSI.sub("", output).replace("\r\n", "\n") == piped.stdout


def test_sarif_locations_are_relative_with_a_base_never_the_runners_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    repo = tmp_path / "repo"
    (repo / "exports").mkdir(parents=True)
    export = repo / "exports" / "pohjola web.csv"
    export.write_bytes(EXAMPLE.read_bytes())
    outside = tmp_path / "elsewhere.csv"
    outside.write_bytes(EXAMPLE.read_bytes())
    monkeypatch.chdir(repo)
    for given, uri in (
        (export, "exports/pohjola%20web.csv"),  # an absolute path inside the repository
        (Path("exports/pohjola web.csv"), "exports/pohjola%20web.csv"),
        (outside, "../elsewhere.csv"),
    ):
        result = invoke("validate", "-m", MAPPING, given, "--format", "sarif")
        assert result.exit_code == 1
        run = json.loads(result.stdout)["runs"][0]
        locations = [r["locations"][0]["physicalLocation"] for r in run["results"]]
        assert locations
        for location in locations:
            assert location["artifactLocation"] == {"uri": uri, "uriBaseId": "%SRCROOT%"}
        assert str(tmp_path) not in result.stdout  # no path of the machine that ran it


@pytest.mark.parametrize(
    ("remaining", "speed", "shown"),
    [
        (0, 5_000.0, "00:00:00"),
        (4_999, 5_000.0, "00:00:00"),
        (90_000, 1_000.0, "00:01:30"),
        (1_000_000, 200.0, "01:23:20"),
        (10, 0.0, "00:00:00"),
    ],
)
def test_time_left_is_hours_minutes_seconds(remaining: int, speed: float, shown: str) -> None:
    from harmonizer.cli.common import time_left

    assert time_left(remaining, speed) == shown


def test_a_command_that_reads_no_rows_imports_no_numpy_or_openpyxl() -> None:
    """numpy and openpyxl cost a tenth of a second each; check in CI needs neither."""
    probe = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from harmonizer.cli import main\n"
        f"result = CliRunner().invoke(main, ['check', {str(MAPPING)!r}])\n"
        "assert result.exit_code == 0, result.output\n"
        "print(sorted(m for m in ('numpy', 'openpyxl') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.strip() == "[]"
