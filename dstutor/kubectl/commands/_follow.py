"""Following while time runs: `logs -f`, `get -w`, `events -w`.

On a live clock with an interactive shell, a follower polls the cluster a few times a
second and streams what changed until Ctrl-C. Everywhere else (script mode, lessons,
the manual clock) nothing would ever change while kubectl waits, so a follower that has
printed what there is returns at once: see README, "Watching on a manual clock".
"""

from __future__ import annotations

import time
from collections.abc import Callable

from dstutor.kubectl.commands._base import Env

POLL_SECONDS = 0.25


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
