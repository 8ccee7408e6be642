"""Bad manifests for the kubectl error table, written into the test's tmp dir."""
GOOD = """apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: {name}
spec:
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
      containers:
      - name: c
        image: busybox:1.37
"""


def good(name: str = "x") -> str:
    return GOOD.format(name=name)


def edit(old: str, new: str, name: str = "x") -> str:
    text = good(name)
    assert old in text, old
    return text.replace(old, new, 1)


BOMB = "".join(
    [f"{a}: &{a} [" + ",".join([f"*{p}"] * 9) + "]\n" for p, a in zip("abcdef", "bcdefg", strict=True)])
BOMB = "a: &a [1, 2]\n" + BOMB

FILES: dict[str, str | bytes] = {
    "ds.yaml": good(),
    "unclosed.yaml": "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: x\n",
    "badindent.yaml": "apiVersion: apps/v1\nkind: DaemonSet\n metadata:\n  name: x\n",
    "tabs.yaml": "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n\tname: x\n",
    "colon.yaml": "apiVersion: apps/v1\nkind: DaemonSet: oops\n",
    "binary.yaml": b"\x7fELF\x02\x01\x01\x00\x00\x00binary",
    "latin1.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: caf\xe9\n".encode("latin-1"),
    "bomb.yaml": BOMB,
    "replicas.yaml": edit("  selector:", "  replicas: 3\n  selector:"),
    "typo.yaml": edit("        image: busybox:1.37", "        image: busybox:1.37\n        imagePullPolice: Always"),
    "lables.yaml": edit("  name: x", "  name: x\n  lables: {a: b}"),
    "strategy.yaml": edit("  selector:", "  strategy: {type: Recreate}\n  selector:"),
    "twounknown.yaml": edit("  selector:", "  replicas: 2\n  paused: true\n  selector:"),
    "toplevel.yaml": good() + "spec2: {}\n",
    "v1beta2.yaml": edit("apps/v1", "apps/v1beta2"),
    "extensions.yaml": edit("apps/v1", "extensions/v1beta1"),
    "corev1.yaml": edit("apps/v1", "v1"),
    "lowerkind.yaml": edit("kind: DaemonSet", "kind: Daemonset"),
    "service.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n",
    "mismatch.yaml": edit("        app: x\n    spec:", "        app: z\n    spec:"),
    "emptysel.yaml": edit("    matchLabels:\n      app: x\n", "    {}\n"),
    "never.yaml": edit("      containers:", "      restartPolicy: Never\n      containers:"),
    "surge.yaml": edit("  selector:", "  updateStrategy:\n    rollingUpdate: {maxSurge: 1}\n  selector:"),
    "zero.yaml": edit("  selector:", "  updateStrategy:\n    rollingUpdate: {maxUnavailable: 0}\n  selector:"),
    "percent.yaml": edit("  selector:", "  updateStrategy:\n    rollingUpdate: {maxUnavailable: 150%}\n  selector:"),
    "strategytype.yaml": edit("  selector:", "  updateStrategy: {type: Recreate}\n  selector:"),
    "badname.yaml": edit("  name: x", "  name: Node_Logger"),
    "nokind.yaml": "apiVersion: apps/v1\nmetadata:\n  name: x\n",
    "noversion.yaml": "kind: DaemonSet\nmetadata:\n  name: x\n",
    "notype.yaml": "metadata:\n  name: x\n",
    "list.yaml": "- a\n- b\n",
    "scalar.yaml": "just a string\n",
    "empty.yaml": "",
    "comments.yaml": "# nothing here\n---\n# still nothing\n",
    "firstbad.yaml": "foo: [bar\n---\n" + good("second"),
    "otherns.yaml": edit("  name: x", "  name: x\n  namespace: monitoring"),
    "noimage.yaml": edit("        image: busybox:1.37\n", ""),
    "dupcontainer.yaml": good().replace("      - name: c\n        image: busybox:1.37\n",
        "      - name: c\n        image: busybox:1.37\n      - name: c\n        image: busybox:1.36\n"),
    "negative.yaml": edit("  selector:", "  minReadySeconds: -1\n  selector:"),
    "deadline.yaml": edit("      containers:", "      activeDeadlineSeconds: 30\n      containers:"),
}
