"""The report's screenshots in docs/screenshots and the printed page counts of issue 12's fixture teams:
`.venv/bin/python -m tests.report_screenshots [FOLDER]` (Debian's chromium; pdftoppm from poppler-utils), or with
`--every-team` the page counts of every fixture team and no screenshots."""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from app.settings import ROOT

from .e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from .e2e.test_report_print import PRINT_WIDTH, pdf_pages
from .live import fixture_reports
from .stored import scenarios

SHOTS = ROOT / "docs" / "screenshots"
# LoRA with a clear lead; Hybrid, once a close call, clear since LoRA is costed on an open provider; Hybrid, a close
# call; Integration by gate G1.
TEAMS = ("S01", "H19", "H20", "H21")
SHOWN = "H20"  # the close call: the headline that has the most to say
STYLESHEET_RE = re.compile(r'<link rel="stylesheet" href="(/static/[^"]+)"')


def printed(browser: Browser, url: str) -> bytes:
    """The A4 PDF that printing this URL gives, laid out at the print width as the print tests do."""
    page = browser.new_page(viewport={"width": PRINT_WIDTH, "height": 1000})
    page.goto(url)
    pdf = page.pdf(format="A4")
    page.close()
    return pdf


def gzip_weight(url: str) -> int:
    """Bytes, gzipped, of the page with every stylesheet it links (the 40 KB budget of issue 12)."""
    base = url.split("/r/")[0]
    with urllib.request.urlopen(url) as response:
        page = response.read()
    total = len(gzip.compress(page))
    for path in STYLESHEET_RE.findall(page.decode()):
        with urllib.request.urlopen(base + path) as response:
            total += len(gzip.compress(response.read()))
    return total


def page_counts(browser: Browser, urls: dict[str, str]) -> dict[str, tuple[int, int]]:
    """Printed A4 pages per team: the default handout and "Print the full report"."""
    return {team: (len(pdf_pages(printed(browser, url))), len(pdf_pages(printed(browser, url + "#print-full"))))
            for team, url in urls.items()}


def screen_shots(browser: Browser, url: str, shots: Path) -> None:
    """The first desktop screen (1280×800), the first phone screen (390×844) and the comparison as phone cards."""
    desktop = browser.new_page(viewport={"width": 1280, "height": 800})
    desktop.goto(url)
    desktop.screenshot(path=str(shots / "report-desktop.png"), caret="initial")
    phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1)
    phone.goto(url)
    phone.screenshot(path=str(shots / "report-mobile.png"), caret="initial")
    phone.goto(url + "#print-full")  # every section open, so the comparison's cards show
    top = phone.locator("table.compare").evaluate("el => el.getBoundingClientRect().top + scrollY")
    phone.screenshot(path=str(shots / "report-mobile-cards.png"), full_page=True, caret="initial",
                     clip={"x": 0, "y": max(top - 60, 0), "width": 390, "height": 1400})


def handout_pages(pdf: bytes, folder: Path, shots: Path) -> list[Path]:
    """The printed handout as one PNG per A4 page (96 dpi), as report-print-N.png (older ones removed first)."""
    for old in shots.glob("report-print-*.png"):
        old.unlink()
    source = folder / "handout.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "96", "-png", str(source), str(folder / "page")], check=True)
    made = []
    for number, png in enumerate(sorted(folder.glob("page-*.png")), start=1):
        made.append(shots / f"report-print-{number}.png")
        shutil.copyfile(png, made[-1])
    return made


def main(args: list[str]) -> int:
    """Print the page counts, write the screenshots; non-zero when pdftoppm is missing."""
    every = "--every-team" in args
    shots = Path(next((a for a in args if not a.startswith("--")), SHOTS))
    if shutil.which("pdftoppm") is None and not every:
        print("pdftoppm is missing: apt-get install poppler-utils", file=sys.stderr)
        return 1
    teams = tuple(case["id"] for case in scenarios()) if every else TEAMS
    with (tempfile.TemporaryDirectory() as tmp, fixture_reports(Path(tmp), teams) as urls,
          sync_playwright() as playwright):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        for team, (handout, full) in page_counts(browser, urls).items():
            print(f"{team}: handout {handout} A4 pages, full report {full}; page and CSS "
                  f"{gzip_weight(urls[team]) / 1024:.1f} KB gzip", flush=True)
        if every:
            return 0
        shots.mkdir(parents=True, exist_ok=True)
        screen_shots(browser, urls[SHOWN], shots)
        pages = handout_pages(printed(browser, urls[SHOWN]), Path(tmp), shots)
        browser.close()
    print(f"wrote report-desktop.png, report-mobile.png, report-mobile-cards.png and {len(pages)} handout pages "
          f"(report-print-N.png) in {shots}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
