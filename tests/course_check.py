"""The shipped course's two-way check, computed once per test process.

`check_paths([COURSE])` (several seconds of CPU) is asked for by `lesson check --frozen`
through the CLI (tests/lessons/test_lessons_course.py), the known-mistakes test
(tests/lessons/test_lessons_feedback.py) and the exercises' `lesson check` test
(tests/classroom/test_classroom_exercises.py, which reads each exercise's report). They
share the xdist group "course-check", so one process computes it once, and each caller
gets its own reports: the CLI appends transcript problems to them. The lessons in them
are immutable (tuples, mapping proxies) and shared.

A module of tests/ (on sys.path through tests/conftest.py), so both folders import it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

COURSE = Path(__file__).resolve().parents[1] / "lessons"
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
