"""A worker killed (SIGKILL) in the middle of grading loses nothing: the claim goes stale, the
submission is re-queued, and another real worker grades it once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from celery import Celery
from django.utils import timezone

from grader.services import submissions_requeue_stale
from quizapp.quizzes.models import Grade, Submission
from quizapp.quizzes.services import attempt_start, attempt_submit
from tests.conftest import ARTIFACTS, ROOT, _database_url_for_worker, wait_for_grade

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_worker_killed_mid_grade_loses_nothing(open_quiz, cast, redis_server, celery_worker_process, monkeypatch,
                                                 settings):
    # The slow worker listens on its own Redis database, so the normal test worker cannot take the task first.
    slow_broker = redis_server.rsplit("/", 1)[0] + "/5"
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="quizapp.settings.test", DATABASE_URL=_database_url_for_worker(),
               REDIS_URL=slow_broker, PYTHONUNBUFFERED="1")
    with open(ARTIFACTS / "slow-worker.log", "wb") as log:
        slow = subprocess.Popen([sys.executable, "-m", "celery", "-A", "tests.integration.slow_worker_app", "worker",
                                 "--pool=solo", "--without-gossip", "--without-mingle", "-n", "slow@%h"],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        monkeypatch.setattr("quizapp.quizzes.services.grading_enqueue", lambda **kw: True)
        attempt = attempt_start(quiz=open_quiz, student=cast["student1"])
        submission = attempt_submit(attempt_id=attempt.id, student=cast["student1"])
        Celery(broker=slow_broker, set_as_current=False).send_task("grader.tasks.submission_grade_task", args=[submission.id])

        deadline = time.monotonic() + 60
        while Submission.objects.get(id=submission.id).status != Submission.Status.GRADING:
            assert time.monotonic() < deadline, (ARTIFACTS / "slow-worker.log").read_text()[-2000:]
            time.sleep(0.2)
        os.killpg(slow.pid, signal.SIGKILL)  # mid-grade: the claim is held, no grade written
        slow.wait(timeout=10)
    finally:
        if slow.poll() is None:
            os.killpg(slow.pid, signal.SIGKILL)
    assert Submission.objects.get(id=submission.id).status == Submission.Status.GRADING
    assert not Grade.objects.filter(submission_id=submission.id).exists()

    # Time passes: the claim is older than GRADING_STALE_AFTER_SECONDS. The periodic requeue
    # finds it and the healthy worker grades it.
    monkeypatch.undo()
    stale = timezone.now() - timezone.timedelta(seconds=settings.GRADING_STALE_AFTER_SECONDS + 60)
    Submission.objects.filter(id=submission.id).update(claimed_at=stale)
    assert submissions_requeue_stale() == 1
    graded = wait_for_grade(submission.id)
    assert graded.status == Submission.Status.GRADED
    assert graded.tries == 2
    assert Grade.objects.filter(submission_id=submission.id).count() == 1
