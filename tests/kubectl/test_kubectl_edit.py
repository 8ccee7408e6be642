"""`kubectl edit`: the edit loop (apply, reopen with reasons, cancel) and the real editor."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from kubectl_verbs_support import fresh_cluster

from dstutor.kubectl.commands.edit import EDIT_HEADER, strip_comments
from dstutor.kubectl.dispatch import run
from dstutor.shell.session import Session
from dstutor.shell.workspace import Workspace


class Scripted:
    """An editor that applies one change per call and remembers what it was shown."""

    def __init__(self, *changes) -> None:  # noqa: ANN002
        self.changes = list(changes)
        self.shown: list[str] = []

    def __call__(self, text: str) -> str:
        self.shown.append(text)
        change = self.changes.pop(0) if self.changes else (lambda t: t)
        return change(text)


def _image(cluster) -> str:  # noqa: ANN001
    ds = cluster.get("DaemonSet", "kube-system", "kube-proxy")
    return ds["spec"]["template"]["spec"]["containers"][0]["image"]


def _set_image(image: str):  # noqa: ANN202
    def change(text: str) -> str:
        lines = [f"        image: {image}" if line.strip().startswith("image: ") else line
                 for line in text.splitlines()]
        return "\n".join(lines) + "\n"
    return change


def test_edit_applies_the_change() -> None:
    cluster = fresh_cluster()
    editor = Scripted(_set_image("busybox:1.37"))
    result = run(cluster, "kubectl edit ds kube-proxy -n kube-system", editor=editor)
    assert (result.stdout, result.stderr, result.exit_code) == (
        "daemonset.apps/kube-proxy edited\n", "", 0)
    assert result.changed and _image(cluster) == "busybox:1.37"
    assert editor.shown[0].startswith(EDIT_HEADER + "apiVersion: apps/v1\nkind: DaemonSet\n")
    assert "managedFields" not in editor.shown[0]


def test_unchanged_file_cancels() -> None:
    cluster = fresh_cluster()
    result = run(cluster, "kubectl edit ds/kube-proxy -n kube-system", editor=Scripted())
    assert (result.stdout, result.stderr, result.exit_code) == (
        "", "Edit cancelled, no changes made.\n", 0)
    assert not result.changed


def test_empty_file_cancels() -> None:
    result = run(fresh_cluster(), "kubectl edit node worker-1", editor=Scripted(lambda t: ""))
    assert result.stderr == "Edit cancelled, saved file was empty.\n"


def test_invalid_edit_reopens_with_the_reasons() -> None:
    cluster = fresh_cluster()
    editor = Scripted(_set_image('""'), _set_image("busybox:1.37"))
    result = run(cluster, "kubectl edit ds kube-proxy -n kube-system", editor=editor)
    assert result.stdout == "daemonset.apps/kube-proxy edited\n"
    assert editor.shown[1].startswith(
        EDIT_HEADER + '# daemonsets.apps "kube-proxy" was not valid:\n'
        "# * spec.template.spec.containers[0].image: Required value\n#\n")
    assert _image(cluster) == "busybox:1.37"


def test_syntax_error_reopens_then_giving_up_cancels() -> None:
    cluster = fresh_cluster()
    editor = Scripted(lambda t: t + "bad: [\n")
    result = run(cluster, "kubectl edit ds kube-proxy -n kube-system", editor=editor)
    assert (result.stderr, result.exit_code) == (
        "error: Edit cancelled, no valid changes were saved.\n", 1)
    assert "# The edited file had a syntax error: " in editor.shown[1]
    assert not result.changed


def test_identity_change_is_refused() -> None:
    editor = Scripted(lambda t: t.replace("name: kube-proxy\n  namespace", "name: other\n  "
                                          "namespace", 1))
    result = run(fresh_cluster(), "kubectl edit ds kube-proxy -n kube-system", editor=editor)
    assert result.exit_code == 1
    assert "# At least one of apiVersion, kind and name was changed\n" in editor.shown[1]


def test_json_and_output_patch() -> None:
    cluster = fresh_cluster()

    def change(text: str) -> str:
        doc = json.loads("".join(ln for ln in text.splitlines(True) if not ln.startswith("#")))
        doc["metadata"].setdefault("labels", {})["team"] = "infra"
        return json.dumps(doc)

    editor = Scripted(change)
    result = run(cluster, "kubectl edit node worker-2 -o json --output-patch", editor=editor)
    assert editor.shown[0].startswith(EDIT_HEADER + "{\n")
    assert result.stdout.startswith('Patch: {"metadata":{"labels":{')
    assert '"team":"infra"' in result.stdout
    assert cluster.get("Node", "", "worker-2")["metadata"]["labels"]["team"] == "infra"


def test_edit_without_editor_and_without_objects() -> None:
    assert "no editor" in run(fresh_cluster(), "kubectl edit node worker-1").stderr
    result = run(fresh_cluster(), "kubectl edit", editor=Scripted())
    assert result.stderr == (
        "error: You must provide one or more resources by argument or filename.\n"
        "Example resource specifications include:\n   '-f rsrc.yaml'\n"
        "   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'\n")


@pytest.mark.parametrize("variable", ["EDITOR", "VISUAL", "KUBE_EDITOR"])
def test_session_runs_the_editor_from_the_environment(
        variable: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dstutor.shell.editor import text_editor

    script = tmp_path / "ed.py"
    script.write_text("import sys\np = sys.argv[1]\nt = open(p).read()\n"
                      "open(p, 'w').write(t.replace('  labels:\\n', '  labels:\\n"
                      "    team: infra\\n', 1))\n")
    for name in ("EDITOR", "VISUAL", "KUBE_EDITOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, f"{sys.executable} {script}")
    session = Session(fresh_cluster(), editor=text_editor(),
                      workspace=Workspace.at(tmp_path / "ws"))
    out = session.handle_line("kubectl edit node worker-3")
    assert (out.stdout, out.exit_code) == ("node/worker-3 edited\n", 0), out.stderr
    assert session.cluster.get("Node", "", "worker-3")["metadata"]["labels"]["team"] == "infra"


def test_edit_by_file_edits_the_live_object(tmp_path: Path) -> None:
    (tmp_path / "kp.yaml").write_text("apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n"
                                      "  name: kube-proxy\n  namespace: kube-system\n")
    cluster = fresh_cluster()
    editor = Scripted(_set_image("busybox:1.37"))
    result = run(cluster, "kubectl edit -f kp.yaml", editor=editor, workspace=tmp_path)
    assert result.stdout == "daemonset.apps/kube-proxy edited\n"
    assert "uid: " in editor.shown[0]  # the live object, not the file
    assert _image(cluster) == "busybox:1.37"


def test_editing_several_objects_shows_a_list() -> None:
    cluster = fresh_cluster()
    editor = Scripted(lambda t: t.replace("unschedulable", "x"))
    run(cluster, "kubectl edit nodes", editor=editor)
    body = strip_comments(editor.shown[0])
    assert body.startswith("apiVersion: v1\nitems:\n") and "kind: List\n" in body


def test_a_failed_edit_is_kept_and_its_path_printed(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    editor = Scripted(lambda t: t + "bad: [\n")
    editor.keep = lambda text: str(tmp_path / "kubectl-edit-1.yaml")  # type: ignore[attr-defined]
    result = run(fresh_cluster(), "kubectl edit ds kube-proxy -n kube-system", editor=editor)
    assert result.stderr == (f'A copy of your changes has been stored to "{tmp_path}/'
                             'kubectl-edit-1.yaml"\nerror: Edit cancelled, no valid changes '
                             "were saved.\n")


def test_keep_copy_writes_a_temporary_file(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    from dstutor.shell.editor import keep_copy

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    path = Path(keep_copy("kind: X\n"))
    assert path.parent == tmp_path and path.name.startswith("kubectl-edit-")
    assert path.read_text() == "kind: X\n"


def _replace(old: str, new: str):  # noqa: ANN202
    def change(text: str) -> str:
        assert old in text
        return text.replace(old, new, 1)
    return change


@pytest.mark.parametrize(("old", "new", "cause"), [
    ("      containers:\n", "      subdomain: true\n      containers:\n",
     "unrecognized type: string"),
    ("      containers:\n", "      subdomain: 7\n      containers:\n",
     "cannot convert int64 to string"),
    ("  revisionHistoryLimit: 10\n", '  revisionHistoryLimit: "10"\n',
     "unrecognized type: int32"),
    ("      containers:\n", "      containers:\n      - name: extra\n        image: x\n"
     "        imagePullPolice: Always\n",
     'strict decoding error: unknown field "spec.template.spec.containers[0].imagePullPolice"'),
])
def test_an_edit_that_does_not_convert_reopens_with_the_patch_handlers_error(
        old: str, new: str, cause: str) -> None:
    cluster = fresh_cluster()
    before = json.dumps(cluster.get("DaemonSet", "kube-system", "kube-proxy"), sort_keys=True)
    editor = Scripted(_replace(old, new))
    result = run(cluster, "kubectl edit ds kube-proxy -n kube-system", editor=editor)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == 'error: daemonsets.apps "kube-proxy" is invalid'
    assert result.stderr.endswith("error: Edit cancelled, no valid changes were saved.\n")
    reopened = editor.shown[1]
    assert reopened.startswith(EDIT_HEADER + '# daemonsets.apps "kube-proxy" was not valid:\n'
                               '# * patch: Invalid value: "map[')
    first_cause = reopened.splitlines()[5]
    assert first_cause.endswith(f'": {cause}'), first_cause
    assert json.dumps(cluster.get("DaemonSet", "kube-system", "kube-proxy"),
                      sort_keys=True) == before


def test_edit_validate_warn_drops_an_unknown_field() -> None:
    cluster = fresh_cluster()
    editor = Scripted(_replace("  revisionHistoryLimit: 10\n",
                               "  revisionHistoryLimit: 10\n  replicas: 3\n"))
    result = run(cluster, "kubectl edit ds kube-proxy -n kube-system --validate=warn",
                 editor=editor)
    assert (result.exit_code, result.stderr) == (0, 'Warning: unknown field "spec.replicas"\n')
    assert "replicas" not in cluster.get("DaemonSet", "kube-system", "kube-proxy")["spec"]
