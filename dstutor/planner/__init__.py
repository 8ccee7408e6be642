"""The rollout planner: how long a DaemonSet's rollout takes on a fleet, strategy by strategy.

It runs the real simulator (sim + controllers: rolling_update, maxUnavailable/maxSurge,
minReadySeconds, readiness) on the virtual clock. Layering: it may use sim, controller,
render and model, never kubectl, shell, lessons or the front end. `inputs` reads and checks
what the user gave, `fleet` builds and settles the old version, `rollout` runs one strategy,
`plan` compares them, and `view` turns a plan into text, a Rich picture, JSON or SVG.
"""
