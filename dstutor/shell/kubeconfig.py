"""The few `kubectl config` lines a learner needs: the shell's namespace is its context's.

On a real machine the current namespace lives in kubeconfig; here the shell keeps it.
`kubectl config set-context --current --namespace=NS` is how an administrator stops
typing `-n NS`, so the seed commands (`kubectl rollout status daemonset node-logger`)
work as written once the namespace is set, exactly as on a cluster.
"""

from __future__ import annotations

import shlex
from typing import Any

from dstutor.render.table import format_table

CONTEXT = "dstutor"
UNSUPPORTED_MSG = ("error: dstutor simulates only `kubectl config set-context --current "
                   "--namespace=NS`, `current-context`, `get-contexts` and `view --minify`")


def run_config(session: Any, text: str) -> tuple[str, str, int] | None:
    """(stdout, stderr, exit code) for a `kubectl config ...` line, or None if it is not one."""
    try:
        words = shlex.split(text.split("\n", 1)[0])
    except ValueError:
        return None
    if len(words) < 2 or words[1] != "config":
        return None
    args = words[2:]
    if args[:1] == ["current-context"] and len(args) == 1:
        return f"{CONTEXT}\n", "", 0
    if args[:1] == ["get-contexts"]:
        table = format_table(["CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE"],
                             [["*", CONTEXT, CONTEXT, CONTEXT, session.namespace]])
        return table if table.endswith("\n") else table + "\n", "", 0
    if args[:1] == ["view"] and "--minify" in args:
        return (f"apiVersion: v1\nclusters:\n- cluster:\n    server: https://127.0.0.1:6443\n"
                f"  name: {CONTEXT}\ncontexts:\n- context:\n    cluster: {CONTEXT}\n"
                f"    namespace: {session.namespace}\n    user: {CONTEXT}\n  name: {CONTEXT}\n"
                f"current-context: {CONTEXT}\nkind: Config\npreferences: {{}}\nusers:\n"
                f"- name: {CONTEXT}\n  user: {{}}\n"), "", 0
    if args[:1] == ["set-context"]:
        return _set_context(session, args[1:])
    return "", UNSUPPORTED_MSG + "\n", 1


def _set_context(session: Any, args: list[str]) -> tuple[str, str, int]:
    namespace = None
    current = False
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--current":
            current = True
        elif arg.startswith("--namespace="):
            namespace = arg.split("=", 1)[1]
        elif arg == "--namespace" and i + 1 < len(args):
            i += 1
            namespace = args[i]
        elif arg == CONTEXT:
            current = True
        else:
            return "", UNSUPPORTED_MSG + "\n", 1
        i += 1
    if not current:
        return "", "error: you must specify a non-empty context name or --current\n", 1
    if namespace is None:
        return f'Context "{CONTEXT}" modified.\n', "", 0
    session.namespace = namespace or "default"
    return f'Context "{CONTEXT}" modified.\n', "", 0
