"""The pod table remembered by store revision prints exactly what a fresh one prints."""

from __future__ import annotations

from dstutor.render.columns import forget_pod_rows, table_for
from dstutor.sim.cluster import Cluster


def _daemonset(name: str, image: str) -> dict:
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "c", "image": image}]}}}}


def _cluster() -> Cluster:
    cluster = Cluster(crashing_images={"crash:1"})
    for i in range(3):
        cluster.add_node(f"node-{i}", ready=True)
    cluster.create(_daemonset("ok", "agent:1"))
    cluster.advance(30)
    cluster.create(_daemonset("crashy", "crash:1"))
    cluster.advance(5)
    return cluster


def _both(cluster: Cluster, **options: object) -> tuple[str, str]:
    pods = cluster.list_live("Pod")
    now = cluster.now()
    remembered = table_for("Pod", pods, now, revision=cluster.store.resource_version(),
                           **options)  # type: ignore[arg-type]
    fresh = table_for("Pod", pods, now, **options)  # type: ignore[arg-type]
    return remembered, fresh


def test_clock_cells_follow_time_at_one_revision() -> None:
    forget_pod_rows()
    cluster = _cluster()
    revision = cluster.store.resource_version()
    seen = set()
    for step in (0, 1, 1, 58, 7, 600, 3600):
        cluster.engine.run_until(cluster.now() + step)  # no settle: the revision may move
        remembered, fresh = _both(cluster, wide=True, all_namespaces=True)
        assert remembered == fresh
        seen.add(remembered)
    assert len(seen) > 3  # ages and restart times did change on the way
    assert cluster.store.resource_version() > revision  # the crash loop wrote meanwhile


def test_width_namespace_and_headers_are_part_of_the_key() -> None:
    forget_pod_rows()
    cluster = _cluster()
    for options in ({"wide": True, "all_namespaces": True}, {}, {"wide": True},
                    {"all_namespaces": True, "no_headers": True}, {"wide": True}):
        remembered, fresh = _both(cluster, **options)
        assert remembered == fresh


def test_other_objects_at_the_same_revision_are_not_mistaken_for_the_last() -> None:
    forget_pod_rows()
    cluster = _cluster()
    pods = cluster.list_live("Pod")
    now, revision = cluster.now(), cluster.store.resource_version()
    full = table_for("Pod", pods, now, revision=revision)
    some = table_for("Pod", pods[:2], now, revision=revision)
    assert some == table_for("Pod", pods[:2], now)
    assert some != full
    assert table_for("Pod", list(reversed(pods)), now, revision=revision) == table_for(
        "Pod", list(reversed(pods)), now)


def test_a_quiet_cluster_reuses_the_table_and_moves_only_the_clock(monkeypatch) -> None:
    forget_pod_rows()
    cluster = _cluster()
    cluster.advance(3000)  # the crash loop is at its 5-minute back-off
    import dstutor.render.columns as columns

    built: list[int] = []
    real = columns.pod_table_rows
    monkeypatch.setattr(columns, "pod_table_rows",
                        lambda *a, **k: built.append(1) or real(*a, **k))
    reused, last_revision, texts = 0, None, set()
    for _ in range(40):
        pods, now = cluster.list_live("Pod"), cluster.now()  # settles first
        revision = cluster.store.resource_version()
        before = len(built)
        remembered = table_for("Pod", pods, now, wide=True, all_namespaces=True,
                               revision=revision)
        if revision == last_revision:
            assert len(built) == before  # not built again
            reused += 1
        assert remembered == table_for("Pod", pods, now, wide=True, all_namespaces=True)
        texts.add(remembered)
        last_revision = revision
        cluster.engine.run_until(cluster.now() + 20)
    assert reused >= 20
    assert len(texts) == 40  # "(Ns ago)" of the restarts moved every time
