"""Refusals as the API server sends them: a metav1.Status with reason, code and details."""

from __future__ import annotations

from typing import Any

from dstutor.errors import ApiError, Invalid

Status = dict[str, Any]


class StatusError(Exception):
    """Raised inside request handling; becomes the Status reply."""

    def __init__(self, code: int, reason: str, message: str,
                 details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code, self.reason, self.message, self.details = code, reason, message, details

    def status(self) -> Status:
        body: Status = {"kind": "Status", "apiVersion": "v1", "metadata": {},
                        "status": "Failure", "message": self.message}
        if self.reason:
            body["reason"] = self.reason
        if self.details:
            body["details"] = self.details
        body["code"] = self.code
        return body


def not_found_path() -> StatusError:
    return StatusError(404, "NotFound", "the server could not find the requested resource",
                       {})


def bad_request(message: str) -> StatusError:
    return StatusError(400, "BadRequest", message)


def method_not_allowed() -> StatusError:
    return StatusError(405, "MethodNotAllowed",
                       "the server does not allow this method on the requested resource", {})


def too_large() -> StatusError:
    return StatusError(413, "RequestEntityTooLarge",
                       "Request entity too large: limit is 3145728")


def conflict(resource: str, group: str, name: str) -> StatusError:
    shown = f"{resource}.{group}" if group else resource
    return StatusError(
        409, "Conflict",
        f'Operation cannot be fulfilled on {shown} "{name}": the object has been modified; '
        "please apply your changes to the latest version and try again",
        {"name": name, "group": group, "kind": resource})


def gone(message: str) -> StatusError:
    return StatusError(410, "Expired", message)


def _split_cause(cause: str) -> dict[str, str]:
    # The simulator words a cause as field.Error does ("spec.x: Required value"); the
    # Status carries field and message apart, and kubectl joins them back with ": ".
    field, sep, message = cause.partition(": ")
    if not sep or " " in field:
        return {"message": cause}
    ctype = "FieldValue" + message.split(":", 1)[0].title().replace(" ", "")
    return {"reason": ctype, "message": message, "field": field}


def from_api_error(exc: ApiError, *, resource: str = "", group: str = "", name: str = "",
                   kind: str = "") -> StatusError:
    """The Status for a simulator refusal (NotFound, AlreadyExists, Invalid, ...)."""
    details: dict[str, Any] = {}
    if name:
        details["name"] = name
    if group:
        details["group"] = group
    if isinstance(exc, Invalid):
        details["kind"] = exc.kind
        details["name"] = exc.name
        details["causes"] = [_split_cause(c) for c in exc.causes]
        qualified = f"{exc.kind}.{group}" if group else exc.kind
        detail = exc.causes[0] if len(exc.causes) == 1 else "[" + ", ".join(exc.causes) + "]"
        return StatusError(422, "Invalid", f'{qualified} "{exc.name}" is invalid: {detail}',
                           details)
    if resource:
        details["kind"] = resource
    return StatusError(exc.code, exc.reason, exc.message, details or None)
