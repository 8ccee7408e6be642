"""labelSelector and fieldSelector of a list or watch request, with the server's 400s."""

from __future__ import annotations

from collections.abc import Callable

from dstutor.kubectl.commands._select import Selection, parsed
from dstutor.kubectl.resources import ResourceType
from dstutor.model.objects import Obj
from dstutor.serve.status import StatusError


def matcher(rt: ResourceType, query: dict[str, str]) -> Callable[[Obj], bool]:
    return selection(rt, query).matches


def selection(rt: ResourceType, query: dict[str, str]) -> Selection:
    """Both selectors of a list or watch request (kubectl's parsed()); bad ones are the
    server's 400s."""
    return parsed(rt, query.get("labelSelector", ""), query.get("fieldSelector", ""),
                  lambda message: StatusError(400, "BadRequest", message))
