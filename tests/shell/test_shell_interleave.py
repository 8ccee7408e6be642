"""kubectl's warnings land between its output lines, where kubectl writes them."""

from __future__ import annotations

import io

from dstutor.kubectl.result import CommandResult
from dstutor.shell.script import mixed, write_interleaved, write_output
from dstutor.shell.session import Session
from dstutor.sim.clusterfile import default_cluster


class _Shared(io.StringIO):
    """One buffer behind both streams, as a terminal or `2>&1` shows them."""


def _printed(out: CommandResult) -> str:
    both = _Shared()
    write_output(out, both, both)
    return both.getvalue()


def test_drain_warning_comes_after_cordoned_and_before_drained() -> None:
    out = Session(default_cluster()).handle_line("kubectl drain worker-1 --ignore-daemonsets")
    assert mixed(out)
    assert _printed(out) == (
        "node/worker-1 cordoned\n"
        "Warning: ignoring DaemonSet-managed Pods: kube-system/kube-proxy-8zwxm\n"
        "node/worker-1 drained\n")


def test_delete_cascade_false_warns_before_deleted() -> None:
    session = Session(default_cluster())
    out = session.handle_line("kubectl delete ds kube-proxy -n kube-system --cascade=false "
                              "--wait=false")
    assert _printed(out).splitlines() == [
        "warning: --cascade=false is deprecated (boolean value) and can be replaced with "
        "--cascade=orphan.",
        'daemonset.apps "kube-proxy" deleted from kube-system namespace']


def test_stdout_then_stderr_when_nothing_is_interleaved() -> None:
    out = CommandResult(stdout="a\n", stderr="b\n", interleaved=((1, "a\n"), (2, "b\n")))
    assert not mixed(out)
    assert _printed(out) == "a\nb\n"


def test_interleaved_output_without_final_newline_gets_one() -> None:
    both = _Shared()
    write_interleaved(CommandResult(stdout="x", stderr="w\n", interleaved=((2, "w\n"), (1, "x"))),
                      both, both)
    assert both.getvalue() == "w\nx\n"


def test_chunks_that_no_longer_match_the_output_are_not_used() -> None:
    out = CommandResult(stdout="filtered\n", stderr="w\n",
                 interleaved=((1, "a\n"), (2, "w\n"), (1, "b\n")))
    assert not mixed(out)
    assert _printed(out) == "filtered\nw\n"


def test_a_piped_drain_prints_the_filtered_lines() -> None:
    out = Session(default_cluster()).handle_line(
        "kubectl drain worker-1 --ignore-daemonsets | grep drained")
    assert _printed(out) == ("node/worker-1 drained\n"
                             "Warning: ignoring DaemonSet-managed Pods: "
                             "kube-system/kube-proxy-8zwxm\n")
