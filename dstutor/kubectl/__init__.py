"""kubectl lines: lexing, the verb/flag registry, resource types and the pure parser."""

from __future__ import annotations

from dstutor.kubectl.builder import ResourceTarget
from dstutor.kubectl.parser import KubectlCommand, is_kubectl_line, parse_kubectl
from dstutor.kubectl.parsestate import KubectlParseError
from dstutor.kubectl.registry import FlagSpec, VerbSpec, flag_names, get_verb, iter_verbs
from dstutor.kubectl.resources import ResourceType, resolve_resource, resolve_resources
from dstutor.kubectl.specs import ImageUpdate, LabelChange, TaintChange

__all__ = [
    "FlagSpec", "ImageUpdate", "KubectlCommand", "KubectlParseError", "LabelChange",
    "ResourceTarget", "ResourceType", "TaintChange", "VerbSpec", "flag_names", "get_verb",
    "is_kubectl_line", "iter_verbs", "parse_kubectl", "resolve_resource", "resolve_resources",
]
