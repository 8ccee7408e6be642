"""Simulated learners: drive the lesson runner with scripted lines and a fake wall clock."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import typer

from dstutor.cli.classroom import register
from dstutor.lessons.loader import load_course
from dstutor.lessons.progress import ProgressStore
from dstutor.lessons.runner import LessonRunner

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "fixtures" / "classroom" / "course"


def wall(step: float = 10.0) -> Iterator[float]:
    t = 0.0
    while True:
        t += step
        yield t


def solver_lines(lesson: Any) -> list[str]:
    """The lines that solve a lesson: each step's prediction, then its solution."""
    lines: list[str] = []
    for step in lesson.steps:
        if step.predict is not None:
            lines.append(f"predict {step.predict.answer}")
        lines += list(step.solution)
    return lines


def simulate(home: Path, scripts: Mapping[str, Sequence[str]], *, course: Path = COURSE,
             seconds_per_line: float = 10.0) -> ProgressStore:
    """Run each lesson's lines for one learner whose data lives in `home`."""
    lessons, errors = load_course(course)
    assert not errors, errors
    store = ProgressStore(home / "progress.json")
    clock = wall(seconds_per_line)
    for lesson in lessons:
        lines = scripts.get(lesson.id)
        if lines is None:
            continue
        runner = LessonRunner(lesson, store, wall=lambda: next(clock))
        runner.start()
        for line in lines:
            runner.handle_line(line)
    return store


def app() -> typer.Typer:
    """A bare Typer app with the classroom commands, as dstutor/cli.py mounts them."""
    application = typer.Typer()
    register(application)

    @application.callback()
    def _root() -> None:
        pass

    return application


STRATEGY = """kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-logger
  namespace: kube-system
spec:
  selector:
    matchLabels:
      app: node-logger
  updateStrategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 1
  template:
    metadata:
      labels:
        app: node-logger
    spec:
      containers:
        - name: filebeat
          image: docker.elastic.co/beats/filebeat:IMAGE
          volumeMounts:
            - name: logs
              mountPath: /var/log
      volumes:
        - name: logs
          hostPath:
            path: /var/log
EOF"""


def strategy_only(image: str = "8.10.0") -> str:
    """Exercise 22's strategy fix (maxUnavailable: 1), with the image given."""
    return STRATEGY.replace("IMAGE", image)
