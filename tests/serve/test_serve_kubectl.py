"""One run of the real kubectl 1.37.1 against `serve` over the command list of issue 15."""

from __future__ import annotations

import json
import queue
import re
import subprocess
import threading
import time
from typing import IO

import pytest
from serve_manifests import LOGGER, LOGGER_BOGUS, LOGGER_V2, WEB
from serve_support import Served, make_cluster


@pytest.fixture
def live(kubectl_binary: str):
    """A live clock at 20× so waits (rollout status, delete, drain) finish quickly."""
    with Served(make_cluster(mode="live", speed=20, start=time.time()), kubectl_binary) as s:
        yield s


# How long a watch test waits for more rows after the row it expects last.
QUIET = 0.5


def _lines_into(stream: IO[str], rows: queue.Queue[str]) -> None:
    """Each line of `stream` into `rows`, then "" when it ends."""
    for line in stream:
        rows.put(line)
    rows.put("")


def _ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_kubectl_discovery_and_version(served: Served) -> None:
    assert "Server Version: v1.37.1" in _ok(served.kubectl("version"))
    resources = _ok(served.kubectl("api-resources"))
    # The APIVERSION column is as wide as scheduling.k8s.io/v1 (priorityclasses).
    assert ("daemonsets            ds           apps/v1                true         DaemonSet"
            in resources)
    assert ("priorityclasses       pc           scheduling.k8s.io/v1   false        "
            "PriorityClass") in resources
    assert _ok(served.kubectl("get", "ds", "-A", "-o", "name")) == "daemonset.apps/kube-proxy\n"


def test_kubectl_apply_cycle_and_rollout(live: Served, tmp_path) -> None:
    (tmp_path / "a.yaml").write_text(LOGGER)
    (tmp_path / "b.yaml").write_text(LOGGER_V2)
    (tmp_path / "bogus.yaml").write_text(LOGGER_BOGUS)
    a, b = str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")
    assert _ok(live.kubectl("apply", "-f", a, "--dry-run=server")) == (
        "daemonset.apps/logger created (server dry run)\n")
    assert live.kubectl("get", "ds", "logger").returncode == 1
    assert _ok(live.kubectl("apply", "-f", a)) == "daemonset.apps/logger created\n"
    assert _ok(live.kubectl("apply", "-f", a)) == "daemonset.apps/logger unchanged\n"
    assert "successfully rolled out" in _ok(live.kubectl("rollout", "status", "ds/logger",
                                                         "--timeout=30s"))
    assert _ok(live.kubectl("apply", "-f", b)) == "daemonset.apps/logger configured\n"
    status = _ok(live.kubectl("rollout", "status", "ds/logger", "--timeout=30s"))
    # The watch sees the rollout under way, at whichever of kubectl's stages the busy
    # machine lets its first look fall (updated, or updated and waiting to be available).
    assert re.match(r'(Waiting for daemon set "logger" rollout to finish: \d+ (out of \d+ new '
                    r'pods have been updated|of \d+ updated pods are available)\.\.\.\n)+'
                    r'daemon set "logger" successfully rolled out\n\Z', status), status
    history = _ok(live.kubectl("rollout", "history", "ds/logger"))
    assert "1         <none>\n2         <none>" in history
    assert "rolled back" in _ok(live.kubectl("rollout", "undo", "ds/logger"))
    image = _ok(live.kubectl("get", "ds", "logger", "-o",
                             "jsonpath={.spec.template.spec.containers[0].image}"))
    assert image == "busybox:1.36"
    assert _ok(live.kubectl("set", "image", "ds/logger", "log=busybox:1.38")) == (
        "daemonset.apps/logger image updated\n")
    assert "restarted" in _ok(live.kubectl("rollout", "restart", "ds/logger"))
    refused = live.kubectl("apply", "-f", str(tmp_path / "bogus.yaml"))
    assert refused.returncode == 1
    assert 'strict decoding error: unknown field "spec.template.spec.containers[0].bogus"' in (
        refused.stderr)
    created = live.kubectl("create", "-f", a)
    assert created.stderr == (f'Error from server (AlreadyExists): error when creating "{a}": '
                              'daemonsets.apps "logger" already exists\n')
    described = _ok(live.kubectl("describe", "ds", "logger"))
    assert "SuccessfulCreate" in described and "Image:         busybox:1.38" in described
    assert _ok(live.kubectl("delete", "ds", "logger")) == (
        'daemonset.apps "logger" deleted from default namespace\n')


