"""Session.handle_line: the single code path for the REPL, script mode and tests.

A line is either a kubectl line (first word `kubectl` or `k`, run by the kubectl
layer) or a simulator line (handled in meta.py). Nothing here prints or colours:
every command returns a CommandResult and the caller decides where it goes.
"""

from __future__ import annotations

import contextlib
import difflib
import gc
import time
import traceback
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from dstutor.errors import DstutorError, ParseError, internal_error_line
from dstutor.kubectl.registry import READ_ONLY_PATHS
from dstutor.kubectl.result import CommandResult
from dstutor.model.objects import Obj
from dstutor.shell.heldstate import StateLost, bulk
from dstutor.shell.linewords import KUBECTL_WORDS as KUBECTL_WORDS
from dstutor.shell.linewords import first_word as first_word
from dstutor.shell.linewords import is_kubectl_line as is_kubectl_line
from dstutor.shell.linewords import kubectl_verb as kubectl_verb
from dstutor.shell.undo import GuardNeeded as GuardNeeded
from dstutor.shell.undo import UndoEntry as UndoEntry
from dstutor.shell.undo import _bytes_held as _bytes_held
from dstutor.shell.undo import needs_guard
from dstutor.sim.cluster import Cluster
from dstutor.sim.thaw import unfreeze_heap

# kubectl verbs that never change the cluster (the registry's read_only flag): no undo
# snapshot is taken before them, which keeps `kubectl get` fast. `rollout status` and
# `get -w` may let time pass; an undo after them reverts to before the previous change,
# time included.
READ_ONLY_VERBS = READ_ONLY_PATHS
MAX_UNDO = 30
# Undo snapshots are whole clusters: past this many bytes the oldest go first (the
# newest is always kept), so a big cluster cannot fill memory with 30 copies of itself.
MAX_UNDO_BYTES = 96 * 1024 * 1024
# How many commands an undo entry may replay on an older one instead of being pickled,
# and how much CPU time they may take together (see Session.replayable).
MAX_REPLAYED_STEPS = 32
MAX_REPLAY_SECONDS = 1.0
# A replaced cluster is garbage with reference cycles (controllers point back at it), so
# only a full collection frees it, and Python runs those ever more rarely as the heap
# grows: collect after this many replaced clusters, so a long session with many undos
# stays flat (about 10 ms each, once per this many undos).
COLLECT_EVERY_DROPPED_CLUSTERS = 8
# A replaced cluster with this many stored Nodes, Pods and Events or more is collected at
# once: at 5,000 nodes it is about 250 MB, and its replacement was thawed with the
# collector paused and handed to the oldest generation (sim/thaw.py), so no full
# collection comes due on its own. Eight of them waiting doubled a fleet session's
# memory (1.3 GB after five undos, against 650 MB).
COLLECT_AT_ONCE_FROM = 5000
UNKNOWN_LINE_MSG = ("unknown command {word!r}: kubectl lines start with `kubectl`; "
                    "`help` lists the others")
DID_YOU_MEAN_MSG = "did you mean `{suggestion}`?"


KubectlRunner = Callable[..., CommandResult]


@dataclass(frozen=True)
class ExtraWord:
    """A word a layer above the shell handles on this session's lines (a lesson's `hint`):
    Tab offers it beside the simulator words, and `kubectl hint` is told to drop `kubectl`."""

    name: str
    summary: str


def error(message: str, *, hint: str = "") -> CommandResult:
    return CommandResult(stderr=message, exit_code=1, hint=hint)


def _default_kubectl() -> KubectlRunner:
    # Imported on first use so that `dstutor --version` and the shell's own tests do
    # not pay for the kubectl layer.
    from dstutor.kubectl.dispatch import run

    return run


