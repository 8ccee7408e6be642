"""Classroom tools: manifest lint, exercises with scoring, results export and grading."""
