"""Golden transcript of an administrator's session: generate, edit, apply, inspect, patch."""

from __future__ import annotations

import sys
from pathlib import Path

from shell_helpers import check_golden, dstutor

# The editor a learner would use, as a script: the first time it turns the generated
# Deployment into a DaemonSet (kind, no replicas, no strategy); on `kubectl edit` it
# changes the image.
EDITOR = """\
import sys
path = sys.argv[1]
text = open(path).read()
if "kind: Deployment" in text:
    text = text.replace("kind: Deployment", "kind: DaemonSet")
    text = text.replace("  replicas: 1\\n", "").replace("  strategy: {}\\n", "")
elif "image: fluent/fluent-bit:3.1" in text:
    text = text.replace("image: fluent/fluent-bit:3.1", "image: fluent/fluent-bit:3.2")
open(path, "w").write(text)
"""

SESSION = """\
kubectl create deployment node-logger --image=fluent/fluent-bit:3.1 -n kube-system --dry-run=client -o yaml > ds.yaml
ls
vi ds.yaml
cat ds.yaml | grep -E 'kind|replicas|strategy'
kubectl apply -f ds.yaml
kubectl rollout status ds/node-logger -n kube-system
kubectl get pods -n kube-system -o wide | grep worker-2 | awk '{print $1, $3}'
kubectl get pods -A | grep -c node-logger
kubectl logs ds/node-logger -n kube-system --tail=3
kubectl run web --image=nginx:1.27
advance 30s
kubectl logs web --tail=2
kubectl events -n kube-system --for ds/node-logger | head -n 3
kubectl top nodes
kubectl top pods -n kube-system --sort-by=cpu | head -n 2
kubectl annotate ds node-logger -n kube-system kubernetes.io/change-cause='fluent-bit 3.2'
kubectl edit ds node-logger -n kube-system
kubectl patch ds node-logger -n kube-system -p '{"spec":{"template":{"spec":{"tolerations":[{"operator":"Exists"}]}}}}'
kubectl patch ds node-logger -n kube-system -p '{"spec":{"template":{"spec":{"tolerations":[{"operator":"Exists"}]}}}}'
kubectl rollout status ds/node-logger -n kube-system
kubectl rollout history ds/node-logger -n kube-system
kubectl get ds -n kube-system -o wide > ds.txt
cat ds.txt | wc -l
kubectl get pods && kubectl get ds
cat /etc/passwd
"""


def test_admin_transcript_golden(tmp_path: Path) -> None:
    script = tmp_path / "editor.py"
    script.write_text(EDITOR, encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    env = {"EDITOR": f"{sys.executable} {script}", "VISUAL": "", "KUBE_EDITOR": ""}
    run = dstutor("shell", "--echo", stdin=SESSION, merge=True, cwd=work, env=env)
    check_golden("script_admin.txt", run.stdout.replace(str(tmp_path), "TMP"))
    assert run.status == 1  # the last two lines are refused
    assert (work / "ds.yaml").read_text().startswith("apiVersion: apps/v1\nkind: DaemonSet\n")
