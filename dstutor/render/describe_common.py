"""The `kubectl describe` writer and the sections every describer shares.

Describe output goes through Go's tabwriter (min width 0, padding 2): each run of
lines that have a cell in the same column is aligned on its own, which is why
neighbouring blocks in a describe page line up differently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from dstutor.errors import CommandError
from dstutor.model.selectors import selector_from_dict
from dstutor.model.timefmt import parse_rfc3339
from dstutor.render._gosort import go_sort
from dstutor.render.humanize import age
from dstutor.render.table import escape_terminal, tabwrite

Obj = dict[str, Any]
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
MAX_ANNOTATION_LEN = 140


class DescribeWriter:
    """kubectl's PrefixWriter on top of a tabwriter: levels indent by two spaces."""

    def __init__(self) -> None:
        self._done: list[str] = []
        self._pending: list[str] = []

    def write(self, level: int, text: str) -> None:
        self._pending.append(escape_terminal("  " * level + text))

    def write_line(self, text: str = "") -> None:
        self._pending.append(escape_terminal(text + "\n"))

    def flush(self) -> None:
        if self._pending:
            self._done.append(tabwrite("".join(self._pending), min_width=0, padding=2))
            self._pending = []

    def text(self) -> str:
        self.flush()
        return "".join(self._done)


def meta(obj: Obj) -> Obj:
    return obj.get("metadata") or {}


def print_labels(w: DescribeWriter, title: str, labels: Mapping[str, str] | None,
                 initial_indent: str = "", inner_indent: str = "\t") -> None:
    """printLabelsMultilineWithIndent: sorted `k=v`, one per line, `<none>` when empty."""
    w.write(0, f"{initial_indent}{title}:{inner_indent}")
    if not labels:
        w.write_line("<none>")
        return
    for i, key in enumerate(sorted(labels)):
        if i:
            w.write(0, initial_indent + inner_indent)
        w.write(0, f"{key}={labels[key]}\n")


def _shorten(text: str, limit: int) -> str:
    raw = text.encode("utf-8")
    if len(raw) > limit:
        return raw[:limit].decode("utf-8", errors="ignore") + "..."
    return text


def print_annotations(w: DescribeWriter, title: str,
                      annotations: Mapping[str, str] | None) -> None:
    """printAnnotationsMultiline: last-applied hidden, long or multi-line values wrapped."""
    w.write(0, f"{title}:\t")
    keys = sorted(k for k in (annotations or {}) if k != LAST_APPLIED)
    if not keys:
        w.write_line("<none>")
        return
    assert annotations is not None
    for i, key in enumerate(keys):
        if i:
            w.write(0, "\t")
        value = annotations[key].removesuffix("\n")
        if (len(value.encode("utf-8")) + len(key.encode("utf-8")) + 2 > MAX_ANNOTATION_LEN
                or "\n" in value):
            w.write(0, f"{key}:\n")
            for line in value.split("\n"):
                w.write(0, f"\t  {_shorten(line, MAX_ANNOTATION_LEN - 2)}\n")
        else:
            w.write(0, f"{key}: {value}\n")


def taint_text(taint: Mapping[str, Any]) -> str:
    """core/v1 Taint.ToString: `key=value:Effect`, or `key:Effect` with no value."""
    key, value, effect = (str(taint.get(k) or "") for k in ("key", "value", "effect"))
    return f"{key}={value}:{effect}" if value else f"{key}:{effect}"


def print_taints(w: DescribeWriter, title: str, taints: Iterable[Mapping[str, Any]] | None,
                 initial_indent: str = "", inner_indent: str = "\t") -> None:
    _print_multiline(w, title, taints, initial_indent, inner_indent,
                     lambda a, b: f"{a.get('effect', '')},{a.get('key', '')}"
                     < f"{b.get('effect', '')},{b.get('key', '')}", taint_text)


