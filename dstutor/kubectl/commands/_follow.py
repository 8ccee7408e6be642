"""Following while time runs: `logs -f`, `get -w`, `events -w`.

On a live clock with an interactive shell, a follower polls the cluster a few times a
second and streams what changed until Ctrl-C. Everywhere else (script mode, lessons,
the manual clock) nothing would ever change while kubectl waits, so the follower lets
virtual time run for a bounded window instead (follow_virtual): see README, "Watching
on a manual clock".
"""

from __future__ import annotations

import time
from collections.abc import Callable

from dstutor.kubectl.commands._base import Env

POLL_SECONDS = 0.25
# `logs -f` without a live clock: a minute of virtual time, at most this many lines.
FOLLOW_WINDOW_SECONDS = 60.0
FOLLOW_MAX_LINES = 500
FOLLOW_STEP_SECONDS = 5.0  # time runs in steps this long at most, so the limit stops it


def can_follow(env: Env) -> bool:
    return env.stream is not None and env.cluster.clock.mode == "live"


def follow(env: Env, step: Callable[[float, float], str]) -> None:
    """Call step(since, now) after each poll and stream its text; Ctrl-C ends it."""
    assert env.stream is not None
    last = env.cluster.now()
    try:
        while True:
            time.sleep(POLL_SECONDS)
            env.cluster.settle()
            now = env.cluster.now()
            if now > last:
                text = step(last, now)
                if text:
                    env.stream(text)
                last = now
    except KeyboardInterrupt:
        return


def follow_virtual(env: Env, step: Callable[[float, float], str]) -> str:
    """Let virtual time run FOLLOW_WINDOW_SECONDS (or until FOLLOW_MAX_LINES lines) and
    return what step(since, now) produced. Time stops at each scheduled change (a restart,
    a rollout step), so step always sees the cluster as it was at `now`."""
    cluster = env.cluster
    last = cluster.now()
    deadline = last + FOLLOW_WINDOW_SECONDS
    lines: list[str] = []
    for _ in range(10_000):  # bounded: each turn moves time or fires a due change
        if last >= deadline or len(lines) >= FOLLOW_MAX_LINES:
            break
        nxt = cluster.next_change()
        target = min(last + FOLLOW_STEP_SECONDS, deadline)
        if nxt is not None:
            target = min(max(nxt, last), target)
        cluster.advance(max(0.0, target - cluster.now()))
        now = cluster.now()
        if now > last:
            lines.extend(step(last, now).splitlines(keepends=True))
            last = now
    return "".join(lines[:FOLLOW_MAX_LINES])
