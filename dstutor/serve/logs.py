"""GET pods/NAME/log: the container's lines as the kubelet returns them (plain text).

The lines come from the same generator as the REPL's `kubectl logs` (render/logtext.py,
which instance and the kubelet's refusals from kubectl/commands/logs.py); kubectl itself
picks the default container and says so.
"""

from __future__ import annotations

from dstutor.errors import BadRequest
from dstutor.kubectl.commands.logs import Source, _context, _nano, _window
from dstutor.model.objects import Obj
from dstutor.model.timefmt import parse_rfc3339
from dstutor.render.logtext import container_log
from dstutor.serve.status import StatusError


def _source(pod: Obj, container: str) -> Source:
    spec = pod.get("spec") or {}
    names = [c.get("name", "") for c in spec.get("containers") or []]
    inits = [c.get("name", "") for c in spec.get("initContainers") or []]
    name = pod["metadata"]["name"]
    if not container:
        if len(names) != 1:
            raise StatusError(400, "BadRequest",
                              f"a container name must be specified for pod {name}, choose one "
                              f"of: [{' '.join(names)}]" + (
                                  f" or one of the init containers: [{' '.join(inits)}]"
                                  if inits else ""))
        container = names[0]
    if container not in names and container not in inits:
        raise StatusError(400, "BadRequest",
                          f"container {container} is not valid for pod {name}")
    return Source(pod, container, container in inits)


def _int(query: dict[str, str], key: str) -> int | None:
    if key not in query:
        return None
    try:
        return int(query[key])
    except ValueError:
        raise StatusError(400, "BadRequest", f"invalid {key}: {query[key]}") from None


def lines(pod: Obj, query: dict[str, str], now: float, after: float | None = None
          ) -> tuple[list[tuple[float, str]], bytes]:
    """The (time, line) list and the body for one read; `after` keeps only newer lines."""
    source = _source(pod, query.get("container", ""))
    try:
        window = _window(source, now, query.get("previous") == "true")
    except BadRequest as exc:
        raise StatusError(400, "BadRequest", exc.message) from None
    if window is None:
        return [], b""
    start, end, crashed = window
    found = container_log(_context(source), start, end, crashed=crashed)
    since = _int(query, "sinceSeconds")
    if since is not None:
        found = [(t, text) for t, text in found if t >= now - since]
    if query.get("sinceTime"):
        cutoff = parse_rfc3339(query["sinceTime"])
        found = [(t, text) for t, text in found if t >= cutoff]
    if after is not None:
        found = [(t, text) for t, text in found if t > after]
    tail = _int(query, "tailLines")
    if tail is not None and after is None:
        found = found[-tail:] if tail > 0 else []
    stamp = query.get("timestamps") == "true"
    body = "".join(f"{_nano(t) + ' ' if stamp else ''}{text}\n" for t, text in found).encode()
    limit = _int(query, "limitBytes")
    if limit is not None and limit > 0:
        body = body[:limit]
    return found, body
