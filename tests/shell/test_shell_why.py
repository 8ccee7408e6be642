"""`why`: the placement gates in plain words, for the cases learners meet first."""

from __future__ import annotations

import pytest
from shell_helpers import NODE_LOGGER, check_golden

from dstutor.shell.session import Session

GPU_AGENT = """\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: gpu-agent}
spec:
  selector: {matchLabels: {app: gpu-agent}}
  template:
    metadata: {labels: {app: gpu-agent}}
    spec:
      nodeSelector: {gpu: "true"}
      containers:
      - {name: agent, image: "busybox:1.36", resources: {requests: {cpu: "3"}}}
"""


def _apply(session: Session, manifest: str) -> None:
    out = session.handle_line(f"kubectl apply -f - <<EOF\n{manifest}EOF")
    assert out.ok, out.stderr
    session.handle_line("advance")


def _why(session: Session, line: str) -> str:
    out = session.handle_line(line)
    assert out.ok, out.stderr
    return out.stdout


def test_why_tainted_node(session: Session) -> None:
    session.handle_line("node add gpu-1 --taint dedicated=gpu:NoSchedule")
    _apply(session, NODE_LOGGER)
    text = _why(session, "why gpu-1 node-logger")
    assert "DaemonSet default/node-logger on node gpu-1:" in text
    assert "✗ taint: taint dedicated=gpu:NoSchedule is not tolerated: no new pod, but a\n" \
           "      running pod may stay" in text
    assert "result: should run: no, should keep running: yes" in text
    assert "pod here: none" in text
    check_golden("why_tainted_node.txt", text)


def test_why_selector_mismatch(session: Session) -> None:
    session.handle_line("node add gpu-1 --label gpu=true")
    _apply(session, GPU_AGENT)
    text = _why(session, "why worker-1 gpu-agent")
    assert "✗ node selector/affinity: nodeSelector gpu=true: node has no label gpu" in text
    assert "result: should run: no, should keep running: no" in text
    matching = _why(session, "why gpu-1 gpu-agent")
    assert "✓ node selector/affinity: nodeSelector gpu=true: matches" in matching
    assert "✓ resources: fits (requests cpu 3; 1 other pod(s) on the node)" in matching
    assert "should run: yes, should keep running: yes" in matching


def test_why_cordoned_node_still_runs_daemon_pods(session: Session) -> None:
    _apply(session, NODE_LOGGER)
    assert session.handle_line("kubectl cordon worker-1").ok
    text = _why(session, "why worker-1 node-logger")
    assert ("✓ taint: taint node.kubernetes.io/unschedulable:NoSchedule is tolerated "
            "(toleration node.kubernetes.io/unschedulable Exists:NoSchedule, added by the "
            "DaemonSet controller)") in " ".join(text.split())
    assert "✓ cordoned (unschedulable): DaemonSet pods tolerate" in text
    assert "should run: yes, should keep running: yes" in text
    assert "Running" in text


def test_why_not_ready_node(session: Session) -> None:
    _apply(session, NODE_LOGGER)
    session.handle_line("node fail worker-2")
    just_failed = _why(session, "why worker-2 node-logger")
    assert "✗ the kubelet stopped reporting: pods bound here do not start" in just_failed
    session.handle_line("advance 55s")
    text = " ".join(_why(session, "why worker-2 node-logger").split())
    assert "✗ NotReady (Ready=Unknown): the kubelet is not reporting" in text
    assert ("taint node.kubernetes.io/unreachable:NoExecute is tolerated (toleration "
            "node.kubernetes.io/unreachable Exists:NoExecute, added by the DaemonSet "
            "controller)") in text
    assert "should run: no" in text  # unreachable:NoSchedule is not tolerated


def test_why_new_node_not_ready_yet(session: Session) -> None:
    _apply(session, NODE_LOGGER)
    session.handle_line("node add fresh")
    text = " ".join(_why(session, "why fresh node-logger").split())
    assert "✗ NotReady (Ready=False): the node is still starting" in text
    assert "taint node.kubernetes.io/not-ready:NoSchedule is not tolerated" in text


def test_why_insufficient_resources(session: Session) -> None:
    big = GPU_AGENT.replace('cpu: "3"', 'cpu: "6"')
    session.handle_line("node add gpu-1 --label gpu=true")
    _apply(session, big)
    text = " ".join(_why(session, "why gpu-1 gpu-agent").split())
    assert "✗ resources: Insufficient cpu: the pod requests 6, only 4 free" in text
    assert "Pending (the scheduler says: 0/5 nodes are available" in text


