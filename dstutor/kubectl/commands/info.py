"""`kubectl explain`, `api-resources`, `version`, `scale` and `create deployment`."""

from __future__ import annotations

import json
import textwrap

from dstutor.errors import CommandError, NotFound
from dstutor.kubectl.commands._base import (
    Env,
    OutputBuffer,
    error,
    flag_bool,
    flag_int,
    flag_list,
    ref_name,
    resolve_targets,
)
from dstutor.kubectl.commands._printing import format_objects
from dstutor.kubectl.explain_docs import DOCS, ENUMS, REQUIRED
from dstutor.kubectl.parser import KubectlCommand
from dstutor.kubectl.registry import handles
from dstutor.kubectl.resources import RESOURCE_TYPES, lookup_resource, no_resource_type_message
from dstutor.model.objects import Obj
from dstutor.render._goyaml import dump as yaml_dump
from dstutor.render.table import format_table

CLIENT_VERSION = "v1.37.1"
KUSTOMIZE_VERSION = "v5.8.1"
SERVER_VERSION = "v1.37.1"
EXPLAIN_MISSING_HINT = ("dstutor documents the fields its lessons use; try `kubectl explain "
                        "ds.spec.updateStrategy`.")
SCALE_NOT_FOUND = "the server could not find the requested resource"
SCALE_HINT = ("A DaemonSet has no replicas: it runs one pod per eligible node. Change the "
              "nodes (labels, taints, nodeSelector) to change the pod count.")