def toleration_text(tol: Mapping[str, Any]) -> str:
    key, value, effect = (str(tol.get(k) or "") for k in ("key", "value", "effect"))
    text = key + (f"={value}" if value else "") + (f":{effect}" if effect else "")
    if tol.get("operator") == "Exists" and not value:
        text += " op=Exists" if key or effect else "op=Exists"
    if tol.get("tolerationSeconds") is not None:
        text += f" for {tol['tolerationSeconds']}s"
    return text


def print_tolerations(w: DescribeWriter, title: str,
                      tolerations: Iterable[Mapping[str, Any]] | None,
                      initial_indent: str = "", inner_indent: str = "\t") -> None:
    _print_multiline(w, title, tolerations, initial_indent, inner_indent,
                     lambda a, b: a.get("key", "") < b.get("key", ""), toleration_text)


def _print_multiline(w: DescribeWriter, title: str, items: Iterable[Mapping[str, Any]] | None,
                     initial_indent: str, inner_indent: str,
                     less: Callable[[Mapping[str, Any], Mapping[str, Any]], bool],
                     text: Callable[[Mapping[str, Any]], str]) -> None:
    """print{Taints,Tolerations}MultilineWithIndent: `<none>`, or one item per line in
    Go's sort order, later lines indented under the first."""
    w.write(0, f"{initial_indent}{title}:{inner_indent}")
    ordered = list(items or [])
    if not ordered:
        w.write_line("<none>")
        return
    go_sort(ordered, less)
    for i, item in enumerate(ordered):
        if i:
            w.write(0, initial_indent + inner_indent)
        w.write(0, text(item) + "\n")


def _event_time(event: Obj) -> str:
    return str(event.get("lastTimestamp") or "")


def describe_events(w: DescribeWriter, events: Iterable[Obj], now: float) -> None:
    """DescribeEvents: oldest lastTimestamp first, `Age` as `5m (x3 over 10m)`."""
    items = list(events)
    if not items:
        w.write(0, "Events:\t<none>\n")
        return
    w.flush()

    def stamp(e: Obj) -> float:
        text = _event_time(e)
        return parse_rfc3339(text) if text else float("-inf")

    go_sort(items, lambda a, b: stamp(a) < stamp(b))
    w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
    w.write(1, "----\t------\t----\t----\t-------\n")
    for e in items:
        first = age(e.get("eventTime"), now) if e.get("eventTime") else age(
            e.get("firstTimestamp"), now)
        series = e.get("series")
        if series is not None:
            interval = (f"{age(series.get('lastObservedTime'), now)} "
                        f"(x{series.get('count', 0)} over {first})")
        elif (e.get("count") or 0) > 1:
            interval = f"{age(e.get('lastTimestamp'), now)} (x{e['count']} over {first})"
        else:
            interval = first
        source = (e.get("source") or {}).get("component") or e.get("reportingController") or ""
        message = (e.get("message") or "").strip()
        field_path = (e.get("involvedObject") or {}).get("fieldPath")
        if field_path:
            message = f"{field_path}: {message}"
        w.write(1, f"{e.get('type', '')}\t{e.get('reason', '')}\t{interval}\t{source}\t"
                   f"{message}\n")


def controlled_by(obj: Obj) -> str:
    """printController: `Kind/name` of the controlling owner, "" when there is none."""
    for ref in meta(obj).get("ownerReferences") or []:
        if ref.get("controller"):
            return f"{ref.get('kind', '')}/{ref.get('name', '')}"
    return ""


def selector_text(spec: Mapping[str, Any]) -> str:
    """A workload's selector as describe prints it; "" for one that does not parse."""
    try:
        return str(selector_from_dict(spec.get("selector")))
    except CommandError:
        return ""


def print_workload_conditions(w: DescribeWriter, status: Mapping[str, Any]) -> None:
    """The Conditions table of describe deployment and describe rs (type, status, reason;
    no times, unlike a pod's or a node's)."""
    conditions = status.get("conditions") or []
    if conditions:
        w.write(0, "Conditions:\n  Type\tStatus\tReason\n")
        w.write(1, "----\t------\t------\n")
        for c in conditions:
            w.write(1, f"{c.get('type', '')} \t{c.get('status', '')}\t{c.get('reason', '')}\n")