class Session:
    """One learner's shell: the cluster, the current namespace and the undo history."""

    def __init__(self, cluster: Cluster, *, namespace: str = "default",
                 interactive: bool = False, kubectl: KubectlRunner | None = None,
                 reset_factory: Callable[[], Cluster] | None = None, width: int = 80,
                 editor: Any = None, workspace: Any = None, debug: bool = False,
                 rebuildable: bool = False) -> None:
        self.cluster = cluster
        # The folder `>`, `cat`, `vi FILE` and relative `-f` paths use (shell/workspace.py);
        # None: the current directory.
        self.workspace = workspace
        self.namespace = namespace
        self.interactive = interactive
        self.width = width
        self.editor = editor
        # Set by the interactive REPL: draws `rollout status` as a progress bar.
        self.progress: Callable[[Obj], None] | None = None
        # Set by the interactive REPL: where `logs -f` and `get -w` write as time runs.
        self.stream: Callable[[str], None] | None = None
        # `vi FILE` goes here when set (a lesson's edit journal); else the editor runs.
        self.file_editor: Callable[[Any], None] | None = None
        self._kubectl = kubectl
        self._reset_factory = reset_factory
        self.undo_stack: list[UndoEntry] = []
        # Every line handled, for lessons that check "a command matching X was run".
        self.log: list[str] = []
        # --debug: an internal error shows its traceback (the shell still goes on).
        self.debug = debug
        # The cluster as it was before the current command, to put back if the command
        # fails inside dstutor; reused while nothing has changed (see _guard).
        self._guarded: tuple[Any, ...] | None = None
        self._guard_entry: UndoEntry | None = None
        # rebuildable: `cluster` is what reset_factory builds, and it builds the same
        # cluster every time (a cluster file or the default cluster, see
        # clusterfile.build_cluster). While nothing has changed it, the guard and the
        # first write's undo entry need no copy: the factory makes it again if ever
        # needed. Pickling 50,000 pods before the first command took seconds.
        self._pristine: tuple[Any, ...] | None = None
        if rebuildable and reset_factory is not None:
            self._mark_pristine(reset_factory)
        # The guard entry of the line under way (handle_line), and the entry that stands
        # for the current cluster as an earlier one with commands replayed on it, with
        # the cluster and guard key it is valid for (see replayable).
        self._line_guard: UndoEntry | None = None
        self._replayed: tuple[Any, ...] | None = None
        self._dropped_clusters = 0
        # `shell --serve` puts the API server's lock here: the prompt's toolbar and Tab
        # completion read the cluster under it, never half-way through a request.
        self.lock: AbstractContextManager[Any] = contextlib.nullcontext()
        # Set by a lesson: its own words (hint, check, next ...), see ExtraWord.
        self.extra_words: tuple[ExtraWord, ...] = ()
        # A throwaway session (a variant's or the lesson checker's replay, discarded
        # after its checks): the states before its commands are not kept (no pickle per
        # write); whatever would read one (`undo`, a command failing inside dstutor,
        # the safety nets that put a failed command back) raises GuardNeeded instead,
        # and the caller runs it all again guarded (lessons/sandbox.throwaway).
        self.unguarded = False

    def own_words(self) -> frozenset[str]:
        """Every first word dstutor itself handles here: the simulator's and the extra ones."""
        from dstutor.shell import meta

        return frozenset(meta.first_words()) | {w.name for w in self.extra_words}

    # --- the one entry point -----------------------------------------------------------

    def handle_line(self, text: str) -> CommandResult:
        """Run one command (a heredoc body may follow on the next lines).

        Never raises except KeyboardInterrupt: an unexpected exception (a bug in
        dstutor, never the learner's fault) becomes one line, and the cluster, the
        namespace and the undo history are put back as they were before the command.
        """
        text = text.rstrip("\n")
        if not text.strip() or text.strip().startswith("#"):
            return CommandResult()
        before = self._line_guard = self._guard()
        undo_depth = len(self.undo_stack)
        try:
            return self._handle(text)
        except Exception as exc:  # noqa: BLE001 - the one place internal errors end
            lost = self._roll_back(before, undo_depth)
            result = self._internal_error(exc)
            if lost:
                result = CommandResult(stderr=f"{result.stderr}\n{lost}", exit_code=1)
            return result
        except BaseException:
            # Ctrl-C or SIGTERM part way: undo the half-done command, then stop it.
            self._roll_back(before, undo_depth)
            raise
        finally:
            # Never kept for a later line: what ran since may not be replayable.
            self._line_guard = None

    def _internal_error(self, exc: BaseException) -> CommandResult:
        line = internal_error_line(exc)
        if self.debug:
            trace = "".join(traceback.format_exception(exc)).rstrip("\n")
            return CommandResult(stderr=f"{trace}\n{line}", exit_code=1)
        return CommandResult(stderr=line, exit_code=1)

    def _guard(self) -> UndoEntry:
        """The cluster as it is now, pickled only if it changed since the last look.

        A command that fails inside dstutor may have changed anything before failing,
        read-only verbs included (renderers see the stored objects), so every command
        needs the state from before it. Nothing changes the cluster without moving its
        resourceVersion or its clock, so consecutive reads share one snapshot, and a
        write's undo entry is that same snapshot: this costs about one pickle per
        change, as undo did alone, and nothing while the cluster is still the one its
        factory built (rebuildable). With the live clock, time alone moving is no change:
        a restored cluster's clock catches up with wall time at the next command, so a
        snapshot from a few seconds ago stands for now.
        """
        if self.unguarded:
            return UndoEntry("", self.namespace, rebuild=needs_guard)
        cluster = self.cluster
        key = self._key()
        entry = self._guard_entry
        if entry is None or self._guarded is None or self._guarded[0] is not cluster \
                or self._guarded[1:] != key:
            entry = self._guard_entry = (self._pristine_entry(key) or self._replayed_entry(key)
                                         or UndoEntry.of(cluster, self.namespace))
            self._guarded = (cluster, *key)
        else:
            # Nothing moved (an `advance` with nothing to do): the entry stands for now,
            # and a replay noted meanwhile must not stand for a later state with this key.
            self._replayed = None
        return entry

    def _key(self) -> tuple[Any, ...]:
        """What the guard compares: the revision, the manual clock's time, the namespace."""
        clock = self.cluster.clock
        return (self.cluster.store.resource_version(),
                clock.now() if clock.mode == "manual" else None, self.namespace)

    # --- the cluster as an earlier state with commands replayed: nothing copied ---------

    def replayable(self, step: Callable[[Cluster], object], cost: float) -> None:
        """The line under way changed the cluster only by `step(cluster)`, which took
        `cost` CPU seconds and does the same to any copy of the cluster it started from
        (`advance` on the manual clock: the simulator is deterministic, see
        tests/sim/test_sim_cluster_memo.py). Then the state now needs no pickle: it is
        the line's guard entry with the step replayed (and the clock set as it stands
        now), which the next guard and undo entry use while nothing else changes it.
        Pickling 50,000 pods took more than a second after every `advance`; replaying
        costs only when the entry is used (undo, or a command failing inside dstutor).
        A chain of replays is bounded (steps and cost): past it, the next guard pickles
        and a new chain starts from those bytes."""
        base, cluster = self._line_guard, self.cluster
        self._replayed = None
        guarded = self._guarded
        if base is None or base.kept is not None or guarded is None \
                or guarded[0] is not cluster or base is not self._guard_entry \
                or cluster.clock.mode != "manual":
            return
        replay_cost = base.replay_cost + cost
        if base.replayed >= MAX_REPLAYED_STEPS or replay_cost > MAX_REPLAY_SECONDS:
            return
        clock = cluster.clock
        clock_state = (clock.mode, clock.speed, clock._now, clock._wall_base,
                       clock._virtual_base)

        def rebuild() -> Cluster:
            again = base.cluster()
            step(again)
            clock = again.clock
            (clock.mode, clock.speed, clock._now, clock._wall_base,
             clock._virtual_base) = clock_state
            return again

        base.keep()  # (a held state: its bytes, made in the background, are the base)
        entry = UndoEntry("", self.namespace, rebuild=rebuild, replayed=base.replayed + 1,
                          replay_cost=replay_cost, holds=base.holds, held=base.held)
        self._replayed = (cluster, self._key(), entry)

    def _replayed_entry(self, key: tuple[Any, ...]) -> UndoEntry | None:
        replayed, self._replayed = self._replayed, None
        if replayed is None or replayed[0] is not self.cluster or replayed[1] != key:
            return None
        entry: UndoEntry = replayed[2]
        return entry

    def let_time_pass(self, seconds: float | None) -> None:
        """Virtual time passes between lines, as `cluster.advance(seconds)` alone does (a
        replay reaching the moment its next line first ran, a lesson's setup settling):
        no command, nothing logged, no undo entry. Where the state before it needs no
        copy (the guard's entry stands for it, or a rebuild or replay does), the state
        after it is that entry with the advance replayed, so the next line's guard need
        not pickle the cluster; else the next guard pickles, as it would have."""
        cluster, key = self.cluster, self._key()
        guarded, pristine, replayed = self._guarded, self._pristine, self._replayed
        cheap = ((self._guard_entry is not None and guarded is not None
                  and guarded[0] is cluster and guarded[1:] == key)
                 or (pristine is not None and pristine[0] is cluster
                     and pristine[1:3] == key[:2])
                 or (replayed is not None and replayed[0] is cluster and replayed[1] == key))
        base = self._guard() if cheap else None
        started = time.process_time()
        cluster.advance(seconds)
        if base is None:
            return
        self._line_guard = base
        try:
            self.replayable(lambda again: again.advance(seconds), time.process_time() - started)
        finally:
            self._line_guard = None

    # --- the cluster as the factory built it: rebuilt instead of copied ----------------

    def rebuilds_with(self, factory: Callable[[], Cluster]) -> None:
        """The current cluster is what `factory` builds, and it builds the same cluster
        every time (a lesson's setup cluster): as with `rebuildable`, the guard and the
        first write's undo entry are a rebuild, not a copy, while nothing has changed
        it. Unlike reset_factory, `reset` does not use it."""
        self._mark_pristine(factory)

    def _mark_pristine(self, factory: Callable[[], Cluster]) -> None:
        """The current cluster is what `factory` builds: remember its revision and
        clock, so that an entry for this state is a rebuild, not a copy."""
        cluster = self.cluster
        clock = cluster.clock
        self._pristine = (cluster, cluster.store.resource_version(),
                          clock.now() if clock.mode == "manual" else None,
                          (clock.mode, clock.speed, clock._now, clock._wall_base,
                           clock._virtual_base), factory)

    def _pristine_entry(self, key: tuple[Any, ...]) -> UndoEntry | None:
        pristine = self._pristine
        if pristine is None:
            return None
        if pristine[0] is not self.cluster or pristine[1:3] != key[:2]:
            # Changed (a revision or a manual clock never goes back) or replaced: this
            # cluster is not the factory's any more, and the old one must not be held.
            self._pristine = None
            return None
        clock_state, factory = pristine[3], pristine[4]

        def rebuild() -> Cluster:
            cluster = factory()
            # The clock as it stood: a restored live clock catches up with wall time at
            # the next command, as one restored from bytes does.
            clock = cluster.clock
            (clock.mode, clock.speed, clock._now, clock._wall_base,
             clock._virtual_base) = clock_state
            return cluster

        return UndoEntry("", self.namespace, rebuild=rebuild)

    def _roll_back(self, before: UndoEntry, undo_depth: int) -> str:
        """Put the cluster back as it was before the command; "" if done, else why not
        (a big cluster's state held by a child process that was killed: the cluster
        stays as the command left it, which is all there is)."""
        # Entries newer than the command go; a kept cluster in one of them is `before`
        # itself, so restoring it shares it with nothing.
        del self.undo_stack[undo_depth:]
        try:
            self.restore(before)
        except StateLost as lost:
            return str(lost)
        return ""

    def _handle(self, text: str) -> CommandResult:
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            return CommandResult()
        self.log.append(stripped)
        from dstutor.shell import pipeline

        try:
            piped = pipeline.split_pipeline(text.lstrip())
        except DstutorError as exc:
            return error(str(exc))
        if not piped.plain:
            return self._piped(piped)
        return self._route(text)

    def _piped(self, piped: Any) -> CommandResult:
        """`CMD | grep x > FILE`: the command, then text filters, then the workspace file."""
        from dstutor.shell import pipeline
        from dstutor.shell.filecmds import workspace_of

        body = pipeline.heredoc_cat(piped.command)
        # `get -w | grep x`, `logs -f > FILE`: what a follower streams (until Ctrl-C) is
        # part of the command's output, so it goes through the filters and the
        # redirection with the rest instead of straight to the terminal.
        streamed: list[str] = []
        outer = getattr(self, "stream", None)
        if outer is not None:
            self.stream = streamed.append
        try:
            out = CommandResult(stdout=body) if body is not None else self._route(piped.command)
        finally:
            if outer is not None:
                self.stream = outer

        def write(name: str, text: str, append: bool) -> None:
            workspace_of(self).write(name, text, append=append)

        stdout, stderr, code = pipeline.finish(piped, "".join(streamed) + out.stdout,
                                               out.stderr, out.exit_code, write)
        return CommandResult(stdout=stdout, stderr=stderr, exit_code=code, hint=out.hint,
                      changed=out.changed, exit=out.exit)

    def _route(self, text: str) -> CommandResult:
        stripped = text.strip()
        word = first_word(text)
        if word in KUBECTL_WORDS:
            from dstutor.shell.kubeconfig import run_config

            config = run_config(self, text.lstrip())
            if config is not None:
                return CommandResult(stdout=config[0], stderr=config[1], exit_code=config[2])
            return self._run_kubectl(text.lstrip())
        from dstutor.shell import meta

        command = meta.find_command(stripped)
        if command is not None:
            try:
                return meta.run(self, command, text.lstrip())
            except ParseError as exc:
                return error(str(exc))
            except DstutorError as exc:
                return error(str(exc))
        return self._unknown(stripped)

    # --- kubectl lines -----------------------------------------------------------------

    def _run_kubectl(self, text: str) -> CommandResult:
        run = self._kubectl or _default_kubectl()
        snapshot = None
        if kubectl_verb(text) not in READ_ONLY_VERBS:
            snapshot = self.snapshot()
        try:
            extra: dict[str, Any] = {}
            if self.progress is not None:
                extra["progress"] = self.progress
            if self.workspace is not None:
                extra["workspace"] = self.workspace.root
            if getattr(self, "stream", None) is not None:
                extra["stream"] = self.stream
            result = run(self.cluster, text, namespace=self.namespace,
                         interactive=self.interactive, editor=self.editor,
                         own_words=self.own_words(), **extra)
        except DstutorError as exc:
            # The kubectl layer returns its errors as results; this is a safety net.
            if snapshot is not None:
                self.restore(snapshot)
            return error(str(exc))
        except KeyboardInterrupt:
            # Ctrl-C in the middle of a command: put everything back as it was.
            if snapshot is not None:
                self.restore(snapshot)
            raise
        if result.changed and snapshot is not None:
            self._push_undo(text, snapshot)
        return result

    # --- undo ----------------------------------------------------------------------------

    def snapshot(self) -> UndoEntry:
        """The cluster as it is now, for undo (cost: see benchmarks/bench_shell.py)."""
        entry = self._guard()
        if entry.kept is not None:
            # A copied cluster object (no pickle) can be handed out only once.
            self._guarded = self._guard_entry = None
            return entry
        return entry.copy()

    def _push_undo(self, command: str, entry: UndoEntry) -> None:
        # The command changed the cluster, maybe only where the guard does not look (`node
        # fail` stops a kubelet: no write, no time passes): the guard must not stand for
        # the state after it with the entry from before it, nor may the factory's build
        # (the pristine check compares the same revision and clock).
        self._guarded = None
        self._pristine = None
        entry.command = command.split("\n", 1)[0]
        entry.keep()
        self.undo_stack.append(entry)
        if len(self.undo_stack) > MAX_UNDO:
            del self.undo_stack[0]
        while len(self.undo_stack) > 1 and _bytes_held(self.undo_stack) > MAX_UNDO_BYTES:
            del self.undo_stack[0]

    def restore(self, entry: UndoEntry) -> None:
        # An unguarded session's entry raises GuardNeeded here, before anything changes.
        unfreeze_heap()  # (before the entry's cluster is made: sim/thaw.py)
        big = bulk(self.cluster) >= COLLECT_AT_ONCE_FROM
        self.cluster = entry.cluster()
        self.namespace = entry.namespace
        self._guarded = self._guard_entry = None
        self._pristine = self._replayed = None
        self._cluster_dropped(big)
        if entry.rebuild is not None and not entry.replayed:
            # Rebuilt by a factory: as pristine as the first one (the entry rebuilds it).
            self._mark_pristine(entry.rebuild)
        if entry.frozen is not None or entry.rebuild is not None or entry.held is not None:
            # Those bytes are the restored state: the next command need not pickle it.
            self._guard_entry = entry.copy()
            clock = self.cluster.clock
            self._guarded = (self.cluster, self.cluster.store.resource_version(),
                             clock.now() if clock.mode == "manual" else None, self.namespace)

    def record_change(self, command: str, before: UndoEntry) -> None:
        """Simulator commands call this after changing the cluster, so `undo` can revert."""
        self._push_undo(command, before)

    def undo(self) -> str | None:
        """Revert the last state-changing command; returns it, or None if there is none."""
        if not self.undo_stack:
            return None
        entry = self.undo_stack.pop()
        self.restore(entry)
        return entry.command

    def replace_cluster(self, make: Callable[[], Cluster], command: str, *,
                        from_factory: bool = False) -> None:
        """Swap in the cluster `make` makes (reset, load) and keep the old one for `undo`;
        from_factory: it is a fresh_cluster() (then it need not be copied either). If
        `make` raises, nothing is swapped."""
        unfreeze_heap()  # (before the new cluster is made: sim/thaw.py)
        cluster = make()
        before = self.snapshot()
        big = bulk(self.cluster) >= COLLECT_AT_ONCE_FROM
        self.cluster = cluster
        self._push_undo(command, before)
        self._pristine = self._replayed = None
        self._cluster_dropped(big)
        if from_factory and self._reset_factory is not None:
            self._mark_pristine(self._reset_factory)

    def _cluster_dropped(self, big: bool) -> None:
        """The cluster was replaced and nothing here holds it any more: free it (at once
        if it was `big`, see COLLECT_AT_ONCE_FROM)."""
        # `get pods` remembers rows by pod object; the old cluster's pods never come
        # back (a restored cluster has new ones), so their rows would only hold memory.
        from dstutor.render.columns import forget_pod_rows

        forget_pod_rows()
        unfreeze_heap()  # (the shell froze its first cluster: as garbage it must be free)
        self._dropped_clusters += 1
        if big or self._dropped_clusters >= COLLECT_EVERY_DROPPED_CLUSTERS:
            self._dropped_clusters = 0
            gc.collect()

    def fresh_cluster(self) -> Cluster:
        if self._reset_factory is None:
            raise DstutorError("error: this session has no starting cluster to reset to")
        return self._reset_factory()

    # --- anything else -------------------------------------------------------------------

    def _unknown(self, line: str) -> CommandResult:
        from dstutor.shell import meta

        word = line.split()[0]
        if word in _kubectl_verbs():
            return error("", hint=DID_YOU_MEAN_MSG.format(suggestion=f"kubectl {line}"))
        close = difflib.get_close_matches(word, [*KUBECTL_WORDS[:1], *meta.first_words()],
                                          n=1, cutoff=0.75)
        if close:
            rest = line[len(word):]
            return error("", hint=DID_YOU_MEAN_MSG.format(suggestion=f"{close[0]}{rest}"))
        return error("", hint=UNKNOWN_LINE_MSG.format(word=word))


def _kubectl_verbs() -> frozenset[str]:
    from dstutor.kubectl.registry import KUBECTL_COMMANDS

    return frozenset(KUBECTL_COMMANDS)
