"""`dstutor serve`: the simulator as a Kubernetes API server on loopback for a real kubectl.

http.py (HTTP/1.1 framing, body limits, the clock thread) → api.py (routing and reads
under the one simulator lock; watches stream from watch.py without it) → writes.py
(create, replace, patch, server-side apply, delete, eviction, scale) with validate.py
(typed decoding), managed.py (field ownership), protobuf.py (typed clients' bodies) and
logs.py; discovery.py, routes.py, select.py, status.py and encode.py are the protocol's
small parts. main.py starts and stops a server; command.py is the CLI side.
"""
