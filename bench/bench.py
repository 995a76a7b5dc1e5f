"""Benchmark `harmonizer run` end to end on generated wide exports.

    python bench/bench.py [--rows 1000000] [--xlsx-rows 200000] [--formats jsonl]

Generates a 22-column web-survey export with realistic labels under bench/data/ (csv
of ``--rows`` rows, xlsx of its first ``--xlsx-rows``, and a csv of ``--long-rows`` rows
whose open answers are ``--answer-chars`` characters of prose with dates and phone
numbers in it, the case that tests redaction and memory), runs the whole pipeline on each
in a fresh child process with ``--jobs 1`` and with every core, and prints rows per
second (by the clock, and per CPU-second of the run and its workers, the steadier
figure on a shared machine) and peak memory. The peak is the run process's own (VmHWM, which starts afresh
at exec, unlike ru_maxrss, which carries the parent's peak); the workers' peak is
shown apart. Each rate is also given as a share of a plain csv read + write copy of
the same csv (Python's csv module), measured in the same session: the practical limit.
Data is generated once and reused.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
sys.path.insert(0, str(ROOT))

from harmonizer.schema import load_schema  # noqa: E402

SCALE = [load_schema().scale_labels[str(p)]["fi"] for p in range(1, 6)]
STATEMENTS = list(load_schema().statements)
HEADER = [
    "id",
    "aika",
    "yksikko",
    "vastaaja",
    "ika",
    "sukupuoli",
    "nps",
    *STATEMENTS,
    "palaute",
    "pysakointi",
    "kanava_koodi",
    "kampanja",
    "laite",
    "selain",
    "kesto_s",
    "kieli",
]
MAPPING = """\
mapping: bench-web
version: "1"
schema_version: "1.0"
provider: {name: Bench Oy, system: bench}
response_id: {column: id}
constants: {county: "19", provider_id: "2345671-3", channel: web, language: fi}
lookups:
  units:
    rows:
      Asema 1: {unit_id: "1.2.246.10.23456713.10.1", service_area: primary_care}
      Asema 2: {unit_id: "1.2.246.10.23456713.10.2", service_area: oral_health}
      Asema 3: {unit_id: "1.2.246.10.23456713.10.3", service_area: emergency}
fields:
  responded_at: aika
  unit_name: yksikko
  unit_id: {column: yksikko, lookup: units}
  service_area: {column: yksikko, lookup: units}
  respondent: {column: vastaaja, value_map: {Asiakas: customer, Läheinen: close_person}}
  age_group: ika
  gender: {column: sukupuoli, value_map: {Nainen: female, Mies: male, Muu: other}}
  nps: nps
{statements}
  open_feedback: palaute
own_items:
  parking: {column: pysakointi}
