"""The kubectl registry is the one table of verbs: every runnable spec carries its handler,
and the read-only verbs the shell and lessons rely on are a flag on the spec."""

from __future__ import annotations

import pytest

from dstutor.kubectl import dispatch  # noqa: F401 - imports every handler module
from dstutor.kubectl.registry import (
    _BY_PATH,
    KUBECTL_COMMANDS,
    READ_ONLY_PATHS,
    UNSIMULATED_READ_ONLY,
    get_verb,
    handles,
)
from dstutor.shell.session import READ_ONLY_VERBS, Session
from dstutor.sim.clusterfile import default_cluster

# The hand-kept table shell/session.py had before the flag (issue 17): the registry must
# say exactly this, plus the subcommands of `top` (a read-only group).
OLD_READ_ONLY_VERBS = frozenset({
    "get", "describe", "explain", "api-resources", "version", "rollout status",
    "rollout history", "api-versions", "cluster-info", "logs", "events", "top", "diff",
    "options", "help", "completion", "config"})


@pytest.mark.parametrize("path", sorted(_BY_PATH))
def test_registry_every_runnable_verb_has_its_handler(path: str) -> None:
    spec = _BY_PATH[path]
    if spec.subcommands and path != "create":  # rollout, set, top: a subcommand runs
        assert spec.handler is None
    else:
        assert callable(spec.handler), f"kubectl {path} has no handler"


def test_registry_dispatch_runs_the_spec_handler() -> None:
    spec = get_verb("cordon")
    assert spec is not None and spec.handler is not None
    result = dispatch.run(default_cluster(), "kubectl cordon worker-1")
    assert result.stdout == "node/worker-1 cordoned\n" and result.changed


def test_registry_group_verb_without_subcommand_is_not_run_by_a_handler() -> None:
    result = dispatch.run(default_cluster(), "kubectl top")
    assert result.exit_code == 1 and not result.changed


def test_registry_handles_refuses_an_unknown_verb_and_a_second_handler() -> None:
    with pytest.raises(KeyError, match="no kubectl verb"):
        handles("frobnicate")(lambda env, cmd, out: None)
    with pytest.raises(ValueError, match="second handler"):
        handles("get")(lambda env, cmd, out: None)


def test_registry_read_only_is_the_spec_flag_and_matches_the_old_table() -> None:
    assert READ_ONLY_VERBS is READ_ONLY_PATHS
    assert OLD_READ_ONLY_VERBS | {"top node", "top pod"} == READ_ONLY_PATHS
    flagged = {p for p, s in _BY_PATH.items() if s.read_only}
    assert READ_ONLY_PATHS - flagged == UNSIMULATED_READ_ONLY
    # The unsimulated ones are real kubectl commands (or their help/config), never specs.
    assert all(get_verb(p) is None for p in UNSIMULATED_READ_ONLY)
    assert set(KUBECTL_COMMANDS) | {"help"} >= UNSIMULATED_READ_ONLY


def test_registry_a_group_is_read_only_only_if_all_its_subcommands_are() -> None:
    for spec in _BY_PATH.values():
        if spec.subcommands and spec.read_only:
            assert all(sub.read_only for sub in spec.subcommands), spec.path


@pytest.mark.parametrize("line", ["kubectl get pods -A", "kubectl describe nodes",
                                  "kubectl rollout status ds/kube-proxy -n kube-system",
                                  "kubectl top nodes", "kubectl events -A",
                                  "kubectl version"])
def test_registry_read_only_verbs_take_no_undo_snapshot(line: str) -> None:
    session = Session(default_cluster())
    out = session.handle_line(line)
    assert out.exit_code == 0 and not out.changed and session.undo_stack == []


def test_registry_a_write_verb_is_undoable() -> None:
    spec = get_verb("label")
    assert spec is not None and not spec.read_only
    session = Session(default_cluster())
    session.handle_line("kubectl label node worker-1 disk=ssd")
    assert len(session.undo_stack) == 1
