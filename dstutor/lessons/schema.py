"""The lesson format as frozen dataclasses: what a lesson file may say, after loading.

Lessons are data. Nothing here (or anywhere in the engine) executes code from a lesson;
check kinds come from a fixed vocabulary registered in `checks.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from dstutor.lessons.exercise import ExerciseMeta

FORMAT_VERSION = 1

_EMPTY: Mapping[str, Any] = MappingProxyType({})
_NO_LINES: Mapping[tuple[str | int, ...], int] = MappingProxyType({})  # YAML path -> line


@dataclass(frozen=True)
class CheckSpec:
    """One declarative check: a kind from the registry plus its parameters."""

    kind: str
    params: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    id: str = ""  # defaults to the kind; `wrong` entries name checks by id
    line: int | None = None

    @property
    def name(self) -> str:
        return self.id or self.kind


@dataclass(frozen=True)
class Choice:
    text: str
    correct: bool
    explain: str


@dataclass(frozen=True)
class Quiz:
    """Multiple choice; every choice explains itself, right or wrong."""

    question: str
    choices: tuple[Choice, ...]

    @property
    def letters(self) -> str:
        return "abcdefgh"[: len(self.choices)]

    def correct_letter(self) -> str:
        return next(self.letters[i] for i, c in enumerate(self.choices) if c.correct)


@dataclass(frozen=True)
class Measure:
    """How the simulator computes the true answer of a prediction after the command ran."""

    daemonset: str = ""  # count the DaemonSet's non-terminating pods
    selector: str = ""  # or count non-terminating pods matching a label selector
    namespace: str = "default"
    kind: str = ""  # or read one field of an object through a JSONPath
    name: str = ""
    path: str = ""


@dataclass(frozen=True)
class Predict:
    """Ask for a number before a command matching `before` runs, then compare."""

    question: str
    answer: int
    before: str  # regular expression searched in the command line
    explain: str = ""
    measure: Measure | None = None


@dataclass(frozen=True)
class Wrong:
    """A known-wrong attempt: after `commands`, the step must not pass (the check named
    `fails`, if given, must fail) and the learner's feedback must contain `message`."""

    commands: tuple[str, ...]
    fails: str = ""  # "" = any of the step's checks
    message: str = ""  # a piece of the feedback (check message or tutor note)
    line: int | None = None


@dataclass(frozen=True)
class Variant:
    """Another cluster shape the learner's commands are replayed on after a pass."""

    name: str
    commands: tuple[str, ...] = ()  # run after the learner's replayed commands
    checks: tuple[CheckSpec, ...] = ()  # empty: the step's own checks
    line: int | None = None


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    text: str
    task: str
    checks: tuple[CheckSpec, ...]
    hints: tuple[str, ...]
    solution: tuple[str, ...]
    explain: str = ""  # shown after the step passes: why it worked
    wrong: tuple[Wrong, ...] = ()
    variants: tuple[Variant, ...] = ()
    quiz: Quiz | None = None
    predict: Predict | None = None
    line: int | None = None
    # Claims the step's text makes about the cluster, checked by `lesson check` after the
    # reference solution ran (same vocabulary as checks; never shown to the learner).
    expect: tuple[CheckSpec, ...] = ()


@dataclass(frozen=True)
class NodeDef:
    """A node the setup adds to (or changes in) the base cluster."""

    name: str
    labels: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    taints: tuple[str, ...] = ()  # "key=value:Effect", as kubectl taint writes them
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Setup:
    cluster: str = ""  # a cluster file relative to the lesson; "" = the default cluster
    workers: int = 3
    nodes: tuple[NodeDef, ...] = ()
    manifests: tuple[str, ...] = ()  # relative to the lesson file
    commands: tuple[str, ...] = ()  # run through the shell after the cluster is built
    seed: int = 1
    # "manual": time moves only by `advance` and waiting commands, even at a terminal
    # (for lessons that watch an update frame by frame); "" follows the shell's default.
    clock: str = ""
    expect: tuple[CheckSpec, ...] = ()  # what the text says about the starting cluster
    # Seconds of virtual time the setup lets pass; None: until nothing more changes
    # (at most ten minutes). A lesson about a loop that never ends (evicted, recreated,
    # evicted) names a short time, or it would open ten minutes into the loop.
    settle: float | None = None


@dataclass(frozen=True)
class Lesson:
    format_version: int
    id: str
    title: str
    summary: str
    k8s_version: str
    steps: tuple[Step, ...]
    setup: Setup = field(default_factory=Setup)
    minutes: int = 0
    outro: str = ""
    path: Path | None = None
    lines: Mapping[tuple[str | int, ...], int] = field(default_factory=lambda: _NO_LINES)
    # mode, time_limit, scoring and check weights, read with the file (exercise.py)
    exercise: ExerciseMeta = field(default_factory=ExerciseMeta)

    @property
    def slug(self) -> str:
        """The file stem (`04-taints`): what `lesson run ID` accepts besides the id."""
        return self.path.stem if self.path else self.id

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def index_of(self, step_id: str) -> int:
        for i, s in enumerate(self.steps):
            if s.id == step_id:
                return i
        return 0

    @property
    def base_dir(self) -> Path:
        return self.path.parent if self.path else Path(".")
