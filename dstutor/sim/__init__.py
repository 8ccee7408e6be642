"""The simulated cluster: store, virtual clock, run loop and the public Cluster API."""
