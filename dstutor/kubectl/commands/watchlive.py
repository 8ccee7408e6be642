"""`kubectl get -w` at an interactive shell on a live clock: rows as changes happen.

The list is written at once, then a row for every object that changes, as the clock
runs, until Ctrl-C, as kubectl does. (On a manual clock, or in scripts and lessons,
get.watch lets virtual time run instead, until the objects are quiet for a minute.)
"""

from __future__ import annotations

from dstutor.kubectl.commands._base import Env, OutputBuffer
from dstutor.kubectl.commands._follow import follow
from dstutor.kubectl.parser import KubectlCommand
from dstutor.kubectl.resources import ResourceType
from dstutor.model.objects import Obj


def watch_live(env: Env, cmd: KubectlCommand, groups: list[tuple[ResourceType, list[Obj]]],
               out: OutputBuffer, min_width: int, padding: int) -> None:
    from dstutor.kubectl.commands import get

    assert env.stream is not None
    printer = get.WatchPrinter(env, cmd, groups, out)
    if out.stdout:
        env.stream("".join(out.stdout))
    out.stdout.clear()
    before = get._snapshot(env, cmd, groups)

    def step(_start: float, now: float) -> str:
        nonlocal before
        after = get._snapshot(env, cmd, groups)
        changed = [k for k in after if k not in before or after[k]["metadata"].get(
            "resourceVersion") != before[k]["metadata"].get("resourceVersion")]
        gone = [k for k in before if k not in after]
        text = []
        for key in sorted(changed) + sorted(gone):
            obj = after.get(key) or before[key]
            text.append(printer.change(obj, now, get.watch_event(key, before, after)))
        before = after
        return "".join(text)

    follow(env, step)
