"""Flag and verb specifications: the vocabulary of the kubectl registry.

Values are converted the way Go's pflag converts them, so a bad value gets pflag's words
(durations through the one Go duration parser, `dstutor.model.timefmt.parse_go_duration`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from dstutor.model.timefmt import parse_go_duration

FlagValue = bool | str | int | float | tuple[str, ...]


class FlagType(StrEnum):
    BOOL = "bool"
    STR = "string"
    INT = "int"
    DURATION = "duration"  # parsed to seconds (float), written like Go: 30s, 1m30s, 2h
    LIST = "strings"  # comma-separated, repeatable: `-f a.yaml,b.yaml -f c.yaml`


class ArgKind(StrEnum):
    """What the positional arguments of a verb are, for the parser and for completion."""

    NONE = "none"
    RESOURCES = "resources"  # TYPE [NAME...] | TYPE/NAME...
    NODES = "nodes"  # NODE... (cordon, uncordon, drain)
    LABELS = "labels"  # resources, then KEY=VAL / KEY-
    TAINTS = "taints"  # node NAME..., then KEY[=VAL]:EFFECT[-] / KEY-
    IMAGES = "images"  # resources, then CONTAINER=IMAGE
    EXPLAIN = "explain"  # TYPE[.field.path]
    NAME = "name"  # exactly one NAME (create namespace / deployment)
    SUBCOMMAND = "subcommand"


_BOOL_WORDS = {"1": True, "t": True, "T": True, "TRUE": True, "true": True, "True": True,
               "0": False, "f": False, "F": False, "FALSE": False, "false": False,
               "False": False}


def parse_go_bool(text: str) -> bool:
    if text not in _BOOL_WORDS:
        raise ValueError(f'strconv.ParseBool: parsing "{text}": invalid syntax')
    return _BOOL_WORDS[text]


def parse_go_int(text: str) -> int:
    body = text.lstrip("+-")
    try:
        # Go's base-0 parsing reads a leading 0 as octal; Python wants 0o.
        if len(body) > 1 and body[0] == "0" and body[1].isdigit():
            value = int(text.replace(body, "0o" + body[1:], 1), 0)
        else:
            value = int(text, 0)
    except ValueError:
        raise ValueError(f'strconv.ParseInt: parsing "{text}": invalid syntax') from None
    if not -(2**63) <= value < 2**63:
        raise ValueError(f'strconv.ParseInt: parsing "{text}": value out of range')
    return value


# A flag's value when it has no default of its own.
_ZERO_VALUES: dict[FlagType, FlagValue] = {
    FlagType.BOOL: False, FlagType.STR: "", FlagType.INT: 0, FlagType.DURATION: 0.0,
    FlagType.LIST: ()}


@dataclass(frozen=True)
class FlagSpec:
    """One flag: its names, type, default, allowed values and a one-line help."""

    name: str
    type: FlagType = FlagType.STR
    short: str | None = None
    default: FlagValue | None = None
    help: str = ""
    choices: tuple[str, ...] = ()
    # Value used when a non-bool flag is given bare, like `--dry-run` or `--cascade`.
    no_opt: str | None = None
    # False: kubectl has the flag but dstutor cannot simulate it, so the parser refuses it.
    supported: bool = True

    @property
    def no_opt_default(self) -> str | None:
        return "true" if self.type is FlagType.BOOL else self.no_opt

    @property
    def display(self) -> str:
        """`-w, --watch` or `--revision`: how pflag names the flag in its errors."""
        return f"-{self.short}, --{self.name}" if self.short else f"--{self.name}"

    @property
    def default_value(self) -> FlagValue:
        if self.default is not None:
            return self.default
        return _ZERO_VALUES[self.type]

    def convert(self, text: str, previous: FlagValue | None = None) -> FlagValue:
        """The typed value of `text`; lists accumulate onto `previous`. ValueError if bad."""
        if self.type is FlagType.BOOL:
            return parse_go_bool(text)
        if self.type is FlagType.INT:
            return parse_go_int(text)
        if self.type is FlagType.DURATION:
            return parse_go_duration(text)
        if self.type is FlagType.LIST:
            items = tuple(text.split(",")) if text else ()
            return (previous if isinstance(previous, tuple) else ()) + items
        return text


@dataclass(frozen=True)
class VerbSpec:
    """One kubectl command (or subcommand, `path` = "rollout status")."""

    path: str
    summary: str
    usage: str
    args: ArgKind = ArgKind.RESOURCES
    flags: tuple[FlagSpec, ...] = ()
    subcommands: tuple[VerbSpec, ...] = ()
    aliases: tuple[str, ...] = ()
    # `-o` values kubectl accepts here (None: the verb has no -o flag).
    output_formats: tuple[str, ...] | None = None
    examples: tuple[str, ...] = ()
    group: str = ""
    # A tutor note shown with every use, e.g. why pause does not apply to DaemonSets.
    note: str | None = None
    # Never changes the cluster: the shell takes no undo snapshot before it, and a lesson
    # does not count a failed one as an attempt.
    read_only: bool = False
    by_name: dict[str, FlagSpec] = field(default_factory=dict, compare=False, repr=False)
    # The function that runs it, handler(env, cmd, out). It lives in kubectl/commands/,
    # which reads parsed commands, so it cannot be named here: it registers itself with
    # registry.handles(path), and a test checks that every runnable verb has one.
    handler: Callable[..., Any] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        for spec in self.flags + GLOBAL_FLAGS:
            self.by_name.setdefault(spec.name, spec)

    @property
    def name(self) -> str:
        return self.path.rsplit(" ", 1)[-1]

    @property
    def all_flags(self) -> tuple[FlagSpec, ...]:
        return tuple(self.by_name.values())

    def find_long(self, name: str) -> FlagSpec | None:
        return self.by_name.get(name)

    def find_short(self, short: str) -> FlagSpec | None:
        return next((f for f in self.by_name.values() if f.short == short), None)

    def subcommand(self, name: str) -> VerbSpec | None:
        return next((s for s in self.subcommands if name == s.name or name in s.aliases),
                    None)


def flag_spec(name: str, type_: FlagType = FlagType.STR, short: str | None = None, help: str = "",
              *, default: FlagValue | None = None, choices: tuple[str, ...] = (),
              no_opt: str | None = None, supported: bool = True) -> FlagSpec:
    return FlagSpec(name, type_, short, default=default, help=help, choices=choices,
                    no_opt=no_opt, supported=supported)


B, S, N, D, L = FlagType.BOOL, FlagType.STR, FlagType.INT, FlagType.DURATION, FlagType.LIST

# Flags kubectl registers on its root command, so every verb accepts them.
GLOBAL_FLAGS: tuple[FlagSpec, ...] = (
    flag_spec("help", B, "h", "show help for this command"),
    flag_spec("namespace", S, "n", "namespace to use instead of the current one (default)"),
    flag_spec("context", S, help="kubeconfig context (dstutor has one cluster)", supported=False),
    flag_spec("cluster", S, help="kubeconfig cluster (dstutor has one cluster)", supported=False),
    flag_spec("kubeconfig", S, help="kubeconfig file (dstutor has none)", supported=False),
    flag_spec("server", S, "s", "API server address (dstutor has none)", supported=False),
    flag_spec("user", S, help="kubeconfig user (dstutor has none)", supported=False),
    flag_spec("token", S, help="bearer token (dstutor has none)", supported=False),
    flag_spec("v", N, "v", "log verbosity (dstutor logs nothing)", supported=False),
    flag_spec("request-timeout", S, help="per-request timeout (requests are instant here)",
       supported=False),
)