def test_kubectl_replace_patch_scale_and_conflict(live: Served, tmp_path) -> None:
    (tmp_path / "web.yaml").write_text(WEB)
    _ok(live.kubectl("create", "-f", str(tmp_path / "web.yaml")))
    assert _ok(live.kubectl("scale", "deploy/web", "--replicas=3")) == (
        "deployment.apps/web scaled\n")
    assert _ok(live.kubectl("get", "deploy", "web", "-o", "jsonpath={.spec.replicas}")) == "3"
    _ok(live.kubectl("patch", "deploy", "web", "--type=merge", "-p",
                     '{"metadata":{"labels":{"tier":"front"}}}'))
    _ok(live.kubectl("patch", "deploy", "web", "--type=json", "-p",
                     '[{"op":"replace","path":"/spec/replicas","value":1}]'))
    assert _ok(live.kubectl("get", "deploy", "web", "-o", "jsonpath={.spec.replicas}")) == "1"
    doc = _ok(live.kubectl("get", "deploy", "web", "-o", "yaml"))
    stale = doc.replace('resourceVersion: "', 'resourceVersion: "1')
    (tmp_path / "stale.yaml").write_text(stale)
    refused = live.kubectl("replace", "-f", str(tmp_path / "stale.yaml"))
    assert "Error from server (Conflict): error when replacing" in refused.stderr
    assert "the object has been modified; please apply your changes" in refused.stderr
    (tmp_path / "fresh.yaml").write_text(doc)
    assert _ok(live.kubectl("replace", "-f", str(tmp_path / "fresh.yaml"))) == (
        "deployment.apps/web replaced\n")


def test_kubectl_node_commands_and_drain(live: Served) -> None:
    assert _ok(live.kubectl("taint", "node", "worker-1", "k=v:NoSchedule")) == (
        "node/worker-1 tainted\n")
    assert _ok(live.kubectl("label", "node", "worker-1", "disk=ssd")) == "node/worker-1 labeled\n"
    assert _ok(live.kubectl("annotate", "node", "worker-1", "note=x")) == (
        "node/worker-1 annotated\n")
    assert _ok(live.kubectl("cordon", "worker-2")) == "node/worker-2 cordoned\n"
    drained = live.kubectl("drain", "worker-2", "--ignore-daemonsets", "--timeout=30s")
    assert drained.returncode == 0, drained.stderr
    assert "node/worker-2 drained" in drained.stdout
    assert _ok(live.kubectl("uncordon", "worker-2")) == "node/worker-2 uncordoned\n"
    nodes = _ok(live.kubectl("get", "nodes", "-l", "disk=ssd", "-o", "name"))
    assert nodes == "node/worker-1\n"
    assert "k=v:NoSchedule" in _ok(live.kubectl("describe", "node", "worker-1"))


def test_kubectl_delete_cascades(live: Served, tmp_path) -> None:
    (tmp_path / "a.yaml").write_text(LOGGER)
    for cascade in ("orphan", "foreground", "background"):
        _ok(live.kubectl("apply", "-f", str(tmp_path / "a.yaml")))
        _ok(live.kubectl("rollout", "status", "ds/logger", "--timeout=30s"))
        _ok(live.kubectl("delete", "ds", "logger", f"--cascade={cascade}", "--timeout=30s"))
        left = _ok(live.kubectl("get", "pods", "-l", "app=logger", "-o", "name"))
        if cascade == "orphan":
            assert left.count("pod/logger-") == 3
            owners = _ok(live.kubectl("get", "pods", "-l", "app=logger", "-o",
                                      "jsonpath={.items[*].metadata.ownerReferences}"))
            assert owners == ""
            _ok(live.kubectl("delete", "pods", "-l", "app=logger", "--timeout=30s"))
        elif cascade == "foreground":
            assert left == ""


