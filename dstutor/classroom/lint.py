"""`dstutor lint`: review DaemonSet manifests against the source material's best practices.

The engine here reads files (one or more YAML documents each), keeps the line of every
field, runs the rules from `lint_rules` on each DaemonSet and formats the findings. It
never talks to a cluster: the toleration rule reads node taints from a cluster file, or
from the default cluster when none is given.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from dstutor import yamlio
from dstutor.errors import DstutorError

SEVERITIES = ("error", "warning", "info")
FieldPath = tuple[str | int, ...]

# A line that starts a new YAML document. Block scalar content is always indented, so a
# `---` in column 0 can only be a document marker.
_DOC_START = re.compile(r"^---(\s|$)")
_YAML_LINE = re.compile(r"line (\d+)")


@dataclass(frozen=True)
class Finding:
    """One problem in one manifest, located to the line."""

    rule: str
    severity: str
    file: str
    line: int | None
    path: str  # the field, as kubectl explain spells it: spec.template.spec.containers[0]
    message: str  # what is wrong here, with the names from this manifest
    why: str
    fix: str
    object: str = ""  # DaemonSet namespace/name

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class NodeInfo:
    """The parts of a node that decide whether a DaemonSet pod may run there."""

    name: str
    labels: Mapping[str, str] = field(default_factory=dict)
    taints: tuple[Mapping[str, Any], ...] = ()

    def as_object(self) -> dict[str, Any]:
        return {"metadata": {"name": self.name, "labels": dict(self.labels)},
                "spec": {"taints": [dict(t) for t in self.taints]}}


@dataclass
class Document:
    """One DaemonSet document under review, with the line of every field."""

    data: dict[str, Any]
    lines: Mapping[FieldPath, int]
    file: str
    nodes: tuple[NodeInfo, ...]
    cluster_name: str  # "the default cluster" or the cluster file's path

    @property
    def name(self) -> str:
        meta = self.data.get("metadata") or {}
        return str(meta.get("name") or "?")

    @property
    def namespace(self) -> str:
        meta = self.data.get("metadata") or {}
        return str(meta.get("namespace") or "default")

    @property
    def spec(self) -> dict[str, Any]:
        value = self.data.get("spec")
        return value if isinstance(value, dict) else {}

    @property
    def pod_spec(self) -> dict[str, Any]:
        template = self.spec.get("template")
        template = template if isinstance(template, dict) else {}
        value = template.get("spec")
        return value if isinstance(value, dict) else {}

    def containers(self) -> list[tuple[FieldPath, dict[str, Any]]]:
        """Every container, init containers included, with its field path."""
        found: list[tuple[FieldPath, dict[str, Any]]] = []
        for key in ("initContainers", "containers"):
            items = self.pod_spec.get(key)
            if isinstance(items, list):
                for i, c in enumerate(items):
                    if isinstance(c, dict):
                        found.append((("spec", "template", "spec", key, i), c))
        return found

    def line(self, path: FieldPath) -> int | None:
        # A missing field points at the nearest parent that exists: where it belongs.
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path)

    def finding(self, rule: Rule, path: FieldPath, message: str, *,
                severity: str | None = None) -> Finding:
        return Finding(rule.id, severity or rule.severity, self.file, self.line(path),
                       dotted(path), message, rule.why, rule.fix,
                       f"{self.namespace}/{self.name}")


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str  # the usual severity; a check may raise or lower it per finding
    title: str
    why: str
    fix: str


def dotted(path: FieldPath) -> str:
    """('spec', 'containers', 0, 'image') -> 'spec.containers[0].image'."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


def split_documents(text: str) -> list[tuple[str, int]]:
    """The documents of a YAML stream with the line offset of each."""
    chunks: list[tuple[str, int]] = []
    current: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(keepends=True)):
        if _DOC_START.match(raw):
            chunks.append(("".join(current), start))
            # keep content after the marker (`--- {a: 1}`) on the marker's own line
            current = [raw[3:]]
            start = number
        else:
            current.append(raw)
    chunks.append(("".join(current), start))
    return [(chunk, offset) for chunk, offset in chunks if chunk.strip()]


