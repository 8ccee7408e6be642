"""Every way a manifest enters decodes it as the API server does: messages, hints, no change.

Also the manifest-fuzzing crash sites of issue 18 F9, each now a clean refusal.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dstutor.kubectl.dispatch import run
from dstutor.model import decode as d
from dstutor.sim.clusterfile import ClusterFileError, load_manifests, parse_cluster_file
from tests.kubectl.kubectl_verbs_support import fresh_cluster, snapshot

DS = """apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:
      containers:
      - name: agent
        image: busybox:1.37
"""
PREFIX = 'DaemonSet in version "v1" cannot be handled as a DaemonSet: '


def heredoc(text: str) -> str:
    return f"kubectl apply -f - <<EOF\n{text}EOF"


def with_(old: str, new: str) -> str:
    assert old in DS
    return DS.replace(old, new, 1)


@pytest.mark.parametrize(("manifest", "detail", "hint"), [
    (with_("{app: agent}\n    spec", "{app: agent, ver: 2}\n    spec"),
     "json: cannot unmarshal number into Go struct field ObjectMeta.spec.template.metadata."
     "labels of type string",
     'YAML reads ver: 2 as a number; label values are strings: write ver: "2"'),
    (with_("{app: agent}\n    spec", "{app: agent, ver: 1.10}\n    spec"),
     "json: cannot unmarshal number into Go struct field ObjectMeta.spec.template.metadata."
     "labels of type string",
     'YAML reads ver: 1.10 as the number 1.1; label values are strings: write ver: "1.10"'),
    (with_("      containers:", "      nodeSelector: {gpu: true}\n      containers:"),
     "json: cannot unmarshal bool into Go struct field PodSpec.spec.template.spec."
     "nodeSelector of type string",
     'YAML reads gpu: true as a boolean; nodeSelector values are strings: write gpu: "true"'),
    (with_("      containers:", "      nodeSelector:\n        disk: on\n      containers:"),
     "json: cannot unmarshal bool into Go struct field PodSpec.spec.template.spec."
     "nodeSelector of type string",
     'YAML reads disk: on as the boolean true; nodeSelector values are strings: write '
     'disk: "on"'),
    (with_("image: busybox:1.37", 'image: busybox:1.37\n        ports: [{containerPort: "9100"}]'),
     "json: cannot unmarshal string into Go struct field ContainerPort.spec.template.spec."
     "containers.ports.containerPort of type int32",
     "containerPort is a number: write containerPort: 9100 without quotes"),
    (with_("      labels: {app: agent}", "      labels:\n      - app: agent"),
     "json: cannot unmarshal array into Go struct field ObjectMeta.spec.template.metadata."
     "labels of type map[string]string",
     "labels is a map of key: value pairs, not a list: drop the `- ` in front of each entry"),
    (with_("      containers:\n      - name: agent\n        image: busybox:1.37",
           "      containers:\n        name: agent\n        image: busybox:1.37"),
     "json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec."
     "containers of type []v1.Container",
     "containers is a list: start each item with `- `"),
    (with_("spec:\n  selector", 'spec:\n  revisionHistoryLimit: "10"\n  selector'),
     "json: cannot unmarshal string into Go struct field DaemonSetSpec.spec."
     "revisionHistoryLimit of type int32",
     "revisionHistoryLimit is a number: write revisionHistoryLimit: 10 without quotes"),
])
def test_apply_refuses_with_the_servers_decode_error(manifest: str, detail: str, hint: str
                                                     ) -> None:
    cluster = fresh_cluster(workers=1)
    before = snapshot(cluster)
    result = run(cluster, heredoc(manifest))
    assert result.stderr == (f'Error from server (BadRequest): error when creating "STDIN": '
                             f"{PREFIX}{detail}\n")
    assert result.hint == hint
    assert result.exit_code == 1
    assert snapshot(cluster) == before


def test_create_f_uses_the_same_decode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ds.yaml").write_text(with_("spec:\n  selector",
                                            'spec:\n  minReadySeconds: "5"\n  selector'))
    cluster = fresh_cluster(workers=1)
    result = run(cluster, "kubectl create -f ds.yaml")
    assert result.stderr == (
        'Error from server (BadRequest): error when creating "ds.yaml": ' + PREFIX +
        "json: cannot unmarshal string into Go struct field DaemonSetSpec.spec.minReadySeconds "
        "of type int32\n")


def test_apply_to_a_live_object_answers_as_the_patch_handler() -> None:
    # The patch handler converts the merged map and answers Invalid with the patch as
    # fmt's %+v; kubectl prints an Invalid status with no kind or name this way.
    cluster = fresh_cluster(workers=1)
    assert run(cluster, heredoc(DS)).exit_code == 0
    before = snapshot(cluster)
    bad = with_("spec:\n  selector", "spec:\n  replicas: 3\n  selector")
    result = run(cluster, heredoc(bad))
    assert result.stderr.startswith(
        'The request is invalid: patch: Invalid value: "map[metadata:map[annotations:map['
        "kubectl.kubernetes.io/last-applied-configuration:")
    assert result.stderr.endswith(
        '\\n]] spec:map[replicas:3]]": strict decoding error: unknown field "spec.replicas"\n')
    assert result.hint is not None and "replicas" in result.hint
    assert snapshot(cluster) == before


def test_apply_to_a_live_object_refuses_a_type_error() -> None:
    cluster = fresh_cluster(workers=1)
    assert run(cluster, heredoc(DS)).exit_code == 0
    before = snapshot(cluster)
    bad = with_("{app: agent}\n    spec", "{app: agent, ver: 2}\n    spec")
    result = run(cluster, heredoc(bad))
    assert result.stderr.startswith('The request is invalid: patch: Invalid value: "map[')
    assert result.stderr.endswith(
        "labels:map[ver:2]]]]]\": cannot convert int64 to string\n")
    assert result.hint == 'YAML reads ver: 2 as a number; label values are strings: write ver: "2"'
    assert snapshot(cluster) == before


def test_unknown_field_deep_in_a_probe_is_refused() -> None:
    manifest = with_("image: busybox:1.37", "image: busybox:1.37\n        livenessProbe:\n"
                     "          exec: {command: [cat]}\n          foo: 1")
    result = run(fresh_cluster(workers=1), heredoc(manifest))
    assert result.stderr.endswith(
        'strict decoding error: unknown field "spec.template.spec.containers[0].livenessProbe.foo"'
        "\n")


def test_validate_warn_drops_unknown_fields_with_the_servers_warning() -> None:
    manifest = with_("image: busybox:1.37", "image: busybox:1.37\n        foo: 1")
    cluster = fresh_cluster(workers=1)
    result = run(cluster, heredoc(manifest).replace("apply -f -", "apply --validate=warn -f -"))
    assert result.exit_code == 0
    assert 'Warning: unknown field "spec.template.spec.containers[0].foo"' in result.stderr
    stored = cluster.find("DaemonSet", "default", "agent")
    assert stored is not None
    assert "foo" not in stored["spec"]["template"]["spec"]["containers"][0]


def test_validate_false_still_refuses_a_type_error() -> None:
    manifest = with_("{app: agent}\n    spec", "{app: agent, ver: 2}\n    spec")
    result = run(fresh_cluster(workers=1),
                 heredoc(manifest).replace("apply -f -", "apply --validate=false -f -"))
    assert "cannot unmarshal number" in result.stderr


def test_stored_object_is_the_decoded_one() -> None:
    cluster = fresh_cluster(workers=1)
    manifest = with_("spec:\n  selector", "spec:\n  minReadySeconds: 5.0\n  selector")
    assert run(cluster, heredoc(manifest)).exit_code == 0
    stored = cluster.find("DaemonSet", "default", "agent")
    assert stored is not None
    assert stored["spec"]["minReadySeconds"] == 5
    assert isinstance(stored["spec"]["minReadySeconds"], int)


# --- issue 18 F9: crash sites found by manifest fuzzing -------------------------------------

def test_f9_readiness_probe_true_is_refused_and_advance_survives() -> None:
    cluster = fresh_cluster(workers=1)
    manifest = with_("image: busybox:1.37", "image: busybox:1.37\n        readinessProbe: true")
    result = run(cluster, heredoc(manifest))
    assert result.stderr.endswith(
        "json: cannot unmarshal bool into Go struct field Container.spec.template.spec."
        "containers.readinessProbe of type v1.Probe\n")
    cluster.advance(60)
    assert cluster.find("DaemonSet", "default", "agent") is None


def test_f9_nan_label_is_refused_by_the_yaml_to_json_conversion() -> None:
    cluster = fresh_cluster(workers=1)
    before = snapshot(cluster)
    result = run(cluster, heredoc(with_("{app: agent}\n    spec", "{app: agent, x: .nan}\n"
                                        "    spec")))
    assert result.stderr == ("error: error parsing STDIN: error converting YAML to JSON: json: "
                             "unsupported value: NaN\n")
    assert snapshot(cluster) == before


def test_f9_huge_min_ready_seconds() -> None:
    result = run(fresh_cluster(workers=1),
                 heredoc(with_("spec:\n  selector", f"spec:\n  minReadySeconds: {10**50}\n"
                               "  selector")))
    assert result.stderr.endswith("json: cannot unmarshal number 1e+50 into Go struct field "
                                  "DaemonSetSpec.spec.minReadySeconds of type int32\n")


def test_f9_grace_period_overflowing_int64() -> None:
    result = run(fresh_cluster(workers=1), heredoc(with_(
        "      containers:", f"      terminationGracePeriodSeconds: {2**63}\n      containers:")))
    assert result.stderr.endswith(
        "json: cannot unmarshal number 9223372036854775808 into Go struct field PodSpec.spec."
        "template.spec.terminationGracePeriodSeconds of type int64\n")


def test_f9_del_byte_in_a_manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "del.yaml").write_text(with_("name: agent\n", "name: agent\x7f\n"))
    result = run(fresh_cluster(workers=1), "kubectl apply -f del.yaml")
    assert result.stderr == ("error: error parsing del.yaml: error converting YAML to JSON: "
                             "yaml: control characters are not allowed\n")


def test_f9_nul_byte_in_a_file_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(fresh_cluster(workers=1), "kubectl apply -f 'a\x00b'")
    assert result.stderr == 'error: the path "a" does not exist\n'


# --- cluster files and shell -f manifests: file:line --------------------------------------

def test_cluster_file_manifest_refusal_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "ds.yaml").write_text(with_("      containers:",
                                            "      nodeSelector: {gpu: true}\n      containers:"))
    (tmp_path / "cluster.yaml").write_text("kind: Cluster\nnodes: [{name: n1}]\n"
                                           "manifests: [ds.yaml]\n")
    with pytest.raises(ClusterFileError) as info:
        parse_cluster_file(tmp_path / "cluster.yaml")
    assert str(info.value) == (
        f"error: {tmp_path / 'ds.yaml'}:12: {PREFIX}json: cannot unmarshal bool into Go struct "
        "field PodSpec.spec.template.spec.nodeSelector of type string")
    assert info.value.hint == ('YAML reads gpu: true as a boolean; nodeSelector values are '  # type: ignore[attr-defined]
                               'strings: write gpu: "true"')


def test_load_manifests_points_at_the_unknown_field_in_the_second_document() -> None:
    text = DS + "---\n" + with_("        image: busybox:1.37", "        image: x\n        imagePullPolice: Always")
    with pytest.raises(ClusterFileError) as info:
        load_manifests(text, "two.yaml")
    assert str(info.value).startswith("error: two.yaml:30: ")
    assert str(info.value).endswith(
        'strict decoding error: unknown field "spec.template.spec.containers[0].imagePullPolice"')


# --- hypothesis: every field of every served kind, turned into every JSON type ------------

BASE: dict[str, Any] = {
    "DaemonSet": json.loads(json.dumps(__import__("yaml").safe_load(DS))),
    "Pod": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "image": "busybox:1.37"}]}},
    "Deployment": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "w"},
                   "spec": {"selector": {"matchLabels": {"a": "w"}},
                            "template": {"metadata": {"labels": {"a": "w"}},
                                         "spec": {"containers": [{"name": "c",
                                                                  "image": "nginx"}]}}}},
    "Namespace": {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}},
    "Node": {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "extra"}},
    "ReplicaSet": {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "r"},
                   "spec": {"selector": {"matchLabels": {"a": "r"}},
                            "template": {"metadata": {"labels": {"a": "r"}},
                                         "spec": {"containers": [{"name": "c",
                                                                  "image": "nginx"}]}}}},
    "ControllerRevision": {"apiVersion": "apps/v1", "kind": "ControllerRevision",
                           "metadata": {"name": "cr"}, "revision": 1},
    "Event": {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e"},
              "involvedObject": {"kind": "Pod", "name": "p"}},
}


def _paths(kind: str, depth: int = 7) -> list[tuple[str | int, ...]]:
    """Every field path of the kind's Go types down to `depth` (lists through item 0)."""
    structs = d.schema()["structs"]
    out: list[tuple[str | int, ...]] = []

    def walk(node: list[Any], path: tuple[str | int, ...]) -> None:
        if len(path) > depth:
            return
        if node[0] == "struct":
            for name, sub in structs[node[2]]["fields"].items():
                out.append((*path, name))
                walk(sub, (*path, name))
        elif node[0] == "list":
            walk(node[2], (*path, 0))
        elif node[0] == "map":
            walk(node[2], (*path, "k"))

    walk(["struct", "", d.schema()["kinds"][kind]], ())
    return out


