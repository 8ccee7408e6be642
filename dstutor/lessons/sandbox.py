"""A lesson's cluster: built from its setup, replayed from a command log, checked per step.

The runner, the variants and `lesson check` all use these functions, so what an author
tests is exactly what a learner gets.
"""

from __future__ import annotations

import copy
import pickle
import shutil
import tempfile
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

from dstutor.errors import DstutorError, LessonError
from dstutor.files import data_dir
from dstutor.lessons import confine
from dstutor.lessons._exec import Executor, SessionFactory, make_executor
from dstutor.lessons.checks import CommandRecord, Outcome, World, run_check
from dstutor.lessons.schema import CheckSpec, Lesson, Step
from dstutor.model.objects import Obj
from dstutor.model.taints import parse_taint_args
from dstutor.shell.editjournal import EditJournal
from dstutor.shell.session import GuardNeeded, Session, UndoEntry
from dstutor.shell.undo import needs_guard
from dstutor.shell.workspace import Workspace
from dstutor.sim.clock import Clock
from dstutor.sim.cluster import Cluster
from dstutor.sim.clusterfile import (
    ClusterSpec,
    NodeSpec,
    build_cluster,
    default_spec,
    load_manifests,
    parse_cluster_file,
)


@dataclass(frozen=True)
class TimedLine:
    """A line to replay and the virtual time it originally ran at (None: run now)."""

    line: str
    t: float | None = None


def _spec(lesson: Lesson) -> ClusterSpec:
    setup = lesson.setup
    where = str(lesson.path or lesson.id)
    try:
        # The cluster file and the manifests it names are read confined to the course.
        spec = (parse_cluster_file(confine.resolve_inside(lesson.base_dir, setup.cluster),
                                   read=confine.reader(lesson.base_dir))
                if setup.cluster else default_spec(setup.workers))
    except DstutorError as exc:
        raise LessonError(f"setup: {exc}".replace("error: ", ""), path=where,
                          line=lesson.lines.get(("setup", "cluster"))) from None
    by_name = {n.name: n for n in spec.nodes}
    for nd in setup.nodes:
        try:
            taints = parse_taint_args(list(nd.taints))[0] if nd.taints else []
        except DstutorError as exc:
            raise LessonError(f"setup node {nd.name}: {exc}", path=where) from None
        node = by_name.get(nd.name)
        if node is None:
            node = NodeSpec(nd.name)
            spec.nodes.append(node)
            by_name[nd.name] = node
        node.labels.update(dict(nd.labels))
        node.taints.extend(taints)
        node.roles.extend(r for r in nd.roles if r not in node.roles)
    return spec


HEREDOC_END = "DSTUTOR_SETUP_EOF"


def setup_manifests(lesson: Lesson) -> list[tuple[str, list[Obj]]]:
    """Each setup manifest file: its text and its documents."""
    found = []
    for i, ref in enumerate(lesson.setup.manifests):
        try:
            text = confine.read_inside(lesson.base_dir, ref)
            # Decoded as the API server will (file:line on a refusal), as cluster files are.
            loaded = load_manifests(text, ref)
        except DstutorError as exc:
            raise LessonError(f"setup manifest {ref}: {exc}".replace("error: ", ""),
                              path=str(lesson.path or lesson.id),
                              line=lesson.lines.get(("setup", "manifests", i))) from None
        found.append((text, [d for d in loaded if isinstance(d, dict)]))
    return found


def lesson_workspace(lesson: Lesson) -> Workspace:
    """The lesson's scratch folder: where `> FILE`, `cat`, `vi` and `-f FILE` work."""
    return Workspace.at(data_dir() / "workspace" / lesson.id)


def scratch_workspace() -> Workspace:
    """A fresh, empty workspace in a temporary folder (see build_setup)."""
    return Workspace.at(tempfile.mkdtemp(prefix="dstutor-workspace-"))


