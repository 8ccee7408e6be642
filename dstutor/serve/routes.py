"""URL paths to what they name: group, version, resource, namespace, name, subresource."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

from dstutor.kubectl.resources import ResourceType
from dstutor.serve import discovery
from dstutor.serve.status import StatusError, not_found_path


@dataclass(frozen=True)
class Target:
    rt: ResourceType
    namespace: str | None  # None: every namespace (or a cluster-scoped resource)
    name: str = ""
    sub: str = ""


def split(raw: str) -> tuple[list[str], dict[str, str]]:
    url = urllib.parse.urlsplit(raw)
    parts = [urllib.parse.unquote(p) for p in url.path.split("/") if p]
    query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
    return parts, query


def resource_target(parts: list[str]) -> Target:
    """/api/v1/... or /apis/G/V/...; 404 Status for anything not served."""
    if parts[:2] == ["api", "v1"]:
        group, rest = "", parts[2:]
    elif parts[:1] == ["apis"] and len(parts) >= 3:
        group, rest = parts[1], parts[3:]
        if parts[2] != "v1":
            raise not_found_path()
    else:
        raise not_found_path()
    namespace: str | None = None
    if rest[:1] == ["namespaces"] and len(rest) >= 3:
        namespace, rest = rest[1], rest[2:]
    if not rest or len(rest) > 3:
        raise not_found_path()
    rt = discovery.by_plural(group, "v1", rest[0])
    if rt is None:
        raise not_found_path()
    name = rest[1] if len(rest) > 1 else ""
    sub = rest[2] if len(rest) > 2 else ""
    if sub and (rt.plural, sub) not in discovery.SUBRESOURCES:
        raise not_found_path()
    if namespace is not None and not rt.namespaced:
        raise not_found_path()
    if rt.namespaced and name and namespace is None:
        raise not_found_path()
    if not rt.namespaced:
        namespace = None
    return Target(rt, namespace, name, sub)


def check_name(name: str) -> None:
    if not name or "/" in name:
        raise StatusError(400, "BadRequest", "name must be provided")
