"""A big cluster's state kept by a forked child process, pickled only when it is needed.

Before every command the session keeps the cluster as it is (its guard: the state to put
back if the command fails inside dstutor, and a write's undo entry), and after any write
that state is new. At 5,000 nodes x 10 DaemonSets pickling it takes more than a second
(50,000 pods, 250,000 Events, 58 MB), so every command after a change waited that long.
Forking the process takes a few milliseconds and freezes the same state: the child holds
the parent's memory as it was (copy-on-write) and waits. Asked, it pickles the cluster
and sends the bytes (what UndoEntry.of would have pickled at that moment: the same objects
in the same memory); told nothing, it goes when its state is dropped.

- A guard nobody uses (most of them: reads, and a state that changes again) costs the
  fork and is dropped: the child reads end-of-file and leaves, never having pickled.
- A state that is kept (a write's undo entry, the base a replayed `advance` starts from)
  is converted in the background (`start`): the child pickles on the other core while the
  learner reads the output; a thread of ours reads the bytes from the pipe (its reads
  release the GIL) and the child leaves. The entry then holds bytes, as before.
- `undo`, or putting a failed command back, waits for the bytes if they are not there yet.

Only where the fork is cheap and safe (`can_hold`): a POSIX fork, no threads but the
reading threads of this module (which hold no lock the child could need: the child only
pickles, writes to its pipe and leaves by os._exit), and a cluster big enough for its
pickle to cost more than the fork. Anything else is pickled at once as before. The child
leaves the terminal's process group and ignores Ctrl-C: a Ctrl-C at the prompt stops the
command, not the state it would be put back to.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import struct
import threading
import warnings
import weakref
from typing import Any

from dstutor.errors import DstutorError

# Stored Nodes, Pods and Events from which a cluster is held by a child instead of
# pickled at once: below it a pickle takes a few tens of milliseconds (about 5 us an
# object), not worth a process.
HOLD_FROM = 5000
# Each pickle is sent as its length, then its bytes (a child that dies half-way sends
# fewer: the state is lost, not mistaken for another).
_LENGTH = struct.Struct("<Q")
_CHUNK = 1 << 20

# The reading threads running now (the only threads a fork may leave behind, see above).
_readers: set[threading.Thread] = set()
# Children told to leave and not yet waited for (os.waitpid, WNOHANG: never blocks).
_unreaped: list[int] = []
# The size of the last pickled state that arrived (0 before any).
_last_size = [0]


class StateLost(DstutorError):
    """The child holding a state ended without sending it (killed, out of memory)."""

    def __init__(self, why: str) -> None:
        super().__init__(f"error: the cluster state kept before this could not be read back ({why})")


def can_hold(cluster: Any) -> bool:
    """Whether `cluster` is held by a forked child rather than pickled now."""
    if not hasattr(os, "fork"):
        return False
    if threading.active_count() - len(_readers) > 1:
        return False  # another thread (`shell --serve`'s server) may hold any lock
    if bulk(cluster) < HOLD_FROM:
        return False
    try:
        pickle.dumps(cluster.clock)  # (a test clock's wall-time source may not pickle)
    except (pickle.PicklingError, TypeError, AttributeError):
        return False
    return True


def bulk(cluster: Any) -> int:
    """The stored Nodes, Pods and Events: what a cluster's pickle (and its garbage) costs
    grows with."""
    store = cluster.store
    return int(store.count("Node") + store.count("Pod") + store.count("Event"))


class _Transfer:
    """One held state's child and what came of it: shared by the HeldState and the thread
    reading its bytes (which must not keep the HeldState itself alive: dropping that
    while the child still pickles stops the child, see HeldState.start)."""

    __slots__ = ("pid", "payload", "failed", "ended", "lock")

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.payload: bytes | None = None
        self.failed: str | None = None
        self.ended = False  # the child was waited for: its pid may be another's now
        self.lock = threading.Lock()

    def read(self, data: int) -> None:
        """The reading thread: the child's bytes, then the child waited for."""
        chunks = []
        try:
            while chunk := os.read(data, _CHUNK):
                chunks.append(chunk)
        except OSError as err:
            self.failed = f"reading it failed: {err.strerror}"
        finally:
            os.close(data)
            with self.lock:
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(self.pid, 0)
                self.ended = True
            _readers.discard(threading.current_thread())
        payload = b"".join(chunks)
        if self.failed is None:
            if len(payload) < _LENGTH.size or _LENGTH.unpack_from(payload)[0] != len(
                    payload) - _LENGTH.size:
                self.failed = "the process holding it ended before sending it all"
            else:
                self.payload = payload[_LENGTH.size:]
                _last_size[0] = len(self.payload)

    def stop(self) -> None:
        """Nobody wants the bytes any more: stop a child still pickling them."""
        with self.lock:
            if not self.ended:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, signal.SIGKILL)