def test_kubectl_errors_are_the_servers(served: Served) -> None:
    assert served.kubectl("get", "ds", "nope").stderr == (
        'Error from server (NotFound): daemonsets.apps "nope" not found\n')
    assert served.kubectl("get", "pods", "--field-selector", "spec.bogus=x").stderr == (
        'Error from server (BadRequest): Unable to find "/v1, Resource=pods" that match label '
        'selector "", field selector "spec.bogus=x": field label not supported: spec.bogus\n')
    assert served.kubectl("delete", "node", "nope").stderr == (
        'Error from server (NotFound): nodes "nope" not found\n')


def test_kubectl_get_watch_sees_a_change(served: Served) -> None:
    watch = subprocess.Popen(
        [served.binary, "get", "nodes", "-w", "--request-timeout=5s"],  # type: ignore[list-item]
        env={"HOME": served.home, "KUBECONFIG": str(served.kubeconfig), "TZ": "UTC"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # The header comes with the first listing; kubectl then watches from that list's
        # resourceVersion, so a node added now is one kubectl must see.
        out = watch.stdout.readline()  # type: ignore[union-attr]
        with served.backend.lock:
            served.cluster.add_node("worker-9")
        # Read until the new node's row (or until --request-timeout ends the watch).
        for line in watch.stdout:  # type: ignore[union-attr]
            out += line
            if "worker-9" in line:
                break
    finally:
        watch.kill()
        watch.wait()
    assert "worker-9" in out
    assert out.splitlines()[0].split() == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]


def test_kubectl_server_side_apply_owns_fields(served: Served, tmp_path) -> None:
    (tmp_path / "a.yaml").write_text(LOGGER)
    (tmp_path / "b.yaml").write_text(LOGGER.replace("      - name: log\n",
                                                    "      - name: log\n"
                                                    "        args: [-v]\n"))
    a = str(tmp_path / "a.yaml")
    assert _ok(served.kubectl("apply", "--server-side", "-f", a)) == (
        "daemonset.apps/logger serverside-applied\n")
    assert _ok(served.kubectl("apply", "--server-side", "-f", a)) == (
        "daemonset.apps/logger serverside-applied\n")
    _ok(served.kubectl("set", "image", "ds/logger", "log=busybox:1.99"))
    refused = served.kubectl("apply", "--server-side", "-f", a)
    assert refused.returncode == 1
    assert refused.stderr.startswith(
        'error: Apply failed with 1 conflict: conflict with "kubectl-set" using apps/v1: '
        '.spec.template.spec.containers[name="log"].image\n'
        "Please review the fields above--they currently have other managers.")
    assert _ok(served.kubectl("apply", "--server-side", "--force-conflicts", "-f", a)) == (
        "daemonset.apps/logger serverside-applied\n")
    image = "jsonpath={.spec.template.spec.containers[0].image}"
    assert _ok(served.kubectl("get", "ds", "logger", "-o", image)) == "busybox:1.36"
    # A field the applier sent before and no longer sends is removed.
    _ok(served.kubectl("apply", "--server-side", "-f", str(tmp_path / "b.yaml")))
    args = "jsonpath={.spec.template.spec.containers[0].args}"
    assert _ok(served.kubectl("get", "ds", "logger", "-o", args)) == '["-v"]'
    _ok(served.kubectl("apply", "--server-side", "-f", a))
    assert _ok(served.kubectl("get", "ds", "logger", "-o", args)) == ""
    dry = served.kubectl("apply", "--server-side", "--dry-run=server", "-f",
                         str(tmp_path / "b.yaml"))
    assert dry.stdout == "daemonset.apps/logger serverside-applied (server dry run)\n"
    assert _ok(served.kubectl("get", "ds", "logger", "-o", args)) == ""


def test_kubectl_edit_with_an_editor(served: Served, tmp_path) -> None:
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/kubernetes.io\\/os: linux/kubernetes.io\\/os: linux\\n"
                      "        tier: edge/' \"$1\"\n")
    editor.chmod(0o755)
    env_editor = {"KUBE_EDITOR": str(editor)}
    done = subprocess.run(
        [served.binary, "edit", "ds", "kube-proxy", "-n", "kube-system"],  # type: ignore[list-item]
        env={"HOME": served.home, "KUBECONFIG": str(served.kubeconfig), "PATH": "/usr/bin:/bin",
             **env_editor}, capture_output=True, text=True, timeout=60, check=False)
    assert done.stdout == "daemonset.apps/kube-proxy edited\n", done.stderr
    selector = _ok(served.kubectl("get", "ds", "-n", "kube-system", "kube-proxy", "-o",
                                  "jsonpath={.spec.template.spec.nodeSelector.tier}"))
    assert selector == "edge"


