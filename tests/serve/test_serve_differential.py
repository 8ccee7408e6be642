"""The same command lines through the REPL and through the real kubectl 1.37.1 against
`serve`, on the same cluster state: the output must be byte-identical.

describe computes ages on the kubectl side from the wall clock, the REPL from the
virtual clock; those are masked (and only those). A difference is a bug in one of the
two: the test prints both outputs.
"""

from __future__ import annotations

import re
import shlex
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from serve_manifests import LOGGER, LOGGER_BAD_SELECTOR, LOGGER_BOGUS, WEB
from serve_support import Served, make_cluster

from dstutor.shell.session import Session

# Read-only lines: each runs through both on the same state.
READS = [
    "get nodes", "get nodes -o wide", "get nodes --show-labels", "get no -L kubernetes.io/os",
    "get pods -A", "get pods -A -o wide", "get pods -n kube-system -o name",
    "get ds -A", "get ds -A -o wide", "get all -A", "get ns",
    "get pods -A -l app=logger", "get pods -l 'app in (logger)' --show-labels",
    "get pods -A --field-selector spec.nodeName=worker-1",
    "get pods -A --field-selector status.phase=Running,metadata.name!=nope",
    "get ds logger -o yaml", "get ds logger -o json", "get pods -o name",
    "get ds logger -o jsonpath={.spec.template.spec.containers[0].image}",
    "get pods -o custom-columns=NAME:.metadata.name,NODE:.spec.nodeName",
    "get controllerrevisions", "get deploy -A", "get events -n default --field-selector "
    "involvedObject.kind=DaemonSet",
    "get events -A --field-selector source=kubelet,reason=Started -o name",
    "get nodes --field-selector spec.unschedulable=false",
    "get pods -A --field-selector spec.hostNetwork=false,status.podIP!= -o name",
    "get events -n kube-system --field-selector type=Normal,source!=kubelet",
    "describe ds logger", "describe node worker-1",
    "describe ns default",
    "describe controllerrevisions", "rollout history ds/logger",
    "rollout history ds/logger --revision=1",
    "describe pods", "describe pod -n kube-system", "describe nodes",
    "describe deploy web", "describe deploy",  # describeDeployment, since fidelity-cluster
    "get pods -A --sort-by=.spec.nodeName", "get pods -A --sort-by=.metadata.name -o wide",
    "get events -A", "get events -A -o wide", "get deploy web -o wide",
    "get ds,deploy -A", "get pods,ds -n default -o name", "get nodes --no-headers",
    "get pods -A -L app", "describe ds", "get ns default -o yaml", "get no worker-2 -o json",
    "logs -n kube-system ds/kube-proxy --tail=3", "logs -n kube-system ds/kube-proxy",
    "logs -n kube-system -l k8s-app=kube-proxy --prefix --tail=1",
    "logs -n kube-system ds/kube-proxy --timestamps --tail=2", "logs ds/logger",
    "logs nope", "logs ds/nope", "logs node/nope", "logs nope -n kube-system",
    "logs -n kube-system ds/kube-proxy -c nope",
    # refusals
    "get ds nope", "get pods -l 'a in'", "get pods --field-selector spec.bogus=x",
    "describe ds nope", "get pods -A --field-selector spec.nodeName=worker-1 -o name",
]
UNORDERED = {"logs -n kube-system -l k8s-app=kube-proxy --prefix --tail=1"}
AGE = re.compile(r"(?<![\w.-])(\d+[smhd])+(?![\w.-])")


def _mask(text: str) -> str:
    # An age's width moves the columns after it, so the padding is masked with it.
    return re.sub(r"  +", "  ", AGE.sub("AGE", text))


def _repl(session: Session, line: str) -> tuple[str, str, int]:
    out = session.handle_line("kubectl " + line)
    return out.stdout, out.stderr, out.exit_code


def _real(served: Served, line: str) -> tuple[str, str, int]:
    done = served.kubectl(*shlex.split(line))
    return done.stdout, done.stderr, done.returncode


@pytest.fixture(scope="module")
def both(kubectl_binary: str, tmp_path_factory: pytest.TempPathFactory):
    cluster = make_cluster()
    folder = tmp_path_factory.mktemp("manifests")
    for name, text in (("logger.yaml", LOGGER), ("web.yaml", WEB), ("bogus.yaml", LOGGER_BOGUS),
                       ("badsel.yaml", LOGGER_BAD_SELECTOR)):
        (folder / name).write_text(text)
    with Served(cluster, kubectl_binary) as served:
        session = Session(cluster)
        served.kubectl("apply", "-f", str(folder / "logger.yaml"))
        served.kubectl("apply", "-f", str(folder / "web.yaml"))
        served.advance(30)
        with served.backend.lock:
            cluster.fail_node("worker-3")
            cluster.advance(60)
        yield session, served, folder


