"""Discovery documents: what kubectl asks first (legacy and aggregated v2), /version and
a stub OpenAPI v3 that makes kubectl validate on the server (fieldValidation=Strict)."""

from __future__ import annotations

from typing import Any

from dstutor.kubectl.resources import RESOURCE_TYPES, ResourceType

AGGREGATED_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
VERBS = ["create", "delete", "get", "list", "patch", "update", "watch"]
READ_ONLY = {"Event": VERBS, "ControllerRevision": VERBS}
# (resource, subresource) -> (group, version, kind, verbs): what kubectl looks up by name
# (drain finds eviction here; scale finds autoscaling/v1 Scale).
SUBRESOURCES: dict[tuple[str, str], tuple[str, str, str, list[str]]] = {
    ("pods", "eviction"): ("policy", "v1", "Eviction", ["create"]),
    ("pods", "status"): ("", "v1", "Pod", ["get", "patch", "update"]),
    ("pods", "log"): ("", "v1", "Pod", ["get"]),
    ("daemonsets", "status"): ("apps", "v1", "DaemonSet", ["get", "patch", "update"]),
    ("deployments", "status"): ("apps", "v1", "Deployment", ["get", "patch", "update"]),
    ("deployments", "scale"): ("autoscaling", "v1", "Scale", ["get", "patch", "update"]),
    ("replicasets", "scale"): ("autoscaling", "v1", "Scale", ["get", "patch", "update"]),
}
VERSION_INFO = {
    "major": "1", "minor": "37", "emulationMajor": "1", "emulationMinor": "37",
    "minCompatibilityMajor": "1", "minCompatibilityMinor": "36",
    "gitVersion": "v1.37.1", "gitCommit": "f78e722310e50bcaca9276be22276d9e91d91308",
    "gitTreeState": "clean", "buildDate": "2026-11-12T10:00:00Z", "goVersion": "go1.26.8",
    "compiler": "gc", "platform": "linux/amd64",
}


def resources(group: str, version: str) -> list[ResourceType]:
    return [rt for rt in RESOURCE_TYPES if rt.group == group and rt.version == version]


def by_plural(group: str, version: str, plural: str) -> ResourceType | None:
    return next((rt for rt in resources(group, version) if rt.plural == plural), None)


def groups() -> list[str]:
    found: list[str] = []
    for rt in RESOURCE_TYPES:
        if rt.group and rt.group not in found:
            found.append(rt.group)
    return found


def api_versions() -> dict[str, Any]:
    return {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
        {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}]}


def api_group_list() -> dict[str, Any]:
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
        {"name": g, "versions": [{"groupVersion": f"{g}/v1", "version": "v1"}],
         "preferredVersion": {"groupVersion": f"{g}/v1", "version": "v1"}} for g in groups()]}


def resource_list(group: str, version: str) -> dict[str, Any] | None:
    served = resources(group, version)
    if not served:
        return None
    entries: list[dict[str, Any]] = []
    for rt in served:
        entry: dict[str, Any] = {"name": rt.plural, "singularName": rt.singular,
                                 "namespaced": rt.namespaced, "kind": rt.kind,
                                 "verbs": VERBS}
        if rt.short_names:
            entry["shortNames"] = list(rt.short_names)
        if rt.categories:
            entry["categories"] = list(rt.categories)
        entries.append(entry)
        for (plural, sub), (g, v, kind, verbs) in SUBRESOURCES.items():
            if plural == rt.plural:
                entries.append({"name": f"{plural}/{sub}", "singularName": "",
                                "namespaced": rt.namespaced, "group": g, "version": v,
                                "kind": kind, "verbs": verbs})
    gv = f"{group}/{version}" if group else version
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv,
            "resources": entries}


def _aggregated_resource(rt: ResourceType) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "resource": rt.plural,
        "responseKind": {"group": rt.group, "version": rt.version, "kind": rt.kind},
        "scope": "Namespaced" if rt.namespaced else "Cluster",
        "singularResource": rt.singular, "verbs": VERBS}
    if rt.short_names:
        entry["shortNames"] = list(rt.short_names)
    if rt.categories:
        entry["categories"] = list(rt.categories)
    subs = [{"subresource": sub, "responseKind": {"group": g, "version": v, "kind": kind},
             "verbs": verbs}
            for (plural, sub), (g, v, kind, verbs) in SUBRESOURCES.items() if plural == rt.plural]
    if subs:
        entry["subresources"] = subs
    return entry


def aggregated(core: bool) -> dict[str, Any]:
    """APIGroupDiscoveryList for /api (core) or /apis (every named group)."""
    names = [""] if core else groups()
    items = []
    for name in names:
        items.append({"metadata": {"name": name} if name else {},
                      "versions": [{"version": "v1", "freshness": "Current", "resources": [
                          _aggregated_resource(rt) for rt in resources(name, "v1")]}]})
    return {"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2",
            "metadata": {}, "items": items}


def wants_aggregated(accept: str) -> bool:
    return "as=APIGroupDiscoveryList" in accept and "v=v2" in accept


# --- OpenAPI v3 stub -------------------------------------------------------------------

def _gv_path(group: str) -> str:
    return "api/v1" if not group else f"apis/{group}/v1"


def openapi_root() -> dict[str, Any]:
    paths = {_gv_path(g): {"serverRelativeURL": f"/openapi/v3/{_gv_path(g)}?hash=DSTUTOR1"}
             for g in ["", *groups()]}
    return {"paths": paths}


def openapi_group(path: str) -> dict[str, Any] | None:
    """Per group-version: one PATCH operation per kind with its GVK and fieldValidation.

    No request body schema: kubectl then computes strategic merge patches from its
    built-in Go types, which know every kind served here.
    """
    group = "" if path == "api/v1" else path.removeprefix("apis/").removesuffix("/v1")
    if path not in (_gv_path(g) for g in ["", *groups()]):
        return None
    paths: dict[str, Any] = {}
    for rt in resources(group, "v1"):
        scope = "/namespaces/{namespace}" if rt.namespaced else ""
        url = f"/{_gv_path(group)}{scope}/{rt.plural}/{{name}}"
        paths[url] = {"patch": {
            "x-kubernetes-group-version-kind": {"group": rt.group, "version": rt.version,
                                                "kind": rt.kind},
            "parameters": [{"name": "fieldValidation", "in": "query",
                            "schema": {"type": "string", "uniqueItems": True}}],
            "responses": {"200": {"description": "OK"}}}}
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.37.1"},
            "paths": paths, "components": {"schemas": {}}}
