"""Issue 19: `save` writes an Event still kept as a record as its row (sim/eventrows.py),
`load` stores the row as that record again. The file and the loaded cluster must say
exactly what they said with the Events written as dicts: same export, same reads, same
next save; a row that is not one is refused with one line naming its field; files of
format 2 (every Event a dict) still load."""

from __future__ import annotations

import contextlib
import copy
import json
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shell_helpers import NODE_LOGGER

from dstutor.shell import savefile
from dstutor.shell.session import Session
from dstutor.sim import snapshot
from dstutor.sim.cluster import Cluster
from dstutor.sim.eventrows import RowProblem, RowReader, row_of
from dstutor.sim.eventstore import event_dict, is_record, record_key
from dstutor.sim.namegen import uid_text

CRASHING = NODE_LOGGER.replace("image: ", "image: crash/")  # Events seen again: long rows


def _crash_image() -> str:
    return next(line.split("image:", 1)[1].strip() for line in CRASHING.splitlines()
                if "image:" in line)


@pytest.fixture
def grown(session: Session) -> Session:
    """Pods started (their Events recorded as records) and a crash loop (Events seen
    again, kept in the records' long form)."""
    session.handle_line(f"kubectl apply -f - <<EOF\n{NODE_LOGGER}EOF")
    session.handle_line("advance 30s")
    crashing = CRASHING.replace("name: node-logger", "name: crasher")
    session.cluster.kubelet.crashing.add(_crash_image())  # (as a cluster file's registry)
    session.handle_line(f"kubectl apply -f - <<EOF\n{crashing}EOF")
    session.handle_line("advance 5m")
    return session


def _doc(text: str) -> dict[str, Any]:
    return json.loads(text)  # type: ignore[no-any-return]


def _records(cluster: Cluster) -> list[tuple[Any, ...]]:
    return [e for e in cluster.store.event_entries() if is_record(e)]  # type: ignore[misc]


def test_the_grown_cluster_has_both_forms_of_record(grown: Session) -> None:
    """(The fixture's own check: short and long records to save.)"""
    lengths = {len(r) for r in _records(grown.cluster)}
    assert lengths == {9, 13}


def test_records_are_saved_as_rows_and_loaded_as_the_same_records(grown: Session) -> None:
    cluster = grown.cluster
    before = json.dumps(snapshot.export_state(cluster))
    records = _records(cluster)
    text = savefile.dumps(cluster)
    rows = [o for o in _doc(text)["state"]["objects"] if snapshot.is_row(o)]
    assert len(rows) == len(records) > 0
    assert not any(o["kind"] == "Event" and "metadata" in o
                   for o in _doc(text)["state"]["objects"])  # (none was read)
    loaded = savefile.loads(text)
    # Kept as records again, each the same (its uid as the same text), none read by load.
    # (In the store's order, by key: a load stores them so, as it did their dicts.)
    again = sorted(_records(loaded), key=record_key)
    assert [event_dict(r) for r in again] == [event_dict(r) for r in
                                              sorted(records, key=record_key)]
    assert json.dumps(snapshot.export_state(loaded)) == before
    assert savefile.dumps(loaded) == text
    # What a reader gets is what it got from the saved cluster.
    assert loaded.store.list("Event") == cluster.store.list("Event")


def test_events_already_read_stay_dicts_in_their_place(grown: Session) -> None:
    cluster = grown.cluster
    pod = cluster.pods_of("crasher")[0]["metadata"]["name"]
    grown.handle_line(f"kubectl describe pod {pod}")  # reads the namespace's Events
    grown.handle_line("advance 1m")  # new ones, kept as records
    kinds = [("row" if snapshot.is_row(o) else "dict", o) for o in
             _doc(savefile.dumps(cluster))["state"]["objects"] if o["kind"] == "Event"]
    assert {form for form, _ in kinds} == {"row", "dict"}
    keys = [(o["record"][3][5] or "default", o["record"][0]) if form == "row" else
            (o["metadata"]["namespace"], o["metadata"]["name"]) for form, o in kinds]
    assert keys == sorted(keys)  # one list, in the store's order
    before = json.dumps(snapshot.export_state(cluster))
    loaded = savefile.loads(savefile.dumps(cluster))
    assert json.dumps(snapshot.export_state(loaded)) == before