PATHS = {kind: _paths(kind) for kind in BASE}
JSON_VALUES = st.one_of(
    st.text(max_size=8), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False), st.booleans(), st.none(),
    st.lists(st.integers(0, 3), max_size=2), st.dictionaries(st.sampled_from("ab"),
                                                             st.text(max_size=3), max_size=2))


def _put(obj: Any, path: tuple[str | int, ...], value: Any) -> Any:
    target = obj
    for i, part in enumerate(path[:-1]):
        nxt = path[i + 1]
        empty: Any = [{}] if isinstance(nxt, int) else {}
        if isinstance(part, int):
            if not isinstance(target, list) or not target:
                return obj
            if not isinstance(target[0], dict | list):
                target[0] = empty
            target = target[0]
            continue
        if not isinstance(target.get(part), dict | list):
            target[part] = empty
        target = target[part]
        if isinstance(nxt, int) and not isinstance(target, list):
            return obj
    last = path[-1]
    if isinstance(last, int):
        if isinstance(target, list):
            target[:1] = [value]
    elif isinstance(target, dict):
        target[last] = value
    return obj


_CLEAN = ("Error from server", "The ", "error: ")


@pytest.mark.parametrize("kind", sorted(BASE))
@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_json_type_anywhere_is_decoded_or_refused_cleanly(kind: str, data: st.DataObject
                                                              ) -> None:
    path = data.draw(st.sampled_from(PATHS[kind]))
    value = data.draw(JSON_VALUES)
    obj = _put(json.loads(json.dumps(BASE[kind])), path, value)
    cluster = fresh_cluster(workers=1)
    before = snapshot(cluster)
    known = {o["metadata"]["uid"] for o in cluster.store.list(kind)}
    result = run(cluster, heredoc(json.dumps(obj, ensure_ascii=data.draw(st.booleans()))
                                  + "\n"))
    if result.exit_code != 0:
        assert result.stderr.startswith(_CLEAN), result.stderr
        assert snapshot(cluster) == before
    # Whatever was stored is an object the server can decode again.
    for stored in cluster.store.list(kind):
        if stored["metadata"]["uid"] not in known:
            again = d.decode(kind, stored)
            assert again.error is None and not again.unknown, again
    cluster.advance(30)  # a stored object must not break the controllers later either


