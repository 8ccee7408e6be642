"""The progress file's JSON is what dataclasses.asdict gave, byte for byte: progress.py
makes its dataclasses plain itself (_plain, without asdict's deep copies), and every
save, merge and grading reads that text."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from dstutor.lessons import progress as progress_module
from dstutor.lessons.progress import (
    PROGRESS_FORMAT,
    LessonProgress,
    LogEntry,
    ProgressStore,
    StepProgress,
)

_TEXT = st.text(max_size=8)
_FLOAT = st.floats(allow_nan=False, allow_infinity=False)
_JSON = st.recursive(st.none() | st.booleans() | st.integers() | _FLOAT | _TEXT,
                     lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(_TEXT, inner, max_size=3), max_leaves=8)
_STEPS = st.builds(StepProgress, done=st.booleans(), skipped=st.booleans(),
                   hints_used=st.integers(0, 9), solution_seen=st.booleans(),
                   attempts=st.integers(0, 99), seconds=_FLOAT,
                   started=st.none() | _FLOAT, finished=st.none() | _FLOAT,
                   quiz_answers=st.lists(_TEXT, max_size=3),
                   prediction=st.none() | st.dictionaries(_TEXT, _JSON, max_size=3))
_LOG = st.builds(LogEntry, t=_FLOAT, line=_TEXT, exit=st.integers(-1, 255), step=_TEXT,
                 skip=st.booleans(), kind=st.sampled_from(["", "run", "typed", "meta"]))
_LESSONS = st.builds(LessonProgress, lesson_id=_TEXT, current_step=_TEXT,
                     completed=st.booleans(), started=st.none() | _FLOAT,
                     updated=st.none() | _FLOAT,
                     steps=st.dictionaries(_TEXT, _STEPS, max_size=4),
                     log=st.lists(_LOG, max_size=6), log_complete=st.booleans())


@settings(max_examples=200, deadline=None)
@given(_LESSONS)
def test_a_lessons_json_is_asdicts(lesson: LessonProgress) -> None:
    assert progress_module._dump(lesson) == json.dumps(asdict(lesson), sort_keys=True)


@settings(max_examples=50, deadline=None)
@given(st.dictionaries(_TEXT, _LESSONS, max_size=3))
def test_the_file_is_asdicts(lessons: dict[str, LessonProgress]) -> None:
    store = ProgressStore(Path("unused-progress.json"))
    store.lessons = lessons
    expected = json.dumps({"format_version": PROGRESS_FORMAT,
                           "lessons": {k: asdict(v) for k, v in sorted(lessons.items())}},
                          indent=1, sort_keys=True) + "\n"
    assert store.to_json() == expected


def test_a_save_writes_the_same_file_and_base(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "progress.json")
    lesson = store.get("one")
    lesson.step("s1").quiz_answers.append("b")
    lesson.log.append(LogEntry(1.5, "kubectl get pods", 0, "s1", kind="run"))
    store.save()
    assert (tmp_path / "progress.json").read_text() == store.to_json()
    assert store._base == {"one": json.dumps(asdict(lesson), sort_keys=True)}
    # a second save with nothing changed keeps the file as it was
    store.save()
    assert (tmp_path / "progress.json").read_text() == store.to_json()
