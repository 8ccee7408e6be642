"""`rollout status` at the prompt: a progress bar that follows the rollout, output unchanged."""

from __future__ import annotations

import io

from shell_helpers import NODE_LOGGER

from dstutor.shell import console as con
from dstutor.shell.session import Session
from dstutor.sim.clock import Clock
from dstutor.sim.clusterfile import default_cluster


def _rolling_session(clock: Clock | None = None) -> Session:
    session = Session(default_cluster(clock=clock), interactive=True)
    session.handle_line(f"kubectl apply -f - <<EOF\n{NODE_LOGGER}EOF")
    session.handle_line("advance")
    changed = session.handle_line("kubectl set image ds/node-logger logger=busybox:1.37")
    assert changed.stdout == "daemonset.apps/node-logger image updated\n"
    return session


def test_shell_progress_follows_rollout_status_without_changing_its_output() -> None:
    plain = _rolling_session().handle_line("kubectl rollout status ds/node-logger")
    session = _rolling_session()
    buffer = io.StringIO()
    progress = con.RolloutProgress(con.make_console(buffer, width=80), session)
    seen: list[tuple[int, int]] = []

    def watch(ds: dict) -> None:
        status = ds["status"]
        seen.append((status.get("updatedNumberScheduled", 0), status.get("numberAvailable", 0)))
        progress(ds)

    session.progress = watch
    out = session.handle_line("kubectl rollout status ds/node-logger")
    progress.finish()
    assert out.stdout == plain.stdout
    assert out.stdout.endswith('daemon set "node-logger" successfully rolled out\n')
    assert progress.updates == len(seen) > 1
    assert seen[0][0] < 3 and seen == sorted(seen, key=lambda s: s[0])  # updates only grow


def test_shell_progress_paces_a_live_clock_and_caps_each_wait() -> None:
    session = _rolling_session(Clock(mode="manual"))
    session.cluster.clock.mode = "live"
    session.cluster.clock.rebase()
    waits: list[float] = []
    progress = con.RolloutProgress(con.make_console(io.StringIO()), session,
                                   sleep=waits.append)
    session.progress = progress
    session.handle_line("kubectl rollout status ds/node-logger")
    progress.finish()
    assert waits, "a live rollout waits for wall time between steps"
    assert all(0 < w <= con.ROLLOUT_MAX_WAIT_SECONDS for w in waits)
