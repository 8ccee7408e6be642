"""Argument mini-languages of kubectl verbs: label changes, taints, images and -o formats.

Each parser raises ValueError carrying kubectl's message without the `error: ` prefix;
parser.py decides the prefix and any `See 'kubectl X -h'` line.
"""

from __future__ import annotations

from dataclasses import dataclass

from dstutor.errors import CommandError
from dstutor.kubectl.flagspec import parse_go_bool
from dstutor.model.names import validate_label_value, validate_qualified_name
from dstutor.model.taints import TAINT_EFFECTS, parse_one_taint

__all__ = ["TAINT_EFFECTS"]  # completion offers these effects


def label_value_errors(value: str) -> list[str]:
    """apimachinery IsValidLabelValue: why `value` is not a valid label value."""
    return validate_label_value(value)


def qualified_name_errors(key: str) -> list[str]:
    """apimachinery IsQualifiedName: why `key` is not a valid label or taint key."""
    return validate_qualified_name(key)


def go_quote(text: str) -> str:
    """Go's %q for the printable strings learners type."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
    return f'"{escaped}"'


@dataclass(frozen=True)
class LabelChange:
    """`key=value` sets a label; `key-` (value None) removes it."""

    key: str
    value: str | None

    @property
    def remove(self) -> bool:
        return self.value is None


def is_label_arg(arg: str) -> bool:
    return "=" in arg or arg.endswith("-")


def parse_label_changes(args: list[str]) -> tuple[LabelChange, ...]:
    """Parse label arguments like kubectl label does (later `k=v` for the same key wins)."""
    sets: dict[str, str] = {}
    removes: list[str] = []
    for spec in args:
        if "=" in spec:
            parts = spec.split("=")
            if len(parts) != 2:
                raise ValueError(f"invalid label spec: {spec}")
            errs = label_value_errors(parts[1])
            if errs:
                raise ValueError(f"invalid label value: {go_quote(spec)}: {';'.join(errs)}")
            sets[parts[0]] = parts[1]
        elif spec.endswith("-"):
            removes.append(spec[:-1])
        else:
            raise ValueError(f"unknown label spec: {spec}")
    if any(key in sets for key in removes):
        raise ValueError("can not both modify and remove a label in the same command")
    return tuple(LabelChange(k, v) for k, v in sets.items()) + tuple(
        LabelChange(k, None) for k in removes)


@dataclass(frozen=True)
class TaintChange:
    """A taint to add (`key=value:Effect`) or remove (`key:Effect-`, `key-`: effect "")."""

    key: str
    value: str = ""
    effect: str = ""
    remove: bool = False

    def go_repr(self) -> str:
        """Go's %v of a corev1.Taint, as kubectl prints it in its duplicate-taint error."""
        return f"{{{self.key} {self.value} {self.effect} <nil>}}"


def is_taint_arg(arg: str) -> bool:
    return "=" in arg or ":" in arg or arg.endswith("-")


def _parse_one_taint(spec: str) -> TaintChange:
    """kubectl's parseTaint, shared with the model (which raises CommandError)."""
    try:
        taint = parse_one_taint(spec)
    except CommandError as exc:
        raise ValueError(str(exc)) from None
    return TaintChange(taint["key"], taint.get("value", ""), taint.get("effect", ""))


def parse_taint_changes(args: list[str]) -> tuple[TaintChange, ...]:
    """Parse taint arguments (additions first in order, then removals), as kubectl taint does."""
    adds: list[TaintChange] = []
    removes: list[TaintChange] = []
    for spec in args:
        if spec.endswith("-"):
            parsed = _parse_one_taint(spec[:-1])
            removes.append(TaintChange(parsed.key, "", parsed.effect, remove=True))
            continue
        parsed = _parse_one_taint(spec)
        if not parsed.effect:
            raise ValueError(f"invalid taint spec: {spec}")
        if any(a.key == parsed.key and a.effect == parsed.effect for a in adds):
            raise ValueError(f"duplicated taints with the same key and effect: "
                             f"{parsed.go_repr()}")
        adds.append(parsed)
    return tuple(adds) + tuple(removes)


def taint_conflicts(changes: tuple[TaintChange, ...]) -> str | None:
    """kubectl's complaint when one command both adds and removes the same taint, else None."""
    conflicts = [f"{r.key}={r.effect}"
                 for a in changes if not a.remove
                 for r in changes if r.remove and r.key == a.key
                 and (not r.effect or r.effect == a.effect)]
    if not conflicts:
        return None
    return ("can not both modify and remove the following taint(s) in the same command: "
            + ", ".join(conflicts))


