"""The grading path with real parts: a Redis server and a `celery worker` process."""

from __future__ import annotations

import pytest
from django.urls import reverse

from questions import Variant as QuestionVariant
from quizapp.quizzes.models import Attempt
from tests.conftest import wait_for_grade
from tests.factories import PASSWORD

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_grades_a_submission_made_through_django(client, open_quiz, cast, celery_worker_process):
    client.login(username="student1", password=PASSWORD)
    client.post(reverse("quiz-start", args=[open_quiz.id]))
    attempt = Attempt.objects.get(student=cast["student1"])
    variant = QuestionVariant.from_dict(attempt.variants.get().data)
    parts = variant.parts
    right, wrong = parts[0], parts[-1]
    client.post(reverse("answer-save", args=[attempt.id]), {"position": 1, "part_key": right.key,
                "raw": " x ".join(map(str, right.correct)) if isinstance(right.correct, list) else str(right.correct)})
    if wrong is not right:
        client.post(reverse("answer-save", args=[attempt.id]), {"position": 1, "part_key": wrong.key, "raw": "abc"})
    response = client.post(reverse("attempt-submit", args=[attempt.id]))
    assert response.status_code == 302

    submission = wait_for_grade(attempt.submission.id)
    assert submission.status == "graded", submission.error
    grade = submission.current_grade
    details = grade.details["1"]
    assert details["parts"][right.key]["score"] == 1.0
    if wrong is not right:
        assert wrong.key in details["format_errors"]  # "abc" is a format error, not a wrong answer
    assert 0 < grade.score < grade.max_score or len(parts) == 1

    result = client.get(reverse("attempt-result", args=[attempt.id])).content.decode()
    assert "Worked solution" in result


def test_healthz_reports_database_redis_and_worker(client, celery_worker_process):
    body = client.get("/healthz")
    assert body.status_code == 200, body.json()
    assert {k: v["ok"] for k, v in body.json()["checks"].items()} == {"database": True, "redis": True, "worker": True}
