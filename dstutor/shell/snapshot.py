"""`save` / `load`: the whole simulated cluster as JSON data, never pickle.

A saved file may come from anyone, so loading it must not be able to run code. The
cluster is an object graph of plain data (the stored Kubernetes objects, queues,
timers, the kubelets' progress) held by a handful of simulator classes. It is written as
tagged JSON; loading rebuilds only instances of simulator classes (dstutor.sim,
dstutor.controller, dstutor.model) that are already imported, by setting their
attributes (no constructor, no import, no call), binds methods only to functions those
classes define in their own module, and then checks the result by running the cluster
once. Anything else is refused with one line, and the current
cluster is left as it was.

Saving the controllers' state too (not only the objects) means a loaded cluster
carries on exactly: a pod half-way through its image pull finishes pulling.
"""

from __future__ import annotations

import json
import math
import os
import random
import sys
import tempfile
import time
import types
from collections import Counter, deque
from dataclasses import fields, is_dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from dstutor import __version__
from dstutor.errors import DstutorError
from dstutor.sim.cluster import Cluster

FORMAT = "dstutor/cluster-snapshot"
FORMAT_VERSION = 1
MAX_BYTES = 256 * 1024 * 1024
# Plain functions a saved graph may reference (the live clock's wall-time source).
ALLOWED_FUNCTIONS: dict[str, Any] = {"time.monotonic": time.monotonic,
                                     "time.perf_counter": time.perf_counter,
                                     "time.time": time.time}
_FUNCTION_NAMES = {id(f): name for name, f in ALLOWED_FUNCTIONS.items()}
_SCALARS = (str, int, bool, type(None))
# Only the simulator's own classes may be rebuilt, and only their own methods bound: they
# keep state and do no I/O, so a crafted file can at worst describe a strange cluster.
SIMULATOR_PACKAGES = ("dstutor.sim.", "dstutor.controller.", "dstutor.model.")


class SnapshotError(DstutorError):
    """A snapshot that cannot be written or read."""


# --- writing ------------------------------------------------------------------------------

class _Encoder:
    def __init__(self) -> None:
        self.refs: Counter[int] = Counter()
        self.ids: dict[int, int] = {}
        self.keep: list[Any] = []  # keeps encoded objects alive so id()s stay unique

    def count(self, root: Any) -> None:
        """First pass: find the objects reachable twice, which need an id and refs."""
        stack = [root]
        while stack:
            obj = stack.pop()
            if isinstance(obj, (*_SCALARS, float)):
                continue
            if isinstance(obj, tuple):
                stack.extend(obj)
                continue
            self.refs[id(obj)] += 1
            if self.refs[id(obj)] > 1:
                continue
            self.keep.append(obj)
            stack.extend(_children(obj))

    def encode(self, obj: Any) -> Any:
        if isinstance(obj, _SCALARS):
            return obj
        if isinstance(obj, float):
            return obj if math.isfinite(obj) else {"$f": repr(obj)}
        if isinstance(obj, tuple):
            return {"$t": [self.encode(x) for x in obj]}
        key = id(obj)
        if key in self.ids:
            return {"$ref": self.ids[key]}
        shared = self.refs[key] > 1
        if shared:
            self.ids[key] = len(self.ids) + 1
        out = self._encode_container(obj)
        if shared:
            if isinstance(out, list):
                out = {"$l": out}
            elif not any(k.startswith("$") for k in out):
                out = {"$d": out}  # a plain dict: tag it so it can carry an id
            out = {"$id": self.ids[key], **out}
        return out

    def _encode_container(self, obj: Any) -> Any:
        if isinstance(obj, dict):
            if all(isinstance(k, str) and not k.startswith("$") for k in obj):
                return {k: self.encode(v) for k, v in obj.items()}
            return {"$m": [[self.encode(k), self.encode(v)] for k, v in obj.items()]}
        if isinstance(obj, list):
            return [self.encode(x) for x in obj]
        if isinstance(obj, set | frozenset):
            # Members stay in iteration order: sorting could put a reference to a shared
            # object before its definition.
            return {"$s" if isinstance(obj, set) else "$fs": [self.encode(x) for x in obj]}
        if isinstance(obj, deque):
            return {"$dq": [self.encode(x) for x in obj]}
        if type(obj) is random.Random:
            version, state, gauss = obj.getstate()
            return {"$rng": [version, list(state), gauss]}
        if isinstance(obj, Enum):
            return {"$enum": _class_name(type(obj)), "v": self.encode(obj.value)}
        if isinstance(obj, types.MethodType):
            return {"$bm": [self.encode(obj.__self__), obj.__func__.__name__]}
        if id(obj) in _FUNCTION_NAMES:
            return {"$fn": _FUNCTION_NAMES[id(obj)]}
        if _is_dstutor_instance(obj):
            return {"$o": _class_name(type(obj)),
                    "a": {k: self.encode(v) for k, v in vars(obj).items()}}
        raise SnapshotError(f"error: cannot save: a {type(obj).__name__} is not plain data")


