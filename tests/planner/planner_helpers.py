"""A small DaemonSet and fleets for planner tests."""

from __future__ import annotations

import copy
from typing import Any

from dstutor.planner.fleet import Fleet, build_fleet
from dstutor.planner.inputs import PlanInputs

AGENT: dict[str, Any] = {
    "apiVersion": "apps/v1", "kind": "DaemonSet",
    "metadata": {"name": "agent", "namespace": "default"},
    "spec": {"selector": {"matchLabels": {"app": "agent"}},
             "template": {"metadata": {"labels": {"app": "agent"}},
                          "spec": {"containers": [{"name": "agent", "image": "agent:2.0"}]}}},
}


def agent(**spec: Any) -> dict[str, Any]:
    ds = copy.deepcopy(AGENT)
    ds["spec"].update(spec)
    return ds


def fleet(nodes: int = 4, *, image_pull: float = 30, ready_after: float | None = None,
          ds: dict[str, Any] | None = None, seed: int = 0) -> Fleet:
    return build_fleet(ds or AGENT, PlanInputs(nodes=nodes, image_pull=image_pull,
                                               ready_after=ready_after, seed=seed))


def rolling(max_unavailable: int | str = 1, max_surge: int | str = 0) -> dict[str, Any]:
    return {"type": "RollingUpdate",
            "rollingUpdate": {"maxUnavailable": max_unavailable, "maxSurge": max_surge}}
