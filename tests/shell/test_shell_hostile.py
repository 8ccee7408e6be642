"""Hostile state files and inputs (issue 18, F6 and F7): each is refused with its one
expected line, nothing hangs or grows without bound, and the shell goes on."""

from __future__ import annotations

import copy
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from shell_helpers import REPO, dstutor

from dstutor import yamlio
from dstutor.shell import savefile, startup
from dstutor.shell.script import TOO_LONG_ERR, bounded_lines, read_commands
from dstutor.sim.clusterfile import default_cluster

HOSTILE = REPO / "fixtures" / "hostile" / "state"
CASES = json.loads((HOSTILE / "cases.json").read_text(encoding="utf-8"))
BASE = json.loads(savefile.dumps(default_cluster()))
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")


def _apply(case: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    value = float("nan") if case.get("nan") else case.get("value")
    for op in ("set", "delete", "append", "duplicate"):
        if op not in case:
            continue
        *parents, last = case[op]
        target = doc["state"]
        for step in parents:
            target = target[step]
        if op == "set":
            target[last] = value
        elif op == "delete":
            del target[last]
        elif op == "append":
            target[last].append(value)
        else:
            target.append(copy.deepcopy(target[last]))
    return doc


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_a_hostile_state_field_is_named_in_one_line(case: dict[str, Any],
                                                    tmp_path: Path) -> None:
    path = tmp_path / "st.json"
    path.write_text(json.dumps(_apply(case)), encoding="utf-8")
    with pytest.raises(savefile.SnapshotError) as caught:
        savefile.load_file(path)
    assert str(caught.value) == case["error"].replace("{source}", str(path))
    assert "\n" not in str(caught.value)


RAW = {
    "not-json.json": "it is not a dstutor snapshot (not valid JSON)",
    "empty.json": "it is not a dstutor snapshot (not valid JSON)",
    "deep.json": "it is not a dstutor snapshot (not valid JSON)",
    "not-utf8.json": "it is not a dstutor snapshot (not UTF-8 text)",
    "pickle.json": "it is not a dstutor snapshot (not UTF-8 text)",
    "wrong-format.json": "it is not a dstutor snapshot (made with `save FILE`)",
    "format-version.json": "snapshot format 99 is not supported (this dstutor reads 2 and 3)",
}


@pytest.mark.parametrize("name", sorted(RAW))
def test_a_file_that_is_no_snapshot_is_refused(name: str) -> None:
    path = HOSTILE / name
    with pytest.raises(savefile.SnapshotError) as caught:
        savefile.load_file(path)
    assert str(caught.value) == f"error: cannot load {path}: {RAW[name]}"


def test_the_corpus_covers_every_top_level_field() -> None:
    touched = {c[op][0] for c in CASES for op in ("set", "delete", "append", "duplicate")
               if op in c}
    assert set(BASE["state"]) - {"format"} <= touched


def test_a_hostile_state_file_leaves_the_shell_running(tmp_path: Path) -> None:
    (tmp_path / "st.json").write_text(json.dumps(_apply(CASES[0])), encoding="utf-8")
    run = dstutor("shell", "--state", "st.json", stdin="node add w9\nkubectl get nodes -o name\n",
                  cwd=tmp_path)
    assert run.status == 1
    assert run.stderr == ('error: cannot load st.json: the snapshot is damaged: '
                          'timing.imagePullSeconds must be a number, not "abc"; starting a '
                          'fresh cluster and leaving st.json untouched\n')
    assert "node/w9\n" in run.stdout


# --- unbounded and blocking inputs ---------------------------------------------------------

@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


@needs_fifo
def test_no_reader_blocks_on_a_fifo(fifo: Path) -> None:
    with pytest.raises(yamlio.NotRegularFile):
        yamlio.read_bytes(fifo)
    with pytest.raises(savefile.SnapshotError, match="not a regular file"):
        savefile.load_file(fifo)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_no_reader_grows_on_dev_zero() -> None:
    with pytest.raises(yamlio.NotRegularFile):
        yamlio.read_bytes("/dev/zero")


def test_a_regular_file_is_read_up_to_its_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * 101)
    assert yamlio.read_bytes(path, 101) == b"#" * 101
    with pytest.raises(yamlio.TooLarge):
        yamlio.read_bytes(path, 100)
    with pytest.raises(IsADirectoryError):
        yamlio.read_bytes(tmp_path)


