"""Celery app for the crash test: the normal app, with grading slowed down so that a test can
kill the worker while it holds a claim. Used only as `celery -A tests.integration.slow_worker_app`."""

import time

from celery.signals import task_prerun

from grader.celery_app import app

__all__ = ["app"]


@task_prerun.connect
def _slow_down_grading(**_kwargs):  # type: ignore[no-untyped-def]
    import grader.services  # Django is set up by the time a task runs

    if getattr(grader.services._grade_answers, "slowed", False):
        return
    grade_answers = grader.services._grade_answers

    def slow(submission):  # type: ignore[no-untyped-def]
        time.sleep(60)
        return grade_answers(submission)

    slow.slowed = True
    grader.services._grade_answers = slow
