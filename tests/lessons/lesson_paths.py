"""Where the course and the broken-lesson fixtures live (imported by the lesson tests).

A uniquely named module: several test folders have a conftest.py, and `from conftest
import ...` would pick whichever was imported first.
"""

from __future__ import annotations

from pathlib import Path

# The whole course's two-way check, once per process: see tests/course_check.py.
from course_check import course_reports  # noqa: F401 - re-exported

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "lessons"
BROKEN = ROOT / "fixtures" / "broken-lessons"

