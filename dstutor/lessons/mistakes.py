"""Known mistakes, recognised in what the learner typed and named by the tutor.

Each pattern looks at the command line (and a heredoc manifest, if any) and, where the
mistake depends on the cluster (a toleration with the wrong effect), at the nodes.
The tutor note is shown apart from kubectl's own output, never instead of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from dstutor.errors import DstutorError
from dstutor.model.objects import Obj
from dstutor.sim.cluster import Cluster


@dataclass(frozen=True)
class Mistake:
    name: str
    message: str


CREATE_DS_MSG = ("there is no `kubectl create daemonset`: write a DaemonSet manifest and "
                 "run `kubectl apply -f FILE` (or `-f -` with a heredoc)")
SCALE_DS_MSG = ("a DaemonSet has no replica count, so it cannot be scaled: it runs one pod "
                "on every node that qualifies. Change which nodes qualify instead (node "
                "labels with a nodeSelector, taints and tolerations)")
REPLICAS_MSG = ("`replicas:` belongs to Deployments; a DaemonSet has no such field. The "
                "number of pods follows the number of eligible nodes")
SURGE_ALONE_MSG = ("maxSurge needs `maxUnavailable: 0` next to it: maxUnavailable defaults "
                   "to 1, and the two may not both be non-zero")
MASTER_TAINT_MSG = ("`node-role.kubernetes.io/master` is the old name of the control-plane "
                    "taint (removed in Kubernetes 1.25); tolerate "
                    "`node-role.kubernetes.io/control-plane` instead")

_CREATE_DS = re.compile(r"^\s*(kubectl|k)\s+create\s+(daemonsets?|ds)\b")
_SCALE_DS = re.compile(r"^\s*(kubectl|k)\s+scale\b.*\b(daemonsets?(\.apps)?|ds)\b")

# Facts that changed between Kubernetes versions; `lesson check` flags them in lesson text.
VERSION_SENSITIVE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"node-role\.kubernetes\.io/master"), MASTER_TAINT_MSG),
    (re.compile(r"k8s\.gcr\.io"), "k8s.gcr.io is frozen; images moved to registry.k8s.io"),
    (re.compile(r"extensions/v1beta1"), "DaemonSets are apps/v1 (extensions/v1beta1 is gone "
     "since 1.16)"),
    (re.compile(r"bypass(es)? the scheduler", re.I), "since 1.17 the default scheduler binds "
     "DaemonSet pods; the controller no longer bypasses it"),
)


def _manifests(line: str) -> list[Obj]:
    """DaemonSet documents in the heredoc of a line, if it has one and it parses."""
    line = line.rstrip("\n")  # a lesson's block scalar ends in a newline; a typed line not
    if "<<" not in line or "\n" not in line:
        return []
    from dstutor import yamlio

    body = line.split("\n", 1)[1].rsplit("\n", 1)[0]
    try:
        docs = yamlio.load_documents(body, "STDIN")
    except DstutorError:
        return []
    return [d for d in docs if isinstance(d, dict) and d.get("kind") == "DaemonSet"]


def _get(obj: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _toleration_effect_mistakes(ds: Obj, cluster: Cluster | None) -> list[Mistake]:
    if cluster is None:
        return []
    tolerations = _get(ds, "spec", "template", "spec", "tolerations") or []
    found = []
    for node in cluster.list_live("Node"):
        taints = node["spec"].get("taints") or []
        for taint in taints:
            same_key = [t for t in tolerations if isinstance(t, dict)
                        and t.get("key") == taint.get("key")]
            if not same_key or taint.get("effect") == "PreferNoSchedule":
                continue
            if any(not t.get("effect") or t.get("effect") == taint.get("effect")
                   for t in same_key):
                continue
            effects = ", ".join(sorted({str(t.get("effect")) for t in same_key}))
            found.append(Mistake("toleration-effect", (
                f"your toleration for {taint['key']} has effect {effects}, but "
                f"{node['metadata']['name']} is tainted {taint['key']}"
                f"{'=' + taint['value'] if taint.get('value') else ''}:{taint['effect']}: "
                "the effects must match (or leave `effect` out to tolerate every effect)")))
    return found[:1]


def find_mistakes(line: str, cluster: Cluster | None = None) -> list[Mistake]:
    """Known mistakes in one command (with its heredoc); empty when none is recognised."""
    found: list[Mistake] = []
    first = line.split("\n", 1)[0]
    if _CREATE_DS.search(first):
        found.append(Mistake("create-daemonset", CREATE_DS_MSG))
    if _SCALE_DS.search(first):
        found.append(Mistake("scale-daemonset", SCALE_DS_MSG))
    for ds in _manifests(line):
        raw_spec = ds.get("spec")
        spec: dict[str, Any] = raw_spec if isinstance(raw_spec, dict) else {}
        if "replicas" in spec:
            found.append(Mistake("replicas", REPLICAS_MSG))
        rolling = _get(spec, "updateStrategy", "rollingUpdate") or {}
        if isinstance(rolling, dict) and "maxSurge" in rolling and "maxUnavailable" not in rolling:
            found.append(Mistake("surge-alone", SURGE_ALONE_MSG))
        text = line.split("\n", 1)[1]
        if "node-role.kubernetes.io/master" in text:
            found.append(Mistake("master-taint", MASTER_TAINT_MSG))
        found += _toleration_effect_mistakes(ds, cluster)
    return found


# Every mistake this module can name; `lesson check` warns about any that no `wrong:`
# attempt of the course exercises.
MISTAKE_NAMES = ("create-daemonset", "scale-daemonset", "replicas", "surge-alone",
                 "master-taint", "toleration-effect")
# Mistakes the kubectl layer already explains in its own hint.
SHELL_KNOWS = frozenset({"create-daemonset", "scale-daemonset", "replicas"})


def tutor_notes(line: str, hint: str | None, cluster: Cluster | None) -> list[str]:
    """What the tutor says below a command: kubectl's hint, then each known mistake."""
    notes = [hint] if hint else []
    for mistake in find_mistakes(line, cluster):
        if hint and mistake.name in SHELL_KNOWS:
            continue  # the shell already said it
        notes.append(mistake.message)
    return notes


def version_warnings(text: str) -> list[str]:
    return [msg for pattern, msg in VERSION_SENSITIVE if pattern.search(text)]