@pytest.mark.parametrize("line", READS)
def test_differential_reads_are_byte_identical(both, line: str) -> None:
    session, served, _ = both
    repl = _repl(session, line)
    real = _real(served, line)
    if line in UNORDERED:
        # kubectl reads a selector's pods' logs in parallel: the order of pods varies
        # from run to run (seen with the real binary), so only the lines are compared.
        repl = ("".join(sorted(repl[0].splitlines(True))), repl[1], repl[2])
        real = ("".join(sorted(real[0].splitlines(True))), real[1], real[2])
    masked = line.startswith(("describe", "get events"))
    if masked:
        repl, real = tuple(_mask(x) if isinstance(x, str) else x for x in repl), tuple(
            _mask(x) if isinstance(x, str) else x for x in real)
    assert repl == real, f"REPL:\n{repl[0]}{repl[1]}\nkubectl:\n{real[0]}{real[1]}"


@pytest.mark.parametrize("line", [
    "apply -f {dir}/logger.yaml", "create -f {dir}/logger.yaml",
    "apply -f {dir}/bogus.yaml",
    "create -f {dir}/badsel.yaml -o name",
])
def test_differential_write_messages(both, line: str) -> None:
    """Writes that change nothing (unchanged, refusals): both sides say the same."""
    session, served, folder = both
    line = line.format(dir=folder)
    repl = _repl(session, line)
    real = _real(served, line)
    assert repl[0] == real[0] and repl[2] == real[2], (repl, real)
    # kubectl adds the patch it sent to a patch refusal; the REPL's first line is its own.
    assert real[1].startswith(repl[1].split("\n")[0]) or repl[1] == real[1], (repl, real)


def test_differential_fixture_is_not_empty(both) -> None:
    session, served, _ = both
    assert "logger" in _real(served, "get ds")[0]
    assert Path(served.kubeconfig).exists()


# Lines that change the cluster: each runs in the REPL on one cluster and through the real
# kubectl on an identical one (same seed); output and the resulting objects must agree.
WRITES = [
    "label node worker-1 disk=ssd", "label node worker-1 disk-", "annotate ds logger note=x",
    "taint node worker-2 k=v:NoSchedule", "taint node worker-2 k=v:NoSchedule-",
    "cordon worker-3", "uncordon worker-3", "set image ds/logger log=busybox:1.37",
    "apply -f {dir}/logger.yaml", "rollout undo ds/logger",
    "scale deploy web --replicas=3", "patch ds logger --type=merge -p "
    "'{\"spec\":{\"minReadySeconds\":5}}'",
    "patch ds logger -p '{\"spec\":{\"template\":{\"spec\":{\"containers\":"
    "[{\"name\":\"log\",\"image\":\"busybox:1.35\"}]}}}}'",
    "rollout history ds/logger", "delete ds logger --cascade=orphan",
    "create namespace team-a", "create namespace team-a",
    "create deployment api --image=nginx:1.27 --replicas=2 --port=80 -n team-a",
    "label pods -l app=logger orphaned=yes", "delete deploy web",
]
NOT_YET = "error: dstutor does not simulate"
STATE = ["get ds,deploy,pods,nodes -A -o yaml", "get controllerrevisions -A -o yaml",
         "get ns -o yaml"]


def test_differential_writes_leave_the_same_cluster(kubectl_binary: str,
                                                    tmp_path: Path) -> None:
    (tmp_path / "logger.yaml").write_text(LOGGER)
    (tmp_path / "web.yaml").write_text(WEB)
    repl_cluster, served_cluster = make_cluster(), make_cluster()
    session = Session(repl_cluster)
    with Served(served_cluster, kubectl_binary) as served:
        for cluster_line in ("apply -f {dir}/logger.yaml", "apply -f {dir}/web.yaml"):
            line = cluster_line.format(dir=tmp_path)
            assert _repl(session, line)[2] == 0
            assert _real(served, line)[2] == 0
        repl_cluster.advance(30)
        served.advance(30)
        for template in WRITES:
            line = template.replace("{dir}", str(tmp_path))
            repl = _repl(session, line)
            if repl[1].startswith(NOT_YET):
                # annotate and patch come with the `admin` branch: until then the line runs
                # on neither side, and both clusters stay the same.
                continue
            real = _real(served, line)
            assert repl == real, f"{line}\nREPL:\n{repl}\nkubectl:\n{real}"
            repl_cluster.advance(5)
            served.advance(5)
            # The reads change nothing, so the three kubectl runs go at once.
            with ThreadPoolExecutor(len(STATE)) as pool:
                real_states = list(pool.map(lambda state: _real(served, state), STATE))
            for state, real_state in zip(STATE, real_states, strict=True):
                assert real_state[2] == 0 and "resourceVersion" in real_state[0]
                assert _repl(session, state) == real_state, f"after {line}: {state}"
