"""The deprecated.daemonset.template.generation annotation, as apps/v1 decodes it.

Upstream the annotation is spec.templateGeneration in disguise: on create a requested
integer is kept (raised to 1 if lower) and its pods are labelled with it; on update the
value is ignored (carried over from the old object, bumped when the template changes).
Either way a value that is not an integer fails decoding: a BadRequest, nothing stored.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sim_builders import make_daemonset

from dstutor.errors import BadRequest
from dstutor.kubectl.dispatch import run
from dstutor.model.kinds import KINDS
from dstutor.model.objects import (
    TEMPLATE_GENERATION_ANNOTATION,
    TEMPLATE_GENERATION_LABEL,
    Obj,
    clone,
)
from dstutor.sim.cluster import Cluster


def _decode_error(value: str, reason: str = "invalid syntax") -> str:
    return ('DaemonSet in version "v1" cannot be handled as a DaemonSet: strconv.ParseInt: '
            f'parsing "{value}": {reason}')


def _cluster() -> Cluster:
    cluster = Cluster()
    cluster.add_node("node-0", ready=True)
    cluster.add_node("node-1", ready=True)
    cluster.advance()
    return cluster


def _ds(generation: str | None = None, name: str = "foo") -> Obj:
    anns = {TEMPLATE_GENERATION_ANNOTATION: generation} if generation is not None else None
    return make_daemonset(name, annotations=anns)


def _stored_generation(cluster: Cluster, name: str = "foo") -> str:
    ds = cluster.get("DaemonSet", "default", name)
    return str(ds["metadata"]["annotations"][TEMPLATE_GENERATION_ANNOTATION])


def _pod_generations(cluster: Cluster, name: str = "foo") -> list[str]:
    return [p["metadata"]["labels"][TEMPLATE_GENERATION_LABEL] for p in cluster.pods_of(name)]


def _snapshot(cluster: Cluster) -> str:
    state = {kind: cluster.store.list(kind) for kind in sorted(KINDS)}
    return json.dumps({"now": cluster.now(), "objects": state}, sort_keys=True)


@pytest.mark.parametrize(("requested", "stored"), [
    (None, "1"), ("5", "5"), ("1", "1"), ("0", "1"), ("-3", "1"), ("+7", "7"), ("007", "7"),
])
def test_create_keeps_a_requested_generation_raised_to_one(requested: str | None,
                                                           stored: str) -> None:
    cluster = _cluster()
    cluster.create(_ds(requested))
    cluster.advance()
    assert _stored_generation(cluster) == stored
    assert _pod_generations(cluster) == [stored, stored]


def test_an_update_after_a_requested_generation_counts_on_from_it() -> None:
    cluster = _cluster()
    cluster.create(_ds("5"))
    cluster.advance()
    ds = cluster.get("DaemonSet", "default", "foo")
    ds["spec"]["template"]["spec"]["containers"][0]["image"] = "foo/bar:2"
    ds["spec"]["updateStrategy"] = {"type": "RollingUpdate"}
    cluster.update(ds)
    cluster.advance()
    assert _stored_generation(cluster) == "6"
    assert _pod_generations(cluster) == ["6", "6"]


@pytest.mark.parametrize(("value", "reason"), [
    ("abc", "invalid syntax"), ("", "invalid syntax"), ("1.5", "invalid syntax"),
    (" 5", "invalid syntax"), ("+", "invalid syntax"), ("1_000", "invalid syntax"),
    ("9223372036854775808", "value out of range"),
])
def test_create_with_a_non_integer_generation_is_a_bad_request(value: str, reason: str) -> None:
    cluster = _cluster()
    before = _snapshot(cluster)
    with pytest.raises(BadRequest) as info:
        cluster.create(_ds(value))
    assert info.value.message == _decode_error(value, reason)
    assert _snapshot(cluster) == before
    cluster.advance()
    assert cluster.store.get("DaemonSet", "default", "foo") is None
    assert cluster.store.list("Pod") == []


def test_a_dry_run_create_is_decoded_too() -> None:
    cluster = _cluster()
    with pytest.raises(BadRequest):
        cluster.create(_ds("abc"), dry_run=True)
    assert cluster.create(_ds("5"), dry_run=True)["metadata"]["annotations"][
        TEMPLATE_GENERATION_ANNOTATION] == "5"


def test_decoding_fails_before_any_other_check() -> None:
    # A missing namespace would be NotFound, a bad name Invalid: decoding comes first.
    cluster = _cluster()
    ds = _ds("abc", name="Not_A_Name")
    ds["metadata"]["namespace"] = "nowhere"
    with pytest.raises(BadRequest) as info:
        cluster.create(ds)
    assert info.value.message == _decode_error("abc")


def test_update_ignores_a_requested_integer_generation() -> None:
    cluster = _cluster()
    cluster.create(_ds())
    cluster.advance()
    ds = cluster.get("DaemonSet", "default", "foo")
    ds["metadata"]["annotations"][TEMPLATE_GENERATION_ANNOTATION] = "42"
    ds["spec"]["minReadySeconds"] = 3
    cluster.update(ds)
    cluster.advance()
    assert _stored_generation(cluster) == "1"
    assert _pod_generations(cluster) == ["1", "1"]
    # A template change bumps the old value, not the requested one.
    ds = cluster.get("DaemonSet", "default", "foo")
    ds["metadata"]["annotations"][TEMPLATE_GENERATION_ANNOTATION] = "-9"
    ds["spec"]["template"]["spec"]["containers"][0]["image"] = "foo/bar:2"
    cluster.update(ds)
    assert _stored_generation(cluster) == "2"


def test_update_without_the_annotation_keeps_the_generation() -> None:
    cluster = _cluster()
    cluster.create(_ds("4"))
    ds = cluster.get("DaemonSet", "default", "foo")
    del ds["metadata"]["annotations"][TEMPLATE_GENERATION_ANNOTATION]
    ds["spec"]["minReadySeconds"] = 3
    cluster.update(ds)
    assert _stored_generation(cluster) == "4"


def test_update_with_a_non_integer_generation_is_a_bad_request() -> None:
    cluster = _cluster()
    cluster.create(_ds())
    cluster.advance()
    before = _snapshot(cluster)
    ds = cluster.get("DaemonSet", "default", "foo")
    ds["metadata"]["annotations"][TEMPLATE_GENERATION_ANNOTATION] = "abc"
    ds["spec"]["template"]["spec"]["containers"][0]["image"] = "foo/bar:2"
    for dry_run in (True, False):
        with pytest.raises(BadRequest) as info:
            cluster.update(clone(ds), dry_run=dry_run)
        assert info.value.message == _decode_error("abc")
    assert _snapshot(cluster) == before


def test_update_decoding_fails_before_the_lookup() -> None:
    cluster = _cluster()
    with pytest.raises(BadRequest):
        cluster.update(_ds("abc", name="missing"))


# --- as kubectl prints it ------------------------------------------------------------------

MANIFEST = """\
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: logger
  annotations:
    deprecated.daemonset.template.generation: "{value}"
spec:
  selector:
    matchLabels: {{app: logger}}
  template:
    metadata:
      labels: {{app: logger}}
    spec:
      containers:
      - name: logger
        image: busybox:1.36
"""


@pytest.mark.parametrize("verb", ["create", "apply"])
def test_kubectl_prints_the_decoding_error_with_the_file(
        verb: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ds.yaml").write_text(MANIFEST.format(value="abc"), encoding="utf-8")
    cluster = _cluster()
    before = _snapshot(cluster)
    result = run(cluster, f"kubectl {verb} -f ds.yaml")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        'Error from server (BadRequest): error when creating "ds.yaml": '
        + _decode_error("abc") + "\n")
    assert _snapshot(cluster) == before


def test_kubectl_create_keeps_a_requested_generation(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ds.yaml").write_text(MANIFEST.format(value="5"), encoding="utf-8")
    cluster = _cluster()
    result = run(cluster, "kubectl create -f ds.yaml")
    assert (result.exit_code, result.stdout) == (0, "daemonset.apps/logger created\n")
    cluster.advance()
    result = run(cluster, "kubectl get pods -L pod-template-generation --no-headers")
    assert [line.split()[-1] for line in result.stdout.splitlines()] == ["5", "5"]
