"""The kubelet's events about a container: their fieldPath and messages, made once per
container name or image rather than formatted anew for each of a settle's 200,000
(the same text, and then the same string object: the recorder shares it, see
Cluster.record_event), and the events of a container's start, which the kubelet's
general step (Kubelet._start) and its one-container shortcut (kubelet_step.step_one)
both record."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from dstutor.controller.images import image_ref, image_size
from dstutor.model.objects import Obj

if TYPE_CHECKING:
    from dstutor.controller.kubelet import Kubelet

COMPONENT = "kubelet"
# Bounds: a session names few containers and images; the caches only save formatting.
CACHED_TEXTS = 1024
_STARTED = (("Normal", "Created", "Container created"), ("Normal", "Started", "Container started"))


@lru_cache(maxsize=CACHED_TEXTS)
def field_path(container: str) -> str:
    """involvedObject.fieldPath of an event about one container (describe prefixes it)."""
    return f"spec.containers{{{container}}}"


@lru_cache(maxsize=CACHED_TEXTS)
def pulling_message(image: str) -> str:
    return f'Pulling image "{image_ref(image)}"'


@lru_cache(maxsize=CACHED_TEXTS)
def pulled_message(image: str, pull_seconds: float) -> str:
    return (f'Successfully pulled image "{image_ref(image)}" in {pull_seconds:g}s '
            f"({pull_seconds:g}s including waiting). Image size: {image_size(image)} bytes.")


@lru_cache(maxsize=CACHED_TEXTS)
def present_message(image: str) -> str:
    return (f'Container image "{image_ref(image)}" already present on machine and can be '
            "accessed by the pod")


def pulled_event(kubelet: Kubelet, pod: Obj, c: Obj, node_name: str) -> None:
    """The Pulled event at the end of a successful pull of container `c`'s image (what
    Kubelet._event records, asked directly: 50,000 of them in a 5,000-node settle)."""
    ctx = kubelet.ctx
    ctx.record_event(pod, "Normal", "Pulled", pulled_message(
        c.get("image", ""), float(ctx.timing["imagePullSeconds"])), component=COMPONENT,
        host=node_name, field_path=field_path(c["name"]))


def start_events(kubelet: Kubelet, pod: Obj, c: Obj, fresh: bool, node_name: str) -> None:
    """The events of container `c`'s start: the image check (unless its image was just
    pulled: `fresh`), Created, Started."""
    # (Cluster.record_events: one call, as three calls of record_event would record them)
    kubelet.ctx.record_events(
        pod, _STARTED if fresh else (("Normal", "Pulled", present_message(c.get("image", ""))),
                                     *_STARTED),
        component=COMPONENT, host=node_name, field_path=field_path(c["name"]))
