"""The grading service: claims, history, failure handling (the real worker is in tests/integration)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from grader.services import submission_grade, submission_regrade, submissions_requeue_stale
from questions import Variant as QuestionVariant
from quizapp.quizzes.models import Grade, Submission
from quizapp.quizzes.services import answer_save, attempt_start, attempt_submit


@pytest.fixture
def submitted(open_quiz, cast, django_capture_on_commit_callbacks):
    """student1 answers every part correctly and submits (the task is not sent)."""
    attempt = attempt_start(quiz=open_quiz, student=cast["student1"])
    variant = QuestionVariant.from_dict(attempt.variants.get().data)
    for part in variant.parts:
        raw = " x ".join(map(str, part.correct)) if isinstance(part.correct, list) else str(part.correct)
        answer_save(attempt_id=attempt.id, student=cast["student1"], position=1, part_key=part.key, raw=raw)
    with django_capture_on_commit_callbacks(execute=False):
        return attempt_submit(attempt_id=attempt.id, student=cast["student1"])


def test_correct_answers_score_full_marks(submitted):
    grade = submission_grade(submission_id=submitted.id)
    assert grade.score == grade.max_score == 2
    submitted.refresh_from_db()
    assert submitted.status == Submission.Status.GRADED


def test_a_submission_is_graded_once_even_if_the_task_runs_twice(submitted):
    assert submission_grade(submission_id=submitted.id) is not None
    assert submission_grade(submission_id=submitted.id) is None
    assert Grade.objects.count() == 1


def test_a_claim_held_by_a_live_worker_is_left_alone(submitted):
    Submission.objects.filter(id=submitted.id).update(status=Submission.Status.GRADING, claimed_at=timezone.now())
    assert submission_grade(submission_id=submitted.id) is None


def test_a_claim_left_by_a_killed_worker_goes_stale_and_is_graded_again(submitted, settings, django_capture_on_commit_callbacks):
    long_ago = timezone.now() - timedelta(seconds=settings.GRADING_STALE_AFTER_SECONDS + 5)
    Submission.objects.filter(id=submitted.id).update(status=Submission.Status.GRADING, claimed_at=long_ago)
    assert submissions_requeue_stale() == 1  # broker down in unit tests: logged, retried later
    assert submission_grade(submission_id=submitted.id) is not None
    assert Submission.objects.get(id=submitted.id).tries == 1


def test_regrading_adds_a_grade_row_and_keeps_history(submitted, django_capture_on_commit_callbacks):
    submission_grade(submission_id=submitted.id)
    with django_capture_on_commit_callbacks(execute=False):
        submission_regrade(submission_id=submitted.id)
    submission_grade(submission_id=submitted.id)
    reasons = list(Grade.objects.order_by("created_at", "id").values_list("reason", flat=True))
    assert reasons == ["initial", "regrade"]
    assert submitted.current_grade.reason == "regrade"


def test_a_broken_variant_marks_the_submission_failed_without_losing_it(submitted):
    variant = submitted.attempt.variants.get()
    variant.data = {"broken": True}
    variant.save()
    assert submission_grade(submission_id=submitted.id) is None
    submitted.refresh_from_db()
    assert submitted.status == Submission.Status.FAILED
    assert submitted.error
    assert submitted.answers  # the student's answers are still there
