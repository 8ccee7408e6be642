"""The one place that reads YAML: safe loading with limits, errors worded like kubectl's."""

from __future__ import annotations

import copy
import errno
import importlib
import os
import pickle
import re
import stat
import threading
from pathlib import Path
from typing import Any

import yaml

from dstutor import _yamlresolve as goyaml
from dstutor.errors import YamlError

MAX_BYTES = 10 * 1024 * 1024  # manifests and lessons are small; refuse anything huge
MAX_ALIASES = 100
# Aliases share objects while loaded, but every later copy or JSON dump expands them; a
# "billion laughs" document stays small on disk and explodes there. Count the expansion.
MAX_EXPANDED_NODES = 200_000
# Composing, checking and walking a document recurse once per level; a few hundred nested
# brackets would end in RecursionError. Real manifests (even CRD schemas) stay far below.
MAX_DEPTH = 100


class _ConvertError(yaml.YAMLError):
    """sigs.k8s.io/yaml's YAML-to-JSON conversion refused the document (a map key)."""


class _LimitedLoader(yaml.SafeLoader):
    """SafeLoader that refuses documents with excessive aliasing, and types scalars and map
    keys as kubectl's YAML reader does (see dstutor/_yamlresolve.py)."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode and implicit[0]:
            return goyaml.resolve(value)[0]
        return super().resolve(kind, value, implicit)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            # A key that cannot become a JSON key is refused with its value in full.
            refused = key is None or isinstance(key, list | dict) or (
                isinstance(key, int) and key >= 2**63)
            value = self.construct_object(value_node, deep=deep or refused)
            try:
                mapping[goyaml.json_key(key, value)] = value
            except goyaml.KeyError_ as exc:
                raise _ConvertError(str(exc)) from None
        return mapping

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise yaml.YAMLError(f"line {mark.line + 1}: document contains excessive aliasing")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise yaml.YAMLError(f"line {mark.line + 1}: the document is nested more than "
                                     f"{MAX_DEPTH} levels deep")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


# Texts above this size are scanned and parsed by libyaml, five times faster than pure
# Python: every text, since lessons and manifests gained the path too (it was a cluster
# file's alone; 5,000 nodes are 230 KB). Only the scanning moves: composing (with the
# alias and depth limits) and go-yaml's typing of every scalar stay _LimitedLoader's, and
# a text libyaml cannot read goes the pure-Python way, so errors keep their wording.
# Pure-Python PyYAML took ~8 ms for a lesson, and a nested flow text (`[[[[...`) is
# quadratic in its scanner (a hostile lesson 150 levels deep: 28 ms before it is refused).
FAST_PARSE_BYTES = 0

def _make_fast_loader() -> Any:
    """_LimitedLoader with libyaml's events in place of the pure-Python parser's; None
    for a PyYAML built without libyaml (its wheels have it)."""
    try:
        parser: Any = importlib.import_module("yaml._yaml").CParser
    except (ImportError, AttributeError):  # pragma: no cover
        return None

    class FastLoader(parser, _LimitedLoader):  # type: ignore[misc]
        check_node = yaml.composer.Composer.check_node
        get_node = yaml.composer.Composer.get_node
        get_single_node = yaml.composer.Composer.get_single_node

        def __init__(self, stream: str) -> None:
            parser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
            self._aliases = 0
            self._depth = 0

    return FastLoader


_FastLoader = _make_fast_loader()
# libyaml's parser alone (its events), for _plain_documents.
_CParser: Any = _FastLoader.__mro__[1] if _FastLoader is not None else None


def _load_fast(text: str, source: str) -> list[Any] | None:
    """The documents as libyaml reads them; None: let the pure-Python path decide."""
    # libyaml's reader refuses a slightly different set of characters than PyYAML's, and
    # its parser reads a bare `!` tag differently (`k: !` is "" there, null in PyYAML):
    # a text with a `!` anywhere (a tag, or in a value) goes the pure-Python way. So does
    # one with a tab: libyaml lets a tab end a line (`k: <tab>` is null) where PyYAML's
    # scanner refuses it, and a reader must see PyYAML's answer.
    if not _fast_candidate(text):
        return None
    try:
        docs = _plain_documents(_CParser(text))
        if docs is not None:
            for doc in docs:
                _check_expansion(doc, source)
            return [d for d in docs if d is not None]
        return _compose_all(_FastLoader(text), source)
    except Exception:  # noqa: BLE001 - any doubt: the pure-Python path reads it again
        return None


_NO_KEY = object()


def _plain_documents(parser: Any) -> list[Any] | None:
    """The documents of libyaml's events built straight into dicts, lists and scalars,
    each typed as _LimitedLoader types it, without its node tree: a generated cluster
    file is 35,000 nodes of plain maps, lists and scalars. None (read it the general way)
    at anything else: an anchor, an alias, a tag, a merge key, a key that is not a
    scalar or not a JSON key, nesting past MAX_DEPTH."""
    docs: list[Any] = []
    # The containers being filled, innermost last, each with the key awaiting its value
    # (_NO_KEY: a mapping's next event is a key; None for a list).
    stack: list[list[Any]] = []
    scalar, map_start, seq_start = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
    ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    skipped = (yaml.StreamStartEvent, yaml.DocumentStartEvent, yaml.DocumentEndEvent)
    resolve, merge = goyaml.resolve, goyaml.MERGE
    get_event = parser.get_event
    try:
        while True:
            event = get_event()
            kind = event.__class__
            if kind is scalar:
                if event.anchor is not None or event.tag is not None:
                    return None
                if event.implicit[0]:
                    tag, value = resolve(event.value)
                    if tag == merge:
                        return None
                else:  # quoted or a block scalar: a string
                    value = event.value
            elif kind is map_start or kind is seq_start:
                if event.anchor is not None or event.tag is not None or len(stack) >= MAX_DEPTH:
                    return None
                value = {} if kind is map_start else []
                if stack and stack[-1][1] is _NO_KEY:
                    return None  # a map or a list as a key
                stack.append([value, _NO_KEY if kind is map_start else None])
                continue
            elif kind in ends:
                value = stack.pop()[0]
            elif kind in skipped:
                continue
            elif kind is yaml.StreamEndEvent:
                return docs
            else:  # an alias
                return None
            if not stack:
                docs.append(value)
                continue
            frame = stack[-1]
            container, key = frame
            if key is None:
                container.append(value)
            elif key is _NO_KEY:
                frame[1] = value
            else:
                container[key if key.__class__ is str else goyaml.json_key(key, value)] = value
                frame[1] = _NO_KEY
    finally:
        parser.dispose()


def _construct_scalar(tag: str) -> Any:
    """A scalar of `tag` (implicit or written as !!int ...), valued as go-yaml values it."""
    def construct(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
        found, value = goyaml.resolve(node.value)
        if found != tag:
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot decode !!{found.rsplit(':', 1)[-1]} `{node.value}` as "
                f"a !!{tag.rsplit(':', 1)[-1]}", node.start_mark)
        return value
    return construct


for _tag in (goyaml.BOOL, goyaml.INT, goyaml.FLOAT, goyaml.NULL):
    _LimitedLoader.add_constructor(_tag, _construct_scalar(_tag))
# go-yaml decodes a timestamp into interface{} as the string it was written as.
_LimitedLoader.add_constructor("tag:yaml.org,2002:timestamp",
                               lambda loader, node: str(node.value))


def _expanded_size(obj: Any, memo: dict[int, int]) -> int:
    if isinstance(obj, dict):
        items: list[Any] = list(obj.values())
    elif isinstance(obj, list):
        items = obj
    else:
        return 1
    known = memo.get(id(obj))
    if known is not None:
        return known
    memo[id(obj)] = 1  # guards against self-referencing documents
    size = 1 + sum(_expanded_size(v, memo) for v in items)
    memo[id(obj)] = size
    return size


def _check_expansion(doc: Any, source: str) -> None:
    if _expanded_size(doc, {}) > MAX_EXPANDED_NODES:
        raise YamlError(f"error: error parsing {source}: error converting YAML to JSON: "
                        "yaml: document contains excessive aliasing")


def decode(data: bytes, source: str) -> str:
    if len(data) > MAX_BYTES:
        raise YamlError(f"error: error reading {source}: file is too large "
                        f"({len(data)} bytes; the limit is {MAX_BYTES})")
    if b"\x00" in data:
        raise YamlError(f"error: error parsing {source}: the file is binary, not YAML or JSON")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlError(f"error: error parsing {source}: invalid UTF-8 at byte "
                        f"{exc.start}") from None


class NotRegularFile(OSError):
    """A device, FIFO or socket: reading one could block or never end."""


class TooLarge(OSError):
    """More bytes than the limit."""


def read_bytes(path: str | Path, limit: int = MAX_BYTES) -> bytes:
    """A regular file's bytes, at most `limit` of them; OSError (see the classes above).

    Opened without blocking and checked with fstat before a byte is read, so a FIFO
    cannot hang the shell and /dev/zero cannot fill memory; the read stops at the limit
    even if the file grows meanwhile.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(errno.EINVAL, "not a regular file", str(path))
        if info.st_size > limit:
            raise TooLarge(errno.EFBIG, f"file is too large ({info.st_size} bytes; "
                           f"the limit is {limit})", str(path))
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    if size > limit:
        raise TooLarge(errno.EFBIG, f"file is too large (more than {limit} bytes; "
                       f"the limit is {limit})", str(path))
    return b"".join(chunks)