def cluster_nodes(cluster_file: str | None) -> tuple[tuple[NodeInfo, ...], str]:
    """Nodes of the cluster file, or of the default cluster the shell starts with."""
    from dstutor.sim.clusterfile import default_spec, parse_cluster_file

    spec = parse_cluster_file(cluster_file) if cluster_file else default_spec()
    nodes = tuple(NodeInfo(n.name, dict(n.labels), tuple(n.taints)) for n in spec.nodes)
    return nodes, cluster_file or "the default cluster"


def _problem(file: str, rule: str, message: str, line: int | None = None) -> Finding:
    return Finding(rule, "error", file, line, "", message,
                   "dstutor lint (and kubectl apply) cannot read this file.",
                   "Fix the file so it is valid YAML with one object per document.")


def lint_text(text: str, file: str, *, nodes: tuple[NodeInfo, ...] | None = None,
              cluster_name: str = "the default cluster") -> list[Finding]:
    """All findings for one file's text."""
    from dstutor.classroom.lint_rules import CHECKS

    if nodes is None:
        nodes, cluster_name = cluster_nodes(None)
    findings: list[Finding] = []
    daemonsets = 0
    for chunk, offset in split_documents(text):
        try:
            data, lines = yamlio.load_with_lines(chunk, file)
        except DstutorError as exc:
            message = str(exc).removeprefix("error: ")
            match = _YAML_LINE.search(message)
            line = int(match.group(1)) + offset if match else None
            if match:  # the loader counts from the chunk; report the file's line
                message = _YAML_LINE.sub(f"line {line}", message, count=1)
            findings.append(_problem(file, "yaml-invalid", message, line))
            continue
        if not isinstance(data, dict):
            findings.append(_problem(file, "yaml-invalid", "a manifest must be a mapping",
                                     offset + 1))
            continue
        if data.get("kind") != "DaemonSet":
            continue
        daemonsets += 1
        shifted = {path: line + offset for path, line in lines.items()}
        doc = Document(data, shifted, file, nodes, cluster_name)
        for check in CHECKS:
            findings.extend(check(doc))
    if daemonsets == 0 and not findings:
        findings.append(Finding("no-daemonset", "info", file, None, "",
                                "no DaemonSet in this file: nothing to review",
                                "dstutor lint reviews DaemonSet manifests only.",
                                "Pass the file that holds the DaemonSet."))
    return sorted(findings, key=lambda f: (f.file, f.line or 0, SEVERITIES.index(f.severity)))


def lint_files(paths: Iterable[str], *, cluster_file: str | None = None) -> list[Finding]:
    nodes, cluster_name = cluster_nodes(cluster_file)
    findings: list[Finding] = []
    for path in paths:
        try:
            text = yamlio.read_file(path)
        except DstutorError as exc:
            findings.append(_problem(str(path), "file-unreadable",
                                     str(exc).removeprefix("error: ")))
            continue
        findings.extend(lint_text(text, str(path), nodes=nodes, cluster_name=cluster_name))
    return findings


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)


def summary(findings: list[Finding], files: int) -> str:
    counts = {s: sum(1 for f in findings if f.severity == s) for s in SEVERITIES}
    noun = "file" if files == 1 else "files"
    parts = [f"{counts[s]} {s}{'' if counts[s] == 1 or s == 'info' else 's'}"
             for s in SEVERITIES]
    return f"{files} {noun}: " + ", ".join(parts)


def format_text(findings: list[Finding], files: int) -> str:
    """Plain text, one block per finding; the CLI adds colour."""
    blocks = []
    for f in findings:
        head = f"{f.location}: {f.severity} [{f.rule}]"
        if f.object:
            head += f" DaemonSet {f.object}"
        where = f"{f.path}: " if f.path else ""
        blocks.append(f"{head}\n  {where}{f.message}\n  why: {f.why}\n  fix: {f.fix}")
    blocks.append(summary(findings, files))
    return "\n\n".join(blocks) + "\n"


def format_json(findings: list[Finding]) -> str:
    return json.dumps([asdict(f) for f in findings], indent=2) + "\n"


def relative(path: str) -> str:
    """Show paths the way the user typed them, relative to the working directory if inside."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return path
