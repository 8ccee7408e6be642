"""How a learner's command line compares with a step's own: same command, same shape, and
what sets them apart, said in the learner's words."""

from __future__ import annotations

import shlex

from dstutor.errors import DstutorError
from dstutor.kubectl import is_kubectl_line, parse_kubectl


def shape(line: str) -> tuple[str, frozenset[str]] | None:
    """A kubectl line's verb and resource kinds (`delete pod x` is `delete pods -l y`)."""
    if not is_kubectl_line(line):
        return None
    try:
        cmd = parse_kubectl(line)
    except DstutorError:
        return None
    return cmd.path, frozenset(t.type.kind for t in cmd.targets)


def same_command(a: str, b: str) -> bool:
    """The same words on the first line, and the same heredoc body (if any)."""
    body_a = [x.strip() for x in a.strip().split("\n")[1:]]
    body_b = [x.strip() for x in b.strip().split("\n")[1:]]
    return words(a) == words(b) and body_a == body_b


def words(line: str) -> list[str]:
    try:
        return shlex.split(line.split("\n", 1)[0])
    except ValueError:
        return line.split()


def difference(theirs: str, reference: str) -> str:
    """What sets the learner's command apart from the step's, in its words."""
    mine, want = words(theirs), words(reference)
    if mine == want:  # the same command line: the heredoc manifests differ
        mine = [x.strip() for x in theirs.strip().split("\n")[1:] if x.strip()]
        want = [x.strip() for x in reference.strip().split("\n")[1:] if x.strip()]
    extra = [w for w in mine if w not in want]
    missing = [w for w in want if w not in mine]
    if extra and missing:
        return (f"it has {', '.join(f'`{w}`' for w in extra)} where the step's has "
                f"{', '.join(f'`{w}`' for w in missing)}")
    if missing:
        return f"it lacks {', '.join(f'`{w}`' for w in missing)}"
    if extra:
        return f"it adds {', '.join(f'`{w}`' for w in extra)}"
    return "it is a different command"
