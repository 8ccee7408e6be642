"""API-server semantics for every write: defaulting, validation, metadata, deletion.

A rejected write raises before anything is stored, so it changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from dstutor.digest import sha256_hex
from dstutor.errors import AlreadyExists, BadRequest, Forbidden, Invalid, NotFound
from dstutor.model import defaults, validation
from dstutor.model.admission import PriorityAnswers, add_default_toleration_seconds, qos_class
from dstutor.model.kinds import KINDS, KindInfo
from dstutor.model.names import go_quote
from dstutor.model.objects import (
    TEMPLATE_GENERATION_ANNOTATION,
    Key,
    Obj,
    canonical_json,
    clone,
    is_terminating,
)
from dstutor.model.podupdate import admit_pod_update
from dstutor.model.priority import (
    SYSTEM_CLASSES,
    PriorityRejected,
    admit_priority_class,
)
from dstutor.model.timefmt import to_rfc3339
from dstutor.sim.clock import Clock
from dstutor.sim.namegen import NameGenerator
from dstutor.sim.store import Store

# RetryGenerateName: the registry tries this many generated names before AlreadyExists.
MAX_NAME_GENERATION_ATTEMPTS = 8

# Kinds whose spec changes bump metadata.generation (the rest have none). Pods have one
# since v1.33 (KEP-5067, on by default from v1.34): 1 on create, +1 per spec change and
# when graceful deletion starts; the kubelet reports it back in status.observedGeneration.
GENERATION_KINDS = frozenset({"DaemonSet", "Deployment", "ReplicaSet", "Pod"})
# NamespaceLifecycle's immortalNamespaces: deleting one is Forbidden.
IMMORTAL_NAMESPACES = frozenset({"default", "kube-system", "kube-public"})


def kind_info(kind: str) -> KindInfo:
    info = KINDS.get(kind)
    if info is None:
        raise BadRequest(f'no kind "{kind}" is registered')
    return info


def not_found(kind: str, name: str) -> NotFound:
    return NotFound(f'{kind_info(kind).resource_display} "{name}" not found')


def _parse_int64(text: str) -> tuple[int | None, str]:
    """Go's strconv.ParseInt(text, 10, 64): (value, "") or (None, the error's reason)."""
    body = text[1:] if text[:1] in ("+", "-") else text
    if not body or not body.isascii() or not body.isdigit():
        return None, "invalid syntax"
    value = int(text)
    if not -(2**63) <= value < 2**63:
        return None, "value out of range"
    return value, ""


def _forbidden(info: KindInfo, obj: Obj, err: PriorityRejected) -> Forbidden:
    """The Priority plugin's refusal, as the API server words it."""
    meta = obj["metadata"]
    name = meta.get("name") or meta.get("generateName") or "Unknown"
    return Forbidden(f'{info.resource_display} "{name}" is forbidden: {err}')


def requested_template_generation(info: KindInfo, obj: Obj) -> int | None:
    """The DaemonSet's spec.templateGeneration as the apps/v1 conversion decodes it.

    apps/v1 carries templateGeneration only in the deprecated annotation, and decoding
    the request body parses it: a value that is not an int64 rejects the whole write,
    before any other check, as a BadRequest. None when the annotation is absent.
    """
    anns = (obj.get("metadata") or {}).get("annotations")
    value = anns.get(TEMPLATE_GENERATION_ANNOTATION) if isinstance(anns, dict) else None
    if not isinstance(value, str):
        return None
    generation, reason = _parse_int64(value)
    if generation is None:
        version = info.api_version.rsplit("/", 1)[-1]
        raise BadRequest(f'{info.kind} in version "{version}" cannot be handled as a '
                         f"{info.kind}: strconv.ParseInt: parsing {go_quote(value)}: {reason}")
    return generation