def test_why_pod_names_its_node_and_daemonset(session: Session) -> None:
    _apply(session, NODE_LOGGER)
    pod = session.cluster.pods_of("node-logger")[0]
    name, node = pod["metadata"]["name"], pod["spec"]["nodeName"]
    text = _why(session, f"why {name}")
    assert text.startswith(f"pod default/{name}: Running\n"
                           f"DaemonSet default/node-logger on node {node}:")


def test_why_daemonset_covers_every_node(session: Session) -> None:
    _apply(session, NODE_LOGGER)
    text = _why(session, "why ds/node-logger")
    assert text.count("DaemonSet default/node-logger on node") == 4


def test_why_node_covers_every_daemonset(session: Session) -> None:
    _apply(session, NODE_LOGGER)
    text = _why(session, "why worker-3")
    assert "DaemonSet default/node-logger on node worker-3:" in text
    assert "DaemonSet kube-system/kube-proxy on node worker-3:" in text


def test_why_lines_fit_the_width(session: Session) -> None:
    _apply(session, NODE_LOGGER)
    session.handle_line("kubectl cordon worker-1")
    assert all(len(line) <= 80 for line in _why(session, "why").splitlines())


@pytest.mark.parametrize("line, message", [
    ("why nosuch", 'error: no pod, node or DaemonSet named "nosuch"'),
    ("why worker-1 nosuch", 'error: no DaemonSet named "nosuch"'),
    ("why a b c", "error: unexpected argument 'c'"),
])
def test_why_unknown_names(session: Session, line: str, message: str) -> None:
    out = session.handle_line(line)
    assert out.exit_code == 1 and out.stderr.startswith(message)


def test_why_node_affinity_shows_each_expression(session: Session) -> None:
    manifest = GPU_AGENT.replace('      nodeSelector: {gpu: "true"}\n', (
        "      affinity:\n        nodeAffinity:\n"
        "          requiredDuringSchedulingIgnoredDuringExecution:\n"
        "            nodeSelectorTerms:\n"
        "            - matchExpressions:\n"
        "              - {key: disk, operator: In, values: [ssd, nvme]}\n"
        "              - {key: zone, operator: NotIn, values: [b]}\n"))
    session.handle_line("kubectl label node worker-2 disk=ssd zone=b")
    _apply(session, manifest)
    text = _why(session, "why worker-2 gpu-agent")
    assert "required node affinity (one term must match in full):" in text
    assert ("term 1: ✓ disk In [ssd, nvme] (node has disk=ssd); ✗ zone NotIn [b] (node has "
            "zone=b)") in " ".join(text.split())
    assert "should run: no" in text


EXPORTER = """\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: exporter}
spec:
  selector: {matchLabels: {app: exporter}}
  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: exporter}}
    spec:
      containers:
      - name: e
        image: prom/node-exporter:v1.8.0
        ports: [{containerPort: 9100, hostPort: 9100}]
"""

HOG = """\
apiVersion: v1
kind: Pod
metadata: {name: hog}
spec:
  nodeName: worker-2
  containers:
  - name: c
    image: busybox:1.36
    ports: [{containerPort: 80, hostPort: 9100}]
"""


def test_why_surge_pod_pending_on_its_own_host_port(session: Session) -> None:
    _apply(session, EXPORTER)
    before = _why(session, "why worker-1 exporter")
    assert "✓ host ports: the pod asks for 9100/TCP; held by this DaemonSet's own pod" in before
    assert session.handle_line("kubectl set image ds/exporter "
                               "e=prom/node-exporter:v1.8.1").ok
    session.handle_line("advance 30s")
    text = _why(session, "why worker-1 exporter")
    assert "✗ host ports: the pod asks for 9100/TCP; this DaemonSet's old pod" in text
    assert "(NodePorts)" in text
    assert "✓ resources: fits" in text  # the conflict is not blamed on resources
    assert "didn't have free ports" in text  # the Pending pod's own reason


