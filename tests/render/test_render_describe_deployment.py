"""describe_deployment: kubectl's DeploymentDescriber (the serve differential test compares
it with the real kubectl; this covers what the simulator's deployments do not show)."""

from __future__ import annotations

from dstutor.render.describe import describe_deployment


def test_describe_deployment_with_conditions_and_integer_strategy() -> None:
    d = {"kind": "Deployment", "metadata": {"name": "web", "namespace": "default",
                                            "creationTimestamp": "2026-01-01T00:00:00Z"},
         "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                  "strategy": {"type": "RollingUpdate",
                               "rollingUpdate": {"maxUnavailable": 1, "maxSurge": "50%"}},
                  "template": {"metadata": {"labels": {"app": "web"}},
                               "spec": {"containers": [{"name": "web", "image": "nginx"}]}}},
         "status": {"replicas": 3, "updatedReplicas": 2, "availableReplicas": 2,
                    "unavailableReplicas": 1,
                    "conditions": [{"type": "Available", "status": "True",
                                    "reason": "MinimumReplicasAvailable"},
                                   {"type": "Progressing", "status": "True",
                                    "reason": "ReplicaSetUpdated"}]}}
    text = describe_deployment(d, None, 0.0)
    # The layout of the conditions was checked against the real kubectl 1.37.1 on serve
    # (conditions patched in through the status subresource).
    assert text.startswith("Name:                   web\nNamespace:              default\n"
                           "CreationTimestamp:      Thu, 01 Jan 2026 00:00:00 +0000\n")
    assert ("Replicas:               3 desired | 2 updated | 3 total | 2 available | "
            "1 unavailable\n") in text
    assert "RollingUpdateStrategy:  1 max unavailable, 50% max surge\n" in text
    assert text.endswith("Conditions:\n  Type          Status  Reason\n"
                         "  ----          ------  ------\n"
                         "  Available     True    MinimumReplicasAvailable\n"
                         "  Progressing   True    ReplicaSetUpdated\n")
    recreate = {**d, "spec": {**d["spec"], "strategy": {"type": "Recreate"}}, "status": {}}
    text = describe_deployment(recreate, [], 0.0)
    assert "RollingUpdateStrategy" not in text and "StrategyType:       Recreate\n" in text
    assert "Conditions:" not in text and text.endswith("Events:            <none>\n")