class HeldState:
    """The cluster as it was when this was made, held by a child process (see above)."""

    def __init__(self, cluster: Any) -> None:
        _reap()
        command_r, command_w = os.pipe()
        data_r, data_w = os.pipe()
        try:
            with warnings.catch_warnings():
                # Python 3.12+ warns of a fork beside other threads: ours hold no lock.
                warnings.simplefilter("ignore", DeprecationWarning)
                pid = os.fork()
        except OSError:  # (no process to spare: UndoEntry.of pickles instead)
            for fd in (command_r, command_w, data_r, data_w):
                os.close(fd)
            raise
        if pid == 0:
            _child(cluster, command_r, data_w)  # never returns
        os.close(command_r)
        os.close(data_w)
        self.pid = pid
        self._command, self._data = command_w, data_r
        self._transfer = _Transfer(pid)
        self._reader: threading.Thread | None = None
        # Closes the pipes, which lets the child go, once nothing holds this state.
        self._finalizer = weakref.finalize(self, _release, pid, [command_w, data_r])

    def start(self) -> None:
        """Have the child pickle the state now, its bytes read in the background."""
        if not self._finalizer.alive:
            return  # started already
        # From here on the pipes are closed here or by the reading thread, never twice;
        # dropping this state stops a child still pickling it.
        self._finalizer.detach()
        transfer, command, data = self._transfer, self._command, self._data
        try:
            os.write(command, b"p")
        except OSError as err:  # the child is gone
            transfer.failed = f"the process holding it is gone: {err.strerror}"
            os.close(data)
            _unreaped.append(self.pid)
            return
        finally:
            os.close(command)
        reader = threading.Thread(target=transfer.read, args=(data,),
                                  name="dstutor-held-state", daemon=True)
        self._reader = reader
        _readers.add(reader)
        reader.start()
        weakref.finalize(self, transfer.stop)

    def done(self) -> bool:
        """Whether the bytes are here (or known to be lost): payload() will not wait."""
        transfer = self._transfer
        return transfer.payload is not None or transfer.failed is not None

    def payload(self) -> bytes:
        """The pickled state (waits for the child if it has not sent it yet)."""
        transfer = self._transfer
        if transfer.payload is None:
            self.start()
            if self._reader is not None:
                self._reader.join()
        if transfer.payload is None:
            raise StateLost(transfer.failed or "it was lost")
        return transfer.payload

    def size(self) -> int:
        """Bytes held here; until they arrive, the size of the last state that did (what
        the undo history's budget counts: see Session._push_undo)."""
        payload = self._transfer.payload
        return len(payload) if payload is not None else _last_size[0]


def _child(cluster: Any, command: int, data: int) -> None:
    """The child: wait for the parent; pickle and send the state if asked; leave."""
    status = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        with contextlib.suppress(OSError):
            # Out of the terminal's process group (no Ctrl-C, no Ctrl-Z); after the
            # handler, so that a new group means the child is safe from Ctrl-C either way.
            os.setpgid(0, 0)
        gc.disable()  # a collection would touch (and so copy) every page for nothing
        # Nothing of the parent's kept open: not its terminal or the pipe its output goes
        # to (a reader waiting for the end of it), nor its files and sockets.
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        _close_fds_but(command, data)
        if os.read(command, 1) == b"p":
            payload = pickle.dumps(cluster, pickle.HIGHEST_PROTOCOL)
            view = memoryview(_LENGTH.pack(len(payload)) + payload)
            while view:
                view = view[os.write(data, view[:_CHUNK]):]
        status = 0
    finally:
        os._exit(status)  # no exit handlers, no buffers flushed: they are the parent's


def _close_fds_but(*keep: int) -> None:
    """Close every file descriptor from 3 up but `keep`: those the system lists as open
    (/proc/self/fd, /dev/fd), else every number up to the limit (capped: an unlimited
    limit would be a loop without end)."""
    for folder in ("/proc/self/fd", "/dev/fd"):
        try:
            numbers = [int(name) for name in os.listdir(folder)]
        except (OSError, ValueError):
            continue
        for fd in numbers:
            if fd > 2 and fd not in keep:
                with contextlib.suppress(OSError):  # (the listing's own, closed by now)
                    os.close(fd)
        return
    start = 3
    for fd in sorted(keep):
        os.closerange(start, fd)
        start = fd + 1
    limit = os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 1024
    os.closerange(start, max(start, min(limit, 65536)))


def _release(pid: int, fds: list[int]) -> None:
    """A state nobody holds any more, never asked for: its child reads end-of-file and
    leaves (waited for later, without blocking)."""
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)
    _unreaped.append(pid)
    _reap()


def _reap() -> None:
    for pid in list(_unreaped):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            _unreaped.remove(pid)
