"""Verb handlers, one module per verb family; HANDLERS maps a command path to its handler."""

from __future__ import annotations

from dstutor.kubectl.commands import (
    apply,
    delete,
    describe,
    edit,
    get,
    info,
    node,
    patch,
    rollout,
)
from dstutor.kubectl.commands._base import Handler

HANDLERS: dict[str, Handler] = {
    "get": get.run_get,
    "describe": describe.run_describe,
    "apply": apply.run_apply,
    "create": apply.run_create,
    "create namespace": apply.run_create_namespace,
    "edit": edit.run_edit,
    "patch": patch.run_patch,
    "delete": delete.run_delete,
    "label": node.run_label,
    "taint": node.run_taint,
    "cordon": node.run_cordon,
    "uncordon": node.run_uncordon,
    "drain": node.run_drain,
    "rollout status": rollout.run_status,
    "rollout history": rollout.run_history,
    "rollout undo": rollout.run_undo,
    "rollout restart": rollout.run_restart,
    "rollout pause": rollout.run_pause,
    "rollout resume": rollout.run_resume,
    "set image": rollout.run_set_image,
    "explain": info.run_explain,
    "api-resources": info.run_api_resources,
    "version": info.run_version,
    "scale": info.run_scale,
    "create deployment": info.run_create_deployment,
}
