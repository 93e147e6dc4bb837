"""Chromium opens the class report of a simulated class of 30 from file://, offline, and finds the grid and the figures.

The page is loaded with every request outside file:// refused and counted, so a figure, font or script fetched
from the network would fail the test. Screenshots: tests/screenshots/class-report.png (the whole page) and
class-report-written.png (one written exercise beside its rubric). Without Chromium the test is skipped on a
developer's machine, and fails when CI is set (as tests/test_browser.py does).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from class_sim import make_course, simulated_class, write_bank
from lab_harness import browser_missing, offline_page

from helpers.exercises import load_bank
from teach.course.report import write_report

SHOTS = Path(__file__).resolve().parent / "screenshots"

_missing = browser_missing()
if _missing:
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but the browser test cannot run: {_missing}.", pytrace=False)
    pytest.skip(_missing, allow_module_level=True)


def test_the_class_report_opens_offline_in_chromium(tmp_path):
    bank = load_bank(write_bank(tmp_path / "bank.json"))
    course = make_course(tmp_path / "course", simulated_class(30), extra_students=("zoe",))
    index = write_report(course, "lesson02", bank=bank, log=lambda *_: None)
    SHOTS.mkdir(exist_ok=True)
    with offline_page() as (page, outside):
        page.goto(index.as_uri(), wait_until="load")
        grid = page.locator("#grid")
        assert grid.is_visible()
        assert grid.locator("tbody tr").count() == 31
        figures = page.locator("svg.figure")
        assert figures.count() == 3 and figures.first.bounding_box()["width"] > 200
        assert page.locator("svg.figure rect").count() > 10
        assert "gave Theobald's date" in page.locator("#sources + ul").inner_text()
        page.screenshot(path=str(SHOTS / "class-report.png"), full_page=True)
        page.get_by_role("link", name="Exercise 2.4").click()
        page.wait_for_load_state("load")
        assert page.locator("aside").get_by_role("heading", name="Rubric").is_visible()
        assert page.locator("section.answer").count() == 30
        page.screenshot(path=str(SHOTS / "class-report-written.png"), full_page=False)
    assert outside == [], f"the report asked the network for {outside[:3]}"
