"""Guided lessons: the lesson format, its checks, the runner, progress and `lesson check`."""
