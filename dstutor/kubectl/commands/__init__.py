"""Verb handlers, one module per verb family; HANDLERS maps a command path to its handler."""

from __future__ import annotations

from dstutor.kubectl.commands._base import Handler
from dstutor.kubectl.commands.get import run_get

HANDLERS: dict[str, Handler] = {
    "get": run_get,
}
