"""Per-user files: where dstutor keeps them, how one is written, and the one hash helper.

The lowest layer, beside errors.py and yamlio.py: the shell (history, `save`), lessons
(progress, workspaces), the classroom (results files) and serve (kubeconfig) all write
files, and each used to carry its own copy of these helpers.
"""

from __future__ import annotations

import contextlib
import glob
import os
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import platformdirs

from dstutor.digest import sha256_hex as sha256_hex  # its old home: callers import it here

# A temporary file without a process id in its name (an older dstutor's) is left alone
# this long by default: it may still be being written.
STALE_TEMP_SECONDS = 3600.0


def data_dir() -> Path:
    """Where dstutor keeps per-user files: $DSTUTOR_HOME, else the platform's data dir.

    `~` is expanded as a shell would: `DSTUTOR_HOME='~/x'` (quoted, so the shell left it)
    means the folder x in the home directory, not a folder named `~` here.
    """
    home = os.environ.get("DSTUTOR_HOME")
    if home:
        return Path(home).expanduser()
    return Path(platformdirs.user_data_dir("dstutor", appauthor=False))


def cache_dir() -> Path:
    """Where dstutor keeps what it can build again (settled clusters): $DSTUTOR_HOME/cache,
    else the platform's cache folder."""
    home = os.environ.get("DSTUTOR_HOME")
    if home:
        return Path(home).expanduser() / "cache"
    return Path(platformdirs.user_cache_dir("dstutor", appauthor=False))


def _temp_prefix(path: Path) -> str:
    return f".{path.name}."


def atomic_write(path: Path, text: str, *, make_dirs: bool = False) -> None:
    """Write so that a reader sees the old or the new file, never half of one.

    The temporary file beside it (.NAME.PID.XXXX.tmp) carries this process's id, so a
    later start can tell a write that was killed (kill -9 leaves the file behind) from
    one still under way (clean_stale_temps). `make_dirs` creates the parent folders;
    without it a missing folder is an OSError, as for any write.
    """
    with (atomic_writer(path, make_dirs=make_dirs) as fd,
          os.fdopen(os.dup(fd), "w", encoding="utf-8") as fh):
        fh.write(text)


@contextlib.contextmanager
def atomic_writer(path: Path, *, make_dirs: bool = False) -> Iterator[int]:
    """atomic_write for a writer that writes in pieces: the block writes to the file
    descriptor it is given (a temporary file beside `path`), which then replaces `path`
    once flushed to disk; an exception in the block (Ctrl-C mid-write) leaves the old
    file as it was and drops the temporary one."""
    if make_dirs:
        path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f"{_temp_prefix(path)}{os.getpid()}.", suffix=".tmp",
                               dir=path.parent)
    try:
        try:
            yield fd
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)  # make the rename itself durable
        finally:
            os.close(dir_fd)


def _writer_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process: leave its file alone
    return True


def clean_stale_temps(path: str | Path, *, now: float | None = None,
                      max_age: float = STALE_TEMP_SECONDS) -> list[Path]:
    """Delete the temporary files a killed atomic_write of `path` left beside it.

    Ours are named .NAME.PID.XXXX.tmp: one whose process is gone is stale. One with no
    process number (an older dstutor) is stale after `max_age` seconds. Returns what
    was removed; never raises.
    """
    target = Path(path)
    now = time.time() if now is None else now
    removed: list[Path] = []
    try:
        candidates = list(target.parent.glob(glob.escape(_temp_prefix(target)) + "*.tmp"))
    except OSError:
        return removed
    for temp in candidates:
        middle = temp.name[len(_temp_prefix(target)):-len(".tmp")]
        pid_text = middle.split(".", 1)[0]
        try:
            info = temp.lstat()
            if not stat.S_ISREG(info.st_mode):
                continue
            if pid_text.isdigit() and "." in middle:
                stale = int(pid_text) != os.getpid() and not _writer_alive(int(pid_text))
            else:
                stale = now - info.st_mtime > max_age
            if stale:
                temp.unlink()
                removed.append(temp)
        except OSError:
            continue
    return removed


