"""Nothing from a file reaches the terminal raw (issue 18, F3, the shell's part): every
place the shell prints passes text through textsafe.visible, and kubectl's own output
is unchanged byte for byte."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from dstutor.kubectl.result import CommandResult
from dstutor.shell import console as con
from dstutor.shell.nodemap import NodeView, PodView
from dstutor.shell.prompt import show
from dstutor.shell.script import run_script, write_output
from dstutor.shell.session import Session
from dstutor.sim.clusterfile import default_cluster

# Escape sequences a hostile annotation, image or name might carry.
CORPUS = [
    "\x1b]0;pwned\x07",          # OSC: retitle the terminal, ended by BEL
    "\x1b[2J\x1b[H",             # clear the screen, cursor home
    "\x9b2J",                    # the same through the C1 CSI
    "\x9d0;pwned\x9c",           # C1 OSC ... ST
    "hidden\x08\x08\x08\x08\x08\x08shown",  # backspaces over text
    "\x07\x07",                  # BEL
    "line\roverwrite",           # carriage return
    "\x1b[8mconceal",            # SGR conceal
    "\u202eevil\u202c",          # bidi override
    "\x00\x7f",                  # NUL and DEL
]
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize("payload", CORPUS)
def test_script_mode_shows_every_control_visibly(payload: str) -> None:
    out = CommandResult(stdout=f"value: {payload}", stderr=f"error: {payload}", hint=payload)
    stdout, stderr = io.StringIO(), io.StringIO()
    write_output(out, stdout, stderr)
    assert not RAW.search(stdout.getvalue() + stderr.getvalue())
    assert stdout.getvalue().startswith("value: ")


@pytest.mark.parametrize("payload", CORPUS)
def test_the_repl_shows_every_control_visibly(payload: str) -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    err_console = Console(file=stderr, no_color=True, color_system=None)
    show(CommandResult(stdout=payload, stderr=payload, hint=payload), stdout, stderr, err_console,
         None, colour=False)
    assert not RAW.search(stdout.getvalue() + stderr.getvalue())


def test_an_annotation_from_a_manifest_is_shown_visibly_end_to_end() -> None:
    session = Session(default_cluster())
    manifest = ("kubectl apply -f - <<EOF\napiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n"
                "  name: hostile\n  annotations:\n"
                '    note: "\\e]0;pwned\\a\\u009b2J\\u009dx\\u009c\\b"\n'
                "spec:\n  selector: {matchLabels: {app: h}}\n  template:\n"
                "    metadata: {labels: {app: h}}\n"
                "    spec: {containers: [{name: c, image: busybox}]}\nEOF")
    raw = session.handle_line(manifest)
    assert raw.ok, raw.stderr
    line = "kubectl get ds hostile -o jsonpath={.metadata.annotations.note}"
    assert RAW.search(session.handle_line(line).stdout)  # the data itself keeps its bytes
    stdout = io.StringIO()
    run_script(session, [line], stdout, io.StringIO())
    assert stdout.getvalue() == "^[]0;pwned^G\\u009b2J\\u009dx\\u009c^H\n"


def test_kubectl_output_is_unchanged_byte_for_byte() -> None:
    session = Session(default_cluster())
    for line in ("kubectl get nodes -o wide", "kubectl describe node worker-1",
                 "kubectl get pods -A -o yaml"):
        expected = session.handle_line(line).stdout
        stdout = io.StringIO()
        run_script(session, [line], stdout, io.StringIO())
        assert stdout.getvalue() == (expected if expected.endswith("\n") else expected + "\n")


def test_tutor_messages_and_the_map_show_controls_visibly() -> None:
    buffer = io.StringIO()
    con.tutor(Console(file=buffer, no_color=True, color_system=None), "did you mean \x1b[2J?")
    assert buffer.getvalue() == "did you mean ^[[2J?\n"
    pod = PodView("pod\x1b[2J", "default", "ds\x07", "Err\x9b", "abc\x08", 1, False, False)
    view = NodeView("node\x9d", ("role\x1b",), True, True, False, ("t=\x07:NoSchedule",),
                    ("l=\x1b",), (pod,))
    text = con.render_text(con.map_picture([view], 1767225600.0), width=120)
    assert not RAW.search(text)
    assert "pod^[[2J" in text and "node\\u009d" in text


def test_a_daemonset_name_cannot_break_the_rollout_bar() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, no_color=True, color_system=None, width=80)
    progress = con.RolloutProgress(console, session=None)
    ds = {"metadata": {"name": "{task.bogus}[bold]x\x1b"},
          "status": {"desiredNumberScheduled": 2, "updatedNumberScheduled": 1,
                     "numberAvailable": 1}}

    class _Clock:
        mode = "manual"

    class _Session:
        class cluster:  # noqa: N801
            clock = _Clock()

    progress.session = _Session()
    progress(ds)
    progress.finish()
    assert progress.updates == 1
