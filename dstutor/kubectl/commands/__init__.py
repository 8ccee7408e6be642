"""Verb handlers, one module per verb family.

Each handler registers itself on its verb's spec with `@handles("get")` (kubectl/registry.py),
so importing this package is what makes every verb runnable; dispatch reads `spec.handler`.
"""

from __future__ import annotations

from dstutor.kubectl.commands import (  # noqa: F401 - imported for their registrations
    annotate,
    apply,
    delete,
    describe,
    edit,
    events,
    get,
    info,
    logs,
    node,
    patch,
    replace,
    rollout,
    run,
    top,
)