"""


def generate(rows: int, xlsx_rows: int) -> tuple[Path, Path, Path]:
    DATA.mkdir(parents=True, exist_ok=True)
    csv_path, xlsx_path, mapping = (
        DATA / f"web-{rows}.csv",
        DATA / f"web-{min(rows, xlsx_rows)}.xlsx",
        DATA / "bench-web.yaml",
    )
    mapping.write_text(
        MAPPING.replace("{statements}", "\n".join(f"  {s}: {s}" for s in STATEMENTS)),
        encoding="utf-8",
    )
    if csv_path.exists() and xlsx_path.exists():
        return csv_path, xlsx_path, mapping
    rng = random.Random(7)
    comments = [
        "Kiitos!",
        "Hyvä palvelu",
        "Soita 040 123 4567",
        "",
        "",
        "",
        "Jonotin kauan; muuten ok",
    ]

    def row(n: int) -> list[object]:
        return [
            f"B{n}", f"{rng.randint(1, 28)}.{rng.randint(1, 12)}.2026 {rng.randint(7, 20)}:{rng.randint(0, 59):02d}",
            f"Asema {rng.randint(1, 3)}", rng.choice(["Asiakas", "Asiakas", "Läheinen"]),
            rng.choice(["18-29", "30-49", "50-64", "65-74", "75+"]), rng.choice(["Nainen", "Mies", "Muu", ""]),
            rng.randint(0, 10), *(rng.choice([*SCALE, *SCALE, "En osaa sanoa", ""]) for _ in STATEMENTS),
            rng.choice(comments), rng.choice(["Kyllä", "Ei"]), rng.randint(1, 9), "syksy", "mobiili", "x", rng.randint(30, 900), "fi",
        ]  # fmt: skip

    started = time.perf_counter()
    if not csv_path.exists():
        with csv_path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(HEADER)
            writer.writerows(row(n) for n in range(rows))
    if xlsx_path.exists():
        return csv_path, xlsx_path, mapping
    import xlsxwriter

    # xlsxwriter writes shared strings and a <dimension>, as Excel does; openpyxl's
    # write-only files lack both, which makes openpyxl's reader several times slower.
    book = xlsxwriter.Workbook(str(xlsx_path))
    sheet = book.add_worksheet("Vastaukset")
    sheet.write_row(0, 0, HEADER)
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        next(reader)
        for number, record in enumerate(reader, start=1):
            if number > xlsx_rows:
                break
            sheet.write_row(number, 0, record)
    book.close()
    print(
        f"generated {rows} csv rows ({csv_path.stat().st_size // 1024} KiB), {xlsx_rows} xlsx rows ({xlsx_path.stat().st_size // 1024} KiB) in {time.perf_counter() - started:.0f} s"
    )
    return csv_path, xlsx_path, mapping


LONG_SENTENCES = [
    "Kävin vastaanotolla {day}.{month}.2026 ja odotin noin {minutes} minuuttia.",
    "Hoitaja oli ystävällinen, mutta kiire näkyi kaikessa.",
    "Lääkäri kuunteli ja selitti hoidon vaihtoehdot selkeästi.",
    "Ajanvaraus onnistui vasta kolmannella soitolla.",
    "Minulle soitettiin takaisin numeroon 040 {phone}.",
    "Pysäköintipaikkoja oli liian vähän, ja opasteet olivat epäselviä.",
    "Kiitos hyvästä ja asiantuntevasta palvelusta!",
]


def generate_long(rows: int, answer_chars: int) -> Path:
    """Write a csv whose open answers are long prose, with dates and a phone number in it."""
    path = DATA / f"web-long-{rows}x{answer_chars}.csv"
    if path.exists():
        return path
    rng = random.Random(11)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        for n in range(rows):
            sentences: list[str] = []
            while sum(map(len, sentences)) < answer_chars:
                sentences.append(
                    rng.choice(LONG_SENTENCES).format(
                        day=rng.randint(1, 28),
                        month=rng.randint(1, 12),
                        minutes=rng.randint(5, 90),
                        phone=f"{rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                    )
                )
            answer = " ".join(sentences)[:answer_chars]
            writer.writerow(
                [f"L{n}", "3.11.2026 10:15", "Asema 1", "Asiakas", "30-49", "Nainen", 8,
                 *(SCALE[3] for _ in STATEMENTS), answer, "Kyllä", 1, "syksy", "mobiili", "x",
                 300, "fi"]
            )  # fmt: skip
    return path


def peak_kib() -> int:
    """Return this process's own peak resident memory (VmHWM), in KiB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # not Linux