def _wrap(text: str, width: int, indent: int) -> str:
    """sprig's `wrap | indent`: word-wrap each line, then indent every line."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines += textwrap.wrap(paragraph, width, break_long_words=False,
                               break_on_hyphens=False) or [""]
    return "\n".join(" " * indent + line for line in lines)


def _own_description(doc: tuple[str, str, tuple[str, ...]]) -> str:
    """A field list shows the field's own text; a $ref type's description comes after it."""
    type_name, description, _ = doc
    if type_name.lstrip("[]")[:1].isupper() and type_name != "IntOrString":
        return description.split("\n", 1)[0]
    return description


def explain_text(kind: str, group: str, version: str, path: list[str]) -> str:
    key = ".".join([kind, *path])
    doc = DOCS.get(key)
    if doc is None:
        raise CommandError(f'error: field "{path[-1] if path else kind}" does not exist')
    type_name, description, children = doc
    out = [f"GROUP:      {group}\n" if group else "", f"KIND:       {kind}\n",
           f"VERSION:    {version}\n", "\n"]
    if path:
        out.append(f"FIELD: {path[-1]} <{type_name}>\n")
        if key in ENUMS:
            out.append("ENUM:" + "".join(f"\n    {e}" for e in ENUMS[key]))
        out.append("\n\n")
    out.append("DESCRIPTION:\n" + _wrap(description + "\n", 76, 4) + "\n")
    if children:
        out.append("FIELDS:\n")
        required = REQUIRED.get(key, ())
        for child in sorted(children):
            child_doc = DOCS.get(f"{key}.{child}", ("Object", "<no description>", ()))
            line = f"  {child}\t<{child_doc[0]}>"
            if child in required:
                line += " -required-"
            enum = ENUMS.get(f"{key}.{child}")
            if enum:
                line += "\n  enum: " + ", ".join(enum[:4]) + (", ...." if len(enum) > 4 else "")
            out.append(line + "\n" + _wrap(_own_description(child_doc), 76, 4) + "\n\n")
    return "".join(out) + "\n"


@handles("explain")
def run_explain(env: Env, cmd: KubectlCommand, out: OutputBuffer) -> None:
    typed = cmd.args[0] if cmd.args else ""
    head, *rest = typed.split(".")
    rt = lookup_resource(head)
    if rt is None:
        raise error(no_resource_type_message(head))
    path = [p for p in rest if p]
    try:
        out.write(explain_text(rt.kind, rt.group, rt.version, path))
    except CommandError:
        from dstutor.model.decode import field_exists  # the schema file: only when needed

        if path and field_exists(rt.kind, path):
            # A real field the built-in table does not cover: say so rather than deny it.
            out.hint = EXPLAIN_MISSING_HINT
            raise error(f"dstutor's built-in documentation does not cover {typed}") from None
        raise


@handles("api-resources")
def run_api_resources(env: Env, cmd: KubectlCommand, out: OutputBuffer) -> None:
    types = list(RESOURCE_TYPES)
    if cmd.is_set("namespaced"):
        types = [t for t in types if t.namespaced == flag_bool(cmd, "namespaced")]
    group = str(cmd.flags.get("api-group") or "")
    if cmd.is_set("api-group"):
        types = [t for t in types if t.group == group]
    if str(cmd.flags.get("sort-by") or "") == "kind":
        types.sort(key=lambda t: t.kind)
    elif str(cmd.flags.get("sort-by") or "") == "name":
        types.sort(key=lambda t: t.plural)
    if cmd.output == "name":
        out.write("".join(f"{t.display}\n" for t in types))
        return
    headers = ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    rows = [[t.plural, ",".join(t.short_names), t.api_version,
             "true" if t.namespaced else "false", t.kind] for t in types]
    if cmd.output == "wide":
        headers += ["VERBS", "CATEGORIES"]
        for row, t in zip(rows, types, strict=True):
            # What discovery lists; namespaces have no deletecollection.
            verbs = "create,delete,deletecollection,get,list,patch,update,watch"
            if t.kind == "Namespace":
                verbs = "create,delete,get,list,patch,update,watch"
            row += [verbs, ",".join(t.categories)]
    out.write(format_table(headers, rows, no_headers=flag_bool(cmd, "no-headers")))


@handles("version")
def run_version(env: Env, cmd: KubectlCommand, out: OutputBuffer) -> None:
    client_only = flag_bool(cmd, "client")
    fmt = cmd.flags.get("output") or ""
    info: Obj = {"clientVersion": _version_info(CLIENT_VERSION),
                 "kustomizeVersion": KUSTOMIZE_VERSION}
    if not client_only:
        info["serverVersion"] = _version_info(SERVER_VERSION)
    if fmt == "yaml":
        out.write(yaml_dump(info) + "\n")
        return
    if fmt == "json":
        # Go marshals the Version struct in field order, not sorted.
        out.write(json.dumps(info, indent=2) + "\n")
        return
    out.line(f"Client Version: {CLIENT_VERSION}")
    out.line(f"Kustomize Version: {KUSTOMIZE_VERSION}")
    if not client_only:
        out.line(f"Server Version: {SERVER_VERSION}")


def _version_info(version: str) -> Obj:
    major, minor = version.lstrip("v").split(".")[:2]
    return {"major": major, "minor": minor, "gitVersion": version,
            "gitCommit": "f78e722310e50bcaca9276be22276d9e91d91308", "gitTreeState": "clean",
            "buildDate": "2026-09-23T17:10:04Z", "goVersion": "go1.26.8", "compiler": "gc",
            "platform": "linux/amd64"}


@handles("scale")
def run_scale(env: Env, cmd: KubectlCommand, out: OutputBuffer) -> None:
    if not cmd.is_set("replicas"):
        raise error("The --replicas=COUNT flag is required, and COUNT must be greater than or "
                    "equal to 0")
    replicas = flag_int(cmd, "replicas")
    if replicas < 0:
        raise error("The --replicas=COUNT flag is required, and COUNT must be greater than or "
                    "equal to 0")
    # kubectl first collects what it can find, ignoring errors: nothing found at all is
    # "no objects passed to scale"; otherwise a missing one fails when it is reached.
    if not list(resolve_targets(env, cmd, ignore_not_found=True)):
        raise error("no objects passed to scale")
    for _, obj in resolve_targets(env, cmd):
        if obj["kind"] != "Deployment":
            # Only kinds with a /scale subresource can be scaled; the GET of
            # daemonsets/NAME/scale is a 404.
            if obj["kind"] == "DaemonSet":
                out.hint = SCALE_HINT
            raise NotFound(SCALE_NOT_FOUND)
        current = obj["spec"].get("replicas", 1)
        expected = flag_int(cmd, "current-replicas")
        if expected >= 0 and expected != current:
            raise error(f"Expected replicas to be {expected}, was {current}")
        obj["spec"]["replicas"] = replicas
        if cmd.dry_run == "none":
            obj = env.cluster.update(obj)
            out.changed = True
        if cmd.output:
            out.write(format_objects([obj], cmd.output, cmd.output_arg, single=True))
        else:
            suffix = {"client": " (dry run)", "server": " (server dry run)"}.get(cmd.dry_run, "")
            out.line(f"{ref_name(obj)} scaled{suffix}")


@handles("create deployment")
def run_create_deployment(env: Env, cmd: KubectlCommand, out: OutputBuffer) -> None:
    if len(cmd.args) != 1:
        raise error("exactly one NAME is required, got " + str(len(cmd.args)))
    images = flag_list(cmd, "image")
    if not images:
        raise error("required flag(s) \"image\" not set")
    name = cmd.args[0]
    labels = {"app": name}
    containers = []
    for image in images:
        base = image.rsplit("/", 1)[-1].split(":")[0].split("@")[0]
        container: Obj = {"name": base if len(images) > 1 else base, "image": image}
        if flag_int(cmd, "port") >= 0 and cmd.is_set("port"):
            container["ports"] = [{"containerPort": flag_int(cmd, "port")}]
        container["resources"] = {}  # kubectl's generator sends (and prints) these empty
        containers.append(container)
    deploy: Obj = {"apiVersion": "apps/v1", "kind": "Deployment",
                   "metadata": {"name": name, "labels": labels},
                   "spec": {"replicas": flag_int(cmd, "replicas") if cmd.is_set("replicas")
                            else 1,
                            "selector": {"matchLabels": labels}, "strategy": {},
                            "template": {"metadata": {"labels": labels},
                                         "spec": {"containers": containers}}},
                   "status": {}}
    ns = cmd.namespace or env.namespace
    deploy["metadata"]["namespace"] = ns
    dry = cmd.dry_run != "none"
    created = env.cluster.create(deploy, dry_run=dry) if cmd.dry_run != "client" else deploy
    out.changed = not dry
    if cmd.output:
        out.write(format_objects([created], cmd.output, cmd.output_arg, single=True))
        return
    suffix = {"client": " (dry run)", "server": " (server dry run)"}.get(cmd.dry_run, "")
    out.line(f"{ref_name(created)} created{suffix}")
