"""three_way_patch: the patch client-side apply sends (CreateThreeWayMergePatch)."""

from __future__ import annotations

from typing import Any

import pytest

from dstutor.model.strategicpatch import strategic_merge, three_way_patch


def _ds(*containers: dict[str, Any], **spec: Any) -> dict[str, Any]:
    return {"spec": {**spec, "template": {"spec": {"containers": list(containers)}}}}


LIVE_LOG = {"name": "log", "image": "busybox:1.36", "imagePullPolicy": "IfNotPresent"}


@pytest.mark.parametrize(("original", "modified", "current", "expected"), [
    # A new field in one container: only that item, by its merge key, and the order
    # (what the real kubectl 1.37.1 sent in the serve differential test).
    (_ds({"name": "log", "image": "busybox:1.36"}),
     _ds({"name": "log", "image": "busybox:1.36", "bogus": 1}), _ds(LIVE_LOG),
     {"spec": {"template": {"spec": {"$setElementOrder/containers": [{"name": "log"}],
                                     "containers": [{"bogus": 1, "name": "log"}]}}}}),
    # Nothing changed: server defaults in the live object are not deletions.
    (_ds({"name": "log", "image": "busybox:1.36"}), _ds({"name": "log", "image": "busybox:1.36"}),
     _ds(LIVE_LOG), {}),
    # A field dropped from the manifest is deleted (null), inside the list item (the
    # deletions pass sends the order too: upstream's `!IgnoreDeletions && len(patch) > 0`).
    (_ds({"name": "log", "image": "busybox:1.36", "args": ["x"]}),
     _ds({"name": "log", "image": "busybox:1.36"}), _ds({**LIVE_LOG, "args": ["x"]}),
     {"spec": {"template": {"spec": {"$setElementOrder/containers": [{"name": "log"}],
                                     "containers": [{"args": None, "name": "log"}]}}}}),
    # A container dropped from the manifest: $patch delete; a scalar change at the top.
    (_ds({"name": "log", "image": "a"}, {"name": "side", "image": "b"}),
     _ds({"name": "log", "image": "a"}, minReadySeconds=5),
     _ds({"name": "log", "image": "a"}, {"name": "side", "image": "b"}),
     {"spec": {"minReadySeconds": 5, "template": {"spec": {
         "$setElementOrder/containers": [{"name": "log"}],
         "containers": [{"$patch": "delete", "name": "side"}]}}}}),
    # Reordered containers with no other change: only the order is sent.
    (_ds({"name": "a"}, {"name": "b"}), _ds({"name": "b"}, {"name": "a"}),
     _ds({"name": "a"}, {"name": "b"}),
     {"spec": {"template": {"spec": {"$setElementOrder/containers": [{"name": "b"},
                                                                     {"name": "a"}]}}}}),
])
def test_three_way_patch(original, modified, current, expected) -> None:
    patch = three_way_patch(original, modified, current, "DaemonSet")
    assert patch == expected
    # Applying it to the live object gives the manifest's fields.
    merged = strategic_merge(current, patch, "DaemonSet")
    names = [c["name"] for c in merged["spec"]["template"]["spec"]["containers"]]
    assert names == [c["name"] for c in modified["spec"]["template"]["spec"]["containers"]]
