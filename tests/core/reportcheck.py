"""Helpers for the PDF report tests: text, page count and size via poppler."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from skindesk import DISCLAIMER


def pdf_pages_text(pdf: Path) -> list[str]:
    """Each page's text (pdftotext), whitespace collapsed."""
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    return [" ".join(page.split()) for page in text.split("\f") if page.strip()]


def pdf_info(pdf: Path) -> dict[str, str]:
    """pdfinfo's fields."""
    out = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return dict(line.split(":", 1) for line in out.splitlines() if ":" in line)


def page_size(pdf: Path) -> tuple[int, int]:
    """The first page's size in whole points."""
    match = re.search(r"([\d.]+) x ([\d.]+)", pdf_info(pdf)["Page size"])
    assert match
    return round(float(match[1])), round(float(match[2]))


def assert_disclaimer_and_numbers_on_every_page(pdf: Path) -> list[str]:
    """Every page has the disclaimer's start and "page N of M"; returns the pages' text."""
    pages = pdf_pages_text(pdf)
    assert len(pages) == int(pdf_info(pdf)["Pages"])
    for number, text in enumerate(pages, start=1):
        assert DISCLAIMER[:40] in text, f"page {number} lacks the disclaimer"
        assert f"page {number} of {len(pages)}" in text
    return pages


def render(pdf: Path, folder: Path) -> list[Path]:
    """Render the pages as 60-dpi PNGs into ``folder`` for a person to look at."""
    prefix = folder / pdf.stem
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(prefix)], check=True)
    return sorted(folder.glob(f"{pdf.stem}*.png"))
