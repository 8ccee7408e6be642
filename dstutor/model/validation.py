"""API-server validation, returning causes worded exactly as the server words them.

``validate(obj, old)`` runs after defaulting and returns ``<path>: <Kind>:
<detail>`` strings in upstream's order; the caller wraps them in
``dstutor.errors.Invalid``. Rejected values render as current servers render
them: bare numbers, Go-quoted strings, JSON for maps and structs. Structs that
upstream validates in their internal (untagged) form print with Go field names,
as a real server does.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from dstutor.errors import CommandError
from dstutor.model.names import (
    field_duplicate,
    field_forbidden,
    field_invalid,
    field_not_supported,
    field_required,
    validate_annotation_keys,
    validate_dns_label,
    validate_dns_subdomain,
    validate_label_map,
    validate_label_value,
    validate_qualified_name,
)
from dstutor.model.podupdate import validate_pod_update
from dstutor.model.priority import validate_priority_class
from dstutor.model.quantity import parse_quantity
from dstutor.model.selectors import selector_from_dict
from dstutor.model.taints import validate_node_taints, validate_tolerations

__all__ = ["validate"]

_NEGATIVE = "must be greater than or equal to 0"
_IMMUTABLE = "field is immutable"
_MISMATCH = "`selector` does not match template `labels`"
_MAX_INT32 = 2**31 - 1
_PERCENT_MSG = (
    "a valid percent string must be a numeric string followed by an ending '%' "
    "(e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"
)
_NAMESPACED = {"Pod", "DaemonSet", "Deployment", "ControllerRevision", "Event"}
_NAME_RULES = {"Namespace": validate_dns_label}

Errs = list[str]


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


# --- metadata -------------------------------------------------------------------


def _mask_trailing_dash(name: str) -> str:
    # generateName prefixes may end in '-'. Upstream swaps the last two characters
    # for "a" before validating (an off-by-one kept for compatibility); so do we.
    return name[:-2] + "a" if len(name) > 1 and name.endswith("-") else name


def _validate_meta(obj: dict[str, Any], kind: str) -> Errs:
    meta = _dict(obj.get("metadata"))
    name_rule = _NAME_RULES.get(kind, validate_dns_subdomain)
    errs: Errs = []
    name = meta.get("name") or ""
    generate = meta.get("generateName") or ""
    if generate:
        errs += [field_invalid("metadata.generateName", generate, m)
                 for m in name_rule(_mask_trailing_dash(generate))]
    if not name:
        errs.append(field_required("metadata.name", "name or generateName is required"))
    else:
        msgs = name_rule(name)
        if msgs:
            errs += [field_invalid("metadata.name", name, m) for m in msgs]
    namespace = meta.get("namespace")
    if namespace and kind in _NAMESPACED:
        msgs = validate_dns_label(namespace)
        if msgs:
            errs += [field_invalid("metadata.namespace", namespace, m) for m in msgs]
    if "labels" in meta:
        errs += validate_label_map(meta["labels"], "metadata.labels")
    if "annotations" in meta:
        errs += validate_annotation_keys(meta["annotations"], "metadata.annotations")
    return errs


# --- selectors ------------------------------------------------------------------


def _selector_value(sel: dict[str, Any]) -> dict[str, Any]:
    """metav1.LabelSelector as encoding/json prints it (empty parts omitted)."""
    out: dict[str, Any] = {}
    if sel.get("matchLabels"):
        out["matchLabels"] = dict(sorted(sel["matchLabels"].items()))
    exprs = []
    for expr in _list(sel.get("matchExpressions")):
        item = {"key": _dict(expr).get("key", ""), "operator": _dict(expr).get("operator", "")}
        if _dict(expr).get("values"):
            item["values"] = expr["values"]
        exprs.append(item)
    if exprs:
        out["matchExpressions"] = exprs
    return out


def _validate_label_selector(sel: Any, path: str) -> Errs:
    if not isinstance(sel, dict):
        return []
    errs = validate_label_map(sel.get("matchLabels"), f"{path}.matchLabels")
    for i, expr in enumerate(_list(sel.get("matchExpressions"))):
        p = f"{path}.matchExpressions[{i}]"
        expr = _dict(expr)
        op, values = expr.get("operator", ""), _list(expr.get("values"))
        if op in ("In", "NotIn"):
            if not values:
                errs.append(field_required(f"{p}.values", "must be specified when `operator` is 'In' or 'NotIn'"))
        elif op in ("Exists", "DoesNotExist"):
            if values:
                errs.append(field_forbidden(f"{p}.values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
        else:
            errs.append(field_invalid(f"{p}.operator", op, "not a valid selector operator"))
        key = expr.get("key", "")
        errs += [field_invalid(f"{p}.key", key, m) for m in validate_qualified_name(key)]
        for j, value in enumerate(values):
            errs += [field_invalid(f"{p}.values[{j}]", value, m) for m in validate_label_value(str(value))]
    return errs


def _selector_matches_template(sel: Any, template: dict[str, Any]) -> bool | None:
    """None when the selector cannot be converted (upstream then skips the check)."""
    try:
        selector = selector_from_dict(sel if isinstance(sel, dict) else None)
    except CommandError:
        return None
    return selector.matches(_dict(template.get("metadata")).get("labels"))


def _template_labels_value(template: dict[str, Any]) -> Any:
    labels = _dict(template.get("metadata")).get("labels")
    return dict(sorted(labels.items())) if isinstance(labels, dict) else None


# --- pod spec -------------------------------------------------------------------


def _validate_resources(res: Any, path: str) -> Errs:
    res = _dict(res)
    errs: Errs = []
    parsed: dict[str, dict[str, Fraction]] = {}
    for part in ("limits", "requests"):
        parsed[part] = {}
        for name, qty in sorted(_dict(res.get(part)).items()):
            try:
                amount = parse_quantity(qty).value
            except CommandError:
                continue  # a real server rejects these while decoding, before validation
            parsed[part][name] = amount
            if amount < 0:
                errs.append(field_invalid(f"{path}.{part}[{name}]", str(qty), _NEGATIVE))
    for name, amount in parsed["requests"].items():
        limit = parsed["limits"].get(name)
        if limit is not None and amount > limit:
            shown = _dict(res.get("limits"))[name]
            errs.append(field_invalid(f"{path}.requests", str(_dict(res.get("requests"))[name]),
                                      f"must be less than or equal to {name} limit of {shown}"))
    return errs


def _validate_ports(ports: Any, path: str) -> Errs:
    errs: Errs = []
    for i, port in enumerate(_list(ports)):
        p, port = f"{path}[{i}]", _dict(port)
        number = port.get("containerPort") or 0
        if not number:
            errs.append(field_required(f"{p}.containerPort"))
        elif not 1 <= number <= 65535:
            errs.append(field_invalid(f"{p}.containerPort", number, "must be between 1 and 65535, inclusive"))
        host = port.get("hostPort") or 0
        if host and not 1 <= host <= 65535:
            errs.append(field_invalid(f"{p}.hostPort", host, "must be between 1 and 65535, inclusive"))
        protocol = port.get("protocol") or ""
        if not protocol:
            errs.append(field_required(f"{p}.protocol"))
        elif protocol not in ("SCTP", "TCP", "UDP"):
            errs.append(field_not_supported(f"{p}.protocol", protocol, ["SCTP", "TCP", "UDP"]))
    return errs


def _validate_container(ctr: dict[str, Any], path: str, volumes: set[str]) -> Errs:
    errs: Errs = []
    name = ctr.get("name") or ""
    if not name:
        errs.append(field_required(f"{path}.name"))
    else:
        errs += [field_invalid(f"{path}.name", name, m) for m in validate_dns_label(name)]
    if not ctr.get("image"):
        errs.append(field_required(f"{path}.image"))
    policy = ctr.get("terminationMessagePolicy") or ""
    if not policy:
        errs.append(field_required(f"{path}.terminationMessagePolicy"))
    elif policy not in ("File", "FallbackToLogsOnError"):
        errs.append(field_not_supported(f"{path}.terminationMessagePolicy", policy, ["File", "FallbackToLogsOnError"]))
    errs += _validate_ports(ctr.get("ports"), f"{path}.ports")
    for i, mount in enumerate(_list(ctr.get("volumeMounts"))):
        p, mount = f"{path}.volumeMounts[{i}]", _dict(mount)
        mount_name = mount.get("name") or ""
        if not mount_name:
            errs.append(field_required(f"{p}.name"))
        elif mount_name not in volumes:
            errs.append(f'{p}.name: Not found: "{mount_name}"')
        if not mount.get("mountPath"):
            errs.append(field_required(f"{p}.mountPath"))
    pull = ctr.get("imagePullPolicy") or ""
    if not pull:
        errs.append(field_required(f"{path}.imagePullPolicy"))
    elif pull not in ("Always", "IfNotPresent", "Never"):
        errs.append(field_not_supported(f"{path}.imagePullPolicy", pull, ["Always", "IfNotPresent", "Never"]))
    errs += _validate_resources(ctr.get("resources"), f"{path}.resources")
    return errs


def _validate_volumes(volumes: Any, path: str) -> tuple[Errs, set[str]]:
    errs: Errs = []
    names: set[str] = set()
    for i, vol in enumerate(_list(volumes)):
        p, vol = f"{path}[{i}]", _dict(vol)
        name = vol.get("name") or ""
        if not name:
            errs.append(field_required(f"{p}.name"))
        else:
            msgs = validate_dns_label(name)
            errs += [field_invalid(f"{p}.name", name, m) for m in msgs]
            if name in names:
                errs.append(field_duplicate(f"{p}.name", name))
            elif not msgs:
                names.add(name)
        host = vol.get("hostPath")
        if isinstance(host, dict) and not host.get("path"):
            errs.append(field_required(f"{p}.hostPath.path"))
    return errs, names


def validate_pod_spec(spec: Any, path: str, is_pod: bool = False) -> Errs:
    spec = _dict(spec)
    errs, volumes = _validate_volumes(spec.get("volumes"), f"{path}.volumes")
    containers = _list(spec.get("containers"))
    if not containers:
        errs.append(field_required(f"{path}.containers"))
    seen: set[str] = set()
    for i, ctr in enumerate(containers):
        ctr = _dict(ctr)
        errs += _validate_container(ctr, f"{path}.containers[{i}]", volumes)
        name = ctr.get("name") or ""
        if name in seen:
            errs.append(field_duplicate(f"{path}.containers[{i}].name", name))
        seen.add(name)
    for i, ctr in enumerate(_list(spec.get("initContainers"))):
        errs += _validate_container(_dict(ctr), f"{path}.initContainers[{i}]", volumes)
    if spec.get("hostNetwork"):
        # Templates may leave hostPort unset; pods have it defaulted beforehand.
        for i, ctr in enumerate(containers):
            for j, port in enumerate(_list(_dict(ctr).get("ports"))):
                host = _dict(port).get("hostPort") or 0
                if (is_pod or host) and host != _dict(port).get("containerPort"):
                    errs.append(field_invalid(f"{path}.containers[{i}].ports[{j}].hostPort", host,
                                              "must match `containerPort` when `hostNetwork` is true"))
    restart = spec.get("restartPolicy") or ""
    if not restart:
        errs.append(field_required(f"{path}.restartPolicy"))
    elif restart not in ("Always", "OnFailure", "Never"):
        errs.append(field_not_supported(f"{path}.restartPolicy", restart, ["Always", "OnFailure", "Never"]))
    dns = spec.get("dnsPolicy") or ""
    dns_values = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"]
    if not dns:
        errs.append(field_required(f"{path}.dnsPolicy"))
    elif dns not in dns_values:
        errs.append(field_not_supported(f"{path}.dnsPolicy", dns, dns_values))
    errs += validate_label_map(spec.get("nodeSelector"), f"{path}.nodeSelector")
    node_name = spec.get("nodeName") or ""
    if node_name:
        errs += [field_invalid(f"{path}.nodeName", node_name, m) for m in validate_dns_subdomain(node_name)]
    deadline = spec.get("activeDeadlineSeconds")
    if deadline is not None and not 1 <= deadline <= _MAX_INT32:
        errs.append(field_invalid(f"{path}.activeDeadlineSeconds", deadline,
                                  f"must be between 1 and {_MAX_INT32}, inclusive"))
    errs += validate_tolerations(spec.get("tolerations"), f"{path}.tolerations")
    return errs


def _validate_template_for_controller(spec: dict[str, Any], controller: str) -> Errs:
    """Pod-template checks plus the rules every workload controller adds."""
    template = _dict(spec.get("template"))
    meta = _dict(template.get("metadata"))
    pod_spec = _dict(template.get("spec"))
    errs = validate_label_map(meta.get("labels"), "spec.template.labels")
    errs += validate_annotation_keys(meta.get("annotations"), "spec.template.annotations")
    errs += validate_pod_spec(pod_spec, "spec.template.spec")
    restart = pod_spec.get("restartPolicy") or ""
    if restart != "Always":
        errs.append(field_not_supported("spec.template.spec.restartPolicy", restart, ["Always"]))
    if pod_spec.get("activeDeadlineSeconds") is not None:
        errs.append(field_forbidden("spec.template.spec.activeDeadlineSeconds",
                                    f"activeDeadlineSeconds in {controller} is not Supported"))
    return errs


# --- int-or-percent (rolling update knobs) ---------------------------------------


def _positive_int_or_percent(value: Any, path: str) -> Errs:
    """ValidatePositiveIntOrPercent: a well-formed percent or a non-negative int."""
    if isinstance(value, str):
        return [] if _percent(value) is not None else [field_invalid(path, value, _PERCENT_MSG)]
    if isinstance(value, int) and not isinstance(value, bool):
        return [field_invalid(path, value, _NEGATIVE)] if value < 0 else []
    # The detail really does contain "%%": upstream passes it as a plain string.
    return [field_invalid(path, value, "must be an integer or percentage (e.g '5%%')")]


def _not_over_100_percent(value: Any, path: str) -> Errs:
    pct = _percent(value) if isinstance(value, str) else None
    if pct is not None and pct > 100:
        return [field_invalid(path, value, "must not be greater than 100%")]
    return []


def _strategy_value(kind: str, rolling: Any) -> dict[str, Any]:
    # Strategies are validated in their internal form, which has no JSON tags.
    shown_rolling = None if rolling is None else {
        "MaxUnavailable": _dict(rolling).get("maxUnavailable"),
        "MaxSurge": _dict(rolling).get("maxSurge"),
    }
    return {"Type": kind, "RollingUpdate": shown_rolling}


def _percent(value: str) -> int | None:
    body = value[:-1]
    if value.endswith("%") and body.isascii() and body.isdigit():
        return int(body)
    return None


def _scalar_of(value: Any) -> int:
    """intstr: a percent counts as its number, other strings as Atoi (0 on failure)."""
    if isinstance(value, str):
        pct = _percent(value)
        if pct is not None:
            return pct
        try:
            return int(value)
        except ValueError:
            return 0
    return value if isinstance(value, int) else 0


def _nonnegative(spec: dict[str, Any], key: str) -> Errs:
    value = spec.get(key)
    if isinstance(value, int) and value < 0:
        return [field_invalid(f"spec.{key}", value, _NEGATIVE)]
    return []


# --- kinds ------------------------------------------------------------------------


def _validate_ds_strategy(spec: dict[str, Any]) -> Errs:
    strategy = _dict(spec.get("updateStrategy"))
    kind = strategy.get("type") or ""
    path = "spec.updateStrategy"
    if kind == "OnDelete":
        return []
    if kind != "RollingUpdate":
        shown = _strategy_value(kind, strategy.get("rollingUpdate"))
        return [field_not_supported(path, shown, ["RollingUpdate", "OnDelete"])]
    rolling = strategy.get("rollingUpdate")
    if not isinstance(rolling, dict):
        return [field_required(f"{path}.rollingUpdate")]
    unavailable_path = f"{path}.rollingUpdate.maxUnavailable"
    surge_path = f"{path}.rollingUpdate.maxSurge"
    unavailable, surge = rolling.get("maxUnavailable"), rolling.get("maxSurge")
    errs = _positive_int_or_percent(unavailable, unavailable_path)
    errs += _positive_int_or_percent(surge, surge_path)
    errs += _not_over_100_percent(unavailable, unavailable_path)
    errs += _not_over_100_percent(surge, surge_path)
    has_unavailable, has_surge = _scalar_of(unavailable) != 0, _scalar_of(surge) != 0
    if has_unavailable and has_surge:
        errs.append(field_invalid(surge_path, surge, "may not be set when maxUnavailable is non-zero"))
    elif not has_unavailable and not has_surge:
        errs.append(field_required(unavailable_path, "cannot be 0 when maxSurge is 0"))
    return errs


def _validate_daemonset(ds: dict[str, Any]) -> Errs:
    spec = _dict(ds.get("spec"))
    sel = spec.get("selector")
    errs = _validate_label_selector(sel, "spec.selector")
    template = _dict(spec.get("template"))
    if _selector_matches_template(sel, template) is False:
        errs.append(field_invalid("spec.template.metadata.labels", _template_labels_value(template), _MISMATCH))
    if isinstance(sel, dict) and not sel.get("matchLabels") and not sel.get("matchExpressions"):
        errs.append(field_invalid("spec.selector", _selector_value(sel), "empty selector is invalid for daemonset"))
    errs += _validate_template_for_controller(spec, "DaemonSet")
    errs += _nonnegative(spec, "minReadySeconds")
    errs += _validate_ds_strategy(spec)
    errs += _nonnegative(spec, "revisionHistoryLimit")
    return errs


def _validate_deployment_strategy(strategy: dict[str, Any]) -> Errs:
    kind = strategy.get("type") or ""
    rolling = strategy.get("rollingUpdate")
    if kind == "Recreate":
        if rolling is not None:
            return [field_forbidden("spec.strategy.rollingUpdate",
                                    "may not be specified when strategy `type` is 'Recreate'")]
        return []
    if kind != "RollingUpdate":
        return [field_not_supported("spec.strategy", _strategy_value(kind, rolling), ["Recreate", "RollingUpdate"])]
    if not isinstance(rolling, dict):
        return [field_required("spec.strategy.rollingUpdate", "this should be defaulted and never be nil")]
    unavailable_path = "spec.strategy.rollingUpdate.maxUnavailable"
    unavailable, surge = rolling.get("maxUnavailable"), rolling.get("maxSurge")
    errs = _positive_int_or_percent(unavailable, unavailable_path)
    errs += _positive_int_or_percent(surge, "spec.strategy.rollingUpdate.maxSurge")
    if _scalar_of(unavailable) == 0 and _scalar_of(surge) == 0:
        errs.append(field_invalid(unavailable_path, unavailable, "may not be 0 when `maxSurge` is 0"))
    # Unlike DaemonSets, Deployments only cap maxUnavailable at 100%.
    return errs + _not_over_100_percent(unavailable, unavailable_path)


def _validate_deployment(deploy: dict[str, Any]) -> Errs:
    spec = _dict(deploy.get("spec"))
    errs = _nonnegative(spec, "replicas")
    sel = spec.get("selector")
    if not isinstance(sel, dict):
        errs.append(field_required("spec.selector"))
    else:
        errs += _validate_label_selector(sel, "spec.selector")
        if not sel.get("matchLabels") and not sel.get("matchExpressions"):
            errs.append(field_invalid("spec.selector", _selector_value(sel), "empty selector is invalid for deployment"))
    template = _dict(spec.get("template"))
    everything = isinstance(sel, dict) and not sel.get("matchLabels") and not sel.get("matchExpressions")
    matches = _selector_matches_template(sel, template)
    if matches is None:
        # Upstream skips the whole template check when the selector cannot be built.
        errs.append(field_invalid("spec.selector", _selector_value(_dict(sel)), "invalid label selector"))
    else:
        if not everything and not matches:
            errs.append(field_invalid("spec.template.metadata.labels", _template_labels_value(template), _MISMATCH))
        errs += _validate_template_for_controller(spec, "ReplicaSet")
    errs += _validate_deployment_strategy(_dict(spec.get("strategy")))
    errs += _nonnegative(spec, "minReadySeconds")
    errs += _nonnegative(spec, "revisionHistoryLimit")
    deadline = spec.get("progressDeadlineSeconds")
    if isinstance(deadline, int):
        errs += _nonnegative(spec, "progressDeadlineSeconds")
        if deadline <= (spec.get("minReadySeconds") or 0):
            errs.append(field_invalid("spec.progressDeadlineSeconds", deadline, "must be greater than minReadySeconds"))
    return errs


def _validate_selector_update(obj: dict[str, Any], old: dict[str, Any]) -> Errs:
    new_sel = _dict(obj.get("spec")).get("selector")
    old_sel = _dict(old.get("spec")).get("selector")
    if _selector_value(_dict(new_sel)) == _selector_value(_dict(old_sel)) and (new_sel is None) == (old_sel is None):
        return []
    shown = None if new_sel is None else _selector_value(_dict(new_sel))
    return [field_invalid("spec.selector", shown, _IMMUTABLE)]


def validate(obj: dict[str, Any], old: dict[str, Any] | None = None) -> list[str]:
    """Validation causes for a create (``old`` is None) or an update of ``obj``."""
    kind = str(obj.get("kind") or "")
    errs = _validate_meta(obj, kind)
    if kind == "DaemonSet":
        errs += _validate_daemonset(obj)
    elif kind == "Deployment":
        errs += _validate_deployment(obj)
    elif kind == "Pod":
        errs += validate_pod_spec(obj.get("spec"), "spec", is_pod=True)
        if old is not None:
            # ValidatePodUpdate: a pod's spec is fixed but for a few fields.
            errs += validate_pod_update(obj, old)
    elif kind == "Node":
        errs += validate_node_taints(_dict(obj.get("spec")).get("taints"))
    elif kind == "PriorityClass":
        errs += validate_priority_class(obj, old)
    if old is not None and kind in ("DaemonSet", "Deployment"):
        errs += _validate_selector_update(obj, old)
    return list(dict.fromkeys(errs))
