"""dstutor: an interactive teaching shell for Kubernetes DaemonSets."""

__version__ = "0.1.0"
