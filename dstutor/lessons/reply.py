"""What the lesson runner answers to one line: text for stdout and stderr, in order."""

from __future__ import annotations

from dataclasses import dataclass, field


def joined(chunks: list[tuple[str, str]]) -> tuple[str, str]:
    """The stdout and stderr the chunks make."""
    return ("".join(t for s, t in chunks if s == "stdout"),
            "".join(t for s, t in chunks if s == "stderr"))


@dataclass
class Reply:
    stdout: str = ""
    stderr: str = ""
    exit_code: int = 0
    finished: bool = False  # the learner quit
    # (stream, text) in the order written, so kubectl's error comes before the tutor's
    # note about it; empty means stdout then stderr.
    chunks: list[tuple[str, str]] = field(default_factory=list)

    def parts(self) -> list[tuple[str, str]]:
        if self.chunks:
            return self.chunks
        return [(n, t) for n, t in (("stdout", self.stdout), ("stderr", self.stderr)) if t]

    @classmethod
    def note(cls, text: str, kind: str = "tutor") -> Reply:
        """Lesson feedback: plain stdout in script mode, coloured by kind at a terminal."""
        return cls(text, chunks=[(kind, text)] if text else [])

    def add(self, other: Reply) -> Reply:
        return Reply(self.stdout + other.stdout, self.stderr + other.stderr,
                     max(self.exit_code, other.exit_code), self.finished or other.finished,
                     self.parts() + other.parts())
