"""Races that only a real database with row locks can show: run on PostgreSQL.

`python3 dev.py test` runs these against a throwaway PostgreSQL cluster it starts
(DATABASE_URL=postgres://...); on SQLite they are skipped.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from grader.services import submission_grade
from quizapp.quizzes.models import Attempt, Grade
from quizapp.quizzes.services import attempt_start, attempt_submit

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (dev.py test runs these against a throwaway cluster)")


def run_together(fn, n: int) -> list:
    """Run ``fn`` in ``n`` threads released at the same moment; return results or exceptions."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def worker(i: int) -> None:
        try:
            barrier.wait()
            results[i] = fn()
        except Exception as exc:  # collected and asserted on by the caller
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_eight_workers_racing_for_one_submission_grade_it_once(open_quiz, cast, monkeypatch):
    monkeypatch.setattr("quizapp.quizzes.services.grading_enqueue", lambda **kw: True)
    attempt = attempt_start(quiz=open_quiz, student=cast["student1"])
    submission = attempt_submit(attempt_id=attempt.id, student=cast["student1"])
    results = run_together(lambda: submission_grade(submission_id=submission.id), 8)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r is not None for r in results) == 1
    assert Grade.objects.filter(submission=submission).count() == 1


def test_a_double_clicked_start_creates_one_attempt(open_quiz, cast):
    results = run_together(lambda: attempt_start(quiz=open_quiz, student=cast["student1"]).id, 4)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(set(results)) == 1
    assert Attempt.objects.filter(student=cast["student1"]).count() == 1


def test_racing_submits_make_one_submission(open_quiz, cast, monkeypatch):
    monkeypatch.setattr("quizapp.quizzes.services.grading_enqueue", lambda **kw: True)
    attempt = attempt_start(quiz=open_quiz, student=cast["student1"])
    results = run_together(lambda: attempt_submit(attempt_id=attempt.id, student=cast["student1"]).id, 4)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(set(results)) == 1