def test_why_host_port_held_by_another_pod(session: Session) -> None:
    assert session.handle_line(f"kubectl apply -f - <<EOF\n{HOG}EOF").ok
    session.handle_line("advance")
    _apply(session, EXPORTER)
    text = _why(session, "why worker-2 exporter")
    assert "✗ host ports: the pod asks for 9100/TCP; pod default/hog holds 9100/TCP" in text
    assert "-> the scheduler leaves the pod Pending" in text
    assert "✓ host ports: the pod asks for none" in _why(session, "why worker-2 kube-proxy")


def _fleet(workers: int) -> Session:
    from dstutor.sim.clusterfile import default_cluster

    session = Session(default_cluster(workers=workers))
    _apply(session, NODE_LOGGER)
    assert session.handle_line("kubectl cordon worker-3").ok
    return session


def test_why_alone_over_fifty_nodes_counts_each_daemonset() -> None:
    """61 nodes x 2 DaemonSets: not 122 explanations but each DaemonSet's counts, as
    its status has them, and how to ask for more."""
    session = _fleet(60)
    text = _why(session, "why")
    flat = " ".join(text.split())
    assert flat.startswith("122 DaemonSet-node pairs (61 nodes x 2 DaemonSets): too many")
    assert ("kube-system/kube-proxy: should run on 61 nodes; a pod on 61, ready on 61; on 0 "
            "where it should not run") in flat
    assert ("default/node-logger: should run on 60 nodes; a pod on 60, ready on 60; on 0 "
            "where it should not run") in flat
    assert flat.endswith("`why NODE`, `why POD` or `why DAEMONSET` explains them; "
                         "`why --all` explains every pair.")
    assert "the DaemonSet controller asks" not in text
    assert all(len(line) <= 80 for line in text.splitlines())


def test_why_all_explains_every_pair_of_a_fleet() -> None:
    session = _fleet(60)
    text = _why(session, "why --all")
    assert text.count("the DaemonSet controller asks") == 122
    # a name still explains its pairs alone, with or without --all
    assert _why(session, "why worker-3").count("the DaemonSet controller asks") == 2
    assert _why(session, "why --all worker-3") == _why(session, "why worker-3")


def test_why_alone_at_fifty_nodes_explains_each_pair() -> None:
    session = _fleet(49)  # and the control plane: 50 nodes
    assert _why(session, "why").count("the DaemonSet controller asks") == 100


def test_why_daemonset_over_fifty_nodes_explains_the_unusual_nodes() -> None:
    """Its counts, then only the nodes where it should not run or has no ready pod: the
    control plane (its taint), a tainted worker whose pod was deleted, a failed node."""
    session = _fleet(60)
    for line in ("kubectl taint node worker-5 dedicated=x:NoSchedule", "node fail worker-8",
                 "advance 2m", "kubectl delete pod -l app=node-logger "
                 "--field-selector spec.nodeName=worker-5", "advance"):
        assert session.handle_line(line).ok, line
    text = _why(session, "why node-logger")
    flat = " ".join(text.split())
    assert flat.startswith("DaemonSet default/node-logger on 61 nodes: should run on 58, a "
                           "pod on 58, ready on 58, misscheduled on 1. The 3 nodes where it "
                           "should not run or has no ready pod:")
    explained = [line.split(" on node ")[1].rstrip(":") for line in text.splitlines()
                 if line.startswith("DaemonSet default/node-logger on node ")]
    assert explained == ["control-plane", "worker-5", "worker-8"]
    assert flat.endswith("`why --all node-logger` explains every node.")
    assert all(len(line) <= 80 for line in text.splitlines())
    every = _why(session, "why --all node-logger")
    assert every.count("the DaemonSet controller asks") == 61


def test_why_daemonset_over_fifty_nodes_says_when_all_is_well() -> None:
    session = _fleet(60)
    text = _why(session, "why kube-proxy")
    assert "It runs, ready, on every node it should and on no other." in " ".join(text.split())
    assert "the DaemonSet controller asks" not in text


def test_why_daemonset_over_fifty_nodes_shows_twenty_unusual_nodes() -> None:
    session = _fleet(60)
    _apply(session, GPU_AGENT)  # no node has gpu=true: every node is unusual
    text = _why(session, "why gpu-agent")
    assert "The first 20 of the 61 nodes where it should not run or has no ready pod:" in (
        " ".join(text.split()))
    assert text.count("the DaemonSet controller asks") == 20


def test_why_daemonset_at_fifty_nodes_explains_every_node() -> None:
    session = _fleet(49)
    assert _why(session, "why node-logger").count("the DaemonSet controller asks") == 50
