"""Celery tasks: each takes ids and calls one service."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from grader.services import submission_grade, submissions_requeue_stale
from quizapp.quizzes.services import attempts_close_expired


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def submission_grade_task(self, submission_id: int) -> str:  # noqa: ARG001
    grade = submission_grade(submission_id=submission_id)
    return "graded" if grade is not None else "skipped"


@shared_task(acks_late=True)
def attempts_close_expired_task() -> int:
    return attempts_close_expired()


@shared_task(acks_late=True)
def submissions_requeue_stale_task() -> int:
    return submissions_requeue_stale()
