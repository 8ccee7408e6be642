"""The plainest DaemonSet manifest, for the tests that only need pods on every node (the
fleet-scale read tests in tests/kubectl and tests/sim)."""

from __future__ import annotations

from dstutor.model.objects import Obj


def plain_daemonset(name: str, image: str) -> Obj:
    """DaemonSet `name` in default, selecting app=name, one container of `image`."""
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": name, "image": image}]}}}}
