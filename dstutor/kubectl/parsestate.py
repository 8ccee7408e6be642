"""Working state of one parse, and the error type the kubectl parser raises."""

from __future__ import annotations

from dataclasses import dataclass, field

from dstutor.errors import ParseError
from dstutor.kubectl.builder import ResourceTarget
from dstutor.kubectl.lexer import Word
from dstutor.kubectl.registry import FlagValue, VerbSpec
from dstutor.kubectl.specs import ImageUpdate, LabelChange, TaintChange


class KubectlParseError(ParseError):
    """A refused kubectl line: str() is kubectl's stderr; `hint` is an optional tutor note."""

    def __init__(self, message: str, column: int | None = None, *,
                 hint: str | None = None) -> None:
        super().__init__(message, column)
        self.hint = hint


@dataclass
class Context:
    """Mutable while one line is parsed; parser._build freezes it into a KubectlCommand."""

    spec: VerbSpec
    line: str
    flags: dict[str, FlagValue] = field(default_factory=dict)
    given: set[str] = field(default_factory=set)
    positional: list[Word] = field(default_factory=list)
    targets: list[ResourceTarget] = field(default_factory=list)
    labels: tuple[LabelChange, ...] = ()
    taints: tuple[TaintChange, ...] = ()
    images: tuple[ImageUpdate, ...] = ()
    output: str = ""
    output_arg: str | None = None
    stdin: str | None = None
    warnings: list[str] = field(default_factory=list)
    hint: str | None = None

    def __post_init__(self) -> None:
        for flag in self.spec.all_flags:
            self.flags.setdefault(flag.name, flag.default_value)

    @property
    def command_path(self) -> str:
        """`kubectl rollout status`: how kubectl names the command in `See ...` lines."""
        return f"kubectl {self.spec.path}".rstrip()

    @property
    def args(self) -> list[str]:
        return [w.text for w in self.positional]

    @property
    def filenames(self) -> tuple[str, ...]:
        value = self.flags.get("filename", ())
        return value if isinstance(value, tuple) else ()

    def strings(self, name: str) -> tuple[str, ...]:
        """A list flag's values (--env a=1 --env b=2); () when unset."""
        value = self.flags.get(name, ())
        return value if isinstance(value, tuple) else ()

    def text(self, name: str) -> str:
        value = self.flags.get(name, "")
        return value if isinstance(value, str) else ""

    def on(self, name: str) -> bool:
        return bool(self.flags.get(name, False))

    def number(self, name: str) -> int:
        value = self.flags.get(name, 0)
        return value if isinstance(value, int) else 0


def plain_error(message: str, column: int | None = None) -> KubectlParseError:
    """`error: MESSAGE`, the way kubectl's CheckErr prints most failures."""
    prefix = "" if message.startswith("error: ") else "error: "
    return KubectlParseError(prefix + message, column)


def usage_error(ctx: Context, message: str, column: int | None = None) -> KubectlParseError:
    """kubectl's UsageErrorf: the message plus `See 'kubectl VERB -h' for help and examples`."""
    prefix = "" if message.startswith("error: ") else "error: "
    return KubectlParseError(
        f"{prefix}{message}\nSee '{ctx.command_path} -h' for help and examples", column)
