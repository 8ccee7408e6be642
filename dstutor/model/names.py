"""Name, label-key and label-value checks, worded as apimachinery words them.

Each function returns a list of problem descriptions (empty when the value is
fine). Callers decide how to wrap them: the API server turns each message into
a ``<path>: Invalid value: "<value>": <message>`` cause, the selector parser
joins them with "; ", and kubectl's taint parser appends them to its own text.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = [
    "DNS1123_LABEL_MAX",
    "DNS1123_SUBDOMAIN_MAX",
    "LABEL_VALUE_MAX",
    "QUALIFIED_NAME_MAX",
    "max_len_error",
    "regex_error",
    "validate_dns_label",
    "validate_dns_subdomain",
    "validate_label_key",
    "validate_annotation_keys",
    "validate_label_map",
    "validate_label_value",
    "validate_qualified_name",
]

DNS1123_LABEL_MAX = 63
DNS1123_SUBDOMAIN_MAX = 253
QUALIFIED_NAME_MAX = 63
LABEL_VALUE_MAX = 63

_DNS_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS_SUBDOMAIN_FMT = _DNS_LABEL_FMT + "(\\." + _DNS_LABEL_FMT + ")*"
_QNAME_CHAR_FMT = "[A-Za-z0-9]"
_QNAME_EXT_CHAR_FMT = "[-A-Za-z0-9_.]"
_QNAME_FMT = "(" + _QNAME_CHAR_FMT + _QNAME_EXT_CHAR_FMT + "*)?" + _QNAME_CHAR_FMT
_LABEL_VALUE_FMT = "(" + _QNAME_FMT + ")?"

_DNS_LABEL_RE = re.compile(_DNS_LABEL_FMT)
_DNS_SUBDOMAIN_RE = re.compile(_DNS_SUBDOMAIN_FMT)
_QNAME_RE = re.compile(_QNAME_FMT)
_LABEL_VALUE_RE = re.compile(_LABEL_VALUE_FMT)

_DNS_LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters "
    "or '-', and must start and end with an alphanumeric character"
)
_DNS_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
    "'-' or '.', and must start and end with an alphanumeric character"
)
_QNAME_MSG = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character"
)
_LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', "
    "'_' or '.', and must start and end with an alphanumeric character"
)
_EMPTY_MSG = "must be non-empty"


def max_len_error(length: int) -> str:
    return f"must be no more than {length} bytes"


def regex_error(msg: str, regex: str, *examples: str) -> str:
    """The shared "(e.g. ..., regex used for validation is ...)" suffix.

    Upstream separates examples with "', " followed by " or ", which yields the
    double space in "'MyName',  or 'my.name'"; users see that exact text.
    """
    if not examples:
        return f"{msg} (regex used for validation is '{regex}')"
    text = msg + " (e.g. "
    for i, example in enumerate(examples):
        if i:
            text += " or "
        text += f"'{example}', "
    return text + f"regex used for validation is '{regex}')"


def _full(pattern: re.Pattern[str], value: str) -> bool:
    return pattern.fullmatch(value) is not None


def _byte_len(value: str) -> int:
    # Limits are in bytes upstream (Go len()), which matters for non-ASCII input.
    return len(value.encode("utf-8"))


def validate_dns_subdomain(name: str) -> list[str]:
    # A match is ASCII, so its length is its length in bytes: a valid name (nearly every
    # one: a 5,000-node snapshot's load checks 300,000) is known from one match.
    # (Anything but a str takes the checks below, and fails there as it always did.)
    if (name.__class__ is str and len(name) <= DNS1123_SUBDOMAIN_MAX
            and _DNS_SUBDOMAIN_RE.fullmatch(name) is not None):
        return []
    return _dns_subdomain_errors(name)


def _dns_subdomain_errors(name: str) -> list[str]:
    errs: list[str] = []
    if _byte_len(name) > DNS1123_SUBDOMAIN_MAX:
        errs.append(max_len_error(DNS1123_SUBDOMAIN_MAX))
    if not _full(_DNS_SUBDOMAIN_RE, name):
        errs.append(regex_error(_DNS_SUBDOMAIN_MSG, _DNS_SUBDOMAIN_FMT, "example.com"))
    return errs


def validate_dns_label(name: str) -> list[str]:
    if (name.__class__ is str and len(name) <= DNS1123_LABEL_MAX
            and _DNS_LABEL_RE.fullmatch(name) is not None):
        return []  # (as validate_dns_subdomain's first test)
    return _dns_label_errors(name)


def _dns_label_errors(name: str) -> list[str]:
    errs: list[str] = []
    if _byte_len(name) > DNS1123_LABEL_MAX:
        errs.append(max_len_error(DNS1123_LABEL_MAX))
    if not _full(_DNS_LABEL_RE, name):
        if _full(_DNS_SUBDOMAIN_RE, name):
            # A valid subdomain that is not a valid label can only be failing on dots.
            errs.append("must not contain dots")
        else:
            errs.append(regex_error(_DNS_LABEL_MSG, _DNS_LABEL_FMT, "my-name", "123-abc"))
    return errs


# Qualified names found valid: label and annotation keys repeat from object to object
# (every node carries the same five labels and two annotations). Bounded; a miss only
# costs the check.
_VALID_QUALIFIED_NAMES: set[str] = set()
_VALID_QUALIFIED_NAMES_MAX = 4096


def validate_qualified_name(value: str) -> list[str]:
    """An optional DNS-subdomain prefix plus '/' plus a 63-character name."""
    if value in _VALID_QUALIFIED_NAMES:
        return []
    errs = _qualified_name_errors(value)
    if not errs:
        if len(_VALID_QUALIFIED_NAMES) >= _VALID_QUALIFIED_NAMES_MAX:
            _VALID_QUALIFIED_NAMES.clear()
        _VALID_QUALIFIED_NAMES.add(value)
    return errs


def _qualified_name_errors(value: str) -> list[str]:
    errs: list[str] = []
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errs.append("prefix part " + _EMPTY_MSG)
        else:
            errs.extend("prefix part " + m for m in validate_dns_subdomain(prefix))
    else:
        return [
            "a valid label key "
            + regex_error(_QNAME_MSG, _QNAME_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    if not name:
        errs.append("name part " + _EMPTY_MSG)
    elif _byte_len(name) > QUALIFIED_NAME_MAX:
        errs.append("name part " + max_len_error(QUALIFIED_NAME_MAX))
    if not _full(_QNAME_RE, name):
        errs.append("name part " + regex_error(_QNAME_MSG, _QNAME_FMT, "MyName", "my.name", "123-abc"))
    return errs


def validate_label_key(key: str) -> list[str]:
    # Label keys and qualified names share one definition upstream.
    return validate_qualified_name(key)


def validate_label_value(value: str) -> list[str]:
    errs: list[str] = []
    if _byte_len(value) > LABEL_VALUE_MAX:
        errs.append(max_len_error(LABEL_VALUE_MAX))
    if not _full(_LABEL_VALUE_RE, value):
        errs.append(regex_error(_LABEL_VALUE_MSG, _LABEL_VALUE_FMT, "MyValue", "my_value", "12345"))
    return errs


# --- field error text -------------------------------------------------------
# The API server renders each validation cause as "<path>: <Type>[: <value>]
# [: <detail>]". These helpers live here, in the lowest-level model module, so
# both the selector parser and the object validator can share them.


def go_quote(text: str) -> str:
    """Approximate Go's %q: double quotes with backslash escapes."""
    out = ['"']
    for ch in text:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def render_bad_value(value: object, *, sort_keys: bool = False) -> str:
    """Render a rejected value the way current (1.34+) API servers do.

    Scalars print bare (numbers, true/false), strings print Go-quoted, and
    anything composite prints as compact JSON. Go sorts map keys when encoding
    but keeps struct fields in declaration order, so callers pass sort_keys for
    label maps and keep insertion order for struct-shaped dicts.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    if isinstance(value, str):
        return go_quote(value)
    text = json.dumps(value, separators=(",", ":"), sort_keys=sort_keys, ensure_ascii=False)
    # encoding/json escapes HTML-significant characters by default.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def field_invalid(path: str, value: object, detail: str, *, sort_keys: bool = False) -> str:
    text = f"{path}: Invalid value: {render_bad_value(value, sort_keys=sort_keys)}"
    return f"{text}: {detail}" if detail else text


def field_required(path: str, detail: str = "") -> str:
    return f"{path}: Required value: {detail}" if detail else f"{path}: Required value"


def field_forbidden(path: str, detail: str) -> str:
    return f"{path}: Forbidden: {detail}" if detail else f"{path}: Forbidden"


def field_not_supported(path: str, value: object, supported: list[str]) -> str:
    text = f"{path}: Unsupported value: {render_bad_value(value)}"
    if supported:
        text += ": supported values: " + ", ".join(go_quote(s) for s in supported)
    return text


def field_duplicate(path: str, value: object) -> str:
    return f"{path}: Duplicate value: {render_bad_value(value)}"



# --- label and annotation maps -------------------------------------------------
# Go iterates maps in random order; sorting keys gives a stable cause order.


# Label values found valid, as _VALID_QUALIFIED_NAMES (every node's "amd64" and "linux").
# Kept small: each node's hostname passes through once, and 5,000 of them held here took
# 0.2 MB of the settle's peak; emptied when full, the repeating values come straight back.
_VALID_LABEL_VALUES: set[str] = set()
_VALID_LABEL_VALUES_MAX = 256


def _label_value_is_valid(value: str) -> bool:
    """not validate_label_value(value) for a value not remembered yet; remembered when
    valid (bounded)."""
    if validate_label_value(value):
        return False
    if len(_VALID_LABEL_VALUES) >= _VALID_LABEL_VALUES_MAX:
        _VALID_LABEL_VALUES.clear()
    _VALID_LABEL_VALUES.add(value)
    return True


def validate_label_map(labels: object, path: str) -> list[str]:
    """ValidateLabels: each bad key or value is its own cause at ``path``."""
    if not isinstance(labels, dict):
        return []
    # Nearly always every key and value is valid (a node registering: five labels):
    # one pass that only asks, without sorting or building cause lists. A map with a
    # bad entry (or one not a str) takes the full path below for its causes.
    for key, value in labels.items():
        if (key.__class__ is not str or value.__class__ is not str
                or (key not in _VALID_QUALIFIED_NAMES and validate_qualified_name(key))
                or (value not in _VALID_LABEL_VALUES and not _label_value_is_valid(value))):
            break
    else:
        return []
    return _label_map_causes(labels, path)


def _label_map_causes(labels: dict[Any, Any], path: str) -> list[str]:
    """validate_label_map's causes, key by key in sorted order (the general path)."""
    errs: list[str] = []
    for key in sorted(labels):
        errs += [field_invalid(path, key, m) for m in validate_qualified_name(str(key))]
        value = labels[key]
        errs += [field_invalid(path, value, m) for m in validate_label_value(str(value))]
    return errs


def validate_annotation_keys(annotations: object, path: str) -> list[str]:
    """ValidateAnnotations (keys only; upstream lower-cases them before checking)."""
    if not isinstance(annotations, dict):
        return []
    # As validate_label_map: one pass that only asks, the causes only for a bad key.
    for key in annotations:
        if key.__class__ is not str:
            break
        lowered = key.lower()
        if lowered not in _VALID_QUALIFIED_NAMES and validate_qualified_name(lowered):
            break
    else:
        return []
    return _annotation_key_causes(annotations, path)


def _annotation_key_causes(annotations: dict[Any, Any], path: str) -> list[str]:
    """validate_annotation_keys' causes, in sorted key order (the general path)."""
    errs: list[str] = []
    for key in sorted(annotations):
        errs += [field_invalid(path, key, m) for m in validate_qualified_name(str(key).lower())]
    return errs
