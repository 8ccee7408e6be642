"""The fixed vocabulary of lesson checks: each kind states its scope and says what is missing.

A check reads the cluster (and the step's command log or quiz answer) and never changes
anything. Its outcome message is written for the learner: what is still missing, and
where a placement rule is involved, why (using the controller's own placement gates).
"""

from __future__ import annotations

# Each kind module registers its kinds into CHECKS when imported (nothing reads CHECKS in
# order: lists of kinds are sorted), so importing this module gives the whole vocabulary.
from dstutor.lessons import _commands, _history, _nodes, _objects  # noqa: F401
from dstutor.lessons.checkkind import (
    CHECKS,
    CheckKind,
    CommandRecord,
    Outcome,
    World,
    register,
    run_check,
)

__all__ = ["CHECKS", "CheckKind", "CommandRecord", "Outcome", "World", "register", "run_check"]