def replay_copy(workspace: Workspace, lines: Sequence[str]) -> Workspace:
    """A throwaway copy of `workspace` for replaying `lines` (removed with its executor).

    A replay must leave the learner's files as they are: `>> notes.txt` run again would
    append twice. The copy keeps files the learner put there by other means (a manifest
    copied in), without those the replayed lines write with `>`/`>>`: the replay makes
    them again, in order, as the session did; editors replay from the journal.
    """
    copy = scratch_workspace()
    shutil.copytree(workspace.root, copy.root, symlinks=True, dirs_exist_ok=True)
    for name in confine.written_files(list(lines)):
        try:
            path = copy.resolve(name)
        except DstutorError:
            continue
        if path.is_file() or path.is_symlink():
            path.unlink()
    return copy


T = TypeVar("T")
# Inside throwaway(): the sessions build_setup makes keep no state before their commands
# (Session.unguarded).
_UNGUARDED: ContextVar[bool] = ContextVar("unguarded", default=False)
# Off: every session is guarded, as before throwaway() (the tests compare both ways).
UNGUARDED_REPLAYS = True


def throwaway(work: Callable[[], T], again: Callable[[], T] | None = None) -> T:
    """`work()`, whose lesson sessions (build_setup's) are dropped when it returns (a
    variant's replay, the lesson checker's runs), first with sessions that keep no
    state before their commands: a session pickled the whole cluster before every
    write, for an `undo` or for putting back a command that fails inside dstutor, which
    such work almost never needs. If it does (GuardNeeded), `work()` runs again with
    guarded sessions, from the start: the same answer either way, as the work is
    deterministic and leaves nothing behind but what it returns (its workspaces are
    temporary copies; `again`, if given, runs instead of `work` the second time: it
    puts back first what `work` leaves behind). A Ctrl-C that cut the first run short
    still stops it."""
    if not UNGUARDED_REPLAYS or _UNGUARDED.get():
        return work()
    token = _UNGUARDED.set(True)
    try:
        return work()
    except GuardNeeded as exc:
        stop = _interrupt_in(exc)
        if stop is not None:
            raise stop from None
    finally:
        _UNGUARDED.reset(token)
    guarded = _UNGUARDED.set(False)
    try:
        return (again or work)()
    finally:
        _UNGUARDED.reset(guarded)


def _interrupt_in(exc: BaseException) -> BaseException | None:
    """A Ctrl-C (or exit) the GuardNeeded was raised while handling, if any: a session
    puts a stopped command back before passing the signal on."""
    seen: BaseException | None = exc.__context__
    while seen is not None:
        if not isinstance(seen, (Exception, GuardNeeded)):
            return seen
        seen = seen.__context__
    return None