@needs_fifo
@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_shell_refuses_devices_and_fifos_in_one_line_each(fifo: Path, tmp_path: Path) -> None:
    script = (f"kubectl apply -f /dev/zero\nkubectl apply -f {fifo}\nload {fifo}\n"
              "load /dev/zero\nkubectl get nodes -o name\n")
    run = dstutor("shell", "--cluster", "/dev/zero", "-f", str(fifo), "--state", str(fifo),
                  stdin=script, cwd=tmp_path)
    assert run.status == 1
    assert run.stderr.splitlines() == [
        "error: error reading /dev/zero: not a regular file; starting the default cluster "
        "instead",
        f"error: error reading {fifo}: not a regular file (skipped)",
        f"error: cannot load {fifo}: not a regular file; starting a fresh cluster and "
        f"leaving {fifo} untouched",
        "error: error reading /dev/zero: not a regular file",
        f"error: error reading {fifo}: not a regular file",
        f"error: cannot load {fifo}: not a regular file",
        "error: cannot load /dev/zero: not a regular file",
    ]
    assert "node/worker-3\n" in run.stdout


def test_an_endless_line_is_skipped_in_bounded_memory() -> None:
    text = "kubectl get nodes -o name\n" + "a" * 5000 + "\nadvance 5s\n"
    lines = list(bounded_lines(io.StringIO(text), limit=1000))
    assert len(lines) == 3
    commands = list(read_commands(lines, limit=1000))
    assert [c.error for c in commands] == ["", TOO_LONG_ERR.format(line=2, limit=1000), ""]
    assert commands[2].text == "advance 5s"


def test_an_endless_line_stops_the_script_instead_of_reading_forever() -> None:
    """`dstutor shell < /dev/zero` skipped zeros forever (in bounded memory)."""
    from dstutor.shell.script import ENDLESS_ERR, ENDLESS_FACTOR

    class Zeros(io.StringIO):
        def readline(self, size: int = -1) -> str:  # type: ignore[override]
            return "\0" * size

    lines = bounded_lines(Zeros(), limit=1000)
    commands = list(read_commands(lines, limit=1000))
    assert [c.error for c in commands] == [ENDLESS_ERR.format(line=1,
                                                              size=ENDLESS_FACTOR * 1000)]


def test_a_heredoc_past_the_limit_is_refused_and_the_script_goes_on() -> None:
    text = ["kubectl apply -f - <<EOF\n"] + ["x: " + "y" * 100 + "\n"] * 20 + ["EOF\n",
                                                                                "advance 5s\n"]
    commands = list(read_commands(text, limit=1000))
    assert commands[0].error == TOO_LONG_ERR.format(line=1, limit=1000)
    assert commands[1].text == "advance 5s"


# --- temporary files of a killed save ------------------------------------------------------

def _dead_pid() -> int:
    pid = 4_000_000
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            pass
        pid += 1


def test_a_killed_saves_temporary_file_is_removed_at_start(tmp_path: Path) -> None:
    stale = tmp_path / f".st.json.{_dead_pid()}.k9xq2z.tmp"
    stale.write_bytes(b"x" * 2_000_000)  # what kill -9 during `save` leaves behind
    live = tmp_path / f".st.json.{os.getppid()}.abcdef.tmp"  # a save still under way
    live.write_text("partial")
    other = tmp_path / ".other.json.1.abcdef.tmp"
    other.write_text("not ours")
    status = startup.run(startup.ShellOptions(state=str(tmp_path / "st.json")),
                         stdin=io.StringIO("node add w9\n"), stdout=io.StringIO(),
                         stderr=io.StringIO(), interactive=False)
    assert status == 0
    assert not stale.exists() and live.exists() and other.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [live.name, other.name, "st.json"])


def test_an_old_temporary_file_without_a_pid_is_removed(tmp_path: Path) -> None:
    old = tmp_path / ".st.json.k9xq2z.tmp"  # what an older dstutor's save left
    old.write_text("x")
    os.utime(old, (1, 1))
    new = tmp_path / ".st.json.abcdef.tmp"
    new.write_text("x")
    assert savefile.clean_stale_temps(tmp_path / "st.json") == [old]
    assert new.exists()


def test_save_leaves_no_temporary_file(tmp_path: Path) -> None:
    savefile.save_file(default_cluster(), tmp_path / "st.json")
    assert [p.name for p in tmp_path.iterdir()] == ["st.json"]
    with pytest.raises(savefile.SnapshotError, match="cannot save to"):
        savefile.save_file(default_cluster(), tmp_path / "missing" / "st.json")


def test_the_shell_reads_a_script_from_a_regular_file_on_stdin(tmp_path: Path) -> None:
    script = tmp_path / "script.txt"
    script.write_text("kubectl get nodes -o name\n")
    with script.open() as fh:
        lines = list(bounded_lines(fh))
    assert lines == ["kubectl get nodes -o name\n"]
