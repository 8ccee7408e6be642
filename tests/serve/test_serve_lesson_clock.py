"""A lesson's cluster keeps its virtual clock (from the simulator's epoch); served with
wall_clock, its times are mapped on the wire so the real kubectl's ages are the tutor's."""

from __future__ import annotations

import json
import re
import time

from serve_manifests import LOGGER
from serve_support import Served, make_cluster

from dstutor.model.timefmt import SIM_EPOCH, parse_rfc3339
from dstutor.serve.timeshift import shift_json, shift_value
from dstutor.shell.session import Session

DATE = re.compile(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d \+0000")
AGE = re.compile(r"(?<![\w.-])((?:\d+[smhd])+)(?![\w.-])")
UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _seconds(age: str) -> int:
    return sum(int(n) * UNIT[u] for n, u in re.findall(r"(\d+)([smhd])", age))


def _split(text: str) -> tuple[str, list[int]]:
    """The text with dates and ages masked (and the padding an age's width moves), and
    the ages in seconds."""
    ages = [_seconds(a) for a in AGE.findall(text)]
    return re.sub(r"  +", "  ", AGE.sub("AGE", DATE.sub("DATE", text))), ages


def test_shift_value_moves_timestamps_only() -> None:
    doc = {"metadata": {"creationTimestamp": "2026-01-01T00:00:00Z", "name": "2026-01-01"},
           "status": {"conditions": [{"lastHeartbeatTime": "2026-01-01T00:00:05.123456Z"}]},
           "note": "at 2026-01-01T00:00:00Z", "n": 3}
    assert shift_value(doc, 90) == {
        "metadata": {"creationTimestamp": "2026-01-01T00:01:30Z", "name": "2026-01-01"},
        "status": {"conditions": [{"lastHeartbeatTime": "2026-01-01T00:01:35.123456Z"}]},
        "note": "at 2026-01-01T00:00:00Z", "n": 3}
    assert shift_value(shift_value(doc, 86400 * 400), -86400 * 400) == doc
    assert shift_json(b"not json", 5) == b"not json"
    assert shift_value("9999-12-31T23:59:59Z", 10) == "9999-12-31T23:59:59Z"  # out of range


def test_lesson_serve_ages_match_the_tutor(kubectl_binary: str, tmp_path) -> None:
    cluster = make_cluster()  # manual clock at the simulator's epoch, as lessons have
    assert abs(cluster.now() - SIM_EPOCH) < 3600
    (tmp_path / "a.yaml").write_text(LOGGER)
    with Served(cluster, kubectl_binary, wall_clock=True) as served:
        served.kubectl("apply", "-f", str(tmp_path / "a.yaml"))
        served.advance(300)
        session = Session(cluster)
        compared = 0
        for line in ("describe ds logger", "describe node worker-1", "describe pods"):
            real = served.kubectl(*line.split()).stdout
            repl = session.handle_line("kubectl " + line).stdout
            # Absolute dates differ (wall time on the wire); the ages kubectl computes from
            # its own clock are the tutor's, to within the second the request takes (the
            # offset is whole seconds, floored: kubectl's is never younger).
            real_text, real_ages = _split(real)
            repl_text, repl_ages = _split(repl)
            assert real_text == repl_text, (real, repl)
            assert len(real_ages) == len(repl_ages), (line, real, repl)
            compared += len(real_ages)
            assert all(0 <= a - b <= 1 for a, b in zip(real_ages, repl_ages, strict=True)), (
                real_ages, repl_ages)
            assert max(real_ages, default=0) < 400, real  # not days since the epoch
        assert compared >= 5
        started = time.monotonic()
        node = json.loads(served.kubectl("get", "node", "worker-1", "-o", "json").stdout)
        created = node["metadata"]["creationTimestamp"]
        assert created.startswith(time.strftime("%Y-", time.gmtime()))
        # A time kubectl sends back is moved back to the lesson's clock.
        served.kubectl("annotate", "ds", "logger", f"seen={created}")
        with served.backend.lock:
            stored = cluster.find("DaemonSet", "default", "logger")
        assert stored is not None
        # Moved back with the offset of its own request, which grew by the whole seconds
        # that passed since the get: the node's creation on the lesson's clock, less those.
        took = time.monotonic() - started
        node_now = cluster.find("Node", "", "worker-1")
        assert node_now is not None
        sim_created = node_now["metadata"]["creationTimestamp"]
        seen = stored["metadata"]["annotations"]["seen"]
        drift = parse_rfc3339(seen) - parse_rfc3339(sim_created)
        assert -(int(took) + 1) <= drift <= 0, (seen, sim_created, took)