def build_setup(lesson: Lesson, workspace: Workspace | None = None, *,
                replaying: Sequence[str] | None = None,
                new_session: SessionFactory | None = None) -> Executor:
    """The cluster the lesson starts from, settled, on a manual clock.

    `workspace` holds the session's files and its edit journal: `lesson run` passes the
    learner's (lesson_workspace). Without one - `lesson check`, variants checked by the
    author, grading replays - the session gets a fresh temporary folder, removed when the
    executor is dropped (or at exit), so they never read or write a learner's files.
    `replaying`: the lines about to be replayed; the session then works in a throwaway
    copy of `workspace` (replay_copy) until use_workspace() hands it the learner's.
    """
    try:
        spec = _spec(lesson)
        kept = copy.deepcopy(spec)  # as it was read: the file may change later
        key = _setup_key(lesson, spec, new_session)
        settled = _SETUPS.get(key) if key is not None else None
        if key is not None and settled is not None:
            _SETUPS.move_to_end(key)
            cluster, log, undone, namespace, pristine = pickle.loads(settled)  # noqa: S301 - ours
        else:
            cluster = build_cluster(spec, seed=lesson.setup.seed, clock=Clock(mode="manual"))
    except LessonError:
        raise
    except DstutorError as exc:  # a node the API server refuses (bad name, label, taint)
        one_line = str(exc).replace("error: ", "").replace(": \n* ", ": ").replace("\n* ", "; ")
        raise LessonError(f"setup: {one_line}",
                          path=str(lesson.path or lesson.id),
                          line=lesson.lines.get(("setup",))) from None
    executor = make_executor(cluster, new_session)
    session = getattr(executor, "session", None)
    if isinstance(session, Session):
        session.unguarded = _UNGUARDED.get()
        # build_cluster is deterministic (seeded names, the manual clock): until something
        # changes this cluster, the session's guard and undo rebuild it instead of
        # pickling it (the learner's first command after a setup with no manifests).
        seed = lesson.setup.seed

        def factory() -> Cluster:
            return build_cluster(copy.deepcopy(kept), seed=seed, clock=Clock(mode="manual"))

        session.rebuilds_with(factory)
    if session is not None:
        journal_root = workspace.root if workspace is not None else None
        if workspace is None or replaying is not None:
            workspace = (scratch_workspace() if workspace is None
                         else replay_copy(workspace, [*lesson.setup.commands, *(replaying or ())]))
            weakref.finalize(executor, shutil.rmtree, workspace.root, ignore_errors=True)
        session.workspace = workspace
        # Replays never open an editor: they get what the learner's editor produced.
        journal = EditJournal(journal_root or session.workspace.root)
        session.journal = journal
        session.editor, session.file_editor = journal.replay_text, journal.replay_file
    if settled is not None and isinstance(session, Session):
        # As the setup below left it last time (see _SETUPS): its lines in the log, an
        # unguarded entry for each write, the namespace, the factory's mark.
        session.log = list(log)
        session.undo_stack = [UndoEntry(command, ns, rebuild=needs_guard)
                              for command, ns in undone]
        session.namespace = namespace
        session._pristine = None if pristine is None else (cluster, *pristine, factory)
        return executor
    manifests = setup_manifests(lesson)
    # Namespaces the manifests need exist first, as an administrator would have them.
    wanted = {str((d.get("metadata") or {}).get("namespace") or "")
              for _text, docs in manifests for d in docs}
    for ns in sorted(wanted - {""}):
        if cluster.find("Namespace", "", ns) is None:
            cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    # Applied with kubectl, so the objects carry last-applied-configuration and a
    # learner's later `kubectl apply` behaves as on a cluster set up the usual way.
    lines = [f"kubectl apply -f - <<'{HEREDOC_END}'\n{text.rstrip()}\n{HEREDOC_END}"
             for text, _docs in manifests]
    for line in [*lines, *lesson.setup.commands]:
        result = executor.run(line)
        if result.exit_code != 0:
            raise LessonError(f"setup command failed: {line.splitlines()[0]}: "
                              f"{result.stderr.strip()}", path=str(lesson.path or lesson.id))
    let_time_pass(executor, lesson.setup.settle)
    if key is not None and isinstance(session, Session):
        _SETUPS[key] = pickle.dumps(
            (executor.cluster, session.log, [(e.command, e.namespace) for e in session.undo_stack],
             session.namespace, session._pristine[1:4] if session._pristine else None),
            pickle.HIGHEST_PROTOCOL)
        while len(_SETUPS) > SETUPS_KEPT:
            _SETUPS.popitem(last=False)
    return executor


# Throwaway work (see throwaway) builds the same setups again and again: a variant's
# replay at every `check`, each of lesson check's runs, each grading replay. Its
# sessions keep no undo state, so what the setup leaves in one (the settled cluster, the
# setup's lines in the log, an entry per write, the namespace) is kept as pickled bytes,
# by what decides it: the cluster spec as read, the seed, the manifests' texts and the
# settle time. A setup with commands of its own (they may write files) is built each
# time, as is any outside throwaway work. tests/lessons/test_lessons_throwaway.py
# compares a kept setup with a fresh one.
_SETUPS: OrderedDict[bytes, bytes] = OrderedDict()
SETUPS_KEPT = 8


