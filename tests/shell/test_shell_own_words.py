"""Simulator words have one source of truth, shell/meta.py's registry: the kubectl parser's
"type it without kubectl" hint and Tab completion both read it (or what a lesson adds)."""

from __future__ import annotations

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from dstutor.kubectl.registry import KUBECTL_COMMANDS
from dstutor.shell import meta, suggest
from dstutor.shell.completer import ShellCompleter
from dstutor.shell.session import ExtraWord, Session
from dstutor.sim.clusterfile import default_cluster

HINT = "is a dstutor command, not kubectl: type it without `kubectl`."
# First words that are also kubectl's own (`kubectl edit` is kubectl's edit).
KUBECTL_TOO = {"edit", "help"}


def test_own_words_are_the_meta_registry_words() -> None:
    session = Session(default_cluster())
    assert session.own_words() == frozenset(meta.first_words())
    session.extra_words = (ExtraWord("hint", "a hint"),)
    assert session.own_words() == frozenset(meta.first_words()) | {"hint"}


@pytest.mark.parametrize("word", [w for w in meta.first_words() if w not in KUBECTL_TOO])
def test_every_simulator_word_after_kubectl_gets_the_hint(word: str) -> None:
    assert word not in KUBECTL_COMMANDS
    out = Session(default_cluster()).handle_line(f"kubectl {word} x")
    assert out.exit_code == 1 and f'unknown command "{word}" for "kubectl"' in out.stderr
    assert out.hint == f"`{word}` {HINT}"


def test_a_word_no_registry_has_gets_no_hint() -> None:
    out = Session(default_cluster()).handle_line("kubectl hint")
    assert out.exit_code == 1 and out.hint == ""
    session = Session(default_cluster())
    session.extra_words = (ExtraWord("hint", "a hint for this step"),)
    assert session.handle_line("kubectl hint").hint == f"`hint` {HINT}"


def test_completion_offers_extra_words_first_with_their_summary() -> None:
    extra = [suggest.Candidate("hint", "a hint"), suggest.Candidate("reset", "the step")]
    found = suggest.complete("", default_cluster(), extra=extra)
    assert found.texts[:4] == ["kubectl", "k", "hint", "reset"]
    assert found.texts.count("reset") == 1  # the extra word's, not the simulator's
    assert found.candidates[3].meta == "the step"
    assert suggest.complete("hi", default_cluster(), extra=extra).texts == ["hint"]
    assert suggest.complete("hi", default_cluster()).texts == []


def test_completer_reads_the_session_extra_words() -> None:
    session = Session(default_cluster())
    session.extra_words = (ExtraWord("goal", "what the step checks"),)
    got = list(ShellCompleter(session).get_completions(Document("go"), CompleteEvent()))
    assert [c.text for c in got] == ["goal"]