def test_a_format_2_file_with_every_event_a_dict_still_loads(grown: Session) -> None:
    cluster = grown.cluster
    cluster.settle()
    doc = {"format": savefile.FORMAT, "formatVersion": 2,
           "dstutorVersion": "0.0.0", "virtualTime": cluster.now(),
           "state": snapshot.export_state(cluster)}
    assert not any(snapshot.is_row(o) for o in doc["state"]["objects"])
    loaded = savefile.loads(json.dumps(doc))
    assert (json.dumps(snapshot.export_state(loaded))
            == json.dumps(snapshot.export_state(cluster)))


def test_the_check_after_loading_reads_no_event(grown: Session) -> None:
    loaded = savefile.loads(savefile.dumps(grown.cluster))
    assert loaded.store._event_records == len(_records(grown.cluster))


def test_a_big_snapshot_is_compressed_from_compress_from(
        grown: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = savefile.dumps(grown.cluster)
    path = tmp_path / "s.json"
    monkeypatch.setattr(savefile, "COMPRESS_FROM", len(text))
    savefile.save_file(grown.cluster, path)
    assert path.read_bytes() == text.encode()  # (at the threshold: as it is)
    monkeypatch.setattr(savefile, "COMPRESS_FROM", len(text) - 1)
    savefile.save_file(grown.cluster, path)
    assert path.read_bytes().startswith(savefile.GZIP_MAGIC)
    assert savefile.dumps(savefile.load_file(path)) == text


# --- a row and its record -----------------------------------------------------------

_TEXT = st.text(max_size=12)
_TIME = st.integers(0, 2**34).map(lambda s: time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                           time.gmtime(s)))
_RECORD = st.tuples(
    _TEXT, st.integers(0, 2**128 - 1), _TIME,
    st.tuples(*[_TEXT] * 7), _TEXT, _TEXT, _TEXT, st.tuples(_TEXT, _TEXT),
    st.integers(1, 2**63 - 1),
    st.one_of(st.just(()), st.tuples(_TIME, _TIME, st.integers(1, 2**31 - 1),
                                      st.booleans()))).map(lambda t: t[:-1] + t[-1])


@settings(max_examples=200, deadline=None)
@given(_RECORD)
def test_a_row_through_json_is_its_record(record: tuple[Any, ...]) -> None:
    row = json.loads(json.dumps(row_of(record)))
    back = RowReader().record_of(row)
    assert event_dict(back) == event_dict(record)
    assert uid_text(back[1]) == uid_text(record[1])  # (the bits it writes, as uid_text)
    assert back[:1] + back[2:] == record[:1] + record[2:]


def _row(grown: Session) -> tuple[dict[str, Any], int]:
    """A saved snapshot's document and the place of its first row."""
    doc = _doc(savefile.dumps(grown.cluster))
    place = next(i for i, o in enumerate(doc["state"]["objects"]) if snapshot.is_row(o))
    return doc, place


@pytest.mark.parametrize(("field", "value", "says"), [
    (None, [1, 2], "record must be a list of 9 or 13 items"),
    (None, "x", "record must be a list of 9 or 13 items"),
    (0, 7, "record[0] must be a string"),
    (1, "not-a-uid", "record[1] must be a uid (a version 4 UUID in lower case)"),
    (1, "245DCEF1-EF49-448F-8E7D-8E38314F7572", "record[1] must be a uid"),
    (2, "2026-01-01 00:00:00", "record[2] must be a time as YYYY-MM-DDThh:mm:ssZ"),
    (2, None, "record[2] must be a time"),
    (3, ["v1", "Pod"], "record[3] must be a list of 7 strings"),
    (3, ["v1", "Pod", "x", "u", "1", "default", {}], "record[3][6] must be a string"),
    (4, ["Scheduled"], "record[4] must be a string"),
    (5, None, "record[5] must be a string"),
    (6, 1.5, "record[6] must be a string"),
    (7, ["kubelet"], "record[7] must be a list of 2 strings"),
    (8, 0, "record[8] must be a whole number from 1 to 9223372036854775807"),
    (8, True, "record[8] must be a whole number"),
    (8, "12", "record[8] must be a whole number"),
])
def test_a_damaged_row_is_refused_naming_its_field(grown: Session, field: int | None,
                                                  value: object, says: str) -> None:
    doc, place = _row(grown)
    if field is None:
        doc["state"]["objects"][place]["record"] = value
    else:
        doc["state"]["objects"][place]["record"][field] = value
    with pytest.raises(savefile.SnapshotError) as caught:
        savefile.loads(json.dumps(doc), source="s.json")
    message = str(caught.value)
    assert message.startswith("error: cannot load s.json: the snapshot is damaged: "
                              f"objects[{place}].{says}"), message
    assert "\n" not in message