@dataclass(frozen=True)
class ImageUpdate:
    """`container=image`; container `*` means every container."""

    container: str
    image: str


def is_pair_arg(arg: str) -> bool:
    """kubectl's test for a `name=value` / `name-` argument after the resources."""
    return ("=" in arg and not arg.startswith("=")) or (arg.endswith("-") and arg != "-")


def parse_image_updates(args: list[str]) -> tuple[ImageUpdate, ...]:
    """Parse `container=image` pairs as kubectl set image does (later pairs win)."""
    pairs: dict[str, str] = {}
    invalid: list[str] = []
    for arg in args:
        if "=" in arg and not arg.startswith("="):
            name, _, image = arg.partition("=")
            pairs[name] = image
        else:
            invalid.append(arg)
    if invalid:
        raise ValueError(f"invalid image format: {', '.join(invalid)}")
    return tuple(ImageUpdate(c, i) for c, i in pairs.items())


_TEMPLATE_FORMATS = ("go-template", "go-template-file", "template", "templatefile",
                     "jsonpath", "jsonpath-as-json", "jsonpath-file")
_CASE_FREE_FORMATS = ("json", "yaml", "kyaml", "name")


def parse_output(text: str, template: str, allowed: tuple[str, ...]) -> tuple[str, str | None]:
    """Split `-o` into (format, argument), as kubectl's printer flags match it.

    `json`, `yaml`, `kyaml` and `name` ignore case; the others do not. Raises
    ValueError with kubectl's message for an unknown format or a missing template.
    """
    if not text and template and "go-template" in allowed:
        text = "go-template"
    if not text:
        return "", None
    if text.lower() in _CASE_FREE_FORMATS and text.lower() in allowed:
        return text.lower(), None
    if text == "wide" and "wide" in allowed:
        return "wide", None
    for fmt in _TEMPLATE_FORMATS:
        if fmt not in allowed:
            continue
        if text == fmt or text.startswith(fmt + "="):
            value = text[len(fmt) + 1:] or template
            if not value:
                raise ValueError("template format specified but no template given")
            return fmt, value
    for fmt in ("custom-columns", "custom-columns-file"):
        if fmt in allowed and (text == fmt or text.startswith(fmt + "=")):
            spec = text[len(fmt) + 1:]
            if not spec:
                raise ValueError("custom-columns format specified but no custom columns given")
            if fmt == "custom-columns":
                for column in spec.split(","):
                    if len(column.split(":")) != 2:
                        raise ValueError(f"unexpected custom-columns spec: {column}, "
                                         "expected <header>:<json-path-expr>")
            return fmt, spec
    raise ValueError(f'unable to match a printer suitable for the output format "{text}", '
                     f"allowed formats are: {','.join(allowed)}")


def dry_run_mode(text: str) -> tuple[str, str | None]:
    """--dry-run as kubectl reads it: (none|client|server, deprecation warning or None).

    A bare `--dry-run` (pflag gives "unchanged") and the old booleans still work, with
    the warning kubectl logs.
    """
    try:
        as_bool = parse_go_bool(text)
    except ValueError:
        if text == "unchanged":
            return "client", ("--dry-run is deprecated and can be replaced with "
                              "--dry-run=client.")
        if text not in ("none", "server", "client"):
            raise ValueError(f'Invalid dry-run value ({text}). Must be "none", "server", '
                             'or "client".') from None
        return text, None
    mode = "client" if as_bool else "none"
    return mode, (f"--dry-run={text} is deprecated (boolean value) and can be replaced with "
                  f"--dry-run={mode}.")


def cascade_mode(text: str) -> tuple[str, str | None]:
    """--cascade as kubectl reads it: (background|foreground|orphan, warning or None)."""
    try:
        as_bool = parse_go_bool(text)
    except ValueError:
        if text not in ("background", "foreground", "orphan"):
            raise ValueError(f'invalid cascade value ({text}). Must be "background", '
                             '"foreground", or "orphan"') from None
        return text, None
    mode = "background" if as_bool else "orphan"
    return mode, (f"warning: --cascade={text} is deprecated (boolean value) and can be "
                  f"replaced with --cascade={mode}.")