def test_lesson_setup_manifest_refusal_names_file_and_line(tmp_path: Path) -> None:
    import shutil

    from dstutor.errors import LessonError
    from dstutor.lessons.loader import load_lesson
    from dstutor.lessons.sandbox import setup_manifests

    root = Path(__file__).resolve().parents[2] / "lessons"
    (tmp_path / "manifests").mkdir()
    (tmp_path / "clusters").mkdir()
    shutil.copy(root / "08-broken-image.yaml", tmp_path / "lesson.yaml")
    shutil.copy(root / "clusters" / "missing-image.yaml", tmp_path / "clusters")
    text = (root / "manifests" / "node-logger.yaml").read_text()
    template = text.index("template:")
    label = text.index("app: node-logger", template)
    text = text[:label] + "tier: yes\n        " + text[label:]
    (tmp_path / "manifests" / "node-logger.yaml").write_text(text)
    line = text[:label].count("\n") + 1
    with pytest.raises(LessonError) as info:
        setup_manifests(load_lesson(tmp_path / "lesson.yaml"))
    assert f"node-logger.yaml:{line}: {PREFIX}json: cannot unmarshal bool into Go struct " \
           "field ObjectMeta.spec.template.metadata.labels of type string" in str(info.value)


@pytest.mark.parametrize("how", ["manifest", "cluster"])
def test_shell_start_up_prints_the_tutor_line_under_the_refusal(tmp_path: Path, how: str
                                                                ) -> None:
    import io

    from dstutor.shell.startup import ShellOptions
    from dstutor.shell.startup import run as run_shell

    (tmp_path / "ds.yaml").write_text(with_("      containers:",
                                            "      nodeSelector: {gpu: true}\n      containers:"))
    (tmp_path / "cluster.yaml").write_text("kind: Cluster\nnodes: [{name: n1}]\n"
                                           "manifests: [ds.yaml]\n")
    if how == "manifest":
        opts = ShellOptions(manifests=[str(tmp_path / "ds.yaml")])
        consequence = " (skipped)"
    else:
        opts = ShellOptions(cluster_file=str(tmp_path / "cluster.yaml"))
        consequence = "; starting the default cluster instead"
    stderr = io.StringIO()
    status = run_shell(opts, stdin=io.StringIO(""), stdout=io.StringIO(), stderr=stderr,
                       interactive=False)
    assert status == 1
    assert stderr.getvalue().splitlines() == [
        f"error: {tmp_path / 'ds.yaml'}:12: {PREFIX}json: cannot unmarshal bool into Go struct "
        f"field PodSpec.spec.template.spec.nodeSelector of type string{consequence}",
        'YAML reads gpu: true as a boolean; nodeSelector values are strings: write gpu: "true"']


