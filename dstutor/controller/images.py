"""Container images as the kubelet and the runtime name them: references, pull policy,
the runtime's error for an image the registry does not have, and a made-up size."""

from __future__ import annotations

import zlib

from dstutor.model.objects import Obj


def image_size(image: str) -> int:
    """A made-up but stable size for the Pulled event (10-100 MB), so transcripts never
    change between runs."""
    return 10_000_000 + zlib.crc32(image.encode("utf-8")) % 90_000_000


def _has_tag(image: str) -> bool:
    last = image.rsplit("/", 1)[-1]
    return "@" in image or ":" in last


def image_ref(image: str) -> str:
    """applyDefaultImageTag: the kubelet pulls `nginx` as `nginx:latest`."""
    return image if not image or _has_tag(image) else f"{image}:latest"


def runtime_ref(image: str) -> str:
    """containerd's fully qualified reference: `nginx:1` is docker.io/library/nginx:1."""
    ref = image_ref(image)
    first, _, rest = ref.partition("/")
    if not rest:
        return f"docker.io/library/{ref}"
    if "." in first or ":" in first or first == "localhost":
        return ref
    return f"docker.io/{ref}"


def pull_error(image: str) -> str:
    """The runtime's error for an image the registry does not have (containerd's words)."""
    ref = runtime_ref(image)
    return (f'rpc error: code = NotFound desc = failed to pull and unpack image "{ref}": '
            f'failed to resolve reference "{ref}": {ref}: not found')


def pull_policy(container: Obj) -> str:
    policy = container.get("imagePullPolicy")
    if policy:
        return str(policy)
    image = str(container.get("image", ""))
    tag = image.rsplit(":", 1)[-1] if _has_tag(image) and "@" not in image else ""
    return "Always" if tag in ("", "latest") else "IfNotPresent"
