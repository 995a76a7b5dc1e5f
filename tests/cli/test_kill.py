"""A `harmonizer run` killed with SIGKILL leaves the previous outputs as they were.

The run is a real subprocess on a generated export. It is killed while it streams rows,
and (on a smaller export) while it saves its workbooks at the end. Afterwards every
published file has its previous bytes, nothing new carries an output's name, and the
next run removes the killed run's temporary files and publishes a complete dataset.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from harmonizer import harmonize

ROOT = Path(__file__).resolve().parents[2]
MAPPING = ROOT / "mappings" / "pohjola-web.yaml"
EXAMPLE = ROOT / "examples" / "pohjola-web.csv"
WAIT_SECONDS = 120


def big_export(path: Path, rows: int) -> Path:
    """Repeat the example's rows with fresh response ids."""
    with EXAMPLE.open(encoding="utf-8-sig", newline="") as handle:
        header, *body = list(csv.reader(handle, delimiter=";"))
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        for n in range(rows):
            row = list(body[n % len(body)])
            row[0] = f"K-{n}"
            writer.writerow(row)
    return path


def snapshot(outdir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in outdir.iterdir() if not p.name.startswith(".")}


def parts(outdir: Path, stem: str = "") -> list[Path]:
    return sorted(outdir.glob(f".{stem}*.part"))


