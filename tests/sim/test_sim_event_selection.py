"""Field selectors on Events: the API server's selectable fields (source is
source.component, or reportingComponent), read from a recorded Event as from its dict,
and Store.list_events_where, which judges records without building them (issue 19:
`kubectl get events --field-selector` at 5,000 nodes built all 250,000 Events)."""

from __future__ import annotations

from functools import partial

import pytest
from plain_daemonset import plain_daemonset

from dstutor.kubectl.commands._select import selection
from dstutor.kubectl.dispatch import run
from dstutor.kubectl.resources import resource_for_kind
from dstutor.model.objects import Obj, selectable_field
from dstutor.sim.cluster import Cluster
from dstutor.sim.eventstore import event_dict, is_record, record_field, record_getter

FIELDS = resource_for_kind("Event").field_labels


def _busy() -> Cluster:
    """Events of many shapes, still records: new ones, ones seen again (a crash loop's
    BackOff, counted up), aggregated ones, Warnings, node events."""
    cluster = Cluster(missing_images=["gone:1"], crashing_images=["crash:1"])
    for i in range(1, 13):  # (over ten pods a DaemonSet: its SuccessfulCreate aggregate)
        cluster.add_node(f"node-{i}", ready=True)
    cluster.create(plain_daemonset("ok", "ok:1"))
    cluster.create(plain_daemonset("crash", "crash:1"))
    cluster.create(plain_daemonset("gone", "gone:1"))
    cluster.advance(600.0)
    run(cluster, "kubectl create deployment web --image=ok:1 --replicas=3")
    cluster.fail_node("node-3")
    cluster.advance(120.0)
    return cluster


def test_a_record_answers_every_field_as_its_dict() -> None:
    busy = _busy()
    records = [e for e in busy.store.event_entries() if is_record(e)]
    long_form = [r for r in records if len(r) > 9]
    assert len(records) > 50 and long_form  # (seen again: count, first, aggregated)
    assert any(r[12] for r in long_form)  # an aggregated one
    for record in records:
        built = event_dict(record)
        for field in FIELDS:
            assert record_field(record, field) == selectable_field(built, field), field


def test_source_is_the_component_or_else_the_reporting_controller() -> None:
    event: Obj = {"kind": "Event", "source": {"component": "kubelet", "host": "n"},
                  "reportingComponent": "other"}
    assert selectable_field(event, "source") == "kubelet"
    event["source"] = {}
    assert selectable_field(event, "source") == "other"
    del event["source"]
    assert selectable_field(event, "source") == "other"
    # Only an Event's: other kinds read the path
    assert selectable_field({"kind": "Pod", "source": "x"}, "source") == "x"


@pytest.mark.parametrize("selector", [
    {"source": "kubelet"}, {"source": "default-scheduler", "type": "Normal"},
    {"reason": "BackOff"}, {"type": "Warning"}, {"involvedObject.kind": "Node"},
    {"reportingComponent": "daemonset-controller"}, {"metadata.namespace": "default"},
    {"involvedObject.name": "node-3"}, {"source": "nobody"}])
@pytest.mark.parametrize("namespace", [None, "default", "kube-system"])
def test_list_events_where_is_the_filtered_list_and_builds_only_what_it_keeps(
        selector: dict[str, str], namespace: str | None) -> None:
    cluster = _busy()
    store = cluster.store
    before = store._event_records

    def keep(field_of: object, labels: object) -> bool:
        assert callable(field_of)
        return all(field_of(field) == value for field, value in selector.items())

    kept = store.list_events_where(namespace, keep)
    assert store._event_records == before - len(kept)  # only the kept ones were built
    expected = [e for e in store.list("Event", namespace)
                if keep(partial(selectable_field, e), {})]
    assert kept == expected
    assert all(a is b for a, b in zip(kept, expected, strict=True))  # the stored dicts


def test_kubectl_get_events_by_source_finds_the_kubelets() -> None:
    busy = _busy()
    out = run(busy, "kubectl get events -A --field-selector source=kubelet -o name")
    assert out.exit_code == 0
    names = out.stdout.split()
    kubelet = [e for e in busy.list_live("Event")
               if (e.get("source") or {}).get("component") == "kubelet"]
    assert names and len(names) == len(kubelet)
    negated = run(busy, "kubectl get events -A --field-selector source!=kubelet -o name")
    assert len(negated.stdout.split()) == len(busy.list_live("Event")) - len(kubelet)


def test_a_records_getters_answer_as_record_field() -> None:
    records = [e for e in _busy().store.event_entries() if is_record(e)]
    assert records
    for field in FIELDS:
        get = record_getter(field)
        assert all(get(record) == record_field(record, field) for record in records), field


@pytest.mark.parametrize(("label", "fields"), [
    ("", "source=kubelet"), ("", "involvedObject.kind=Pod,reason!=Pulled"),
    ("", "type=Warning,involvedObject.name!=x"), ("app=x", "reason=Started"),
    ("app!=x", "reason=Started"), ("!app", ""), ("app", ""),
    ("", "reportingComponent=daemonset-controller,metadata.namespace=default")])
def test_keep_record_answers_as_keep_over_record_field(label: str, fields: str) -> None:
    """selecting()'s two predicates agree on every record, and list_events_where gives
    the same list with either."""
    chosen = selection(resource_for_kind("Event"), label, fields)
    busy = _busy()  # (its own: other tests build the shared one's dicts)
    records = [e for e in busy.store.event_entries() if is_record(e)]
    assert records
    answers = [chosen.keep_record(r) for r in records]
    assert answers == [chosen.keep(partial(record_field, r), {}) for r in records]
    with_records = _busy().store.list_events_where(None, *chosen)
    with_fields = _busy().store.list_events_where(None, chosen.keep)
    assert [e["metadata"]["name"] for e in with_records] == [
        e["metadata"]["name"] for e in with_fields]
    assert len(with_records) == sum(answers) + sum(
        1 for e in busy.store.event_entries() if not is_record(e)
        and chosen.keep(partial(selectable_field, e), {}))
