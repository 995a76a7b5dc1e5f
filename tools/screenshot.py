"""Take headless-chromium screenshots of an html report: its top and each section.

    python tools/screenshot.py out/demo/_dataset/report.html --output out

writes ``report.png`` (the top of the report: facts, notes and NPS) and one
``report-<section>.png`` for each of the service path, the three perspectives and the
purchaser's view. The report has no script, so a section is shown by writing a copy of
the page that holds only its head and that section. Needs Debian's chromium.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

SECTIONS = ("service-path", "perspectives", "purchaser")
CHROMIUM = (
    "chromium",
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def shoot(page: Path, png: Path, height: int, profile: Path) -> None:
    """Screenshot ``page`` into ``png``, 1280 pixels wide."""
    subprocess.run(
        [
            *CHROMIUM,
            f"--user-data-dir={profile}",
            f"--screenshot={png}",
            f"--window-size=1280,{height}",
            page.resolve().as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    print(f"screenshot: {png}")


def section_page(html: str, section: str) -> str | None:
    """Return the page with only its head and the section ``section``, or None."""
    match = re.search(rf'<section id="{section}">.*?</section>', html, re.DOTALL)
    if match is None:
        return None
    head = html[: html.index("<body>") + len("<body>")]
    return f"{head}\n{match.group()}\n</body>\n</html>\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("report", type=Path)
    parser.add_argument("--output", type=Path, default=Path("out"))
    args = parser.parse_args()
    html = args.report.read_text(encoding="utf-8")
    args.output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        shoot(args.report, args.output / "report.png", 2400, folder / "profile")
        for section in SECTIONS:
            page = section_page(html, section)
            if page is None:
                print(f"no {section} section in {args.report}", file=sys.stderr)
                continue
            # Beside the report, so that it finds what the report finds.
            copy = folder / f"{section}.html"
            copy.write_text(page, encoding="utf-8")
            shoot(copy, args.output / f"report-{section}.png", 2400, folder / "profile")
    return 0


if __name__ == "__main__":
    sys.exit(main())