def read_file(path: str | Path) -> str:
    try:
        data = read_bytes(path)
    except FileNotFoundError:
        raise YamlError(f'error: the path "{path}" does not exist') from None
    except IsADirectoryError:
        raise YamlError(f'error: the path "{path}" is a directory') from None
    except PermissionError:
        raise YamlError(f'error: open {path}: permission denied') from None
    except OSError as exc:
        raise YamlError(f"error: error reading {path}: {exc.strerror}") from None
    return decode(data, str(path))


def _error(source: str, exc: yaml.YAMLError) -> YamlError:
    if isinstance(exc, _ConvertError):
        return YamlError(f"error: error parsing {source}: error converting YAML to JSON: {exc}")
    if isinstance(exc, yaml.reader.ReaderError):
        # go-yaml's reader refuses the same characters (DEL, C0/C1 controls), without a line.
        return YamlError(f"error: error parsing {source}: error converting YAML to JSON: "
                         "yaml: control characters are not allowed")
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is not None:
        text = f"line {mark.line + 1}: {problem}"
    else:
        text = problem
    return YamlError(f"error: error parsing {source}: error converting YAML to JSON: "
                     f"yaml: {text}")


# The same texts are parsed again and again: every `lesson check`, grade and replay loads
# the whole course, every lesson setup applies the same manifests, and pure-Python PyYAML
# takes ~8 ms for one lesson. A successful parse depends on the text alone (the source
# only names the file in errors), so the last few results are kept by text and each
# caller gets its own deep copy (aliases stay shared within it). A refusal depends on the
# text and the source it names, so it is kept by both: a hostile lesson in a course is
# refused again on every load of the course (a 150-level nested text took ~30 ms), and
# the same text from another file is refused in that file's words. A text refused for
# meeting Python's recursion limit (which depends on the stack the parse began on) is not
# kept.
_MEMO: dict[tuple[str, ...], Any] = {}
_MEMO_ENTRIES = 256
_MEMO_TEXT = 64 * 1024  # bigger texts are rare and parsed each time
_MEMO_LOCK = threading.Lock()  # `dstutor serve` parses on many threads
_STACK_REFUSAL = "the document is nested too deeply"


