"""Outputs are published whole, never over an input, by one run at a time.

Through the real CLI (click's CliRunner, and real subprocesses where a signal, a second
process or an operating-system limit matters): an output that would overwrite an input
is refused before anything is written; a second run into a folder being written is
refused at once; a write error (a file-size limit set with setrlimit, which the kernel
enforces as it would a full disk) ends with exit 2 naming the file, no temporary file
and the previous outputs intact; Ctrl-C is exit 130 with the previous outputs intact;
an unexpected exception is an internal error, never a traceback.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from harmonizer import harmonize
from harmonizer.cli import main
from harmonizer.schema import load_schema
from tests.cli.test_kill import EXAMPLE, MAPPING, big_export, parts, signal_state, snapshot
from tests.helpers import ROOT

WAIT_SECONDS = 120
REFUSED = "would overwrite the input"


HARMONIZER = [sys.executable, "-m", "harmonizer"]
"""The real command, run as a child process."""


def csv_run(export: Path, outdir: Path) -> list[str]:
    """Return the command line of a csv run of ``export`` into ``outdir``."""
    return [
        *HARMONIZER,
        "run",
        "-m",
        str(MAPPING),
        str(export),
        "-o",
        str(outdir),
        "--format",
        "csv",
        "--no-progress",
    ]


def invoke(*args: str | Path) -> Result:
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    print(result.stdout, result.stderr)
    return result


@pytest.fixture
def previous(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    outdir = tmp_path / "out"
    harmonize(MAPPING, [EXAMPLE], outdir, formats=("csv",))
    return outdir, snapshot(outdir)


# -- an output over an input ----------------------------------------------------------------


def test_run_refuses_an_export_named_like_an_output(tmp_path: Path) -> None:
    outdir = tmp_path / "out"
    outdir.mkdir()
    export = outdir / "records.csv"
    export.write_bytes(EXAMPLE.read_bytes())
    result = invoke("run", "-m", MAPPING, export, "-o", outdir, "--format", "csv")
    assert result.exit_code == 2
    assert f"{outdir / 'records.csv'}: writing it would overwrite the input" in result.stderr
    assert export.read_bytes() == EXAMPLE.read_bytes()
    assert sorted(p.name for p in outdir.iterdir()) == ["records.csv"]  # nothing written
    # Asked only for jsonl, the run would still remove a records.csv left by an earlier run.
    assert invoke("run", "-m", MAPPING, export, "-o", outdir).exit_code == 2
    assert export.read_bytes() == EXAMPLE.read_bytes()


def test_run_refuses_an_input_reached_through_a_link_or_dotdot(tmp_path: Path) -> None:
    real = tmp_path / "exports" / "pohjola.csv"
    real.parent.mkdir()
    real.write_bytes(EXAMPLE.read_bytes())
    outdir = tmp_path / "out"
    outdir.mkdir()
    (outdir / "rejects.csv").symlink_to(real)
    result = invoke("run", "-m", MAPPING, real, "-o", outdir, "--format", "csv")
    assert result.exit_code == 2
    assert REFUSED in result.stderr
    (outdir / "rejects.csv").unlink()
    os.link(real, outdir / "records.jsonl")  # a hard link: the same file by another name
    dotted = tmp_path / "exports" / ".." / "out" / "records.jsonl"
    result = invoke("run", "-m", MAPPING, dotted, "-o", tmp_path / "exports" / ".." / "out")
    assert result.exit_code == 2
    assert REFUSED in result.stderr
    assert real.read_bytes() == EXAMPLE.read_bytes()


def test_run_refuses_a_mapping_or_lookup_file_in_the_output_folder(tmp_path: Path) -> None:
    mapping = tmp_path / "lappi.yaml"
    mapping.write_bytes((ROOT / "mappings" / "lappi-sms.yaml").read_bytes())
    lookup = tmp_path / "lappi-sms-units.csv"
    lookup.write_bytes((ROOT / "mappings" / "lappi-sms-units.csv").read_bytes())
    # The lookup file is named like the rejects csv of a run into the mapping's folder.
    renamed = mapping.read_text("utf-8").replace("lappi-sms-units.csv", "rejects.csv")
    mapping.write_text(renamed, "utf-8")
    lookup.rename(tmp_path / "rejects.csv")
    export = ROOT / "examples" / "lappi-sms.csv"
    result = invoke("run", "-m", mapping, export, "-o", tmp_path, "--format", "csv")
    assert result.exit_code == 2
    assert f"would overwrite the input {tmp_path / 'rejects.csv'}" in result.stderr
    assert (tmp_path / "rejects.csv").read_bytes() == (
        ROOT / "mappings" / "lappi-sms-units.csv"
    ).read_bytes()


def test_reports_refuse_to_overwrite_their_inputs(tmp_path: Path) -> None:
    export = tmp_path / "pohjola.csv"
    export.write_bytes(EXAMPLE.read_bytes())
    mapping = tmp_path / "pohjola.yaml"
    mapping.write_bytes(MAPPING.read_bytes())
    for args in (
        ["validate", "-m", mapping, export, "-o", export],
        ["validate", "-m", mapping, export, "--format", "json", "-o", tmp_path / ".." / mapping],
        ["check", mapping, "-o", mapping],
        ["check", mapping, "--sample", export, "-o", export],
    ):
        result = invoke(*args)
        assert result.exit_code == 2, args
        assert REFUSED in result.stderr
    assert export.read_bytes() == EXAMPLE.read_bytes()
    assert mapping.read_bytes() == MAPPING.read_bytes()


def test_an_export_given_twice_is_refused(tmp_path: Path) -> None:
    """The same file twice would read every row twice: refused before anything is read."""
    export = tmp_path / "pohjola.csv"
    export.write_bytes(EXAMPLE.read_bytes())
    (tmp_path / "sub").mkdir()
    link = tmp_path / "link.csv"
    link.symlink_to(export)
    for again in (export, tmp_path / "sub" / ".." / "pohjola.csv", link):
        for command in (["run", "-o", tmp_path / "out"], ["validate"]):
            result = invoke(*command, "-m", MAPPING, export, again)
            assert result.exit_code == 2, (command, again)
            assert "the same export is given twice" in result.stderr
            assert not (tmp_path / "out").exists()
    # A copy under another name is another export: its rows are duplicates.
    copy = tmp_path / "kopio.csv"
    copy.write_bytes(EXAMPLE.read_bytes())
    result = invoke("run", "-m", MAPPING, "-o", tmp_path / "out", export, copy)
    assert result.exit_code == 0, result.stderr
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["duplicates"] > 0


def test_an_empty_output_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """-o "$OUT" with OUT unset must not write into the folder the command runs in."""
    monkeypatch.chdir(tmp_path)
    export = tmp_path / "pohjola.csv"
    export.write_bytes(EXAMPLE.read_bytes())
    for args in (
        ["run", "-m", MAPPING, export],
        ["validate", "-m", MAPPING, export, "--format", "json"],
        ["check", MAPPING],
        ["draft", export],
        ["schema", "codebook"],
        ["aggregate", tmp_path, "--by", "channel"],
        ["combine", tmp_path],
        ["report", tmp_path],
    ):
        for empty in ("", " "):
            result = invoke(*args, "-o", empty)
            assert result.exit_code == 2, (args, result.output)
            assert "is empty; name the output" in result.stderr, args
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pohjola.csv"]


def test_figures_and_codebook_refuse_to_overwrite_their_inputs(
    previous: tuple[Path, dict[str, bytes]],
) -> None:
    outdir, before = previous
    for args in (
        ["aggregate", outdir, "--by", "channel", "-o", outdir / "records.csv"],
        ["aggregate", outdir / "records.jsonl", "--by", "channel", "-o", outdir / "rejects.csv"],
        ["report", outdir, "--by", "channel", "-o", outdir / "records.xlsx"],
    ):
        result = invoke(*args)
        assert result.exit_code == 2, args
        assert REFUSED in result.stderr
    assert snapshot(outdir) == before
    schema = load_schema().path
    content = schema.read_bytes()
    result = invoke("schema", "codebook", "-o", schema)
    assert result.exit_code == 2
    assert REFUSED in result.stderr
    assert schema.read_bytes() == content


# -- one run per output folder --------------------------------------------------------------

HOLD_LOCK = """
import sys, time
from pathlib import Path
from harmonizer.io.output_folder import folder_lock
with folder_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(60)
"""


def test_a_second_run_into_a_folder_being_written_refuses_at_once(
    previous: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    outdir, before = previous
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(outdir)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "locked\n"
        started = time.monotonic()
        result = invoke("run", "-m", MAPPING, EXAMPLE, "-o", outdir, "--format", "csv")
        assert time.monotonic() - started < 10
        assert result.exit_code == 2
        assert f"another run is writing to {outdir}" in result.stderr
        result = invoke("combine", outdir, "-o", tmp_path / "county")
        assert result.exit_code == 2
        assert f"another run is writing to {outdir}" in result.stderr
        result = invoke("aggregate", outdir, "--by", "channel", "-o", tmp_path / "f.csv")
        assert result.exit_code == 2
        assert snapshot(outdir) == before
    finally:
        holder.kill()
        holder.communicate()
    # The lock dies with its process: the next run goes ahead.
    assert invoke("run", "-m", MAPPING, EXAMPLE, "-o", outdir, "-q").exit_code == 0


def test_two_real_runs_at_once_publish_one_consistent_dataset(tmp_path: Path) -> None:
    export = big_export(tmp_path / "big.csv", 4000)
    outdir = tmp_path / "out"
    command = [*HARMONIZER, "run", "-m", str(MAPPING), str(export)]
    runs = [
        subprocess.Popen(
            [*command, "-o", str(outdir), "--no-progress"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outcomes = sorted((run.wait(WAIT_SECONDS), run.communicate()[1]) for run in runs)
    assert [code for code, _ in outcomes] in ([0, 2], [0, 0])  # 0, 0: one ended first
    for code, stderr in outcomes:
        if code == 2:
            assert f"another run is writing to {outdir}" in stderr
    manifest = json.loads((outdir / "manifest.json").read_text("utf-8"))
    import hashlib

    for name, digest in manifest["output_sha256"].items():
        assert hashlib.sha256((outdir / name).read_bytes()).hexdigest() == digest


# -- exactly the outputs asked for ---------------------------------------------------------


def test_a_run_removes_outputs_of_formats_not_asked_for(tmp_path: Path) -> None:
    outdir = tmp_path / "out"
    assert invoke("run", "-m", MAPPING, EXAMPLE, "-o", outdir, "--format", "csv,xlsx", "-q")
    assert (outdir / "records.xlsx").is_file()
    (outdir / "notes.txt").write_text("mine", "utf-8")
    result = invoke("run", "-m", MAPPING, EXAMPLE, "-o", outdir, "--format", "csv", "-q")
    assert result.exit_code == 0
    present = sorted(p.name for p in outdir.iterdir())
    assert present == sorted(
        [
            "manifest.json",
            "notes.txt",
            "records.csv",
            "records.jsonl",
            "rejects.csv",
            "rejects.jsonl",
        ]
    )
    manifest = json.loads((outdir / "manifest.json").read_text("utf-8"))
    assert sorted(manifest["output_sha256"]) == sorted(
        n for n in present if n not in ("manifest.json", "notes.txt")
    )


def test_a_combine_removes_a_parquet_file_of_an_earlier_combine(
    previous: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    outdir, _ = previous
    county = tmp_path / "county"
    assert invoke("combine", outdir, "-o", county, "--format", "parquet", "-q").exit_code == 0
    assert (county / "records.parquet").is_file()
    assert invoke("combine", outdir, "-o", county, "--format", "csv", "-q").exit_code == 0
    assert sorted(p.name for p in county.iterdir()) == [
        "manifest.json",
        "records.csv",
        "records.jsonl",
    ]
    manifest = json.loads((county / "manifest.json").read_text("utf-8"))
    assert sorted(manifest["outputs"]) == ["records.csv", "records.jsonl"]


# -- write errors ---------------------------------------------------------------------------


def _limit_file_size() -> None:
    # The kernel refuses writes past the limit (EFBIG) as it refuses them on a full
    # disk (ENOSPC); ignoring SIGXFSZ makes the write fail instead of killing the run.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, 256 * 1024))


def test_a_write_error_exits_2_naming_the_file_and_leaves_nothing_behind(
    previous: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    outdir, before = previous
    export = big_export(tmp_path / "big.csv", 3000)  # about a megabyte of records
    completed = subprocess.run(
        csv_run(export, outdir),
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=_limit_file_size,
        timeout=WAIT_SECONDS,
    )
    assert completed.returncode == 2, completed.stderr
    assert "Traceback" not in completed.stderr
    assert completed.stderr.startswith(f"harmonizer: error: {outdir / 'records.'}")
    assert ": cannot write: File too large" in completed.stderr
    assert parts(outdir) == []
    assert snapshot(outdir) == before


# -- interruptions and internal errors ------------------------------------------------------


@pytest.mark.parametrize(
    ("signum", "code", "message"),
    [
        (signal.SIGINT, 130, "harmonizer: interrupted; nothing new was published"),
        (signal.SIGTERM, 143, ""),
    ],
    ids=["ctrl-c", "sigterm"],
)
def test_an_interrupted_run_leaves_the_previous_outputs(
    previous: tuple[Path, dict[str, bytes]],
    tmp_path: Path,
    signum: int,
    code: int,
    message: str,
) -> None:
    outdir, before = previous
    export = big_export(tmp_path / "big.csv", 60_000)
    process = subprocess.Popen(
        csv_run(export, outdir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + WAIT_SECONDS
    while not any(p.stat().st_size > 256 * 1024 for p in parts(outdir, "records.jsonl")):
        assert process.poll() is None, "the run ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    state = signal_state(process.pid)
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=WAIT_SECONDS)
    assert process.returncode == code, f"{stderr}\nbefore the signal: {state}"
    assert message in stderr
    assert "Traceback" not in stderr
    assert "Aborted!" not in stderr
    assert stdout == ""
    assert parts(outdir) == []  # unlike SIGKILL, an interruption cleans up after itself
    assert snapshot(outdir) == before


def test_an_unexpected_exception_is_an_internal_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("a bug, with 040 123 4567 in it")

    monkeypatch.setattr("harmonizer.cli.run.harmonize", broken)
    args = ["run", "-m", MAPPING, EXAMPLE, "-o", tmp_path / "out"]
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith("harmonizer: internal error: ValueError: a bug, with ")
    assert "please report this" in result.stderr
    assert "040 123 4567" not in result.stderr  # a message may quote a value: redacted
    assert "Traceback" not in result.stderr
    debug = invoke("--debug", *args)
    assert debug.exit_code == 2
    assert "Traceback (most recent call last)" in debug.stderr
    assert "internal error: ValueError" in debug.stderr


def _limit_to_a_kilobyte() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "-m", MAPPING, EXAMPLE, "--format", "json", "-o", "OUT/report.json"],
        ["validate", "-m", MAPPING, EXAMPLE, "--format", "xlsx", "-o", "OUT/report.xlsx"],
        ["aggregate", "RUN", "--by", "channel", "-o", "OUT/figures.json"],
        ["report", "RUN", "--by", "channel", "-o", "OUT/report.html"],
        ["report", "RUN", "--by", "channel", "-o", "OUT/report.xlsx"],
        ["schema", "codebook", "-o", "OUT/codebook.md"],
    ],
    ids=lambda a: f"{a[0]}-{Path(a[-1]).suffix[1:]}",
)
def test_a_single_output_that_cannot_be_written_exits_2_naming_it(
    previous: tuple[Path, dict[str, bytes]], tmp_path: Path, args: list[str | Path]
) -> None:
    outdir, _ = previous
    target = tmp_path / "reports"
    target.mkdir()
    (target / "old.txt").write_text("kept", "utf-8")
    argv = [str(a).replace("OUT", str(target)).replace("RUN", str(outdir)) for a in args]
    completed = subprocess.run(
        [*HARMONIZER, *argv],
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=_limit_to_a_kilobyte,
        timeout=WAIT_SECONDS,
    )
    assert completed.returncode == 2, completed.stderr
    assert completed.stderr.startswith(f"harmonizer: error: {argv[-1]}: cannot write: ")
    assert "Traceback" not in completed.stderr
    assert sorted(p.name for p in target.iterdir()) == ["old.txt"]  # nothing half-written


def test_a_combine_that_cannot_write_exits_2_and_leaves_no_folder(
    previous: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    outdir, before = previous
    county = tmp_path / "county"
    completed = subprocess.run(
        [*HARMONIZER, "combine", str(outdir), "-o", str(county), "--format", "csv,parquet"],
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=_limit_to_a_kilobyte,
        timeout=WAIT_SECONDS,
    )
    assert completed.returncode == 2, completed.stderr
    assert completed.stderr.startswith(f"harmonizer: error: {county / 'records.'}")
    assert ": cannot write: File too large" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert not county.exists()  # the folder it created, removed again
    assert snapshot(outdir) == before
