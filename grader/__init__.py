"""Grading: the Celery app, its tasks, and the grading service."""
