"""The one exception family; a DstutorError's str() is the sentence the user sees."""

from __future__ import annotations

from enum import IntEnum

from dstutor.textsafe import visible_line


class ExitStatus(IntEnum):
    """Every exit status dstutor uses; commands name these, never a bare number."""

    SUCCESS = 0
    ERROR = 1  # a command failed, a file was rejected, a check did not pass
    USAGE = 2  # the command line or an input named on it cannot be used
    INVALID_LESSON = 3
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)
    TERMINATED = 143  # SIGTERM (128 + SIGTERM)


INTERNAL_ERR = "dstutor: internal error: {exc} (run with --debug to see the traceback)"


def internal_error_line(exc: BaseException) -> str:
    """The one line a bug inside dstutor prints (the traceback only with --debug)."""
    return INTERNAL_ERR.format(exc=visible_line(f"{type(exc).__name__}: {exc}"))


class DstutorError(Exception):
    """Base of every error the user may see; str() is the message as printed."""

    # An optional tutor note shown under the message (e.g. a pointer to the right command).
    hint: str | None = None


class ParseError(DstutorError):
    """A command line that cannot be parsed."""

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message)
        self.column = column


class CommandError(DstutorError):
    """A command that parsed but cannot run (bad flag value, unknown resource)."""

    # What kubectl had already printed when it failed (custom-columns' header).
    partial_output: str = ""


class YamlError(DstutorError):
    """A manifest that is not valid YAML or exceeds the safety limits."""


class ApiError(DstutorError):
    """An error the API server would return; printed as kubectl prints it."""

    reason = "InternalError"
    code = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return f"Error from server ({self.reason}): {self.message}"


class NotFound(ApiError):
    reason = "NotFound"
    code = 404


class AlreadyExists(ApiError):
    reason = "AlreadyExists"
    code = 409


class Conflict(ApiError):
    reason = "Conflict"
    code = 409


class BadRequest(ApiError):
    reason = "BadRequest"
    code = 400


class Forbidden(ApiError):
    reason = "Forbidden"
    code = 403


class Invalid(ApiError):
    """A write rejected by validation: `The DaemonSet "x" is invalid: ...`."""

    reason = "Invalid"
    code = 422

    def __init__(self, kind: str, name: str, causes: list[str]) -> None:
        self.kind = kind
        self.name = name
        self.causes = list(causes)
        if len(causes) == 1:
            detail = causes[0]
        else:
            detail = "[" + ", ".join(causes) + "]"
        super().__init__(f'{kind} "{name}" is invalid: {detail}')

    def __str__(self) -> str:
        # kubectl prints validation errors without the "Error from server" prefix
        # when the status carries field causes; one cause on one line, several as
        # a bullet list.
        if len(self.causes) == 1:
            return f'The {self.kind} "{self.name}" is invalid: {self.causes[0]}'
        lines = [f'The {self.kind} "{self.name}" is invalid: ']
        lines += [f"* {c}" for c in self.causes]
        return "\n".join(lines)


class LessonError(DstutorError):
    """A lesson file that breaks the format; carries file, line and step."""

    def __init__(self, message: str, *, path: str = "", line: int | None = None,
                 step: str | None = None) -> None:
        where = path
        if line is not None:
            where += f":{line}"
        if step:
            where += f" step '{step}'"
        super().__init__(f"{where}: {message}" if where else message)
        self.path, self.line, self.step = path, line, step
