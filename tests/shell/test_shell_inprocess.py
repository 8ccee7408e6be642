"""The in-process runner (shell_helpers.dstutor) answers as the installed command does.

Most command-line tests run `dstutor` in the test's own process: a new interpreter per
test cost a third of a second of start-up and imports each. These cases run the same
command lines both ways and require the same exit status and the same bytes on stdout
and stderr (and on one pipe, in the same order), so the in-process runner cannot drift
from the real entry point unnoticed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from shell_helpers import NODE_LOGGER, Run, dstutor, dstutor_process

APPLY = f"kubectl apply -f - <<EOF\n{NODE_LOGGER}EOF\n"

CASES = {
    "version": (["--version"], "", False),
    "welcome": ([], "", False),
    "echo-merged": (["shell", "--echo"],
                    APPLY + "advance\nundo\nget pods\nadvance 3x\nnode fail nosuch\n"
                    "kubectl get ds nope\nkubectl get pods -o wide\n", True),
    "errors-apart": (["shell"], "kubectl get ds nope\nkubectl create daemonset x\n"
                     "kubectl get nodes\n", False),
    "heredoc-unterminated": (["shell"], "kubectl apply -f - <<EOF\nkind: X\n EOF\n", False),
    "usage-error": (["shell", "--bogus"], "", False),
    "bad-option-value": (["shell", "--nodes", "-1"], "", False),
    "state-and-manifest": (["shell", "-f", "ds.yaml", "--state", "st.json"],
                           "node add x\nkubectl get pods -o name\n", False),
    "exit-early": (["shell", "--echo"], "node add a\nexit\nnode add b\n", True),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_in_process_runner_matches_the_installed_command(name: str, tmp_path: Path) -> None:
    args, stdin, merge = CASES[name]
    runs: list[Run] = []
    for runner, where in ((dstutor_process, "process"), (dstutor, "in-process")):
        cwd = tmp_path / where
        cwd.mkdir()
        (cwd / "ds.yaml").write_text(NODE_LOGGER)
        runs.append(runner(*args, stdin=stdin, merge=merge, cwd=cwd))
    process, in_process = runs
    assert process.stdout or process.stderr  # not vacuous: every case prints something
    assert in_process == process
    if name == "state-and-manifest":
        saved = [(tmp_path / w / "st.json").read_bytes() for w in ("process", "in-process")]
        assert saved[0] == saved[1] != b""


def test_in_process_runner_restores_the_process() -> None:
    import os
    import sys

    before = (sys.argv, sys.stdin, sys.stdout, sys.stderr, os.getcwd(), os.environ.get("COLUMNS"))
    run = dstutor("shell", stdin="advance 5s\n", cwd=Path("/"))
    assert run == Run(0, "5s passed; virtual time is now 00:00:08\n", "")
    assert (sys.argv, sys.stdin, sys.stdout, sys.stderr, os.getcwd(),
            os.environ.get("COLUMNS")) == before