def test_kubectl_get_watch_prints_rows_as_tables(served: Served) -> None:
    with served.backend.lock:
        before = len(served.cluster.list("Pod"))  # the rows of the first listing
    # The watch ends when its request times out; the change is made as soon as the
    # first listing is out (a watch started from the listing's resourceVersion sees
    # every later change), not after a fixed wait. The rows are read as they come: once
    # a new pod's row says Running (the state the change ends in), the test reads on
    # until QUIET seconds pass without a row or the watch ends, instead of waiting out
    # the rest of its 2 s request.
    watch = subprocess.Popen(
        [served.binary, "get", "pods", "-A", "-w", "--request-timeout=2s"],  # type: ignore[list-item]
        env={"HOME": served.home, "KUBECONFIG": str(served.kubeconfig), "TZ": "UTC"},
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    rows: queue.Queue[str] = queue.Queue()
    try:
        assert watch.stdout is not None
        out = [watch.stdout.readline() for _ in range(1 + before)]  # header, listing
        threading.Thread(target=_lines_into, args=(watch.stdout, rows), daemon=True).start()
        with served.backend.lock:
            served.cluster.add_node("worker-9")
            served.cluster.advance(10)
        running = False
        while True:
            try:
                line = rows.get(timeout=QUIET if running else 15)
            except queue.Empty:
                break
            if not line:  # the watch ended
                break
            out.append(line)
            running = running or line.split()[2:4] == ["1/1", "Running"]
    finally:
        watch.kill()
        watch.wait()
    lines = "".join(out).splitlines()
    assert lines[0].split() == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert sum(1 for line in lines if line.startswith("NAMESPACE")) == 1
    new = [line.split() for line in lines[1 + before:]]
    assert new and all(row[0] == "kube-system" and row[1].startswith("kube-proxy-")
                       for row in new)
    assert new[-1][2:4] == ["1/1", "Running"]


def test_kubectl_logs_follow_streams_new_lines(live: Served, tmp_path) -> None:
    (tmp_path / "a.yaml").write_text(LOGGER.replace(
        "        image: busybox:1.36\n",
        "        image: busybox:1.36\n"
        "        command: [sh, -c, 'while true; do echo tick; sleep 1; done']\n"))
    _ok(live.kubectl("apply", "-f", str(tmp_path / "a.yaml")))
    _ok(live.kubectl("rollout", "status", "ds/logger", "--timeout=30s"))
    # The stream ends when its 2 s request times out; the test reads it as it comes and
    # stops at the 20th line instead of waiting out the rest of the 2 s.
    follow = subprocess.Popen(
        [live.binary, "logs", "ds/logger", "-f", "--request-timeout=2s"],  # type: ignore[list-item]
        env=live.kubectl_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen: list[str] = []
    try:
        assert follow.stdout is not None
        for line in follow.stdout:
            seen.append(line)
            if sum("tick" in s for s in seen) >= 20:
                break
    finally:
        follow.kill()
        _, stderr = follow.communicate(timeout=30)
    ticks = "".join(seen).count("tick")
    assert ticks >= 20, (seen, stderr)  # 20× clock: about 20 lines a second


def test_kubectl_typed_decoding_refusals_and_warnings(served: Served, tmp_path) -> None:
    (tmp_path / "typed.yaml").write_text(LOGGER.replace("labels: {app: logger}\n    spec:",
                                                        "labels: {app: 7}\n    spec:"))
    (tmp_path / "bogus.yaml").write_text(LOGGER_BOGUS)
    typed = served.kubectl("apply", "-f", str(tmp_path / "typed.yaml"))
    assert typed.returncode == 1
    assert ("json: cannot unmarshal number into Go struct field "
            "ObjectMeta.spec.template.metadata.labels of type string") in typed.stderr
    warned = served.kubectl("create", "-f", str(tmp_path / "bogus.yaml"), "--validate=warn")
    assert warned.stdout == "daemonset.apps/logger created\n"
    assert 'Warning: unknown field "spec.template.spec.containers[0].bogus"' in warned.stderr
    stored = _ok(served.kubectl("get", "ds", "logger", "-o", "json"))
    assert "bogus" not in stored


def test_kubectl_deletecollection_with_selectors(served: Served, tmp_path) -> None:
    """DELETE on a collection (what client libraries' delete_collection sends) deletes what
    the label and field selectors match, and replies with the list of deleted objects."""
    (tmp_path / "a.yaml").write_text(LOGGER)
    _ok(served.kubectl("apply", "-f", str(tmp_path / "a.yaml")))
    served.advance(30)
    assert "deletecollection" in _ok(served.kubectl("api-resources", "-o", "wide"))
    before = _ok(served.kubectl("get", "pods", "-l", "app=logger", "-o", "name")).split()
    assert len(before) == 3
    done = json.loads(_ok(served.kubectl(
        "delete", "--raw",
        "/api/v1/namespaces/default/pods?labelSelector=app%3Dlogger"
        "&fieldSelector=spec.nodeName%3Dworker-1")))
    assert done["kind"] == "PodList"
    assert [p["spec"]["nodeName"] for p in done["items"]] == ["worker-1"]
    served.advance(1)
    after = _ok(served.kubectl("get", "pods", "-l", "app=logger", "-o", "name")).split()
    assert len(after) == 3 and set(after) != set(before)  # the DaemonSet made a new one
    done = json.loads(_ok(served.kubectl(
        "delete", "--raw", "/apis/apps/v1/namespaces/default/daemonsets?labelSelector=nope")))
    assert done["items"] == []
    _ok(served.kubectl("delete", "--raw", "/apis/apps/v1/namespaces/default/daemonsets"))
    assert _ok(served.kubectl("get", "ds", "-o", "name")) == ""
    bad = served.kubectl("delete", "--raw", "/api/v1/namespaces/default/pods?labelSelector=a%20in")
    assert bad.returncode == 1 and "BadRequest" in bad.stderr
    refused = served.kubectl("delete", "--raw", "/api/v1/namespaces")
    assert refused.returncode == 1 and "MethodNotAllowed" in refused.stderr


def test_kubectl_debug_sends_protobuf_pods(served: Served) -> None:
    """kubectl debug's typed client sends the Pod as protobuf: node debugging (privileged
    with the sysadmin profile) and a copy of a pod with a debug container both land."""
    _ok(served.kubectl("run", "p1", "--image=busybox"))
    assert "Creating debugging pod node-debugger-worker-1-" in _ok(served.kubectl(
        "debug", "node/worker-1", "--image=busybox", "--profile=sysadmin"))
    _ok(served.kubectl("debug", "p1", "--image=busybox:2", "--copy-to=p2", "-c", "dbg"))
    served.advance(10)
    pods = {p["metadata"]["name"]: p for p in json.loads(
        _ok(served.kubectl("get", "pods", "-o", "json")))["items"]}
    node_pod = next(p for n, p in pods.items() if n.startswith("node-debugger-worker-1-"))
    spec = node_pod["spec"]
    assert (spec["hostPID"], spec["hostIPC"], spec["hostNetwork"], spec["nodeName"]) == (
        True, True, True, "worker-1")
    assert spec["containers"][0]["securityContext"] == {"privileged": True}
    assert spec["volumes"][0]["hostPath"]["path"] == "/"
    assert spec["containers"][0]["volumeMounts"] == [{"mountPath": "/host",
                                                      "name": "host-root"}]
    copy = pods["p2"]["spec"]
    assert [c["name"] for c in copy["containers"]] == ["p1", "dbg"]
    assert copy["shareProcessNamespace"] is True
    assert copy["containers"][1]["securityContext"] == {"capabilities": {"add": ["SYS_PTRACE"]}}
    assert pods["p2"]["status"]["phase"] == "Running"
    # A typed create of a kind the simulator does not serve is the server's NotFound for
    # the resource (never a 415).
    refused = served.kubectl("create", "configmap", "c1")
    assert (refused.returncode, refused.stderr) == (
        1, "error: failed to create configmap: the server could not find the requested "
           "resource\n")
