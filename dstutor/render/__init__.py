"""Pure renderers: Kubernetes objects (as JSON dicts) in, kubectl's exact text out."""
