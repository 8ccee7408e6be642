"""Manifests the serve tests apply through the real kubectl."""

LOGGER = """\
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: logger
spec:
  selector:
    matchLabels: {app: logger}
  template:
    metadata:
      labels: {app: logger}
    spec:
      containers:
      - name: log
        image: busybox:1.36
"""
LOGGER_V2 = LOGGER.replace("busybox:1.36", "busybox:1.37")
LOGGER_BOGUS = LOGGER.replace("image: busybox:1.36", "image: busybox:1.36\n        bogus: 1")
LOGGER_BAD_SELECTOR = LOGGER.replace("labels: {app: logger}", "labels: {app: other}")
WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
"""
