"""Tab completion for the new verbs, pipes, redirections and workspace files."""

from __future__ import annotations

from pathlib import Path

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from dstutor.shell.completer import ShellCompleter
from dstutor.shell.session import Session
from dstutor.shell.suggest import complete
from dstutor.shell.workspace import Workspace
from dstutor.sim.clusterfile import default_cluster


@pytest.mark.parametrize(("text", "expected"), [
    ("k lo", ["logs"]),
    ("k ev", ["events"]),
    ("k an", ["annotate"]),
    ("k to", ["top"]),
    ("k top ", ["node", "pod"]),
    ("k logs --ta", ["--tail"]),
    ("k logs --all-c", ["--all-containers"]),
    ("k events --f", ["--for"]),
    ("k patch ds x --ty", ["--type"]),
    ("k edit ds x --output-p", ["--output-patch"]),
    ("k top pod --con", ["--containers"]),
    ("k logs -n kube-system kube-proxy-4", ["kube-proxy-47ggc"]),
    ("k logs -n kube-system ds/k", ["ds/kube-proxy"]),
    ("k get pods | g", ["grep"]),
    ("k get pods -o wide | grep x | a", ["awk"]),
    ("ca", ["cat"]),
    ("k run x --image=nginx --restart=", ["--restart=Always", "--restart=OnFailure",
                                          "--restart=Never"]),
    ("k events --types=W", ["--types=Warning"]),
    ("k events -n kube-system --for da", ["daemonsets/"]),
    ("k events -n kube-system --for ds/", ["ds/kube-proxy"]),
    ("k events -n kube-system --for=pods/kube-proxy-4", ["--for=pods/kube-proxy-47ggc"]),
    ("k logs -n kube-system kube-proxy-47ggc -c ", ["kube-proxy"]),
    ("k logs -n kube-system kube-proxy-47ggc --container=k", ["--container=kube-proxy"]),
    ("k top pod --sort-by ", ["cpu", "memory"]),
    ("k get pods --output-w", ["--output-watch-events"]),
    ("k get pods | sort -", ["-r", "-n", "-u", "-k"]),
    ("k get pods | grep -", ["-i", "-v", "-c", "-E", "-w", "-n", "-F", "-e"]),
    ("k get pods | wc -", ["-l", "-w", "-c", "-m"]),
    ("k get pods | cut -", ["-d", "-f"]),
    ("k get pods | awk -", []),
])
def test_new_completions(text: str, expected: list[str]) -> None:
    assert complete(text, default_cluster(), "default").texts == expected


def test_files_complete_from_the_workspace(tmp_path: Path) -> None:
    ws = Workspace.at(tmp_path / "lesson")
    (ws.root / "ds.yaml").write_text("x")
    completer = ShellCompleter(Session(default_cluster(), workspace=ws))
    for text in ("k apply -f d", "vi d", "k get ds -o yaml > d", "k patch ds x --patch-file d"):
        found = [c.text for c in completer.get_completions(Document(text), CompleteEvent())]
        assert found == ["s.yaml"], text