def run_and_kill(export: Path, outdir: Path, moment: Callable[[], bool]) -> None:
    """Start a run, wait until ``moment()`` is true, then SIGKILL it."""
    command = [sys.executable, "-m", "harmonizer", "run", "-m", str(MAPPING), str(export)]
    process = subprocess.Popen(
        [*command, "-o", str(outdir), "--format", "csv,xlsx", "--no-progress"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + WAIT_SECONDS
    try:
        while not moment():
            assert process.poll() is None, (
                "the run ended before the moment to kill it came; make the export larger "
                f"(stderr: {process.stderr.read() if process.stderr else b''!r})"
            )
            assert time.monotonic() < deadline, "the moment to kill the run never came"
            time.sleep(0.002)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait()
        if process.stderr:
            process.stderr.close()
    assert process.returncode == -signal.SIGKILL


def size_over(outdir: Path, stem: str, size: int) -> Callable[[], bool]:
    def moment() -> bool:
        return any(p.stat().st_size > size for p in parts(outdir, stem) if p.exists())

    return moment


@pytest.fixture
def previous(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    outdir = tmp_path / "out"
    harmonize(MAPPING, [EXAMPLE], outdir, formats=("csv", "xlsx"))
    before = snapshot(outdir)
    assert sorted(before) == [
        "manifest.json",
        "records.csv",
        "records.jsonl",
        "records.xlsx",
        "rejects.csv",
        "rejects.jsonl",
        "rejects.xlsx",
    ]
    return outdir, before


def check_intact_then_recover(outdir: Path, before: dict[str, bytes]) -> None:
    assert snapshot(outdir) == before  # every output has its previous bytes
    assert parts(outdir)  # SIGKILL leaves the temporary files; the next run removes them
    result = harmonize(MAPPING, [EXAMPLE], outdir, formats=("csv", "xlsx"))
    assert parts(outdir) == []
    assert snapshot(outdir).keys() == before.keys()
    manifest = orjson.loads((outdir / "manifest.json").read_bytes())
    assert manifest["counts"] == result.report.counts.to_dict()
    assert result.report.counts.reconciles
    records = (outdir / "records.jsonl").read_bytes()
    assert records == before["records.jsonl"]  # the same inputs give the same records
    assert records.count(b"\n") == manifest["counts"]["records"]


def test_killed_while_streaming_rows(
    previous: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    outdir, before = previous
    export = big_export(tmp_path / "big.csv", 60_000)
    # Half a megabyte of records on disk: well into the run, far from its end.
    run_and_kill(export, outdir, size_over(outdir, "records.jsonl", 512 * 1024))
    check_intact_then_recover(outdir, before)


def test_killed_while_saving_workbooks(
    previous: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    outdir, before = previous
    export = big_export(tmp_path / "medium.csv", 6_000)
    # The workbooks are saved after the last row, when the other outputs are complete
    # under their temporary names: the latest moment before anything is renamed.
    run_and_kill(export, outdir, size_over(outdir, "records.xlsx", 0))
    check_intact_then_recover(outdir, before)


def signal_state(pid: int) -> str:
    """Return what /proc says of a process's signals (for a failure's message).

    Also the calling thread's: a child inherits its blocked signals.
    """
    shown = []
    for who, path in (
        (pid, f"/proc/{pid}/status"),
        ("test", f"/proc/self/task/{threading.get_native_id()}/status"),
    ):
        try:
            lines = Path(path).read_text().splitlines()
        except OSError:
            shown.append(f"{who}: gone")
            continue
        keys = ("State", "Threads", "SigBlk", "SigIgn", "SigCgt")
        shown.append(
            f"{who}: "
            + ", ".join(" ".join(line.split()) for line in lines if line.startswith(keys))
        )
    return "; ".join(shown)


def children(pid: int) -> list[int]:
    """Return the processes whose parent is ``pid`` (Linux: read from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def start_with_workers(export: Path, outdir: Path) -> subprocess.Popen[bytes]:
    """Start a two-worker run in its own process group; return once rows flow."""
    command = [sys.executable, "-m", "harmonizer", "run", "-m", str(MAPPING), str(export)]
    process = subprocess.Popen(
        [*command, "-o", str(outdir), "--jobs", "2", "--no-progress"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    flowing = size_over(outdir, "records.jsonl", 64 * 1024)
    deadline = time.monotonic() + WAIT_SECONDS
    while not (flowing() and len(children(process.pid)) == 2):
        assert process.poll() is None, "the run ended before its workers were seen"
        assert time.monotonic() < deadline, "the run's two workers never appeared"
        time.sleep(0.01)
    return process


def finish(process: subprocess.Popen[bytes]) -> str:
    """Wait for the run to end (it must not hang) and return its stderr."""
    try:
        _, stderr = process.communicate(timeout=WAIT_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise AssertionError("the run did not end after its worker stopped") from None
    return stderr.decode()


def kill_a_worker(process: subprocess.Popen[bytes], workers: list[int]) -> None:
    os.kill(workers[0], signal.SIGKILL)  # as the kernel's out-of-memory killer would


def press_ctrl_c(process: subprocess.Popen[bytes], workers: list[int]) -> None:
    os.killpg(process.pid, signal.SIGINT)  # a terminal signals its whole group: workers too


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
@pytest.mark.parametrize(
    ("stop", "code", "said"),
    [
        (kill_a_worker, 2, "a worker process stopped before it finished its rows of big.csv"),
        (press_ctrl_c, 130, "harmonizer: interrupted"),
    ],
)
def test_a_run_with_workers_ends_plainly_when_stopped(
    previous: tuple[Path, dict[str, bytes]],
    tmp_path: Path,
    stop: Callable[[subprocess.Popen[bytes], list[int]], None],
    code: int,
    said: str,
) -> None:
    outdir, before = previous
    # Rows enough that the run is still going when it is stopped, on a busy machine too
    # (60,000 rows once ended between the workers being seen and Ctrl-C).
    process = start_with_workers(big_export(tmp_path / "big.csv", 200_000), outdir)
    workers = children(process.pid)
    state = signal_state(process.pid)
    stop(process, workers)
    stderr = finish(process)  # a dead worker's batch must not leave the run waiting
    assert process.returncode == code, f"{stderr}\nbefore the signal: {state}"
    assert said in stderr
    assert "Traceback" not in stderr
    assert snapshot(outdir) == before
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