def cpu_seconds() -> float:
    """Return the CPU time of this process and its finished children (the workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def child(mapping: str, export: str, out: str, formats: list[str], jobs: int) -> None:
    from harmonizer import harmonize

    started = time.perf_counter()
    cpu = cpu_seconds()
    result = harmonize(mapping, [export], out, formats=formats, jobs=jobs)
    elapsed = time.perf_counter() - started
    print(
        json.dumps(
            {
                "elapsed": elapsed,
                "cpu": cpu_seconds() - cpu,
                "peak_kib": peak_kib(),
                "workers_peak_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
                if jobs > 1
                else 0,
                "read": result.report.counts.read,
                "records": result.report.counts.records,
            }
        )
    )


def copy_child(export: str, out: str) -> None:
    """A plain csv read + write of the export: the practical limit of a Python tool."""
    started = time.perf_counter()
    cpu = cpu_seconds()
    rows = 0
    with (
        open(export, encoding="utf-8-sig", newline="") as source,
        open(out, "w", encoding="utf-8", newline="") as target,
    ):
        writer = csv.writer(target)
        for record in csv.reader(source, delimiter=";"):
            writer.writerow(record)
            rows += 1
    elapsed = time.perf_counter() - started
    print(
        json.dumps(
            {
                "elapsed": elapsed,
                "cpu": cpu_seconds() - cpu,
                "peak_kib": peak_kib(),
                "read": rows - 1,
            }
        )
    )


def measure(arguments: list[str]) -> dict[str, float]:
    completed = subprocess.run(
        [sys.executable, __file__, *arguments], capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        sys.exit(f"benchmark {arguments} failed:\n{completed.stderr}")
    result: dict[str, float] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5].split(","), int(sys.argv[6]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--copy":
        copy_child(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the csv export")
    parser.add_argument("--xlsx-rows", type=int, default=200_000, help="rows of the xlsx export")
    parser.add_argument("--formats", default="jsonl", help="output formats, e.g. jsonl,csv")
    parser.add_argument(
        "--only", choices=["csv", "xlsx", "long"], help="measure one export (long: long answers)"
    )
    parser.add_argument("--jobs", default=f"1,{os.cpu_count() or 1}", help="worker counts")
    parser.add_argument(
        "--long-rows", type=int, default=5_000, help="rows of the csv with long open answers"
    )
    parser.add_argument(
        "--answer-chars", type=int, default=20_000, help="characters of each long open answer"
    )
    args = parser.parse_args()
    csv_path, xlsx_path, mapping = generate(args.rows, args.xlsx_rows)
    long_path = generate_long(args.long_rows, args.answer_chars)
    formats = args.formats.split(",")
    copy = measure(["--copy", str(csv_path), str(DATA / "copy.csv")])
    copy_rate = copy["read"] / copy["elapsed"]
    copy_cpu_rate = copy["read"] / copy["cpu"]
    print(
        f"harmonizer run, {len(HEADER)} columns, outputs: {','.join(formats)}; plain csv "
        f"read + write copy: {copy_rate:,.0f} rows/s ({copy_cpu_rate:,.0f} rows per CPU-s)"
    )
    print(
        "| export | rows | jobs | rows/s | of copy | rows per CPU-s | of copy "
        "| peak (run) | peak (worker) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    # (what --only names, the table's label, the export, its copy's rows/s and per CPU-s)
    exports = [
        ("csv", "csv", csv_path, copy_rate, copy_cpu_rate),
        ("xlsx", "xlsx", xlsx_path, copy_rate, copy_cpu_rate),
    ]
    if args.only in (None, "long"):
        # Its own copy: a row of long answers costs a plain copy more too.
        long_copy = measure(["--copy", str(long_path), str(DATA / "copy.csv")])
        label = f"csv, {args.answer_chars:,}-character answers"
        exports.append(
            (
                "long",
                label,
                long_path,
                long_copy["read"] / long_copy["elapsed"],
                long_copy["read"] / long_copy["cpu"],
            )
        )
    for name, label, export, copy_rate, copy_cpu_rate in exports:
        if args.only and name != args.only:
            continue
        for jobs in sorted({int(j) for j in args.jobs.split(",")}):
            out = DATA / f"out-{export.stem}-{jobs}"
            result = measure(
                ["--child", str(mapping), str(export), str(out), ",".join(formats), str(jobs)]
            )
            rate = result["read"] / result["elapsed"]
            cpu_rate = result["read"] / result["cpu"]
            worker = f"{result['workers_peak_kib'] / 1024:,.0f} MiB" if jobs > 1 else "-"
            print(
                f"| {label} | {int(result['read']):,} | {jobs} | {rate:,.0f} | "
                f"{rate / copy_rate:.0%} | {cpu_rate:,.0f} | {cpu_rate / copy_cpu_rate:.0%} | "
                f"{result['peak_kib'] / 1024:,.0f} MiB | {worker} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
