"""Kubernetes objects as plain dicts in their JSON form, plus pure helpers over them."""
