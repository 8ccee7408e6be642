"""Controllers: the DaemonSet controller and the cluster components around it."""