def _children(obj: Any) -> list[Any]:
    if isinstance(obj, dict):
        return [*obj.keys(), *obj.values()]
    if isinstance(obj, list | set | frozenset | deque):
        return list(obj)
    if isinstance(obj, types.MethodType):
        return [obj.__self__]
    if _is_dstutor_instance(obj) and not isinstance(obj, Enum):
        return list(vars(obj).values())
    return []


def _is_dstutor_instance(obj: Any) -> bool:
    module = type(obj).__module__
    return (module == "dstutor" or module.startswith("dstutor.")) and hasattr(obj, "__dict__")


def _class_name(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def dumps(cluster: Cluster) -> str:
    cluster.settle()
    encoder = _Encoder()
    encoder.count(cluster)
    state = encoder.encode(cluster)
    doc = {"format": FORMAT, "formatVersion": FORMAT_VERSION, "dstutorVersion": __version__,
           "virtualTime": cluster.now(), "state": state}
    return json.dumps(doc, separators=(",", ":"), allow_nan=False)


def save_file(cluster: Cluster, path: str | Path) -> None:
    """Write atomically: a crash mid-write never leaves a half-written snapshot behind."""
    text = dumps(cluster)
    target = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
    except OSError as exc:
        raise SnapshotError(f"error: cannot save to {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise SnapshotError(f"error: cannot save to {path}: {exc.strerror or exc}") from None


# --- reading ------------------------------------------------------------------------------

class _Corrupt(Exception):
    """Raised inside the decoder; turned into one SnapshotError line by loads()."""


def _resolve_class(name: Any) -> type:
    if not isinstance(name, str) or ":" not in name:
        raise _Corrupt("bad class reference")
    module_name, _, qualname = name.partition(":")
    if not module_name.startswith(SIMULATOR_PACKAGES):
        raise _Corrupt(f"class {name} is not allowed")
    # Only modules already imported: loading never imports (and so never runs) code.
    module = sys.modules.get(module_name)
    if module is None:
        raise _Corrupt(f"class {name} is not known")
    obj: Any = module
    for part in qualname.split("."):
        obj = getattr(obj, part, None) if part.isidentifier() else None
    if not isinstance(obj, type) or obj.__module__ != module_name or issubclass(
            obj, BaseException):
        raise _Corrupt(f"class {name} is not allowed")
    return obj


class _Decoder:
    def __init__(self) -> None:
        self.table: dict[int, Any] = {}

    def _define(self, node: dict[str, Any], value: Any) -> None:
        ident = node.get("$id")
        if ident is not None:
            if not isinstance(ident, int) or ident in self.table:
                raise _Corrupt("bad object id")
            self.table[ident] = value

    def decode(self, node: Any) -> Any:
        if isinstance(node, (*_SCALARS, float)):
            return node
        if isinstance(node, list):
            return [self.decode(x) for x in node]
        if not isinstance(node, dict):
            raise _Corrupt("unexpected value")
        if not any(k.startswith("$") for k in node):
            return {k: self.decode(v) for k, v in node.items()}
        value = self._tagged(node)
        if "$id" in node and self.table.get(node["$id"]) is not value:
            self._define(node, value)  # values that cannot be part of a cycle
        return value

    def _tagged(self, node: dict[str, Any]) -> Any:
        if "$ref" in node:
            if node["$ref"] not in self.table:
                raise _Corrupt("dangling reference")
            return self.table[node["$ref"]]
        if "$f" in node:
            if node["$f"] not in ("inf", "-inf", "nan"):
                raise _Corrupt("bad float")
            return float(node["$f"])
        if "$t" in node:
            return tuple(self.decode(x) for x in _list(node["$t"]))
        if "$d" in node:
            out: dict[Any, Any] = {}
            self._define(node, out)
            out.update({k: self.decode(v) for k, v in _dict(node["$d"]).items()})
            return out
        if "$l" in node:
            items: list[Any] = []
            self._define(node, items)
            items.extend(self.decode(x) for x in _list(node["$l"]))
            return items
        if "$m" in node:
            mapping: dict[Any, Any] = {}
            self._define(node, mapping)
            for pair in _list(node["$m"]):
                key, value = _list(pair, 2)
                mapping[_hashable(self.decode(key))] = self.decode(value)
            return mapping
        if "$s" in node or "$fs" in node:
            members = [_hashable(self.decode(x)) for x in _list(node.get("$s", node.get("$fs")))]
            result: set[Any] | frozenset[Any] = set(members) if "$s" in node else frozenset(
                members)
            self._define(node, result)
            return result
        if "$dq" in node:
            queue: deque[Any] = deque()
            self._define(node, queue)
            queue.extend(self.decode(x) for x in _list(node["$dq"]))
            return queue
        if "$rng" in node:
            return self._rng(node)
        if "$enum" in node:
            enum_cls = _resolve_class(node["$enum"])
            if not issubclass(enum_cls, Enum):
                raise _Corrupt("bad enum reference")
            try:
                return enum_cls(self.decode(node.get("v")))
            except ValueError:
                raise _Corrupt("bad enum value") from None
        if "$fn" in node:
            if node["$fn"] not in ALLOWED_FUNCTIONS:
                raise _Corrupt("function not allowed")
            return ALLOWED_FUNCTIONS[node["$fn"]]
        if "$bm" in node:
            target, name = _list(node["$bm"], 2)
            owner = self.decode(target)
            ok = isinstance(name, str) and not name.startswith("__")
            func = getattr(type(owner), name, None) if ok else None
            if not (_is_dstutor_instance(owner) and isinstance(func, types.FunctionType)
                    and func.__module__ == type(owner).__module__):
                raise _Corrupt("bad method reference")
            return types.MethodType(func, owner)
        if "$o" in node:
            cls = _resolve_class(node["$o"])
            instance = object.__new__(cls)
            self._define(node, instance)
            attrs = {k: self.decode(v) for k, v in _dict(node.get("a")).items()}
            if is_dataclass(cls) and set(attrs) != {f.name for f in fields(cls)}:
                raise _Corrupt(f"{cls.__name__} has other fields in this version")
            instance.__dict__.update(attrs)
            return instance
        raise _Corrupt("unknown tag")

    def _rng(self, node: dict[str, Any]) -> random.Random:
        version, state, gauss = _list(node["$rng"], 3)
        rng = random.Random()
        try:
            rng.setstate((version, tuple(state), gauss))
        except (TypeError, ValueError):
            raise _Corrupt("bad random state") from None
        self._define(node, rng)
        return rng


def _list(value: Any, length: int | None = None) -> list[Any]:
    if not isinstance(value, list) or (length is not None and len(value) != length):
        raise _Corrupt("malformed list")
    return value


def _dict(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Corrupt("malformed mapping")
    return value


def _hashable(value: Any) -> Any:
    try:
        hash(value)
    except TypeError:
        raise _Corrupt("unhashable key") from None
    return value


def _check(cluster: Cluster) -> None:
    """Run the loaded cluster once: broken data shows up here, not in the learner's next command."""
    fresh = Cluster()
    for name, value in vars(fresh).items():
        loaded = getattr(cluster, name, None)
        if type(loaded) is not type(value):
            raise _Corrupt(f"cluster field {name} is missing or of the wrong type")
        if _is_dstutor_instance(value) and set(vars(loaded)) != set(vars(value)):
            raise _Corrupt(f"cluster part {name} differs from this version")
    cluster.settle()
    for kind in ("Namespace", "Node", "Pod", "DaemonSet", "ControllerRevision", "Event"):
        for obj in cluster.list(kind):
            if not isinstance(obj.get("metadata", {}).get("name"), str):
                raise _Corrupt(f"a {kind} has no name")
    cluster.advance(0)


def loads(text: str, *, source: str = "snapshot", mode: str = "manual",
          speed: float = 1.0) -> Cluster:
    """The cluster in `text`, running on a clock in `mode`; SnapshotError if it is not one."""
    prefix = f"error: cannot load {source}"
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        raise SnapshotError(f"{prefix}: it is not a dstutor snapshot (not valid JSON)") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise SnapshotError(f"{prefix}: it is not a dstutor snapshot (made with `save FILE`)")
    if doc.get("formatVersion") != FORMAT_VERSION:
        raise SnapshotError(f"{prefix}: snapshot format {doc.get('formatVersion')!r} is not "
                            f"supported (this dstutor reads {FORMAT_VERSION})")
    try:
        cluster = _Decoder().decode(doc.get("state"))
        if not isinstance(cluster, Cluster):
            raise _Corrupt("no cluster inside")
        clock = cluster.clock
        clock.mode, clock.speed = "manual", speed
        _check(cluster)
        clock.mode = mode
        clock.rebase()  # wall-clock bases from another process mean nothing here
    except _Corrupt as exc:
        raise SnapshotError(f"{prefix}: the snapshot is damaged ({exc})") from None
    except RecursionError:
        raise SnapshotError(f"{prefix}: the snapshot is damaged (nested too deeply)") from None
    except Exception as exc:  # untrusted data can break the simulator in any way
        saved_by = doc.get("dstutorVersion")
        note = f"; it was saved by dstutor {saved_by}" if saved_by != __version__ else ""
        raise SnapshotError(f"{prefix}: the snapshot is damaged "
                            f"({type(exc).__name__}{note})") from None
    return cluster


def load_file(path: str | Path, *, mode: str = "manual", speed: float = 1.0) -> Cluster:
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise SnapshotError(f"error: cannot load {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise SnapshotError(f"error: cannot load {path}: larger than {MAX_BYTES >> 20} MB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SnapshotError(f"error: cannot load {path}: it is not a dstutor snapshot "
                            "(not UTF-8 text)") from None
    return loads(text, source=str(path), mode=mode, speed=speed)
