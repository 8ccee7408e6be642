"""dispatch reuses the parse of a line typed again; refusals and heredocs are parsed anew."""

from __future__ import annotations

from kubectl_verbs_support import fresh_cluster

from dstutor.kubectl.dispatch import _parse, run


def test_kubectl_dispatch_reuses_the_parse_of_a_repeated_line() -> None:
    line = "kubectl get pods -A -o wide --sort-by=.spec.nodeName"
    assert _parse(line) is _parse(line)
    cluster = fresh_cluster()
    assert run(cluster, line) == run(cluster, line)


def test_kubectl_dispatch_refused_line_fails_the_same_way_every_time() -> None:
    cluster = fresh_cluster()
    first = run(cluster, "kubectl get pods --bogus")
    assert first.exit_code == 1 and "unknown flag: --bogus" in first.stderr
    assert run(cluster, "kubectl get pods --bogus") == first


def test_kubectl_dispatch_heredoc_manifests_are_not_kept() -> None:
    manifest = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: big\n" + "#\n" * 300
    line = f"kubectl apply -f - <<EOF\n{manifest}EOF"
    assert _parse(line) is not _parse(line)
    assert _parse(line) == _parse(line)
