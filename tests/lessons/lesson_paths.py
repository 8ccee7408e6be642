"""Where the course and the broken-lesson fixtures live (imported by the lesson tests).

A uniquely named module: several test folders have a conftest.py, and `from conftest
import ...` would pick whichever was imported first.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "lessons"
BROKEN = ROOT / "fixtures" / "broken-lessons"


# The whole course's two-way check (`check_paths([COURSE])`, several seconds of CPU) is
# asked for by two tests: `lesson check --frozen` through the CLI, and the known-mistakes
# test. It is computed once per process (the two share an xdist group, so one process)
# and each caller gets its own reports: the CLI appends transcript problems to them. The
# lessons in them are immutable (tuples, mapping proxies) and shared.
_COURSE_REPORTS: list[Any] = []


def _own(reports: list[Any]) -> list[Any]:
    return [dataclasses.replace(r, problems=list(r.problems), warnings=list(r.warnings),
                                mistakes=set(r.mistakes)) for r in reports]


def course_reports() -> list[Any]:
    """`dstutor.lessons.validate.check_paths([COURSE])`, computed once per process."""
    from dstutor.lessons.validate import check_paths

    if not _COURSE_REPORTS:
        _COURSE_REPORTS.append(_own(check_paths([COURSE])))
    return _own(_COURSE_REPORTS[0])
