"""The Celery application: ``celery -A grader.celery_app worker``."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizapp.settings.dev")

app = Celery("dlquiz")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["grader"])
