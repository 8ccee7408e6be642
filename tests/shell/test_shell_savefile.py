"""Snapshots: data only, exact round trips, and refusal of anything that is not ours."""

from __future__ import annotations

import json

import pytest
from shell_helpers import NODE_LOGGER

from dstutor.shell import savefile
from dstutor.shell.session import Session
from dstutor.sim.clusterfile import default_cluster


def _state(text: str) -> dict:
    return json.loads(text)


def test_snapshot_round_trip_carries_on_identically(session: Session) -> None:
    session.handle_line(f"kubectl apply -f - <<EOF\n{NODE_LOGGER}EOF")
    session.handle_line("advance 1s")  # pods half-way through their image pull
    text = savefile.dumps(session.cluster)
    loaded = savefile.loads(text)
    assert _state(savefile.dumps(loaded)) == _state(text)
    session.cluster.advance(30)
    loaded.advance(30)
    # Shared immutable values may be shared differently afterwards; the objects must match.
    for kind in ("Node", "Pod", "DaemonSet", "ControllerRevision", "Event"):
        assert loaded.list(kind) == session.cluster.list(kind)
    assert loaded.now() == session.cluster.now()
    assert [p["status"]["phase"] for p in loaded.pods_of("node-logger")] == ["Running"] * 3


def test_snapshot_is_plain_json_with_the_objects_readable() -> None:
    text = savefile.dumps(default_cluster())
    doc = json.loads(text)
    assert doc["format"] == "dstutor/cluster-snapshot" and doc["formatVersion"] == 3
    assert '"kind":"Node"' in text and '"name":"worker-1"' in text


def test_snapshot_load_uses_the_requested_clock_mode() -> None:
    text = savefile.dumps(default_cluster())
    assert savefile.loads(text, mode="live", speed=2).clock.mode == "live"
    assert savefile.loads(text).clock.mode == "manual"


def _doc(state: object) -> str:
    return json.dumps({"format": "dstutor/cluster-snapshot", "formatVersion": 2,
                       "state": state})


def _good_state() -> dict:
    return json.loads(savefile.dumps(default_cluster()))["state"]


def _with(change: str) -> object:
    state = _good_state()
    if change == "unknown kind":
        state["objects"].append({"kind": "Secret", "metadata": {"name": "x"}})
    elif change == "object not a mapping":
        state["objects"].append("rm -rf /")
    elif change == "format":
        state["format"] = "python-pickle"
    elif change == "timers":
        state["timers"] = [["kubelet"]]
    elif change == "random":
        state["random"] = [3, "x", None]
    elif change == "kubelet work":
        state["kubelet"]["work"] = [[["Pod", "default", "x"], {"stage": 1, "evil": 2}]]
    elif change == "unknown queue":
        state["timers"] = [["os.system", "rm", 1e18]]
    elif change == "container work":
        state["kubelet"]["work"] = [[["Pod", "default", "x"], {
            "stage": "active", "containers": {"c": {"stage": "exec", "due": 1.0}}}]]
    elif change == "container field":
        state["kubelet"]["work"] = [[["Pod", "default", "x"], {
            "stage": "active", "containers": {"c": {"stage": "running", "evil": 1}}}]]
    return state


@pytest.mark.parametrize("state, reason", [
    (None, "not a dstutor snapshot"),
    ([], "not a dstutor snapshot"),
    ({"$o": "subprocess:Popen", "a": {}}, "not a dstutor snapshot"),
    (_with("format"), "not a dstutor snapshot"),
    (_with("unknown kind"), "unknown kind"),
    (_with("object not a mapping"), "unknown kind"),
    (_with("timers"), "damaged"),
    (_with("random"), "damaged"),
    (_with("kubelet work"), "damaged"),
    (_with("container work"), "damaged"),
    (_with("container field"), "damaged"),
    (_with("unknown queue"), "damaged"),
])
def test_snapshot_refuses_what_is_not_plain_dstutor_data(state: object, reason: str) -> None:
    with pytest.raises(savefile.SnapshotError) as info:
        savefile.loads(_doc(state), source="evil.json")
    message = str(info.value)
    assert message.startswith("error: cannot load evil.json: ")
    assert reason in message
    assert "\n" not in message


def test_snapshot_refuses_objects_that_break_the_simulator() -> None:
    state = _good_state()
    node = next(o for o in state["objects"] if o["kind"] == "Node")
    node.pop("metadata")
    with pytest.raises(savefile.SnapshotError, match="damaged"):
        savefile.loads(_doc(state))


def test_snapshot_deep_nesting_is_refused_cleanly() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(savefile.SnapshotError, match="not valid JSON|damaged"):
        savefile.loads(_doc(None).replace("null", deep))


def test_snapshot_save_is_atomic_and_leaves_no_temp_files(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "s.json"
    savefile.save_file(default_cluster(), path)
    savefile.save_file(default_cluster(workers=1), path)
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]
    assert savefile.load_file(path).store.count("Node") == 2
