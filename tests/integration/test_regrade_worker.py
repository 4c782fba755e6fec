"""A TA fixes a template after students were graded; the instructor updates the variants and a real
worker (Redis + `celery worker` process) regrades them: a new Grade row with the fixed score."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quizapp.quizzes.models import Grade, Variant
from quizapp.quizzes.services import answer_save, attempt_start, attempt_submit
from tests.conftest import wait_for_grade
from tests.factories import PASSWORD
from tests.quizapp.instructor_helpers import buggy_quiz, publish_fix, truly_right

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_update_and_regrade_after_a_template_fix_produces_a_new_grade(client, cast, celery_worker_process):
    quiz = buggy_quiz(cast)
    student = cast["student1"]
    attempt = attempt_start(quiz=quiz, student=student)
    for key, raw in truly_right(attempt).items():
        answer_save(attempt_id=attempt.id, student=student, position=1, part_key=key, raw=raw)
    submission = attempt_submit(attempt_id=attempt.id, student=student)  # enqueued on commit, to the real worker
    first = wait_for_grade(submission.id)
    assert first.status == "graded", first.error
    assert first.current_grade.score == 1  # the buggy v1 marks the right parameter count wrong

    publish_fix(cast)
    assert client.login(username="instructor", password=PASSWORD)
    response = client.post(reverse("teach-update-variants", args=[quiz.id]), follow=True)
    assert "Updated 1 variant(s) to the latest published version; queued 1 submission(s)" in response.content.decode()
    assert Variant.objects.get(attempt=attempt).template_version.number == 2

    regraded = wait_for_grade(submission.id)
    assert regraded.status == "graded", regraded.error
    grades = list(Grade.objects.filter(submission=submission).order_by("created_at", "id"))
    assert [(g.reason, g.score) for g in grades] == [("initial", 1), ("regrade", 2)]
    monitor = client.get(reverse("teach-monitor", args=[quiz.id])).content.decode()
    assert "2 / 2" in monitor and "(2 gradings)" in monitor