@pytest.mark.parametrize(("tail", "says"), [
    (["2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", 0, False], "record[11] must be a whole"),
    (["2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", 2, "yes"],
     "record[12] must be true or false"),
    (["2026-01-01T00:00:00Z", "x", 2, False], "record[10] must be a time"),
])
def test_a_damaged_long_row_is_refused_naming_its_field(grown: Session, tail: list[Any],
                                                       says: str) -> None:
    doc, place = _row(grown)
    doc["state"]["objects"][place]["record"] += tail
    with pytest.raises(savefile.SnapshotError) as caught:
        savefile.loads(json.dumps(doc))
    assert f"the snapshot is damaged: objects[{place}].{says}" in str(caught.value)


@pytest.mark.parametrize(("field", "value"), [(0, "Bad_Name"), (0, ""), (3, 5)])
def test_a_name_the_api_refuses_is_refused_as_in_its_dict(grown: Session, field: int,
                                                         value: str) -> None:
    """The row's Event has the name (or, field 3, the namespace) validation refuses: the
    message is the one its dict gets."""
    doc, place = _row(grown)
    row = doc["state"]["objects"][place]["record"]
    if field == 3:
        row[3][5] = "Bad_Namespace"
    else:
        row[0] = value
    as_dict = copy.deepcopy(doc)
    as_dict["state"]["objects"][place] = event_dict(RowReader().record_of(row))
    said = []
    for document in (doc, as_dict):
        with pytest.raises(savefile.SnapshotError) as caught:
            savefile.loads(json.dumps(document))
        said.append(str(caught.value))
    assert said[0] == said[1] and "is invalid: metadata." in said[0]


def test_a_row_and_a_dict_of_the_same_event_are_refused(grown: Session) -> None:
    doc, place = _row(grown)
    objects = doc["state"]["objects"]
    objects.insert(place, event_dict(RowReader().record_of(objects[place]["record"])))
    name = objects[place]["metadata"]["name"]
    with pytest.raises(savefile.SnapshotError,
                       match=rf"objects\[{place + 1}\] is a second Event named '{name}'"):
        savefile.loads(json.dumps(doc))


def test_row_problems_say_where() -> None:
    with pytest.raises(RowProblem) as caught:
        RowReader().record_of(["x"] * 9)
    assert (caught.value.where, caught.value.problem) == (
        "[1]", "must be a uid (a version 4 UUID in lower case)")


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | _TEXT,
                     lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(_TEXT, inner, max_size=3), max_leaves=8)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.integers(0, 12), value=_JSON)
def test_any_value_in_any_field_of_a_row_loads_or_is_refused_in_one_line(
        grown: Session, field: int, value: object) -> None:
    doc, place = _row(grown)
    row = doc["state"]["objects"][place]["record"]
    while len(row) <= field:
        row.append(["2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", 1, False][len(row) - 9])
    row[field] = value
    try:
        loaded = savefile.loads(json.dumps(doc))
    except savefile.SnapshotError as exc:
        assert "\n" not in str(exc) and "damaged" in str(exc)
    else:
        loaded.store.list("Event")  # every Event reads


@settings(max_examples=200, deadline=None)
@given(record=_RECORD, field=st.integers(0, 12), value=_JSON, mutate=st.booleans(),
       again=st.booleans())
def test_the_one_look_path_answers_as_the_checks(record: tuple[Any, ...], field: int,
                                                 value: object, mutate: bool,
                                                 again: bool) -> None:
    """RowReader.record_of's path for short rows (fields known from one look, or from
    rows before) gives the record, or the problem, that _checked gives."""
    row = json.loads(json.dumps(row_of(record)))
    if mutate and field < len(row):
        row[field] = value
    answers = []
    for read in ("record_of", "_checked"):
        reader = RowReader()
        if again:  # (the caches primed by the row's own fields first)
            with contextlib.suppress(RowProblem):
                reader.record_of(json.loads(json.dumps(row_of(record))))
        try:
            answers.append(getattr(reader, read)(copy.deepcopy(row)))
        except RowProblem as exc:
            answers.append((exc.where, exc.problem))
    assert answers[0] == answers[1]
