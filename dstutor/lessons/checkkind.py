"""What a lesson check is: the CheckKind record, the registry the kinds register into, and
what a check sees (World) and says (Outcome).

The kinds themselves live in their own modules (_objects, _pods, _nodes, _history,
_commands); `checks.py` imports them all, in order, so that importing it fills CHECKS.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dstutor.errors import DstutorError
from dstutor.model.kinds import CLUSTER_SCOPED
from dstutor.model.objects import Obj
from dstutor.sim.cluster import Cluster


@dataclass(frozen=True)
class CommandRecord:
    """One line the learner ran while a step was current, and what it did."""

    line: str
    exit_code: int
    stdout: str = ""
    stderr: str = ""
    changed: bool = False  # the command changed the cluster
    namespace: str = "default"  # the shell's current namespace when it ran
    t: float | None = None  # virtual time when it ran


@dataclass
class World:
    """What checks may look at: the cluster, this step's commands, this step's quiz answer."""

    cluster: Cluster
    commands: Sequence[CommandRecord] = ()
    quiz_answer: str | None = None
    quiz_correct: str | None = None
    # An exercise: messages say what is wrong without giving away the expected value.
    exam: bool = False


@dataclass(frozen=True)
class Outcome:
    passed: bool
    message: str  # passed: what holds; failed: what is still missing
    compared: tuple[tuple[str, str, str], ...] = ()  # (field, expected, current)
    # Failed only because the cluster has not caught up yet (pods starting, a rollout
    # under way): the runner says "in progress" and does not count an attempt.
    transient: bool = False
    # The latest command looked like what the step asks for but did not do it (listed
    # nothing, wrong namespace, deleted nothing): the runner says why at once.
    near_miss: bool = False


@dataclass(frozen=True)
class CheckKind:
    name: str
    run: Callable[[World, Mapping[str, Any]], Outcome]
    goal: Callable[[Mapping[str, Any]], str]
    ignores: str
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    validate: Callable[[Mapping[str, Any]], str] = field(default=lambda p: "")


CHECKS: dict[str, CheckKind] = {}


def register(kind: CheckKind) -> None:
    CHECKS[kind.name] = kind


def run_check(kind: str, world: World, params: Mapping[str, Any]) -> Outcome:
    try:
        return CHECKS[kind].run(world, params)
    except DstutorError as exc:
        # A check must never crash the lesson; a bad JSONPath or selector is a failure.
        return Outcome(False, f"this check could not be evaluated: {exc}")


def find_object(world: World, kind: str, namespace: str, name: str) -> Obj | None:
    """The live object (the cluster settled first); namespace is ignored for cluster kinds."""
    world.cluster.settle()
    return world.cluster.find(kind, "" if kind in CLUSTER_SCOPED else namespace, name)
