"""Updating a pod that exists, through every kubectl verb that writes one: only what a
real v1.37 API server allows lands (images, activeDeadlineSeconds, added tolerations,
labels, annotations); the rest is refused with the server's words, and a refused write
leaves the cluster, and undo, exactly as they were."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from kubectl_verbs_support import fresh_cluster, snapshot

from dstutor.model.objects import Obj
from dstutor.shell.session import Session

FORBIDDEN = (
    'The Pod "web" is invalid: spec: Forbidden: pod updates may not change fields other than '
    "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
    "`spec.tolerations` (only additions to existing tolerations),"
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously "
    "negative)\n"
)
REPLACED = (
    'The Pod "web" is invalid: \n'
    "* spec.activeDeadlineSeconds: Invalid value: null: must not update from a positive "
    "integer to nil value\n"
    "* spec.tolerations: Forbidden: existing toleration can not be modified except its "
    "tolerationSeconds\n"
    "* " + FORBIDDEN.removeprefix('The Pod "web" is invalid: ')
)
POD = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n"
       "  - name: web\n    image: nginx\n")
POD_ENV = POD + "    env:\n    - name: A\n      value: b\n"
POD_IMAGE = POD.replace("image: nginx", "image: nginx:1.28")


def _heredoc(verb: str, text: str) -> str:
    return f"kubectl {verb} -f - <<EOF\n{text}EOF"


def _json_patch(ops: list[object]) -> str:
    return f"kubectl patch pod web --type=json -p '{json.dumps(ops)}'"


def _session() -> Session:
    session = Session(fresh_cluster())
    assert session.handle_line(_heredoc("apply", POD)).exit_code == 0
    assert session.handle_line("kubectl patch pod web -p "
                               "'{\"spec\":{\"activeDeadlineSeconds\":600}}'").exit_code == 0
    assert session.handle_line(_json_patch([{"op": "add", "path": "/spec/tolerations/-", "value": {
        "key": "gpu", "operator": "Exists", "effect": "NoSchedule"}}])).exit_code == 0
    session.cluster.advance(10)
    return session


REFUSED = [
    (_heredoc("apply", POD_ENV), FORBIDDEN),
    # A whole manifest replaces what was set since it was applied: the scheduler's nodeName
    # (the spec line), the deadline and the added toleration (their own lines).
    (_heredoc("replace", POD_ENV), REPLACED),
    (_heredoc("replace", POD), REPLACED),
    ("kubectl patch pod web -p "
     "'{\"spec\":{\"containers\":[{\"name\":\"web\",\"ports\":[{\"containerPort\":80}]}]}}'",
     FORBIDDEN),
    ("kubectl patch pod web --type=merge -p '{\"spec\":{\"nodeSelector\":{\"disktype\":\"ssd\"}}}'",
     FORBIDDEN),
    ("kubectl patch pod web -p '{\"spec\":{\"nodeName\":\"worker-2\"}}'", FORBIDDEN),
    ("kubectl patch pod web -p '{\"spec\":{\"serviceAccountName\":\"robot\"}}'", FORBIDDEN),
    ("kubectl patch pod web -p "
     "'{\"spec\":{\"containers\":[{\"name\":\"web\",\"resources\":{\"limits\":{\"cpu\":\"1\"}}}]}}'",
     FORBIDDEN),
    (_json_patch([{"op": "add", "path": "/spec/containers/0/command", "value": ["sh"]}]),
     FORBIDDEN),
    (_json_patch([{"op": "add", "path": "/spec/containers/-",
                   "value": {"name": "side", "image": "busybox"}}]),
     'The Pod "web" is invalid: spec.containers: Forbidden: pod updates may not add or remove '
     "containers\n"),
    (_json_patch([{"op": "remove", "path": "/spec/tolerations/2"}]),
     'The Pod "web" is invalid: spec.tolerations: Forbidden: existing toleration can not be '
     "modified except its tolerationSeconds\n"),
    ("kubectl patch pod web -p '{\"spec\":{\"activeDeadlineSeconds\":900}}'",
     'The Pod "web" is invalid: spec.activeDeadlineSeconds: Invalid value: 900: must be less '
     "than or equal to previous value\n"),
    (_json_patch([{"op": "remove", "path": "/spec/activeDeadlineSeconds"}]),
     'The Pod "web" is invalid: spec.activeDeadlineSeconds: Invalid value: null: must not '
     "update from a positive integer to nil value\n"),
    ("kubectl annotate pod web kubernetes.io/config.mirror=x",
     'The Pod "web" is invalid: metadata.annotations[kubernetes.io/config.mirror]: Forbidden: '
     "may not add mirror pod annotation\n"),
]


@pytest.mark.parametrize(("line", "message"), REFUSED)
def test_a_refused_pod_update_says_why_and_changes_nothing(line: str, message: str) -> None:
    session = _session()
    before = snapshot(session.cluster)
    result = session.handle_line(line)
    assert (result.stdout, result.stderr, result.exit_code) == ("", message, 1)
    assert snapshot(session.cluster) == before


ALLOWED = [
    ("kubectl set image pod/web web=nginx:1.28", "pod/web image updated\n",
     lambda pod: pod["spec"]["containers"][0]["image"] == "nginx:1.28"),
    (_heredoc("apply", POD_IMAGE), "pod/web configured\n",
     lambda pod: pod["spec"]["containers"][0]["image"] == "nginx:1.28"),
    ("kubectl label pod web tier=front", "pod/web labeled\n",
     lambda pod: pod["metadata"]["labels"] == {"tier": "front"}),
    ("kubectl annotate pod web note=hi", "pod/web annotated\n",
     lambda pod: pod["metadata"]["annotations"]["note"] == "hi"),
    ("kubectl patch pod web -p '{\"spec\":{\"activeDeadlineSeconds\":300}}'",
     "pod/web patched\n", lambda pod: pod["spec"]["activeDeadlineSeconds"] == 300),
    (_json_patch([{"op": "add", "path": "/spec/tolerations/-",
                   "value": {"key": "tpu", "operator": "Exists"}}]), "pod/web patched\n",
     lambda pod: pod["spec"]["tolerations"][-1] == {"key": "tpu", "operator": "Exists"}),
    (_json_patch([{"op": "replace", "path": "/spec/tolerations/0/tolerationSeconds",
                   "value": 60}]), "pod/web patched\n",
     lambda pod: pod["spec"]["tolerations"][0]["tolerationSeconds"] == 60),
]


@pytest.mark.parametrize(("line", "output", "check"), ALLOWED)
def test_an_allowed_pod_update_lands(line: str, output: str,
                                     check: Callable[[Obj], bool]) -> None:
    session = _session()
    result = session.handle_line(line)
    assert (result.stdout, result.stderr, result.exit_code) == (output, "", 0)
    pod = session.cluster.get("Pod", "default", "web")
    assert check(pod)
    assert pod["spec"]["nodeName"] and pod["metadata"]["generation"] > 1


def test_edit_reopens_with_the_servers_reason_and_saves_nothing() -> None:
    session = _session()
    before = snapshot(session.cluster)
    seen: list[str] = []

    def editor(text: str) -> str:
        seen.append(text)
        if "env:" in text:  # the reopened file: leave it as it is, which ends the edit
            return text
        return text.replace("  - image: nginx\n", "  - image: nginx\n    env:\n    - name: A\n"
                                                  "      value: b\n", 1)

    session.editor = editor
    result = session.handle_line("kubectl edit pod web")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == 'error: pods "web" is invalid'
    assert len(seen) == 2 and "# * " + FORBIDDEN.removeprefix('The Pod "web" is invalid: ') \
        in seen[1]
    assert snapshot(session.cluster) == before


def test_a_refused_update_leaves_undo_as_it_was() -> None:
    session = _session()
    assert session.handle_line("kubectl set image pod/web web=nginx:1.28").exit_code == 0
    assert session.handle_line(_heredoc("apply", POD_ENV)).exit_code == 1
    undone = session.handle_line("undo")
    assert undone.stdout == "undone: kubectl set image pod/web web=nginx:1.28"
    pod = session.cluster.get("Pod", "default", "web")
    assert pod["spec"]["containers"][0]["image"] == "nginx"
    assert "env" not in pod["spec"]["containers"][0]


def test_a_daemonset_pod_changes_only_through_its_template() -> None:
    """The lesson's point: patching the pod is refused; patching the template rolls."""
    session = Session(fresh_cluster())
    pod = next(p for p in session.cluster.list("Pod", "kube-system")
               if p["metadata"]["name"].startswith("kube-proxy-"))
    name = pod["metadata"]["name"]
    container = pod["spec"]["containers"][0]["name"]
    patch = {"spec": {"containers": [{"name": container, "env": [{"name": "A", "value": "b"}]}]}}
    result = session.handle_line(f"kubectl patch pod {name} -n kube-system -p '{json.dumps(patch)}'")
    assert result.exit_code == 1
    assert result.stderr == FORBIDDEN.replace('"web"', f'"{name}"')
    template = {"spec": {"template": patch}}
    result = session.handle_line(
        f"kubectl patch ds kube-proxy -n kube-system -p '{json.dumps(template)}'")
    assert (result.stdout, result.exit_code) == ("daemonset.apps/kube-proxy patched\n", 0)


def test_replace_force_recreates_the_pod_as_on_a_real_cluster() -> None:
    """The way round the refusal: delete and create again (a new uid, the new spec)."""
    session = _session()
    uid = session.cluster.get("Pod", "default", "web")["metadata"]["uid"]
    result = session.handle_line(_heredoc("replace --force", POD_ENV))
    assert (result.stdout, result.exit_code) == (
        'pod "web" deleted from default namespace\npod/web replaced\n', 0)
    pod = session.cluster.get("Pod", "default", "web")
    assert pod["metadata"]["uid"] != uid
    assert pod["spec"]["containers"][0]["env"] == [{"name": "A", "value": "b"}]