class _Refused:
    """A refusal in the memo: the YamlError's message."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


def _memo_get(kind: str, text: str) -> Any:
    found = _MEMO.get((kind, text), _MEMO)
    if found is _MEMO:
        return found
    if isinstance(found, bytes):
        return pickle.loads(found)  # noqa: S301 - our own bytes (_memo_put), never a file's
    return copy.deepcopy(found)


def _memo_keep(key: tuple[str, ...], kept: Any) -> None:
    if len(key[1]) <= _MEMO_TEXT:
        with _MEMO_LOCK:
            while len(_MEMO) >= _MEMO_ENTRIES:
                del _MEMO[next(iter(_MEMO))]  # the oldest entry
            _MEMO[key] = kept


def _memo_put(kind: str, text: str, value: Any) -> Any:
    """Keep a copy of `value`: pickled (plain data: each caller's copy is then made in C,
    aliases shared within it as in deepcopy's), else a deep copy."""
    if len(text) <= _MEMO_TEXT:
        try:
            kept: Any = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            kept = copy.deepcopy(value)
        _memo_keep((kind, text), kept)
    return value


def _memoised(kind: str, text: str, source: str, parse: Any) -> Any:
    """parse(text, source), or its result or refusal as kept (see _MEMO)."""
    found = _memo_get(kind, text)
    if found is not _MEMO:
        return found
    refused = _MEMO.get((kind, text, source))
    if refused is not None:
        raise YamlError(refused.message) from None
    try:
        value = parse(text, source)
    except YamlError as exc:
        message = str(exc)
        if not message.endswith(_STACK_REFUSAL):
            _memo_keep((kind, text, source), _Refused(message))
        raise
    return _memo_put(kind, text, value)


def load_documents(text: str, source: str = "STDIN") -> list[Any]:
    """All documents in a YAML stream, skipping empty ones (as kubectl does)."""
    docs: list[Any] = _memoised("documents", text, source, _load_documents)
    return docs


def _load_documents(text: str, source: str) -> list[Any]:
    if len(text) > MAX_BYTES:
        raise YamlError(f"error: error reading {source}: file is too large")
    if len(text) > FAST_PARSE_BYTES:
        docs = _load_fast(text, source)
        if docs is not None:
            return docs
    try:
        loader = _LimitedLoader(text)  # the reader checks for control characters here
    except yaml.YAMLError as exc:
        raise _error(source, exc) from None
    try:
        return _compose_all(loader, source)
    except yaml.YAMLError as exc:
        raise _error(source, exc) from None
    except RecursionError:
        raise YamlError(f"error: error parsing {source}: the document is nested too deeply"
                        ) from None


def _compose_all(loader: Any, source: str) -> list[Any]:
    docs: list[Any] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            doc = loader.construct_document(node)
            _check_expansion(doc, source)
            docs.append(doc)
    finally:
        loader.dispose()
    return [d for d in docs if d is not None]


def load_one(text: str, source: str) -> Any:
    docs = load_documents(text, source)
    if len(docs) != 1:
        raise YamlError(f"error: {source}: expected one YAML document, found {len(docs)}")
    return docs[0]


def load_with_lines(text: str, source: str) -> tuple[Any, dict[tuple[str | int, ...], int]]:
    """One document plus the 1-based line of every mapping key and list item, by path.

    Lesson checks and the linter use the lines to point at the exact spot in a file.
    """
    found: tuple[Any, dict[tuple[str | int, ...], int]] = _memoised(
        "lines", text, source, _load_with_lines)
    return found


def _fast_candidate(text: str) -> bool:
    """Whether libyaml may read `text` (see _load_fast for what it must not)."""
    return not (_FastLoader is None or "!" in text or "\t" in text or "\ufeff" in text
                or yaml.reader.Reader.NON_PRINTABLE.search(text)
                or _BLOCK_HEADER_COMMENT.search(text))


# Two more things libyaml reads otherwise, found by comparing the paths on generated
# texts (tests/misc/test_yamlio_fast_parse.py): a BOM past the start (libyaml skips it
# where a token starts, PyYAML keeps it in the scalar), and a block scalar's header
# followed by a comment with no space (`|#`: libyaml reads the comment, PyYAML refuses).
_BLOCK_HEADER_COMMENT = re.compile(r"[|>][-+0-9]*#")


# Line breaks other than "\n": a line number counted from libyaml's marks is then left
# to the pure-Python path, which counts them as PyYAML does.
_OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029")


def _lines_fast(text: str, source: str) -> tuple[Any, dict[tuple[str | int, ...], int]] | None:
    """What _load_with_lines gives, from libyaml's events; None: let the pure-Python path
    decide (and word any error)."""
    if not _fast_candidate(text) or any(b in text for b in _OTHER_BREAKS):
        return None
    try:
        node, data = _single_document(_FastLoader(text), source)
        if node is None:
            return None, {}
        if _empty_item(node):
            return None
        return data, _node_lines(node)
    except Exception:  # noqa: BLE001 - any doubt: the pure-Python path reads it again
        return None


def _single_document(loader: Any, source: str) -> tuple[yaml.Node | None, Any]:
    """The loader's one document as (its node, its data), expansion checked; (None, None)
    for an empty stream. The loader is disposed of either way."""
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        data = loader.construct_document(node)
        _check_expansion(data, source)
        return node, data
    finally:
        loader.dispose()


def _empty_item(node: yaml.Node) -> bool:
    """Whether the document, or an item of one of its lists, is an empty plain scalar
    (`---`, `- `): libyaml marks one where the next token starts, PyYAML where the last
    one ended, and _node_lines reads those marks (a map's value is marked by its key)."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, yaml.ScalarNode):
            if n.value == "" and not n.style:
                return True
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
        elif isinstance(n, yaml.MappingNode):
            stack.extend(v for _k, v in n.value
                         if not isinstance(v, yaml.ScalarNode))
    return False


def _load_with_lines(text: str, source: str) -> tuple[Any, dict[tuple[str | int, ...], int]]:
    if len(text) > FAST_PARSE_BYTES:
        found = _lines_fast(text, source)
        if found is not None:
            return found
    try:
        loader = _LimitedLoader(text)
    except yaml.YAMLError as exc:
        raise _error(source, exc) from None
    try:
        node, data = _single_document(loader, source)
    except yaml.YAMLError as exc:
        raise _error(source, exc) from None
    except RecursionError:
        raise YamlError(f"error: error parsing {source}: the document is nested too deeply"
                        ) from None
    return (data, _node_lines(node)) if node is not None else (None, {})


def _node_lines(node: yaml.Node) -> dict[tuple[str | int, ...], int]:
    lines: dict[tuple[str | int, ...], int] = {}

    def walk(n: yaml.Node, path: tuple[str | int, ...]) -> None:
        lines.setdefault(path, n.start_mark.line + 1)
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                key = _key_name(k)
                lines[(*path, key)] = k.start_mark.line + 1
                walk(v, (*path, key))
        elif isinstance(n, yaml.SequenceNode):
            for i, item in enumerate(n.value):
                walk(item, (*path, i))

    walk(node, ())
    return lines


def _key_name(node: yaml.Node) -> str:
    """The JSON key a mapping key node becomes (`y:` is the key "true"), for line lookups."""
    if not isinstance(node, yaml.ScalarNode):
        return str(node)
    if node.style:  # quoted or block: a string as written (plain: None, or "" from libyaml)
        return str(node.value)
    try:
        return goyaml.json_key(goyaml.resolve(node.value)[1], None)
    except goyaml.KeyError_:
        return str(node.value)


def document_lines(text: str, source: str) -> list[dict[tuple[str | int, ...], int]]:
    """For each non-empty document of a stream, the 1-based line of every key and item.

    Used to point at `file:line` when a manifest in a cluster file or lesson is refused.
    """
    found: list[dict[tuple[str | int, ...], int]] = _memoised(
        "document lines", text, source, _document_lines)
    return found


def _document_lines(text: str, source: str) -> list[dict[tuple[str | int, ...], int]]:
    try:
        loader = _LimitedLoader(text)
    except yaml.YAMLError as exc:
        raise _error(source, exc) from None
    found: list[dict[tuple[str | int, ...], int]] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None or (isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")):
                continue
            lines: dict[tuple[str | int, ...], int] = {}
            stack: list[tuple[yaml.Node, tuple[str | int, ...]]] = [(node, ())]
            while stack:
                n, path = stack.pop()
                lines.setdefault(path, n.start_mark.line + 1)
                if isinstance(n, yaml.MappingNode):
                    for k, v in n.value:
                        key = _key_name(k)
                        lines[(*path, key)] = k.start_mark.line + 1
                        stack.append((v, (*path, key)))
                elif isinstance(n, yaml.SequenceNode):
                    stack.extend((item, (*path, i)) for i, item in enumerate(n.value))
            found.append(lines)
    except yaml.YAMLError as exc:
        raise _error(source, exc) from None
    finally:
        loader.dispose()
    return found
