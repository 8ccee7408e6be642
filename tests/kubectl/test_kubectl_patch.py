"""`kubectl patch`: the three patch types, messages, dry runs, files and errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kubectl_verbs_support import fresh_cluster

from dstutor.kubectl.dispatch import run

IMAGE = '{"spec":{"template":{"spec":{"containers":[{"name":"kube-proxy","image":"kp:2"}]}}}}'


def _image(cluster) -> str:  # noqa: ANN001
    ds = cluster.get("DaemonSet", "kube-system", "kube-proxy")
    return ds["spec"]["template"]["spec"]["containers"][0]["image"]


def test_strategic_patch_changes_one_container_and_keeps_the_rest() -> None:
    cluster = fresh_cluster()
    before = cluster.get("DaemonSet", "kube-system", "kube-proxy")
    result = run(cluster, f"kubectl patch ds kube-proxy -n kube-system -p '{IMAGE}'")
    assert (result.stdout, result.stderr, result.exit_code) == (
        "daemonset.apps/kube-proxy patched\n", "", 0)
    assert result.changed and _image(cluster) == "kp:2"
    after = cluster.get("DaemonSet", "kube-system", "kube-proxy")
    c_before = before["spec"]["template"]["spec"]["containers"][0]
    c_after = after["spec"]["template"]["spec"]["containers"][0]
    assert {k: v for k, v in c_after.items() if k != "image"} == {
        k: v for k, v in c_before.items() if k != "image"}
    again = run(cluster, f"kubectl patch ds kube-proxy -n kube-system -p '{IMAGE}'")
    assert again.stdout == "daemonset.apps/kube-proxy patched (no change)\n"
    assert not again.changed


def test_dry_runs_change_nothing() -> None:
    cluster = fresh_cluster()
    for mode, suffix in (("client", " (dry run)"), ("server", " (server dry run)")):
        result = run(cluster, f"kubectl patch ds/kube-proxy -n kube-system -p '{IMAGE}' "
                              f"--dry-run={mode}")
        assert result.stdout == f"daemonset.apps/kube-proxy patched{suffix}\n"
    assert _image(cluster) != "kp:2"


def test_merge_and_json_types() -> None:
    cluster = fresh_cluster()
    result = run(cluster, "kubectl patch ds kube-proxy -n kube-system --type=merge -p "
                          "'{\"spec\":{\"template\":{\"spec\":{\"tolerations\":[{\"operator\":"
                          "\"Exists\"}]}}}}' -o jsonpath='{.spec.template.spec.tolerations}'")
    assert json.loads(result.stdout) == [{"operator": "Exists"}]
    result = run(cluster, "kubectl patch ds kube-proxy -n kube-system --type json -p "
                          "'[{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/"
                          "image\",\"value\":\"kp:3\"}]'")
    assert result.ok and _image(cluster) == "kp:3"


def test_patch_yaml_and_patch_file(tmp_path: Path) -> None:
    cluster = fresh_cluster()
    (tmp_path / "p.yaml").write_text("spec:\n  unschedulable: true\n")
    result = run(cluster, "kubectl patch node worker-1 --patch-file p.yaml",
                 workspace=tmp_path)
    assert result.stdout == "node/worker-1 patched\n"
    assert cluster.get("Node", "", "worker-1")["spec"]["unschedulable"] is True
    missing = run(cluster, "kubectl patch node worker-1 --patch-file nope.yaml",
                  workspace=tmp_path)
    assert missing.stderr == ("error: unable to read patch file: open nope.yaml: "
                              "no such file or directory\n")


@pytest.mark.parametrize(("line", "stderr"), [
    ("kubectl patch ds nope -n kube-system -p '{}'",
     'Error from server (NotFound): daemonsets.apps "nope" not found\n'),
    ("kubectl patch ds kube-proxy -n kube-system -p '{\"spec\":{\"template\":{\"spec\":"
     "{\"containers\":[{\"name\":\"kube-proxy\",\"image\":\"\"}]}}}}'",
     'The DaemonSet "kube-proxy" is invalid: spec.template.spec.containers[0].image: '
     "Required value\n"),
    ("kubectl patch ds kube-proxy -n kube-system --type=json -p "
     "'[{\"op\":\"remove\",\"path\":\"/spec/foo\"}]'",
     # The patch handler's NewGenericServerResponse(422): the reason is not sent.
     "The request is invalid: the server rejected our request due to an error in our "
     "request\n"),
    ("kubectl patch ds kube-proxy -n kube-system --type=json -p '{\"op\":\"add\"}'",
     "Error from server (BadRequest): json: cannot unmarshal object into Go value of type "
     "jsonpatch.Patch\n"),
    ("kubectl patch ds kube-proxy -n kube-system --type=json -p '[1]'",
     "Error from server (BadRequest): json: cannot unmarshal number into Go value of type "
     "jsonpatch.Operation\n"),
    ("kubectl patch ds kube-proxy -n kube-system -p '[1]'",
     "Error from server (BadRequest): json: cannot unmarshal array into Go value of type "
     "map[string]interface {}\n"),
])
def test_server_errors(line: str, stderr: str) -> None:
    cluster = fresh_cluster()
    result = run(cluster, line)
    assert (result.stderr, result.exit_code) == (stderr, 1)


def test_a_json_patch_that_does_not_apply_names_the_reason_in_the_tutor_hint() -> None:
    result = run(fresh_cluster(), "kubectl patch ds kube-proxy -n kube-system --type=json "
                                  "-p '[{\"op\":\"remove\",\"path\":\"/spec/foo\"}]'")
    assert result.hint == ("The JSON patch did not apply: error in remove for path: "
                           "'/spec/foo': unable to remove nonexistent key: foo: missing value")


@pytest.mark.parametrize(("line", "stderr"), [
    ("kubectl patch", "error: must specify --patch or --patch-file containing the contents of "
                      "the patch\n"),
    ("kubectl patch ds x", "error: must specify --patch or --patch-file containing the contents "
                           "of the patch\n"),
    ("kubectl patch ds x -p '{}' --patch-file f",
     "error: cannot specify --patch and --patch-file together\n"),
    ("kubectl patch ds x -p {} --type=foo",
     'error: --type must be one of [json merge strategic], not "foo"\n'),
])
def test_client_side_errors_match_kubectl(line: str, stderr: str) -> None:
    assert run(fresh_cluster(), line).stderr == stderr


def test_apply_merges_containers_by_name() -> None:
    cluster = fresh_cluster()
    manifest = ("apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: two}\nspec:\n"
                "  selector: {matchLabels: {app: two}}\n  template:\n"
                "    metadata: {labels: {app: two}}\n    spec:\n      containers:\n"
                "      - {name: a, image: 'a:1'}\n")
    assert run(cluster, f"kubectl apply -f - <<EOF\n{manifest}EOF").ok
    sidecar = ('{"spec":{"template":{"spec":{"containers":[{"name":"b","image":"b:1"}]}}}}')
    assert run(cluster, f"kubectl patch ds two -p '{sidecar}'").ok
    result = run(cluster, "kubectl apply -f - <<EOF\n" + manifest.replace("a:1", "a:2") + "EOF")
    assert result.stdout == "daemonset.apps/two configured\n"
    containers = cluster.get("DaemonSet", "default", "two")["spec"]["template"]["spec"][
        "containers"]
    assert [(c["name"], c["image"]) for c in containers] == [("a", "a:2"), ("b", "b:1")]
