"""Parse one kubectl line into a KubectlCommand, refusing bad lines with kubectl's own errors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from dstutor.errors import ParseError
from dstutor.kubectl import verbs as _verbs
from dstutor.kubectl.builder import ResourceTarget
from dstutor.kubectl.lexer import FlagError, FlagLike, Word, scan_flags, split_command
from dstutor.kubectl.parsestate import Context, KubectlParseError, usage_error
from dstutor.kubectl.registry import (
    GLOBAL_FLAGS,
    KUBECTL_COMMANDS,
    ArgKind,
    FlagSpec,
    FlagValue,
    VerbSpec,
    get_verb,
    help_text,
    iter_verbs,
)
from dstutor.kubectl.resources import ResourceType
from dstutor.kubectl.specs import ImageUpdate, LabelChange, TaintChange, go_quote

__all__ = ["KubectlCommand", "KubectlParseError", "is_kubectl_line", "parse_kubectl"]

KUBECTL_PREFIXES = ("kubectl", "k")

ROOT = VerbSpec("", "kubectl controls the Kubernetes cluster manager",
                "kubectl [flags] [options]", ArgKind.SUBCOMMAND)

_DAEMONSET_WORDS = ("daemonset", "daemonsets", "ds")
CREATE_DAEMONSET_HINT = ("kubectl cannot create a DaemonSet from the command line; write a "
                         "manifest and run kubectl apply -f FILE")


@dataclass(frozen=True)
class KubectlCommand:
    """A parsed kubectl line; handlers read it, and nothing in it has touched the cluster."""

    verb: str  # "" for bare `kubectl` (help)
    subverb: str | None = None  # rollout status, set image, create namespace ...
    targets: tuple[ResourceTarget, ...] = ()
    flags: Mapping[str, FlagValue] = field(default_factory=lambda: MappingProxyType({}))
    given: frozenset[str] = frozenset()  # flags the user typed (kubectl's "Changed")
    args: tuple[str, ...] = ()  # positional words after the verb, as typed
    labels: tuple[LabelChange, ...] = ()
    taints: tuple[TaintChange, ...] = ()
    images: tuple[ImageUpdate, ...] = ()
    filenames: tuple[str, ...] = ()
    stdin: str | None = None
    namespace: str | None = None  # -n/--namespace; None means the current namespace
    all_namespaces: bool = False
    selector: str = ""
    field_selector: str = ""
    output: str = ""  # wide, yaml, json, name, jsonpath, custom-columns, go-template ...
    output_arg: str | None = None  # the template / column spec after `=`
    dry_run: str = "none"  # none | client | server
    help: bool = False  # -h/--help or `kubectl help VERB`: show help, run nothing
    warnings: tuple[str, ...] = ()  # stderr lines kubectl prints before acting
    hint: str | None = None  # a tutor note for the shell to add below the output
    line: str = ""

    @property
    def path(self) -> str:
        """`get`, `rollout status`: the registry key of this command."""
        return f"{self.verb} {self.subverb}" if self.subverb else self.verb

    @property
    def spec(self) -> VerbSpec:
        return get_verb(self.path) or ROOT

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.targets if t.name is not None)

    @property
    def resource_types(self) -> tuple[ResourceType, ...]:
        seen: list[ResourceType] = []
        for target in self.targets:
            if target.type not in seen:
                seen.append(target.type)
        return tuple(seen)

    def flag(self, name: str) -> FlagValue:
        """The typed value of flag `name` (its default when not typed)."""
        return self.flags[name]

    def is_set(self, name: str) -> bool:
        return name in self.given


def is_kubectl_line(line: str) -> bool:
    """True when `line` is meant for kubectl (starts with `kubectl` or `k`)."""
    words = line.split(None, 1)
    return bool(words) and words[0] in KUBECTL_PREFIXES


def _levenshtein(a: str, b: str) -> int:
    a, b = a.lower(), b.lower()
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def suggestions_for(word: str) -> list[str]:
    """cobra's "Did you mean this?" list: within two edits, or a prefix, in kubectl's order."""
    return [c for c in KUBECTL_COMMANDS
            if _levenshtein(word, c) <= 2 or c.lower().startswith(word.lower())]


def _unknown_command(word: Word, own_words: frozenset[str]) -> KubectlParseError:
    message = f'error: unknown command "{word.text}" for "kubectl"'
    suggested = suggestions_for(word.text)
    if suggested:
        message += "\n\nDid you mean this?\n" + "\n".join(f"\t{s}" for s in suggested)
    hint = None
    if word.text in own_words:  # dstutor's own command, typed after `kubectl` by mistake
        hint = f"`{word.text}` is a dstutor command, not kubectl: type it without `kubectl`."
    return KubectlParseError(message, word.column, hint=hint)


def _takes_value(flag: FlagLike) -> bool:
    return flag.no_opt_default is None


def _global(word: str) -> FlagSpec | None:
    if word.startswith("--"):
        name = word[2:].partition("=")[0]
        return next((f for f in GLOBAL_FLAGS if f.name == name), None)
    return next((f for f in GLOBAL_FLAGS if f.short == word[1:2]), None)


def _split_leading_flags(words: list[Word]) -> tuple[list[Word], list[Word]]:
    """Flags before the verb (`kubectl -n kube-system get pods`), and the words after them."""
    lead: list[Word] = []
    i = 0
    while i < len(words) and words[i].text.startswith("-") and len(words[i].text) > 1:
        word = words[i]
        flag = _global(word.text)
        if flag is None:
            if any(not w.text.startswith("-") for w in words[i + 1:]):
                # cobra cannot find the verb, so kubectl's plugin lookup complains.
                raise KubectlParseError(
                    f"Error: flags cannot be placed before plugin name: {word.text}",
                    word.column)
            break
        lead.append(word)
        inline = "=" in word.text or (not word.text.startswith("--") and len(word.text) > 2)
        if _takes_value(flag) and not inline and i + 1 < len(words):
            lead.append(words[i + 1])
            i += 1
        i += 1
    return lead, words[i:]


def _first_positional(words: list[Word], spec: VerbSpec) -> int | None:
    """Index of the first word that is not a flag or a flag's value (cobra's stripFlags)."""
    i = 0
    while i < len(words):
        text = words[i].text
        if text == "--":
            return i + 1 if i + 1 < len(words) else None
        if not text.startswith("-") or text == "-":
            return i
        if "=" not in text:
            flag = (spec.find_long(text[2:]) if text.startswith("--")
                    else spec.find_short(text[1:2]) if len(text) == 2 else None)
            if flag is not None and _takes_value(flag):
                i += 1
        i += 1
    return None


def _scan(ctx: Context, words: list[Word]) -> list[Word]:
    """Read every flag of `words` into ctx (typed, in order); return the positional words."""
    spec = ctx.spec

    def on_value(flag: FlagLike, text: str, column: int) -> None:
        assert isinstance(flag, FlagSpec)
        try:
            value = flag.convert(text, ctx.flags.get(flag.name))
        except ValueError as exc:
            raise KubectlParseError(
                f"error: invalid argument {go_quote(text)} for \"{flag.display}\" flag: {exc}"
                f"\nSee '{ctx.command_path} --help' for usage.", column) from None
        ctx.flags[flag.name] = value
        ctx.given.add(flag.name)

    try:
        _, positional = scan_flags(words, spec.find_long, spec.find_short, on_value)
    except FlagError as exc:
        raise KubectlParseError(
            f"error: {exc}\nSee '{ctx.command_path} --help' for usage.", exc.column) from None
    return positional


def _help_command(ctx: Context) -> KubectlCommand:
    verb, _, sub = ctx.spec.path.partition(" ")
    return KubectlCommand(verb=verb, subverb=sub or None, flags=MappingProxyType(ctx.flags),
                          given=frozenset(ctx.given), help=True, line=ctx.line)


def _resolve_verb(rest: list[Word], lead: list[Word], own_words: frozenset[str]
                  ) -> tuple[VerbSpec, list[Word]]:
    head = rest[0]
    spec = get_verb(head.text)
    if spec is None:
        if head.text in KUBECTL_COMMANDS:
            supported = ", ".join(v.path for v in iter_verbs())
            raise KubectlParseError(
                f"error: dstutor does not simulate `kubectl {head.text}`", head.column,
                hint=f"The kubectl verbs dstutor knows: {supported}.")
        raise _unknown_command(head, own_words)
    words = lead + rest[1:]
    if spec.subcommands:
        index = _first_positional(words, spec)
        if index is not None:
            sub = spec.subcommand(words[index].text)
            if sub is not None:
                return sub, words[:index] + words[index + 1:]
    return spec, words


def parse_kubectl(line: str, stdin: str | None = None, *,
                  own_words: frozenset[str] = frozenset()) -> KubectlCommand:
    """Parse a `kubectl ...` / `k ...` line (a heredoc may follow on later lines).

    `stdin` is what `-f -` reads when the line has no heredoc. Raises KubectlParseError
    (a ParseError) whose str() is exactly what kubectl prints on stderr. `own_words` are
    dstutor's own commands where the line was typed (the shell's registry, a lesson's
    words): `kubectl node add` gets kubectl's error and a hint to drop `kubectl`.
    """
    lexed = split_command(line)
    words = list(lexed.words)
    if not words or words[0].text not in KUBECTL_PREFIXES:
        raise KubectlParseError("error: not a kubectl command (start the line with kubectl)", 0)
    lead, rest = _split_leading_flags(words[1:])
    if not rest or rest[0].text == "help":
        ctx = Context(ROOT, line)
        topic = [w.text for w in rest[1:]] if rest else []
        _scan(ctx, lead + [w for w in rest[1:] if w.text.startswith("-")])
        found = get_verb(" ".join(topic[:2])) or get_verb(" ".join(topic[:1]))
        ctx.spec = found or ROOT
        return _help_command(ctx)
    spec, words = _resolve_verb(rest, lead, own_words)
    ctx = Context(spec, line)
    ctx.stdin = lexed.stdin if lexed.stdin is not None else stdin
    ctx.warnings.extend(lexed.warnings)
    try:
        if spec.path == "create":
            first = _first_positional(words, spec)
            if first is not None and words[first].text in _DAEMONSET_WORDS:
                ctx.hint = CREATE_DAEMONSET_HINT
        positional = _scan(ctx, words)
        if ctx.flags.get("help"):
            return _help_command(ctx)
        ctx.positional = positional
        _check_supported(ctx)
        if spec.args is ArgKind.SUBCOMMAND:
            _subcommand_missing(ctx)
        _verbs.run_checks(ctx)
    except ParseError as exc:
        if ctx.hint and isinstance(exc, KubectlParseError) and exc.hint is None:
            exc.hint = ctx.hint
        raise
    return _build(ctx)


def _check_supported(ctx: Context) -> None:
    for name in ctx.given:
        spec = ctx.spec.find_long(name)
        if spec is not None and not spec.supported:
            raise KubectlParseError(
                f"error: dstutor does not simulate the --{name} flag",
                hint=f"{spec.help[:1].upper()}{spec.help[1:]}." if spec.help else None)


def _subcommand_missing(ctx: Context) -> None:
    if ctx.positional:
        # cobra reports every remaining argument as the "command".
        typed = " ".join(ctx.args)
        raise usage_error(ctx, f"unknown command {go_quote(typed)}", ctx.positional[0].column)
    raise KubectlParseError(help_text(ctx.spec.path))


def _build(ctx: Context) -> KubectlCommand:
    verb, _, sub = ctx.spec.path.partition(" ")
    namespace = ctx.flags.get("namespace")
    return KubectlCommand(
        verb=verb, subverb=sub or None, targets=tuple(ctx.targets),
        flags=MappingProxyType(dict(ctx.flags)), given=frozenset(ctx.given),
        args=tuple(w.text for w in ctx.positional), labels=ctx.labels, taints=ctx.taints,
        images=ctx.images, filenames=ctx.filenames, stdin=ctx.stdin,
        namespace=namespace if isinstance(namespace, str) and namespace else None,
        all_namespaces=bool(ctx.flags.get("all-namespaces", False)),
        selector=str(ctx.flags.get("selector", "")),
        field_selector=str(ctx.flags.get("field-selector", "")),
        output=ctx.output, output_arg=ctx.output_arg,
        dry_run=str(ctx.flags.get("dry-run", "none")), warnings=tuple(ctx.warnings),
        hint=ctx.hint, line=ctx.line)