def _setup_key(lesson: Lesson, spec: ClusterSpec, new_session: SessionFactory | None
               ) -> bytes | None:
    if (not UNGUARDED_REPLAYS or not _UNGUARDED.get() or new_session is not None
            or lesson.setup.commands):
        return None
    try:
        texts = [text for text, _docs in setup_manifests(lesson)]
        return pickle.dumps((spec, lesson.setup.seed, lesson.setup.settle, texts),
                            pickle.HIGHEST_PROTOCOL)
    except (LessonError, pickle.PicklingError, TypeError, AttributeError):
        return None  # built as usual, which reports the problem in its own order


def let_time_pass(executor: Executor, seconds: float | None) -> None:
    """Virtual time passes between lines: `executor.cluster.advance(seconds)`, through
    the session where there is one, so that its next guard need not copy the cluster
    (Session.let_time_pass)."""
    session = getattr(executor, "session", None)
    if isinstance(session, Session):
        session.let_time_pass(seconds)
    else:
        executor.cluster.advance(seconds)


def use_workspace(executor: Executor, workspace: Workspace) -> None:
    """After a replay: the session works in the learner's workspace, and what the
    learner's editor produces from now on is journaled there for the next replay."""
    session = getattr(executor, "session", None)
    journal = getattr(session, "journal", None)
    if session is None or journal is None:
        return
    session.workspace = workspace
    session.editor, session.file_editor = journal.recorder()


def run_one(executor: Executor, line: str) -> CommandRecord:
    """Run one line now and keep what checks may ask about it (output, effect, namespace)."""
    t, namespace = executor.cluster.now(), executor.namespace
    r = executor.run(line)
    return CommandRecord(line, r.exit_code, r.stdout, r.stderr, r.changed, namespace, t)


def run_records(executor: Executor, lines: Iterable[TimedLine]) -> list[CommandRecord]:
    """Replay lines, first letting virtual time reach the moment each originally ran."""
    records = []
    for item in lines:
        if item.t is not None:
            gap = item.t - executor.cluster.now()
            if gap > 0:
                let_time_pass(executor, gap)
        records.append(run_one(executor, item.line))
    return records


def run_lines(executor: Executor, lines: Iterable[TimedLine]) -> list[tuple[str, int]]:
    return [(r.line, r.exit_code) for r in run_records(executor, lines)]


def evaluate(checks: Sequence[CheckSpec], executor: Executor, step: Step,
             commands: Sequence[CommandRecord], quiz_answer: str | None, *,
             exam: bool = False) -> list[tuple[CheckSpec, Outcome]]:
    correct = step.quiz.correct_letter() if step.quiz else None
    world = World(executor.cluster, commands, quiz_answer, correct, exam)
    return [(c, run_check(c.kind, world, c.params)) for c in checks]


def first_failure(results: Sequence[tuple[CheckSpec, Outcome]]) -> tuple[CheckSpec, Outcome] | None:
    return next(((c, o) for c, o in results if not o.passed), None)


def check_variants(lesson: Lesson, step: Step, history: Sequence[TimedLine],
                   commands: Sequence[CommandRecord], quiz_answer: str | None,
                   workspace: Workspace | None = None) -> tuple[str, CheckSpec, Outcome] | None:
    """Replay `history` on each variant; the first variant whose checks fail, if any.

    `workspace`: the learner's, whose edit journal the history's editor lines replay from.
    The replays are throwaway work (see throwaway).
    """
    if not step.variants:
        return None
    return throwaway(lambda: _check_variants(lesson, step, history, commands, quiz_answer,
                                             workspace))


def _check_variants(lesson: Lesson, step: Step, history: Sequence[TimedLine],
                    commands: Sequence[CommandRecord], quiz_answer: str | None,
                    workspace: Workspace | None) -> tuple[str, CheckSpec, Outcome] | None:
    for variant in step.variants:
        executor = build_setup(lesson, workspace,
                               replaying=[item.line for item in history])
        run_lines(executor, history)
        for line in variant.commands:
            executor.run(line)
        failed = first_failure(evaluate(variant.checks or step.checks, executor, step,
                                        commands, quiz_answer))
        if failed is not None:
            return variant.name, failed[0], failed[1]
    return None
