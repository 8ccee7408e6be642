"""Which layer a line is for, and a kubectl line's verb: read from its words alone,
before anything parses it (Session routes by them, the lessons ask whether a line may
change the cluster). Session re-exports them where callers have always found them."""

from __future__ import annotations

# The REPL contract: a line whose first word is one of these is for kubectl.
KUBECTL_WORDS = ("kubectl", "k")


def first_word(text: str) -> str:
    """The first word of a command's first line (enough to route it)."""
    words = text.split("\n", 1)[0].split(None, 1)
    return words[0] if words else ""


def is_kubectl_line(text: str) -> bool:
    """Whether a line is for kubectl. The rule is the REPL contract: `kubectl` or `k` first."""
    return first_word(text) in KUBECTL_WORDS


def kubectl_verb(text: str) -> str:
    """`rollout status` / `get` / ``: the verb path of a kubectl line, ignoring flags."""
    words: list[str] = []
    skip = False
    for word in text.split("\n", 1)[0].split()[1:]:
        if skip:
            skip = False
        elif word.startswith("-"):
            # A global flag before the verb may take the next word as its value.
            skip = "=" not in word and word in _VALUE_FLAGS and not words
        else:
            words.append(word)
    if not words:
        return ""
    # Only rollout has read-only subcommands; others are decided by their first word.
    if words[0] == "rollout" and len(words) > 1:
        return f"{words[0]} {words[1]}"
    return words[0]


_VALUE_FLAGS = frozenset({"-n", "--namespace", "--context", "--cluster", "--kubeconfig", "-s",
                          "--server", "--user", "--token", "-v", "--v", "--request-timeout"})
