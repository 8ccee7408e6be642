"""`dstutor serve`: the simulator as a Kubernetes API server on loopback for a real kubectl.

http.py (HTTP framing, limits) → routes.py (URL to request) → api.py (the verbs on the
simulator, under one lock) → discovery.py, tables.py, watch.py, status.py.
"""