class ApiServer:
    def __init__(self, store: Store, clock: Clock, names: NameGenerator) -> None:
        self.store = store
        self.clock = clock
        self.names = names
        # priority_answers' last answer, with the PriorityClass writes it was made after.
        self._priority_answers: tuple[int, PriorityAnswers] | None = None

    # --- reads --------------------------------------------------------------------

    def get(self, kind: str, namespace: str, name: str) -> Obj:
        obj = self.store.get(kind, namespace if kind_info(kind).namespaced else "", name)
        if obj is None:
            raise not_found(kind, name)
        return obj

    # --- create -------------------------------------------------------------------

    def prepare_create(self, obj: Obj, *, handed_over: bool = False) -> Obj:
        """Default, validate and fill metadata, without storing (also used by dry runs).

        The caller's object is copied first, unless it is `handed_over`: built for this
        create and never used by the caller again (a node the simulator makes).
        """
        if not handed_over:
            obj = clone(obj)
        info = kind_info(obj.get("kind", ""))
        template_generation = (requested_template_generation(info, obj)
                               if info.kind == "DaemonSet" else None)
        meta = obj.setdefault("metadata", {})
        if info.namespaced:
            meta["namespace"] = meta.get("namespace") or "default"
        else:
            meta.pop("namespace", None)
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = self._generate_name(info.kind, meta.get("namespace", ""),
                                               meta["generateName"])
        defaults.apply_defaults(obj)
        causes = validation.validate(obj)
        if causes:
            raise Invalid(info.kind, meta.get("name") or meta.get("generateName", ""), causes)
        ns = meta.get("namespace", "")
        if info.namespaced and info.kind != "Event":
            ns_obj = self.store.get("Namespace", "", ns)
            if ns_obj is None:
                raise NotFound(f'namespaces "{ns}" not found')
            if is_terminating(ns_obj):
                raise Forbidden(
                    f'{info.resource_display} "{meta["name"]}" is forbidden: unable to create '
                    f"new content in namespace {ns} because it is being terminated")
        self._check_name_free(info.kind, ns, meta["name"])
        self._admit(info, obj)
        now = to_rfc3339(self.clock.now())
        meta["uid"] = self.names.uid()
        meta["creationTimestamp"] = now
        for transient in ("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds",
                          "selfLink"):
            meta.pop(transient, None)
        if info.kind in GENERATION_KINDS:
            meta["generation"] = 1
            obj["status"] = {}
        if info.kind == "DaemonSet":
            # PrepareForCreate keeps a requested templateGeneration but raises it to 1;
            # the v1 encoding writes it back as the annotation (FormatInt: "+05" -> "5").
            generation = max(template_generation or 0, 1)
            meta.setdefault("annotations", {})[TEMPLATE_GENERATION_ANNOTATION] = str(generation)
        if info.kind == "Pod":
            add_default_toleration_seconds(obj["spec"])
            obj["status"] = {"phase": "Pending", "qosClass": qos_class(obj["spec"])}
        if info.kind == "Namespace":
            obj["status"] = {"phase": "Active"}
            meta.setdefault("labels", {})["kubernetes.io/metadata.name"] = meta["name"]
        obj["apiVersion"] = info.api_version
        return obj

    def _admit(self, info: KindInfo, obj: Obj, answers: PriorityAnswers | None = None) -> None:
        """The Priority admission plugin: resolves a new pod's priority and keeps a
        second globalDefault PriorityClass out (Forbidden, as the plugin words it)."""
        try:
            if info.kind == "Pod":
                self.admit_pod_priority(obj, answers)
            elif info.kind == "PriorityClass":
                admit_priority_class(obj, self.store.list("PriorityClass"))
        except PriorityRejected as err:
            raise _forbidden(info, obj, err) from None

    def priority_answers(self) -> PriorityAnswers:
        """A memo of the Priority plugin for creates that write no PriorityClass between
        them (see create_trusted): the same one until a PriorityClass is written (a node
        joining makes one pod per DaemonSet, each in a sync of its own)."""
        written = self.store.writes_of("PriorityClass")
        cached = self._priority_answers
        if cached is None or cached[0] != written:
            cached = self._priority_answers = (written, PriorityAnswers(
                self.store.list("PriorityClass")))
        return cached[1]

    def admit_pod_priority(self, pod: Obj, answers: PriorityAnswers | None = None) -> None:
        """Write spec.priority (and the class's name and preemptionPolicy) into a new pod.

        Only top-level keys of the spec are set, so a controller's pods may keep
        sharing the nested parts of one spec.
        """
        spec = pod.setdefault("spec", {})
        if answers is None:
            answers = self.priority_answers()
        name, priority, policy = answers.resolve(spec)
        if name:
            spec["priorityClassName"] = name
        spec["priority"] = priority
        spec["preemptionPolicy"] = policy

    def _check_name_free(self, kind: str, namespace: str, name: str) -> None:
        if self.store.get(kind, namespace, name) is not None:
            raise AlreadyExists(f'{kind_info(kind).resource_display} "{name}" already exists')

    def _generate_name(self, kind: str, namespace: str, base: str) -> str:
        """A generated name not yet taken: five random characters collide now and then
        (about once per DaemonSet at 5,000 pods), and the API server retries them."""
        return self._generate_free_name(kind, namespace, base)[0]

    def _generate_free_name(self, kind: str, namespace: str, base: str) -> tuple[str, bool]:
        """(_generate_name's name, whether it is known to be free)."""
        key, free = self._generate_free_key(kind, namespace, base)
        return key[2], free

    def _generate_free_key(self, kind: str, namespace: str, base: str) -> tuple[Key, bool]:
        """(the store key (kind, namespace, name) of _generate_name's name, whether it is
        known to be free): only the last of the attempts goes unchecked, so the caller's
        own check is needed just for that one. A pod's key is looked up in the pod table
        (Store.get's own for pods: a record always holds its pod), and a controller's
        create hands it on to put_created_pod."""
        taken: Callable[[Key], bool]
        if kind == "Pod":
            taken = self.store.pod_records.__contains__
        else:
            get = self.store.get

            def taken(key: Key) -> bool:
                return get(*key) is not None

        generate = self.names.generate
        key = (kind, namespace, generate(base))
        for _ in range(MAX_NAME_GENERATION_ATTEMPTS - 1):
            if not taken(key):
                return key, True
            key = (kind, namespace, generate(base))
        return key, False

    def create(self, obj: Obj, *, handed_over: bool = False) -> Obj:
        stored = self.prepare_create(obj, handed_over=handed_over)
        self.store.put(stored)
        return stored

    def create_builtin(self, obj: Obj) -> Obj:
        """An object the API server makes for itself at start-up (the system priority
        classes). Its uid comes from its name, not from the seeded generator, so adding
        one leaves every generated pod name and uid of a seed as it was."""
        stored = clone(obj)
        defaults.apply_defaults(stored)
        meta = stored["metadata"]
        digest = sha256_hex(f"{stored['kind']}/{meta['name']}")
        meta["uid"] = (f"{digest[:8]}-{digest[8:12]}-4{digest[13:16]}-"
                       f"{'89ab'[int(digest[16], 16) % 4]}{digest[17:20]}-{digest[20:32]}")
        meta["creationTimestamp"] = to_rfc3339(self.clock.now())
        self.store.put(stored, builtin=True)
        return stored

    def create_trusted(self, obj: Obj, *, priority: PriorityAnswers | None = None,
                       index: tuple[str, object, str] | None = None) -> Obj:
        """A controller's create: the object is built correctly, skip defaulting/validation.

        `priority`: the caller's PriorityAnswers for a run of creates, valid only while
        no PriorityClass is written (the controller's creates in one sync write only
        pods and events); None asks the classes afresh. `index`: a pod's controller
        uid, ownerReferences list and target node, as Store.put_created_pod takes them.
        """
        meta, kind = obj["metadata"], obj["kind"]
        namespace = meta.get("namespace", "")
        if kind == "Pod":
            # Admission runs before the registry generates a name, so a refusal names
            # the generateName prefix (`pods "fluentd-" is forbidden: ...`). (_admit's
            # Pod branch, inline: every pod a controller makes.)
            try:
                self.admit_pod_priority(obj, priority)
            except PriorityRejected as err:
                raise _forbidden(KINDS["Pod"], obj, err) from None
        free = False
        key = None
        if not meta.get("name"):
            # Every pod a controller makes: the name just found free needs no second look,
            # and its store key goes on to put_created_pod.
            key, free = self._generate_free_key(kind, namespace, meta["generateName"])
            meta["name"] = key[2]
        if not free:
            self._check_name_free(kind, namespace, meta["name"])
        meta["uid"] = self.names.uid()
        meta["creationTimestamp"] = to_rfc3339(self.clock.now())
        if kind in GENERATION_KINDS:
            meta.setdefault("generation", 1)
        if index is not None:  # (its key is free: just found so, or checked)
            self.store.put_created_pod(obj, key or ("Pod", namespace, meta["name"]), *index)
        else:
            self.store.put(obj)
        return obj

    # --- update -------------------------------------------------------------------

    def prepare_update(self, obj: Obj) -> tuple[Obj, Obj]:
        """Return (old, new) for a user update; new keeps the old status (main resource)."""
        obj = clone(obj)
        info = kind_info(obj.get("kind", ""))
        if info.kind == "DaemonSet":
            # Decoding still rejects a non-integer; the value itself is then ignored
            # (PrepareForUpdate carries templateGeneration over from the old object).
            requested_template_generation(info, obj)
        meta = obj.setdefault("metadata", {})
        ns = meta.get("namespace") or ("default" if info.namespaced else "")
        if info.namespaced:
            meta["namespace"] = ns
        old = self.store.get(info.kind, ns, meta.get("name", ""))
        if old is None:
            raise not_found(info.kind, meta.get("name", ""))
        defaults.apply_defaults(obj)
        if info.kind == "Pod":
            admit_pod_update(obj, old)  # mutating admission runs before validation
        causes = validation.validate(obj, old)
        if causes:
            raise Invalid(info.kind, meta["name"], causes)
        if info.kind == "PriorityClass":
            self._admit(info, obj)
        # Identity and server-owned metadata cannot be changed by a client.
        for field in ("uid", "creationTimestamp", "deletionTimestamp",
                      "deletionGracePeriodSeconds", "generation", "ownerReferences"):
            if field in old["metadata"] and (field != "ownerReferences" or field not in meta):
                meta[field] = clone(old["metadata"][field])
        if "status" in old:
            obj["status"] = clone(old["status"])
        else:
            obj.pop("status", None)
        if info.kind in GENERATION_KINDS:
            if canonical_json(obj.get("spec")) != canonical_json(old.get("spec")):
                meta["generation"] = old["metadata"].get("generation", 1) + 1
        if info.kind == "DaemonSet":
            anns = meta.setdefault("annotations", {})
            old_gen = int(old["metadata"].get("annotations", {}).get(
                TEMPLATE_GENERATION_ANNOTATION, "1"))
            changed = canonical_json(obj["spec"].get("template")) != canonical_json(
                old["spec"].get("template"))
            anns[TEMPLATE_GENERATION_ANNOTATION] = str(old_gen + 1 if changed else old_gen)
        obj["apiVersion"] = info.api_version
        return old, obj

    def update(self, obj: Obj) -> Obj:
        old, new = self.prepare_update(obj)
        self.store.put(new)
        del old
        return new

    def update_status(self, obj: Obj, status: Obj) -> None:
        """A controller writes status in place (the status subresource)."""
        obj["status"] = status
        self.store.touch(obj)

    # --- delete -------------------------------------------------------------------

    def delete(self, kind: str, namespace: str, name: str, *, propagation: str = "Background",
               grace_seconds: int | None = None) -> Obj:
        """Delete as the API server does; returns the object as it was before."""
        obj = self.get(kind, namespace, name)
        if kind == "PriorityClass" and name in SYSTEM_CLASSES:
            # The PriorityClass registry's Delete refuses the built-in classes.
            raise Forbidden(f'{kind_info(kind).resource_display} "{name}" is forbidden: '
                            "this is a system priority class and cannot be deleted")
        self.delete_object(obj, propagation=propagation, grace_seconds=grace_seconds)
        return obj

    def delete_object(self, obj: Obj, *, propagation: str = "Background",
                      grace_seconds: int | None = None) -> None:
        meta = obj["metadata"]
        now = self.clock.now()
        finalizers = meta.setdefault("finalizers", [])
        if propagation == "Foreground" and "foregroundDeletion" not in finalizers:
            finalizers.append("foregroundDeletion")
        elif propagation == "Orphan" and "orphan" not in finalizers:
            finalizers.append("orphan")
        if not finalizers:
            del meta["finalizers"]
        graceful = obj["kind"] == "Pod" and self._pod_needs_graceful_delete(obj, grace_seconds)
        if obj["kind"] == "Namespace" and meta.get("name") in IMMORTAL_NAMESPACES:
            # NamespaceLifecycle admission: these three are never deleted.
            raise Forbidden(f'namespaces "{meta["name"]}" is forbidden: this namespace may '
                            "not be deleted")
        if obj["kind"] == "Namespace" and not meta.get("deletionTimestamp"):
            meta["deletionTimestamp"] = to_rfc3339(now)
            obj["status"]["phase"] = "Terminating"
            self.store.touch(obj)
            return
        if finalizers or graceful:
            if not meta.get("deletionTimestamp"):
                grace = 0
                if graceful:
                    grace = grace_seconds if grace_seconds is not None else obj["spec"].get(
                        "terminationGracePeriodSeconds", 30)
                # BeforeDelete (graceful) and markAsDeleting (finalizers only) both
                # record the grace period, 0 for the latter, and bump a generation.
                meta["deletionGracePeriodSeconds"] = grace
                meta["deletionTimestamp"] = to_rfc3339(now + grace)
                if int(meta.get("generation") or 0) > 0:
                    meta["generation"] = int(meta["generation"]) + 1
                self.store.touch(obj)
            else:
                self.store.touch(obj)
            return
        self.store.remove(obj)

    def _pod_needs_graceful_delete(self, pod: Obj, grace_seconds: int | None) -> bool:
        # Unbound pods, finished pods and forced deletes disappear at once.
        if grace_seconds == 0:
            return False
        if not pod.get("spec", {}).get("nodeName"):
            return False
        return pod.get("status", {}).get("phase") not in ("Failed", "Succeeded")

    def finish_deletion(self, obj: Obj) -> None:
        """Drop an object whose finalizers and grace period are done."""
        self.store.remove(obj)

    def remove_finalizer(self, obj: Obj, finalizer: str) -> None:
        finalizers = obj["metadata"].get("finalizers") or []
        if finalizer in finalizers:
            finalizers.remove(finalizer)
        if not finalizers:
            obj["metadata"].pop("finalizers", None)
            if is_terminating(obj):
                self.store.remove(obj)
                return
        self.store.touch(obj)