# --- kubectl patch: the patch handler's conversion of the patched object ---------------------

@pytest.mark.parametrize(("patch", "stderr"), [
    ("'{\"spec\":{\"template\":{\"metadata\":{\"labels\":{\"ver\":2}}}}}'",
     'The request is invalid: patch: Invalid value: "map[spec:map[template:map[metadata:map['
     'labels:map[ver:2]]]]]": cannot convert int64 to string\n'),
    ("'{\"spec\":{\"minReadySeconds\":\"10\"}}'",
     'The request is invalid: patch: Invalid value: "map[spec:map[minReadySeconds:10]]": '
     "unrecognized type: int32\n"),
    ("'{\"spec\":{\"selector\":\"app=agent\"}}'",
     'The request is invalid: patch: Invalid value: "map[spec:map[selector:app=agent]]": '
     "cannot restore struct from: string\n"),
])
def test_patch_refuses_with_the_converters_words(patch: str, stderr: str) -> None:
    cluster = fresh_cluster(workers=1)
    assert run(cluster, heredoc(DS)).exit_code == 0
    before = snapshot(cluster)
    result = run(cluster, f"kubectl patch ds agent -p {patch}")
    assert (result.exit_code, result.stderr) == (1, stderr)
    assert snapshot(cluster) == before


def test_patch_drops_unknown_fields_with_the_servers_default_warning() -> None:
    cluster = fresh_cluster(workers=1)
    assert run(cluster, heredoc(DS)).exit_code == 0
    result = run(cluster, "kubectl patch ds agent -p '{\"spec\":{\"replicas\":3,"
                          "\"minReadySeconds\":5}}'")
    assert result.exit_code == 0
    assert result.stderr == 'Warning: unknown field "spec.replicas"\n'
    spec = cluster.find("DaemonSet", "default", "agent")["spec"]
    assert "replicas" not in spec and spec["minReadySeconds"] == 5


def test_merge_patch_refusal_shows_the_patched_json() -> None:
    cluster = fresh_cluster(workers=1)
    assert run(cluster, heredoc(DS)).exit_code == 0
    result = run(cluster, "kubectl patch ds agent --type=merge -p "
                          "'{\"spec\":{\"minReadySeconds\":\"10\"}}'")
    assert result.exit_code == 1
    assert result.stderr.startswith('The request is invalid: patch: Invalid value: "{\\"apiVersion')
    assert result.stderr.endswith(
        '": json: cannot unmarshal string into Go struct field DaemonSetSpec.spec.'
        "minReadySeconds of type int32\n")
